//! `ratebook cost` on streamed responses logged one event per line: every stream billed once,
//! abandoned ones priced as a lower bound and listed, the same output on any thread count.
//!
//! Rates (USD per million tokens) from the repository's pricing files, which cite the
//! providers' pricing pages: gpt-4o-mini 0.15 in / 0.075 cached / 0.60 out; gpt-5 1.25 in /
//! 0.125 cached / 10.00 out (`pricing/openai.toml`); claude-sonnet-4-5 3.00 in / 15.00 out /
//! 0.30 cache read / 3.75 five-minute write (`pricing/anthropic.toml`); gemini-2.5-flash 0.30 in
//! / 2.50 out (`pricing/google.toml`). The per-stream arithmetic is in `tests/streams.rs`.

use serde_json::Value;

use crate::support::{root, run, run_json};

const TODAY: &str = "2026-11-23";

fn fixture(name: &str) -> String {
    root()
        .join("tests/data/usage")
        .join(name)
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

fn cost(file: &str, threads: &str) -> Value {
    run_json(&[
        "cost",
        file,
        "--json",
        "--date",
        TODAY,
        "--threads",
        threads,
    ])
}

/// (line, shape, id) of each listed incomplete stream.
fn incomplete(v: &Value) -> Vec<(u64, String, String)> {
    v["incomplete_stream_lines"]
        .as_array()
        .expect("incomplete_stream_lines")
        .iter()
        .map(|i| {
            (
                i["line"].as_u64().unwrap(),
                i["shape"].as_str().unwrap().to_string(),
                i["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn each_providers_stream_log_is_billed_once_per_stream() {
    // (fixture, total, records, failed, the abandoned stream's first line, shape, id)
    let cases = [
        // A 435 + B 900 + C 120 millionths; D abandoned before any usage: $0.
        (
            "openai_chat_stream.jsonl",
            "0.001455",
            4,
            0,
            9,
            "openai_chat",
            "chatcmpl-D",
        ),
        // resp_1 22,625 + resp_2 6,250 + resp_3 (incomplete, billed) 42,500; resp_4 abandoned
        // at $0; resp_5 failed without usage, not billed.
        (
            "openai_responses_stream.jsonl",
            "0.071375",
            4,
            1,
            13,
            "openai_responses",
            "resp_4",
        ),
        // S1 19,950 + S3 8,100 + S2 13,500 + S4 (no message_stop) 6,750 millionths.
        (
            "anthropic_stream.jsonl",
            "0.0483",
            4,
            0,
            21,
            "anthropic_message",
            "msg_01S4",
        ),
        // G1 1,550 + G2 1,600 + G3 400 + G4 (no finishReason) 1,300 millionths.
        (
            "gemini_stream.jsonl",
            "0.00485",
            4,
            0,
            9,
            "gemini",
            "G4dddd",
        ),
    ];
    for (name, total, records, failed, line, shape, id) in cases {
        let v = cost(&fixture(name), "1");
        assert_eq!(v["total_usd"], total, "{name}: {v}");
        assert_eq!(v["records"], records, "{name}");
        assert_eq!(v["failed"], failed, "{name}");
        assert_eq!(v["rejected"], 0, "{name}");
        assert_eq!(v["incomplete_streams"], 1, "{name}");
        assert_eq!(
            incomplete(&v),
            [(line, shape.to_string(), id.to_string())],
            "{name}"
        );
        assert_eq!(
            v["incomplete_stream_lines"][0]["file"],
            fixture(name),
            "{name}"
        );
        assert_eq!(cost(&fixture(name), "3"), v, "{name} on three threads");
    }
}

#[test]
fn interleaved_providers_and_a_malformed_event_line() {
    let v = cost(&fixture("streams_mixed.jsonl"), "1");
    // 1,455 + 71,375 + 48,300 + 4,850 = 125,980 millionths.
    assert_eq!(v["total_usd"], "0.12598", "{v}");
    assert_eq!(
        (
            &v["records"],
            &v["failed"],
            &v["rejected"],
            &v["incomplete_streams"]
        ),
        (
            &Value::from(16),
            &Value::from(1),
            &Value::from(1),
            &Value::from(4)
        )
    );
    let bad = &v["rejected_lines"][0];
    assert_eq!(bad["line"], 5, "{bad}");
    assert_eq!(bad["kind"], "invalid_json");
    assert!(
        bad["reason"]
            .as_str()
            .unwrap()
            .starts_with("`usage.output_tokens`"),
        "{bad}"
    );
    assert!(crate::schemas::assert_follows("cost", &v) > 30);
    // The table says so too, and lists the incomplete streams on stderr.
    let out = run(&["cost", &fixture("streams_mixed.jsonl"), "--date", TODAY]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("4 incomplete stream(s)"), "{stdout}");
    assert!(stderr.contains("stream(s) incomplete"), "{stderr}");
    assert!(
        stderr.contains("anthropic_message stream msg_01S4"),
        "{stderr}"
    );
}

/// `copies` copies of the mixed stream log, each with its own ids (so no stream of one copy
/// meets another's) and its lines padded, so streams cross the reader's 1 MiB chunks.
fn big_log(copies: usize) -> String {
    let text = std::fs::read_to_string(fixture("streams_mixed.jsonl")).expect("fixture");
    let pad = "p".repeat(400);
    let mut out = String::new();
    for k in 0..copies {
        for line in text.lines() {
            let line = line
                .replace("\"chatcmpl-", &format!("\"chatcmpl-{k}-"))
                .replace("\"resp_", &format!("\"resp_{k}_"))
                .replace("\"msg_01", &format!("\"msg_{k}_"))
                .replace("\"G", &format!("\"{k}G"))
                .replacen('{', &format!("{{\"pad\": \"{pad}\", "), 1);
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn streams_across_chunk_boundaries_price_the_same_on_any_thread_count() {
    // 150 copies of 66 lines of about 0.6 KB: about 6 MB, six or so of the reader's chunks,
    // with streams open across every boundary (each copy's abandoned streams stay open to the
    // end of the file).
    let copies = 150;
    let log = big_log(copies);
    assert!(log.len() > 4 << 20, "{} bytes", log.len());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("streams-generated.jsonl");
    std::fs::write(&path, &log).expect("write the log");
    let file = path.to_str().expect("utf-8 path");
    let one = cost(file, "1");
    let three = cost(file, "3");
    assert_eq!(one, three);
    // Each copy: 125,980 millionths, 16 records, 1 failed, 1 rejected, 4 incomplete.
    assert_eq!(one["total_usd"], "18.897", "150 × 0.12598");
    assert_eq!(one["records"], 16 * copies);
    assert_eq!(one["failed"], copies);
    assert_eq!(one["rejected"], copies);
    assert_eq!(one["incomplete_streams"], 4 * copies);
    // The malformed line of each copy, in file order: line 5 of copy k is 66k + 5.
    let rejected: Vec<u64> = one["rejected_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, (0..20).map(|k| 66 * k + 5).collect::<Vec<u64>>());
    // Incomplete streams are listed in the order they started, from the first copy on.
    let listed = incomplete(&one);
    assert_eq!(listed.len(), 20);
    assert!(listed.windows(2).all(|w| w[0].0 < w[1].0), "{listed:?}");
    assert_eq!(listed[0].2, "chatcmpl-0-D");
    // The table and its warnings are the same too.
    let text = |threads: &str| {
        let out = run(&["cost", file, "--date", TODAY, "--threads", threads]);
        assert!(out.status.success());
        (out.stdout, out.stderr)
    };
    assert_eq!(text("1"), text("3"));
}

#[test]
fn strict_stops_at_a_malformed_event_line_on_any_thread_count() {
    let file = fixture("streams_mixed.jsonl");
    for threads in ["1", "3"] {
        let out = run(&[
            "cost",
            &file,
            "--date",
            TODAY,
            "--strict",
            "--threads",
            threads,
        ]);
        assert_eq!(out.status.code(), Some(1), "{threads} threads");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{file}:5: `usage.output_tokens`")),
            "{threads} threads: {stderr}"
        );
    }
}

#[test]
fn a_stream_does_not_continue_into_the_next_file() {
    // The Anthropic log's abandoned S4 (line 21) is closed at the end of its file; the same
    // log again is a second file with its own S4 (line 21 there). 2 × 48,300 millionths.
    let file = fixture("anthropic_stream.jsonl");
    let v = run_json(&["cost", &file, &file, "--json", "--date", TODAY]);
    assert_eq!(v["total_usd"], "0.0966");
    assert_eq!(v["incomplete_streams"], 2);
    assert_eq!(
        incomplete(&v),
        [
            (21, "anthropic_message".to_string(), "msg_01S4".to_string()),
            (21, "anthropic_message".to_string(), "msg_01S4".to_string())
        ]
    );
}
