//! Streamed responses logged one event per line, priced by the core's ledger: each stream
//! billed once at its final usage, interleaved streams apart, an abandoned stream priced as a
//! lower bound and counted, the open streams capped.
//!
//! Rates (USD per million tokens) from the repository's pricing files, which cite the
//! providers' pricing pages:
//! - gpt-4o-mini (`pricing/openai.toml`): input 0.15, cached input 0.075, output 0.60;
//! - gpt-5 (`pricing/openai.toml`): input 1.25, cached input 0.125, output 10.00;
//! - claude-sonnet-4-5 (`pricing/anthropic.toml`): input 3.00, output 15.00, cache read 0.30,
//!   5-minute cache write 3.75;
//! - gemini-2.5-flash (`pricing/google.toml`): input 0.30, output 2.50 (thinking included).

use ratebook::Decimal;
use ratebook::ingest::{Assumption, IncompleteStream, Ledger, LineOutcome, Shape, Summary};
use ratebook_tests::{book, date, root};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/data/usage").join(name)).expect("fixture")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// Prices `text` line by line; returns the summary, the outcomes and the incomplete streams.
fn price(text: &str, cap: Option<usize>) -> (Summary, Vec<LineOutcome>, Vec<IncompleteStream>) {
    let book = book();
    let mut ledger = Ledger::new(&book, date("2026-11-23"));
    if let Some(cap) = cap {
        ledger = ledger.stream_cap(cap);
    }
    let outcomes: Vec<LineOutcome> = text.lines().map(|l| ledger.add_line(l)).collect();
    ledger.finish();
    let incomplete = ledger.take_incomplete();
    let summary = ledger.summary().expect("summary");
    (summary, outcomes, incomplete)
}

fn rejected(outcomes: &[LineOutcome]) -> Vec<usize> {
    (1..)
        .zip(outcomes)
        .filter(|(_, o)| matches!(o, LineOutcome::Rejected(_)))
        .map(|(n, _)| n)
        .collect()
}

#[test]
fn openai_chat_chunks_bill_each_stream_once_at_its_usage_chunk() {
    let (s, outcomes, incomplete) = price(&fixture("openai_chat_stream.jsonl"), None);
    // A: 1,000 prompt (200 cached) + 500 completion: 800 × 0.15 + 200 × 0.075 + 500 × 0.60
    //    = 120 + 15 + 300 = 435 millionths.
    // B: 2,000 × 0.15 + 1,000 × 0.60 = 300 + 600 = 900 millionths.
    // C: 400 × 0.15 + 100 × 0.60 = 60 + 60 = 120 millionths.
    // D: abandoned before any usage: priced at zero tokens, $0 (a lower bound).
    // 435 + 900 + 120 = 1,455 millionths.
    assert_eq!(s.total, dec("0.001455"));
    assert_eq!((s.records, s.incomplete_streams, s.rejected), (4, 1, 0));
    assert_eq!(incomplete.len(), 1);
    assert_eq!(incomplete[0].line, 9, "D's first chunk");
    assert_eq!(incomplete[0].shape, Shape::OpenAiChat);
    assert_eq!(incomplete[0].id, "chatcmpl-D");
    assert!(
        incomplete[0].reason.contains("include_usage"),
        "{:?}",
        incomplete[0]
    );
    // The usage chunks are the lines that price (8, 12, 14); the others are taken in.
    let priced: Vec<usize> = (1..)
        .zip(&outcomes)
        .filter(|(_, o)| **o == LineOutcome::Priced)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(priced, [8, 12, 14]);
    let m = &s.by_model[0];
    assert_eq!(
        (m.input_tokens, m.cached_tokens, m.output_tokens),
        (3_400, 200, 1_600)
    );
}

#[test]
fn openai_responses_events_bill_completed_and_incomplete_and_count_failed() {
    let (s, _, incomplete) = price(&fixture("openai_responses_stream.jsonl"), None);
    // resp_1 completed: 3,000 input (1,000 cached), 2,000 output (1,500 reasoning, inside):
    //    2,000 × 1.25 + 1,000 × 0.125 + 2,000 × 10 = 2,500 + 125 + 20,000 = 22,625 millionths.
    // resp_2 completed: 1,000 × 1.25 + 500 × 10 = 1,250 + 5,000 = 6,250 millionths.
    // resp_3 incomplete (max_output_tokens), billed: 2,000 × 1.25 + 4,000 × 10
    //    = 2,500 + 40,000 = 42,500 millionths.
    // resp_4 abandoned after response.created (usage null): $0, incomplete.
    // resp_5 failed without usage: a failed request, not billed.
    // 22,625 + 6,250 + 42,500 = 71,375 millionths.
    assert_eq!(s.total, dec("0.071375"));
    assert_eq!(
        (s.records, s.failed, s.incomplete_streams, s.rejected),
        (4, 1, 1, 0)
    );
    assert_eq!(incomplete[0].line, 13);
    assert_eq!(incomplete[0].id, "resp_4");
    assert_eq!(incomplete[0].shape, Shape::OpenAiResponses);
}

#[test]
fn anthropic_events_join_the_latest_open_message_and_bill_at_message_stop() {
    let (s, outcomes, incomplete) = price(&fixture("anthropic_stream.jsonl"), None);
    // S1: 2,000 input + 1,000 cache writes + 4,000 cache reads, 600 output (cumulative):
    //     2,000 × 3 + 1,000 × 3.75 + 4,000 × 0.30 + 600 × 15
    //     = 6,000 + 3,750 + 1,200 + 9,000 = 19,950 millionths.
    // S3 (inside S2): 1,200 × 3 + 300 × 15 = 3,600 + 4,500 = 8,100 millionths.
    // S2: its message_delta restates the prompt (500, no cache) with 800 output:
    //     500 × 3 + 800 × 15 = 1,500 + 12,000 = 13,500 millionths.
    // S4: no message_stop: message_start's 1,000 input + the last output_tokens seen (250):
    //     1,000 × 3 + 250 × 15 = 3,000 + 3,750 = 6,750 millionths (a lower bound).
    // 19,950 + 8,100 + 13,500 + 6,750 = 48,300 millionths.
    assert_eq!(s.total, dec("0.0483"));
    assert_eq!((s.records, s.incomplete_streams, s.rejected), (4, 1, 0));
    assert_eq!(incomplete[0].line, 21);
    assert_eq!(incomplete[0].id, "msg_01S4");
    assert!(incomplete[0].reason.contains("message_stop"));
    // message_stop lines price: 8 (S1), 16 (S3), 20 (S2).
    let priced: Vec<usize> = (1..)
        .zip(&outcomes)
        .filter(|(_, o)| **o == LineOutcome::Priced)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(priced, [8, 16, 20]);
    let m = &s.by_model[0];
    // Prompt: 7,000 + 500 + 1,200 + 1,000; output 600 + 800 + 300 + 250.
    assert_eq!((m.input_tokens, m.output_tokens), (9_700, 1_950));
}

#[test]
fn gemini_chunks_bill_their_last_cumulative_usage() {
    let (s, _, incomplete) = price(&fixture("gemini_stream.jsonl"), None);
    // G1 final chunk: 1,000 prompt, 200 candidates + 300 thoughts:
    //    1,000 × 0.30 + 500 × 2.50 = 300 + 1,250 = 1,550 millionths.
    // G2 final: 2,000 × 0.30 + 400 × 2.50 = 600 + 1,000 = 1,600 millionths.
    // G3 final: 500 × 0.30 + 100 × 2.50 = 150 + 250 = 400 millionths.
    // G4 without a finishReason: its last chunk, 3,000 × 0.30 + 160 × 2.50 = 900 + 400
    //    = 1,300 millionths (a lower bound).
    // 1,550 + 1,600 + 400 + 1,300 = 4,850 millionths.
    assert_eq!(s.total, dec("0.00485"));
    assert_eq!((s.records, s.incomplete_streams, s.rejected), (4, 1, 0));
    assert_eq!(
        (incomplete[0].line, incomplete[0].id.as_str()),
        (9, "G4dddd")
    );
    assert_eq!(incomplete[0].shape, Shape::Gemini);
}

#[test]
fn all_four_interleaved_with_a_malformed_event() {
    let text = fixture("streams_mixed.jsonl");
    let (s, outcomes, incomplete) = price(&text, None);
    // The four logs above, interleaved line by line: 1,455 + 71,375 + 48,300 + 4,850
    // = 125,980 millionths; line 5 is a message_delta whose output_tokens is a string.
    assert_eq!(s.total, dec("0.12598"));
    assert_eq!(
        (s.records, s.failed, s.incomplete_streams, s.rejected),
        (16, 1, 4, 1)
    );
    assert_eq!(rejected(&outcomes), [5]);
    match &outcomes[4] {
        LineOutcome::Rejected(e) => assert!(e.message.starts_with("`usage.output_tokens`"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(incomplete.len(), 4);
    // Listed in the order the streams started.
    let lines: Vec<u64> = incomplete.iter().map(|i| i.line).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
}

#[test]
fn the_summary_closes_open_streams_without_finish() {
    // `summary` on a ledger with open streams counts them as incomplete (on a copy).
    let book = book();
    let mut ledger = Ledger::new(&book, date("2026-11-23"));
    for l in fixture("anthropic_stream.jsonl").lines() {
        ledger.add_line(l);
    }
    assert_eq!(ledger.open_streams(), 1);
    let s = ledger.summary().unwrap();
    assert_eq!((s.total, s.incomplete_streams), (dec("0.0483"), 1));
    assert_eq!(
        ledger.open_streams(),
        1,
        "summary leaves the ledger as it was"
    );
}

#[test]
fn past_the_cap_the_oldest_open_stream_is_closed_as_incomplete() {
    // Three Gemini streams open at once with a cap of two: the first is closed when the third
    // opens, priced at its last chunk, and counted; the other two end normally.
    let g = |id: &str, c: u64, finish: bool| {
        format!(
            r#"{{"candidates": [{{"content": {{"parts": [{{"text": "x"}}]}}{}}}], "usageMetadata": {{"promptTokenCount": 1000, "candidatesTokenCount": {c}}}, "modelVersion": "gemini-2.5-flash", "responseId": "{id}"}}"#,
            if finish {
                r#", "finishReason": "STOP""#
            } else {
                ""
            }
        )
    };
    let log = [
        g("a", 10, false),
        g("b", 10, false),
        g("c", 10, false),
        g("b", 20, true),
        g("c", 20, true),
        g("a", 40, true),
    ]
    .join("\n");
    let (s, _, incomplete) = price(&log, Some(2));
    // a closed at line 3 with its 10 output tokens; its final chunk (line 6) comes after and
    // is billed as a stream of its own (the ledger forgot a):
    //   a: 1,000 × 0.30 + 10 × 2.50 = 300 + 25 = 325 millionths (incomplete)
    //   b, c: 1,000 × 0.30 + 20 × 2.50 = 350 millionths each
    //   a's final chunk: 1,000 × 0.30 + 40 × 2.50 = 400 millionths.
    // 325 + 350 + 350 + 400 = 1,425 millionths.
    assert_eq!(s.total, dec("0.001425"));
    assert_eq!((s.records, s.incomplete_streams), (4, 1));
    assert_eq!((incomplete[0].line, incomplete[0].id.as_str()), (1, "a"));
}

#[test]
fn a_final_event_reads_as_the_whole_response_it_bills() {
    // `parse_line` keeps its meaning for a stream's final event: the billable response.
    use ratebook::ingest::{Parsed, StreamStep, parse_event, parse_line};
    let chat = fixture("openai_chat_stream.jsonl");
    let last = chat.lines().nth(7).unwrap();
    assert!(matches!(parse_line(last, None), Ok(Parsed::Billable(_))));
    match parse_event(last, None) {
        Ok(Parsed::Stream(ev)) => {
            assert_eq!(ev.id.as_deref(), Some("chatcmpl-A"));
            assert!(matches!(ev.step, StreamStep::End(Ok(_))));
        }
        other => panic!("{other:?}"),
    }
    let first = chat.lines().next().unwrap();
    assert!(matches!(
        parse_line(first, None),
        Ok(Parsed::Stream(ratebook::ingest::StreamEvent {
            step: StreamStep::Progress(_),
            ..
        }))
    ));
}

#[test]
fn a_gemini_chunk_without_usage_metadata_changes_nothing() {
    // Chunks of one stream, the middle one without usageMetadata: the stream keeps what the
    // first measured and bills at the last: 1,000 × 0.30 + 100 × 2.50 = 300 + 250 = 550
    // millionths.
    let log = [
        r#"{"candidates": [{"content": {"parts": [{"text": "a"}]}}], "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 5}, "modelVersion": "gemini-2.5-flash", "responseId": "z"}"#,
        r#"{"candidates": [{"content": {"parts": [{"text": "b"}]}}], "modelVersion": "gemini-2.5-flash", "responseId": "z"}"#,
        r#"{"candidates": [{"content": {"parts": [{"text": "c"}]}, "finishReason": "STOP"}], "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 100}, "modelVersion": "gemini-2.5-flash", "responseId": "z"}"#,
    ]
    .join("\n");
    let (s, outcomes, _) = price(&log, None);
    assert_eq!(s.total, dec("0.00055"));
    assert_eq!((s.records, s.incomplete_streams, s.rejected), (1, 0, 0));
    assert_eq!(
        outcomes,
        [
            LineOutcome::Streamed,
            LineOutcome::Streamed,
            LineOutcome::Priced
        ]
    );
}

/// How many priced records needed `a`.
fn assumed(s: &Summary, a: Assumption) -> u64 {
    s.assumptions
        .iter()
        .find(|(x, _)| *x == a)
        .map_or(0, |(_, n)| *n)
}

#[test]
fn a_stream_that_reports_no_service_tier_is_assumed_standard_like_a_whole_response() {
    // Anthropic's events in the fixture report no `service_tier`: all four streams (three
    // ended, one incomplete) are priced at the standard tier, and say so.
    let log = fixture("anthropic_stream.jsonl");
    let (s, ..) = price(&log, None);
    assert_eq!(assumed(&s, Assumption::StandardTier), 4);
    // A `message_start` that reports its tier (Anthropic puts it in `usage`) assumes nothing.
    let told = log.replacen(
        "\"output_tokens\": 1}}}",
        "\"output_tokens\": 1, \"service_tier\": \"standard\"}}}",
        1,
    );
    assert_ne!(told, log, "the fixture's first message_start");
    let (s, ..) = price(&told, None);
    assert_eq!(assumed(&s, Assumption::StandardTier), 3);
    assert_eq!(
        s.total,
        dec("0.0483"),
        "the price does not change, only what it assumed"
    );
    // OpenAI's chunks and Responses events in the fixtures report their tier.
    for f in ["openai_chat_stream.jsonl", "openai_responses_stream.jsonl"] {
        let (s, ..) = price(&fixture(f), None);
        assert!(s.records > 0, "{f}");
        assert_eq!(assumed(&s, Assumption::StandardTier), 0, "{f}");
    }
    // Without it, a chunk stream closed as incomplete assumes the standard tier too.
    let bare = fixture("openai_chat_stream.jsonl").replace(", \"service_tier\": \"default\"", "");
    assert_ne!(bare, fixture("openai_chat_stream.jsonl"));
    let (s, ..) = price(&bare, None);
    assert_eq!(assumed(&s, Assumption::StandardTier), s.records);
}
