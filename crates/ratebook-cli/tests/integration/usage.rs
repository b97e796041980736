//! Real usage: provider responses (tests/data/usage/*.jsonl, fields exactly as the providers
//! document them) priced by the core (`ratebook::ingest`) and by `ratebook cost`; golden totals
//! worked out by hand below; the ledger's summed pricing checked against per-response
//! estimates; and every kind of bad input, none of which may panic or vanish.
//!
//! Rates (USD per 1M tokens) are the repository's pricing files, whose sources are the
//! providers' pricing pages: OpenAI developers.openai.com/api/docs/pricing, Google
//! ai.google.dev/gemini-api/docs/pricing, Anthropic platform.claude.com/docs/en/about-claude/pricing.
//! Responses without a timestamp are priced at 2026-11-23 (`--date`).

use crate::support::{book, date, root, run, run_json, run_json_with_stdin};
use proptest::prelude::*;
use ratebook::ingest::{
    Ledger, LineOutcome, Parsed, Provider, Record, RejectKind, Shape, parse_line,
};
use ratebook::{Decimal, EstimateOptions, Mode, RateBook, SourceFile, Usage};
use serde_json::Value;

const TODAY: &str = "2026-11-23";

fn fixture(name: &str) -> String {
    format!("tests/data/usage/{name}")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(fixture(name))).expect("fixture exists")
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// The billable record of a line (owned), or a panic saying what it was instead.
#[track_caller]
fn record(line: &str) -> Record<'static> {
    match parse_line(line, None) {
        Ok(Parsed::Billable(r)) => Record {
            shape: r.shape,
            model: r.model.into_owned().into(),
            usage: r.usage,
            mode: r.mode,
            date: r.date,
            reported_cost: r.reported_cost,
            assumptions: r.assumptions,
        },
        other => panic!("expected a billable record, got {other:?}"),
    }
}

/// The nth line (1-based) of a fixture.
fn line(name: &str, n: usize) -> String {
    read(name)
        .lines()
        .nth(n - 1)
        .expect("line exists")
        .to_string()
}

/// `ratebook cost FIXTURE --json --date 2026-11-23`.
fn cost(name: &str) -> Value {
    run_json(&["cost", &fixture(name), "--json", "--date", TODAY])
}

/// A model's total in a `cost --json` answer.
fn model_total(v: &Value, model: &str) -> String {
    v["by_model"][model]["total_usd"]
        .as_str()
        .unwrap_or_else(|| panic!("{model} in {v}"))
        .to_string()
}

/// Prices a whole fixture through the core ledger and returns (total, records, failed, rejected).
fn ledger(name: &str) -> (Decimal, u64, u64, u64) {
    let book = book();
    let mut l = Ledger::new(&book, date(TODAY));
    for text in read(name).lines() {
        l.add_line(text);
    }
    let s = l.summary().expect("summary");
    (s.total, s.records, s.failed, s.rejected)
}

/// The same fixture priced response by response with `RateBook::estimate`.
fn per_line_total(name: &str) -> Decimal {
    let book = book();
    let mut total = Decimal::ZERO;
    for text in read(name).lines() {
        if let Ok(Parsed::Billable(r)) = parse_line(text, None) {
            let opts = EstimateOptions::at(r.date.unwrap_or(date(TODAY))).mode(r.mode);
            total += book
                .estimate(&r.model, &r.usage, opts)
                .expect("estimate")
                .total;
        }
    }
    total
}

// --- OpenAI Chat Completions -------------------------------------------------------------------

#[test]
fn openai_chat_completions() {
    // Line 1, gpt-4o-2024-08-06 (a pinned snapshot, its own model: $2.50 in, $1.25 cached, $10 out):
    // prompt_tokens 1,200 INCLUDE cached_tokens 1,024 → 176 uncached.
    let r = record(&line("openai_chat.jsonl", 1));
    assert_eq!(r.shape, Shape::OpenAiChat);
    assert_eq!(r.model, "gpt-4o-2024-08-06");
    assert_eq!(
        (r.usage.input_text, r.usage.cached, r.usage.output_text),
        (1_200, 1_024, 300)
    );
    assert_eq!(r.date.map(|d| d.to_string()).as_deref(), Some("2025-11-20"));
    // Line 2, o4-mini ($1.10 in, $4.40 out): completion_tokens 1,500 INCLUDE reasoning 1,200 —
    // billed once: 1,500 output tokens, not 2,700.
    let r = record(&line("openai_chat.jsonl", 2));
    assert_eq!(r.usage.output_text, 1_500);
    // Line 3, gpt-5 with service_tier "priority" → priority mode (×2: $2.50 in, $20 out).
    let r = record(&line("openai_chat.jsonl", 3));
    assert_eq!(r.mode, Mode::Priority);

    let v = cost("openai_chat.jsonl");
    // 176 × $2.50 + 1,024 × $1.25 + 300 × $10 = $0.00044 + $0.00128 + $0.003 = $0.00472
    assert_eq!(model_total(&v, "gpt-4o-2024-08-06"), "0.00472");
    // 2,000 × $1.10 + 1,500 × $4.40 = $0.0022 + $0.0066 = $0.0088
    assert_eq!(model_total(&v, "o4-mini"), "0.0088");
    // 1,000 × $2.50 + 500 × $20 = $0.0025 + $0.01 = $0.0125
    assert_eq!(model_total(&v, "gpt-5"), "0.0125");
    assert_eq!(v["by_model"]["gpt-5"]["modes"]["priority"], 1);
    // $0.00472 + $0.0088 + $0.0125 = $0.02602
    assert_eq!(v["total_usd"], "0.02602");
    assert_eq!(
        (
            v["records"].as_u64(),
            v["failed"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(3), Some(0), Some(0))
    );
    let gpt4o = &v["by_model"]["gpt-4o-2024-08-06"];
    assert_eq!(
        (
            gpt4o["input_tokens"].as_u64(),
            gpt4o["cached_tokens"].as_u64(),
            gpt4o["output_tokens"].as_u64()
        ),
        (Some(1_200), Some(1_024), Some(300))
    );
}

// --- OpenAI Responses API ----------------------------------------------------------------------

#[test]
fn openai_responses_api() {
    // Line 1, gpt-5 ($1.25 in, $0.125 cached, $10 out): input_tokens 5,000 include cached
    // 4,096; output_tokens 2,000 include reasoning 1,500.
    let r = record(&line("openai_responses.jsonl", 1));
    assert_eq!(r.shape, Shape::OpenAiResponses);
    assert_eq!(
        (r.usage.input_text, r.usage.cached, r.usage.output_text),
        (5_000, 4_096, 2_000)
    );
    // Line 2, gpt-4.1 with one web_search_call output item → one call of the $10/1,000 fee.
    let r = record(&line("openai_responses.jsonl", 2));
    assert_eq!(r.usage.calls.get("search"), Some(&1));
    // Line 3: status "failed" → not billed.
    assert!(matches!(
        parse_line(&line("openai_responses.jsonl", 3), None),
        Ok(Parsed::Failed { .. })
    ));
    // Lines 4 and 5: gpt-5.6-terra, 10,000 input with 6,000 cached and 3,000 cache writes
    // (input_tokens_details.cache_write_tokens), 1,000 output — before and after its price
    // cut of 2026-07-30, each priced at its own `created_at` date.
    let r = record(&line("openai_responses.jsonl", 4));
    assert_eq!((r.usage.cached, r.usage.cache_write_5m), (6_000, 3_000));
    assert_eq!(r.date.map(|d| d.to_string()).as_deref(), Some("2026-07-01"));

    let v = cost("openai_responses.jsonl");
    // 904 × $1.25 + 4,096 × $0.125 + 2,000 × $10 = $0.00113 + $0.000512 + $0.02 = $0.021642
    assert_eq!(model_total(&v, "gpt-5"), "0.021642");
    // 3,000 × $2 + 400 × $8 + 1 × $10/1,000 = $0.006 + $0.0032 + $0.01 = $0.0192
    assert_eq!(model_total(&v, "gpt-4.1"), "0.0192");
    // 2026-07-01 (launch: $2.50 in, $0.25 cached, $3.125 write, $15 out):
    //   1,000 × 2.50 + 6,000 × 0.25 + 3,000 × 3.125 + 1,000 × 15 = $0.028375
    // 2026-08-15 (after the cut: $2, $0.20, $2.50, $12):
    //   1,000 × 2 + 6,000 × 0.20 + 3,000 × 2.50 + 1,000 × 12 = $0.0227
    // together $0.051075
    assert_eq!(model_total(&v, "gpt-5.6-terra"), "0.051075");
    // $0.021642 + $0.0192 + $0.051075 = $0.091917
    assert_eq!(v["total_usd"], "0.091917");
    assert_eq!(
        (v["records"].as_u64(), v["failed"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(v["failed_reasons"]["openai responses: failed"], 1);
}

// --- OpenAI Batch API output -------------------------------------------------------------------

#[test]
fn openai_batch_output() {
    let r = record(&line("openai_batch.jsonl", 1));
    assert_eq!((r.shape, r.mode), (Shape::OpenAiBatch, Mode::Batch));
    let v = cost("openai_batch.jsonl");
    // gpt-4o-mini batch: ×0.5 on input and output ($0.075, $0.30); the batch cached column is
    // empty for gpt-4o-mini, so cached input stays at the standard cached $0.075.
    // Line 1: 1,000 × $0.075 + 200 × $0.30 = $0.000075 + $0.00006 = $0.000135
    // Line 2: 1,024 × $0.075 + 512 × $0.075 + 100 × $0.30 = $0.0000768 + $0.0000384 + $0.00003
    //       = $0.0001452
    // Lines 3 (error, no response) and 4 (status_code 400): failed, not billed.
    assert_eq!(model_total(&v, "gpt-4o-mini"), "0.0002802");
    assert_eq!(v["total_usd"], "0.0002802");
    assert_eq!(v["by_model"]["gpt-4o-mini"]["modes"]["batch"], 2);
    assert_eq!(
        (
            v["records"].as_u64(),
            v["failed"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(2), Some(2), Some(0))
    );
    assert_eq!(v["failed_reasons"]["openai batch: error"], 1);
    assert_eq!(v["failed_reasons"]["openai batch: status 400"], 1);
}

// --- Gemini generateContent --------------------------------------------------------------------

#[test]
fn gemini_generate_content() {
    // Line 1, gemini-2.5-flash ($0.30 in, $2.50 out): thoughtsTokenCount 800 is NOT inside
    // candidatesTokenCount 200 → 1,000 output tokens.
    let r = record(&line("gemini.jsonl", 1));
    assert_eq!(r.shape, Shape::Gemini);
    assert_eq!(r.usage.output_text, 1_000);
    // Line 3, gemini-2.5-flash-image: an IMAGE candidate of 1,290 tokens → image output.
    let r = record(&line("gemini.jsonl", 3));
    assert_eq!((r.usage.output_text, r.usage.output_image), (0, 1_290));
    // Line 4: gemini-3.1-flash-image-preview resolves to gemini-3.1-flash-image.
    assert_eq!(
        book()
            .resolve(&record(&line("gemini.jsonl", 4)).model)
            .unwrap()
            .id,
        "gemini-3.1-flash-image"
    );
    // Line 6: "models/gemini-2.5-flash"; toolUsePromptTokenCount 400 is input on top of the prompt.
    let r = record(&line("gemini.jsonl", 6));
    assert_eq!(r.usage.input_text, 450);

    let v = cost("gemini.jsonl");
    // gemini-2.5-flash ($0.30 text in, $1.00 audio in, $0.03 cached, $2.50 out):
    //   line 1: 1,000 × 0.30 + (200 + 800) × 2.50                   = $0.0028
    //   line 2: 2,000 × 0.30 + 8,000 cached × 0.03 + 500 × 2.50     = $0.00209
    //   line 5: 100 × 0.30 + 3,200 AUDIO × 1.00 + 150 × 2.50        = $0.003605
    //   line 6: (50 + 400 tool-use) × 0.30 + 100 × 2.50             = $0.000385
    //   together $0.00888
    assert_eq!(model_total(&v, "gemini-2.5-flash"), "0.00888");
    // gemini-2.5-flash-image: 12 × $0.30 + 1,290 × $30 (image output) = $0.0000036 + $0.0387
    assert_eq!(model_total(&v, "gemini-2.5-flash-image"), "0.0387036");
    // gemini-3.1-flash-image ($0.50 in, $3 text out, $60 image out):
    //   580 × 0.50 + (50 + 100 thoughts) × 3 + 1,120 × 60 = $0.00029 + $0.00045 + $0.0672
    assert_eq!(model_total(&v, "gemini-3.1-flash-image"), "0.06794");
    assert_eq!(v["total_usd"], "0.1155236");
    // The image tokens are priced at the image rate, not the $3 text rate.
    let meters = v["by_model"]["gemini-3.1-flash-image"]["meters"]
        .as_array()
        .unwrap();
    let image = meters
        .iter()
        .find(|m| m["meter"] == "output_image")
        .unwrap();
    assert_eq!(
        (image["quantity"].as_u64(), image["amount_usd"].as_str()),
        (Some(1_120), Some("0.0672"))
    );
}

#[test]
fn gemini_batch_results() {
    let v = cost("gemini_batch.jsonl");
    // gemini-3.1-flash-lite batch: $0.125 in, $0.75 out, and (its exception among Gemini
    // models) the batch discount stacks with cache reads: $0.0125.
    //   line 1: 500 × 0.125 + 100 × 0.75                      = $0.0001375
    //   line 2: error → failed
    //   line 3: 200 × 0.125 + 800 × 0.0125 + 100 × 0.75      = $0.00011
    assert_eq!(model_total(&v, "gemini-3.1-flash-lite"), "0.0002475");
    assert_eq!(v["by_model"]["gemini-3.1-flash-lite"]["modes"]["batch"], 2);
    assert_eq!(
        (v["records"].as_u64(), v["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["failed_reasons"]["gemini batch: error"], 1);
}

#[test]
fn vertex_ai_batch_prediction_lines() {
    // Vertex AI batch output: the request beside the response, `status` empty on success and
    // the error message otherwise.
    let ok = r#"{"status": "", "processed_time": "2026-11-20T10:00:00.000+00:00", "request": {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}, "response": {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello"}]}, "finishReason": "STOP"}], "usageMetadata": {"promptTokenCount": 500, "candidatesTokenCount": 100, "totalTokenCount": 600}, "modelVersion": "gemini-3.1-flash-lite"}}"#;
    let r = record(ok);
    assert_eq!(
        (r.shape, r.mode, r.usage.input_text, r.usage.output_text),
        (Shape::GeminiBatch, Mode::Batch, 500, 100)
    );
    let bad = r#"{"status": "Bad Request: {\"error\": {\"code\": 400}}", "processed_time": "2026-11-20T10:00:00.000+00:00", "request": {"contents": []}}"#;
    assert!(matches!(
        parse_line(bad, None),
        Ok(Parsed::Failed {
            shape: Shape::GeminiBatch,
            ..
        })
    ));
}

// --- Anthropic ---------------------------------------------------------------------------------

#[test]
fn anthropic_messages() {
    // Line 1: input_tokens 50 EXCLUDE cache reads 10,000 and writes 2,000 → prompt 12,050.
    let r = record(&line("anthropic.jsonl", 1));
    assert_eq!(r.shape, Shape::AnthropicMessage);
    assert_eq!(
        (r.usage.input_text, r.usage.cached, r.usage.cache_write_5m),
        (12_050, 10_000, 2_000)
    );
    // Line 2: cache_creation splits the 5,000 writes: 1,000 for 5 minutes, 4,000 for an hour.
    let r = record(&line("anthropic.jsonl", 2));
    assert_eq!(
        (r.usage.cache_write_5m, r.usage.cache_write_1h),
        (1_000, 4_000)
    );
    // Line 3: server_tool_use.web_search_requests 3 → 3 search calls.
    assert_eq!(
        record(&line("anthropic.jsonl", 3))
            .usage
            .calls
            .get("search"),
        Some(&3)
    );

    let v = cost("anthropic.jsonl");
    // claude-sonnet-4-5-20250929 → claude-sonnet-4-5 ($3 in, $0.30 read, $3.75 5m write, $15 out):
    //   line 1: 50 × 3 + 10,000 × 0.30 + 2,000 × 3.75 + 600 × 15 = $0.01965
    //   line 3: 2,000 × 3 + 800 × 15 + 3 × $10/1,000           = $0.048
    assert_eq!(model_total(&v, "claude-sonnet-4-5"), "0.06765");
    // claude-haiku-4-5 ($1 in, $1.25 5m write, $2 1h write, $5 out):
    //   100 × 1 + 1,000 × 1.25 + 4,000 × 2 + 250 × 5 = $0.0106
    assert_eq!(model_total(&v, "claude-haiku-4-5"), "0.0106");
    // Line 4, an overloaded_error: failed, not billed.
    assert_eq!(
        (v["records"].as_u64(), v["failed"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(v["total_usd"], "0.07825");
    assert_eq!(
        v["by_model"]["claude-haiku-4-5"]["cache_write_tokens"],
        5_000
    );
}

#[test]
fn anthropic_message_batches() {
    let v = cost("anthropic_batch.jsonl");
    // Only "succeeded" is billed, in batch mode (×0.5, stacking with the cache multipliers):
    // claude-haiku-4-5: 1,000 × $0.50 + 2,000 × $0.05 + 300 × $2.50 = $0.0005 + $0.0001 + $0.00075
    assert_eq!(v["total_usd"], "0.00135");
    assert_eq!(v["by_model"]["claude-haiku-4-5"]["modes"]["batch"], 1);
    // errored, expired and canceled: failed, not billed.
    assert_eq!(
        (v["records"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(3))
    );
    for reason in ["errored", "expired", "canceled"] {
        assert_eq!(
            v["failed_reasons"][format!("anthropic batch: {reason}")],
            1,
            "{reason}"
        );
    }
}

// --- Mixed files, dates, overrides -------------------------------------------------------------

#[test]
fn providers_mixed_in_one_file() {
    // The first line of every shape, two blank lines and a CRLF ending:
    // $0.00472 + $0.021642 + $0.000135 + $0.0028 + $0.0001375 + $0.01965 + $0.00135 = $0.0504345
    let v = cost("mixed.jsonl");
    assert_eq!(v["total_usd"], "0.0504345");
    assert_eq!(
        (
            v["records"].as_u64(),
            v["failed"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(7), Some(2), Some(0))
    );
    // Blank lines are skipped, not counted as rejected.
    assert_eq!(v["blank_lines"], 2);
    assert_eq!(v["by_model"].as_object().unwrap().len(), 7);
    // The core gives the same total.
    assert_eq!(ledger("mixed.jsonl").0, d("0.0504345"));
}

#[test]
fn several_files_and_stdin() {
    let v = run_json(&[
        "cost",
        &fixture("openai_chat.jsonl"),
        &fixture("anthropic.jsonl"),
        "--json",
        "--date",
        TODAY,
    ]);
    // $0.02602 + $0.07825
    assert_eq!(v["total_usd"], "0.10427");
    // `-` reads standard input.
    let v = run_json_with_stdin(
        &["cost", "-", "--json", "--date", TODAY],
        &read("gemini.jsonl"),
    );
    assert_eq!(v["total_usd"], "0.1155236");
}

/// A model id from a log is quoted in its rejection with control characters escaped (a NUL or
/// an escape sequence must not reach the terminal as such) and at most 80 characters.
#[test]
fn unknown_model_ids_are_quoted_safely() {
    let long = "m".repeat(5000);
    let log = format!(
        "{{\"object\": \"chat.completion\", \"model\": \"gpt-4o\\u0000\\u001b[2K\", \"usage\": {{\"prompt_tokens\": 1, \"completion_tokens\": 1}}}}\n\
         {{\"object\": \"chat.completion\", \"model\": \"{long}\", \"usage\": {{\"prompt_tokens\": 1, \"completion_tokens\": 1}}}}\n"
    );
    let v = run_json_with_stdin(&["cost", "-", "--json", "--date", TODAY], &log);
    let reasons: Vec<&str> = v["rejected_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("unknown model `gpt-4o\\u{0}\\u{1b}[2K`"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].starts_with(&format!("unknown model `{}…`", "m".repeat(80))),
        "{}",
        &reasons[1][..120]
    );
    assert!(reasons[1].len() < 200, "{} bytes", reasons[1].len());
}

#[test]
fn records_without_timestamp_use_the_date_option() {
    // Anthropic messages carry no timestamp: claude-sonnet-4-5 costs the same on any date it is
    // priced, but a date before its first price entry (2025-09-29) has no price.
    let out = run(&[
        "cost",
        &fixture("anthropic.jsonl"),
        "--json",
        "--date",
        "2025-01-01",
    ]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 0);
    assert_eq!(v["rejected_kinds"]["no_price_at_date"], 3);
    // A response with `created` is priced at its own date whatever --date says.
    let v = run_json(&[
        "cost",
        &fixture("openai_chat.jsonl"),
        "--json",
        "--date",
        "2025-01-01",
    ]);
    assert_eq!(v["total_usd"], "0.02602");
}

#[test]
fn provider_can_be_forced() {
    // input_tokens/output_tokens only: both conventions agree; read as Anthropic for a claude
    // model, else as OpenAI Responses, unless --provider says otherwise.
    let ambiguous =
        r#"{"model": "claude-haiku-4-5", "usage": {"input_tokens": 1000, "output_tokens": 100}}"#;
    assert_eq!(
        record(ambiguous).shape,
        Shape::AnthropicMessage,
        "claude models read as Anthropic"
    );
    let r = match parse_line(ambiguous, Some(Provider::OpenAi)).unwrap() {
        Parsed::Billable(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.shape, Shape::OpenAiResponses);
    // Forcing a provider whose shape the line does not have rejects it.
    let gemini = line("gemini.jsonl", 1);
    let e = parse_line(&gemini, Some(Provider::OpenAi)).unwrap_err();
    assert_eq!(e.kind, RejectKind::NoUsage);
    let v = run_json(&[
        "cost",
        &fixture("gemini.jsonl"),
        "--provider",
        "anthropic",
        "--json",
        "--date",
        TODAY,
    ]);
    assert_eq!(
        (v["records"].as_u64(), v["rejected"].as_u64()),
        (Some(0), Some(6))
    );
    let v = run_json(&[
        "cost",
        &fixture("gemini.jsonl"),
        "--provider",
        "google",
        "--json",
        "--date",
        TODAY,
    ]);
    assert_eq!(v["total_usd"], "0.1155236");
}

// --- The ledger's summed pricing is exact ------------------------------------------------------

#[test]
fn ledger_matches_per_response_estimates_on_every_fixture() {
    for name in [
        "openai_chat.jsonl",
        "openai_responses.jsonl",
        "openai_batch.jsonl",
        "gemini.jsonl",
        "gemini_batch.jsonl",
        "anthropic.jsonl",
        "anthropic_batch.jsonl",
        "mixed.jsonl",
    ] {
        assert_eq!(ledger(name).0, per_line_total(name), "{name}");
    }
}

/// Models with long-context tiers, batch modes that do and do not stack with caching, fees.
const MODELS: [&str; 6] = [
    "gemini-2.5-pro",
    "claude-sonnet-4-5",
    "gpt-5.4",
    "gemini-3.1-flash-lite",
    "gpt-4o",
    "claude-haiku-4-5",
];

fn usage_strategy() -> impl Strategy<Value = (usize, bool, u64, u64, u64, u64, u64, u64)> {
    (
        0..MODELS.len(),
        any::<bool>(),
        // Prompts on both sides of the 200k and 272k thresholds.
        prop_oneof![0u64..5_000, 190_000u64..300_000],
        0u64..100,
        0u64..100,
        0u64..30,
        0u64..20_000,
        0u64..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Summing usages per (model, price entry, mode, tier) and pricing once gives exactly the
    /// sum of per-response estimates, long-context tiers included.
    #[test]
    fn ledger_equals_the_sum_of_estimates(records in proptest::collection::vec(usage_strategy(), 1..40)) {
        let book = book();
        let mut ledger = Ledger::new(&book, date(TODAY));
        let mut expected = Decimal::ZERO;
        for (m, batch, prompt, cached_pct, write_pct, write_1h_pct, output, searches) in records {
            let model = MODELS[m];
            let cached = prompt * cached_pct / 200;
            let writes = if model.starts_with("claude") { prompt * write_pct / 200 } else { 0 };
            let w1h = writes * write_1h_pct / 100;
            let mut usage = Usage { input_text: prompt, cached, cache_write_5m: writes - w1h, cache_write_1h: w1h, output_text: output, ..Usage::default() };
            if searches > 0 && model != "gemini-3.1-flash-lite" {
                usage.calls.insert("search".into(), searches);
            }
            let mode = if batch { Mode::Batch } else { Mode::Standard };
            let rec = Record { shape: Shape::Error, model: model.into(), usage, mode, date: None, reported_cost: None, assumptions: Default::default() };
            let est = book.estimate(model, &rec.usage, EstimateOptions::at(date(TODAY)).mode(mode));
            match (ledger.add_record(&rec), est) {
                (Ok(()), Ok(e)) => expected += e.total,
                (Err(_), Err(_)) => {}
                (a, b) => panic!("ledger {a:?} but estimate {b:?}"),
            }
        }
        prop_assert_eq!(ledger.summary().unwrap().total, expected);
    }
}

/// A book with a marginal tier and a gateway that rounds every request up: responses there are
/// not linear in their tokens and are priced one by one.
#[test]
fn nonlinear_cards_are_priced_one_by_one() {
    let toml = r#"
schema_version = 1
[provider]
id = "gateway"
name = "Gateway"
billing = { unit = "0.001", rounding = "up_per_request" }

[models."gw-flat"]
name = "Flat"
[[models."gw-flat".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-23"
input = "1.00"
output = "2.00"

[models."gw-marginal"]
name = "Marginal"
[[models."gw-marginal".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-23"
input = "1.00"
output = "2.00"
[[models."gw-marginal".prices.long_context]]
threshold = 1000
comparison = ">"
counts = ["input"]
application = "marginal"
input = "3.00"
output = "2.00"
"#;
    let loaded = ratebook::load(&[SourceFile::new("gateway.toml", toml)]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let book: RateBook = loaded.book;
    let mut ledger = Ledger::new(&book, date(TODAY));
    let mut expected = Decimal::ZERO;
    for (model, input, output) in [
        ("gw-flat", 10, 10),
        ("gw-flat", 1, 0),
        ("gw-marginal", 1_500, 10),
        ("gw-marginal", 900, 0),
    ] {
        let usage = Usage::text(input, output);
        let rec = Record {
            shape: Shape::OpenAiChat,
            model: model.into(),
            usage: usage.clone(),
            mode: Mode::Standard,
            date: None,
            reported_cost: None,
            assumptions: Default::default(),
        };
        ledger.add_record(&rec).unwrap();
        expected += book
            .estimate(model, &usage, EstimateOptions::at(date(TODAY)))
            .unwrap()
            .total;
    }
    // gw-flat: 10 × $1 + 10 × $2 = $0.00003 → $0.001 rounded up; 1 × $1 = $0.000001 → $0.001.
    // gw-marginal: 1,000 × $1 + 500 past the threshold × $3 + 10 × $2 = $0.00252 → $0.003;
    //              900 × $1 = $0.0009 → $0.001.
    assert_eq!(expected, d("0.006"));
    let summary = ledger.summary().unwrap();
    assert_eq!(summary.total, expected);
    // The per-meter breakdown keeps both parts of the marginal request: 1,000 + 500 + 900 input.
    let marginal = summary
        .by_model
        .iter()
        .find(|m| m.model == "gw-marginal")
        .unwrap();
    let input = marginal
        .meters
        .iter()
        .find(|m| m.meter == "input_text")
        .unwrap();
    assert_eq!((input.quantity, input.amount), (2_400, d("0.0034")));
}

// --- Bad input ---------------------------------------------------------------------------------

#[test]
fn bad_lines_are_rejected_with_their_reason_and_the_rest_is_priced() {
    let v = cost("bad_lines.jsonl");
    // The expected kind and a piece of the reason, line by line (tests/data/usage/bad_lines.jsonl).
    let expected: [(u64, &str, &str); 22] = [
        (1, "invalid_json", "truncated JSON"),
        (
            2,
            "invalid_json",
            "`usage.prompt_tokens`: invalid type: string \"12\", expected u64",
        ),
        (
            3,
            "invalid_json",
            "`usage.completion_tokens`: invalid value: integer `-5`",
        ),
        (4, "invalid_json", "invalid type: floating point `1e+30`"),
        (5, "invalid_json", "floating point `1.8446744073709552e+19`"),
        (
            6,
            "invalid_json",
            "token count 18446744073709551615 is larger than any response reports",
        ),
        (
            7,
            "unknown_model",
            "unknown model `gpt-4o-mni`; did you mean gpt-4o-mini",
        ),
        (8, "no_usage", "no usage block"),
        (9, "invalid_json", "a JSON array, not a JSON object"),
        (10, "invalid_json", "not JSON"),
        (
            11,
            "invalid_usage",
            "cached_tokens + cache_write_tokens (20) exceed prompt_tokens (10)",
        ),
        (
            12,
            "invalid_usage",
            "reasoning_tokens (30) exceed completion_tokens (3)",
        ),
        (
            13,
            "invalid_usage",
            "candidatesTokensDetails add up to 1290, more than candidatesTokenCount (5)",
        ),
        (
            14,
            "invalid_usage",
            "TTL split adds up to 16, more than cache_creation_input_tokens (10)",
        ),
        (15, "no_model", "without a model id"),
        (
            16,
            "invalid_json",
            "`created`: timestamp 1763600400000 is not a plausible time",
        ),
        (17, "invalid_json", "unknown modality `SMELL`"),
        (18, "invalid_json", "trailing characters"),
        (19, "invalid_json", "duplicate field `usage`"),
        (
            21,
            "no_price_at_date",
            "gpt-5 has no price in force on 2020-01-01",
        ),
        (22, "mode_not_offered", "gpt-4o does not offer flex mode"),
        (24, "no_usage", "message_stop with no open Anthropic stream"),
    ];
    // All are counted; the first 20 are listed with file, line and reason.
    let rejected = v["rejected_lines"].as_array().unwrap();
    assert_eq!(v["rejected"], expected.len());
    assert_eq!(rejected.len(), 20);
    for (got, (line, kind, reason)) in rejected.iter().zip(expected) {
        assert_eq!(got["line"], line, "{got}");
        assert_eq!(got["kind"], kind, "{got}");
        assert_eq!(got["file"], fixture("bad_lines.jsonl"));
        let text = got["reason"].as_str().unwrap();
        assert!(
            text.contains(reason),
            "line {line}: `{text}` should contain `{reason}`"
        );
    }
    // The core gives every one of them.
    let book = book();
    let mut ledger = Ledger::new(&book, date(TODAY));
    let text = read("bad_lines.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    for (line, kind, reason) in expected {
        match ledger.add_line(lines[line as usize - 1]) {
            LineOutcome::Rejected(e) => {
                assert_eq!(e.kind.as_str(), kind, "line {line}");
                assert!(
                    e.message.contains(reason),
                    "line {line}: `{}` should contain `{reason}`",
                    e.message
                );
            }
            other => panic!("line {line}: {other:?}"),
        }
    }
    // Line 20 nests 5,000 arrays inside an ignored field: read without recursion, priced.
    // Line 23 reports cache writes on gpt-4o, whose card has no cache price: billed as input.
    // Line 25 is well formed. 12 × $2.50 + 3 × $10 = $0.00006 (lines 20 and 25 each);
    // line 23: (5 + 100) × $2.50 + 1 × $10 = $0.0002725. Total $0.0003925.
    assert_eq!(v["records"], 3);
    assert_eq!(v["total_usd"], "0.0003925");
    // The two blank lines are skipped, not counted.
    assert_eq!(
        (v["lines"].as_u64(), v["blank_lines"].as_u64()),
        (Some(25), Some(2))
    );
}

#[test]
fn strict_stops_at_the_first_rejected_line() {
    let out = run(&[
        "cost",
        &fixture("bad_lines.jsonl"),
        "--strict",
        "--date",
        TODAY,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tests/data/usage/bad_lines.jsonl:1: truncated JSON"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing is printed before the error");
    // A clean file passes --strict.
    let out = run(&["cost", &fixture("mixed.jsonl"), "--strict", "--date", TODAY]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn empty_file() {
    let v = cost("empty.jsonl");
    assert_eq!(v["total_usd"], "0");
    assert_eq!(
        (
            v["records"].as_u64(),
            v["failed"].as_u64(),
            v["rejected"].as_u64(),
            v["lines"].as_u64()
        ),
        (Some(0), Some(0), Some(0), Some(0))
    );
    assert_eq!(v["by_model"], serde_json::json!({}));
}

#[test]
fn binary_file() {
    // 64 KiB of pseudo-random bytes (a fixed LCG, so the test is reproducible).
    let dir = std::env::temp_dir().join(format!("ratebook-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("random.bin");
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let bytes: Vec<u8> = (0..65_536)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect();
    std::fs::write(&path, &bytes).unwrap();
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let out = run(&["cost", path.to_str().unwrap(), "--json", "--date", TODAY]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Every line is rejected (most are not UTF-8), none is priced, none vanishes.
    assert_eq!(v["records"], 0);
    let lines = v["lines"].as_u64().unwrap() + v["blank_lines"].as_u64().unwrap();
    assert!(
        lines == newlines || lines == newlines + 1,
        "{lines} lines for {newlines} newlines"
    );
    assert_eq!(v["rejected"], v["lines"]);
    assert!(v["rejected_kinds"]["not_utf8"].as_u64().unwrap() > 0);
    assert_eq!(
        v["rejected_lines"].as_array().unwrap().len(),
        20,
        "the first 20 are listed"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unreadable_file_is_an_error() {
    let out = run(&["cost", "tests/data/usage/no-such-file.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot open tests/data/usage/no-such-file.jsonl")
    );
}

#[test]
fn every_truncation_of_every_fixture_line_is_rejected_not_panicking() {
    let book = book();
    for name in [
        "openai_chat.jsonl",
        "openai_responses.jsonl",
        "openai_batch.jsonl",
        "gemini.jsonl",
        "gemini_batch.jsonl",
        "anthropic.jsonl",
        "anthropic_batch.jsonl",
    ] {
        for text in read(name).lines() {
            let mut ledger = Ledger::new(&book, date(TODAY));
            for cut in (1..text.len()).filter(|&i| text.is_char_boundary(i)) {
                let prefix = &text[..cut];
                match ledger.add_line(prefix) {
                    LineOutcome::Rejected(e) => {
                        assert_eq!(e.kind, RejectKind::Json, "{name} cut at {cut}")
                    }
                    other => panic!("{name} cut at {cut}: {other:?}"),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary text never panics the reader.
    #[test]
    fn arbitrary_lines_never_panic(text in "\\PC{0,200}") {
        let book = book();
        let mut ledger = Ledger::new(&book, date(TODAY));
        let _ = ledger.add_line(&text);
        let s = ledger.summary().unwrap();
        prop_assert_eq!(s.records + s.failed + s.rejected <= 1, true);
    }

    /// A real line with one number replaced by anything JSON allows never panics either, and
    /// is either priced or rejected with a reason.
    #[test]
    fn mutated_numbers_never_panic(n in prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:e}")),
        Just("1e400".to_string()),
        Just("null".to_string()),
        Just("\"7\"".to_string()),
        Just("{}".to_string()),
    ], which in 0usize..4) {
        let fields = ["\"cache_read_input_tokens\": 10000", "\"cache_creation_input_tokens\": 2000", "\"ephemeral_5m_input_tokens\": 2000", "\"output_tokens\": 600"];
        let original = line("anthropic.jsonl", 1);
        let (key, _) = fields[which].split_once(": ").unwrap();
        let mutated = original.replacen(fields[which], &format!("{key}: {n}"), 1);
        let book = book();
        let mut ledger = Ledger::new(&book, date(TODAY));
        match ledger.add_line(&mutated) {
            LineOutcome::Priced | LineOutcome::Rejected(_) => {}
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
