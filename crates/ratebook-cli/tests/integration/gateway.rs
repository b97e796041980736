//! `ratebook cost` on an OpenAI-compatible gateway's responses (OpenRouter): provider-prefixed
//! model ids resolve, and the charge the gateway reports (`usage.cost`, plus
//! `usage.cost_details.upstream_inference_cost` for a bring-your-own-key request) is kept
//! beside ratebook's price of the same records, with the difference.
//!
//! The lines of `tests/data/usage/openrouter.jsonl` follow OpenRouter's "Usage Accounting"
//! response format. Rates (USD per million tokens) from the repository's pricing files, which
//! cite the providers' pages: gpt-5 1.25 in / 10.00 out; gpt-4o-mini 0.15 in / 0.075 cached /
//! 0.60 out (`pricing/openai.toml`); claude-sonnet-4-5 3.00 in / 15.00 out
//! (`pricing/anthropic.toml`); gemini-2.5-flash 0.30 in / 2.50 out (`pricing/google.toml`).

use serde_json::Value;

use crate::support::{root, run_json};

fn fixture() -> String {
    root()
        .join("tests/data/usage/openrouter.jsonl")
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

fn cost(file: &str, threads: &str) -> Value {
    run_json(&["cost", file, "--json", "--threads", threads])
}

#[test]
fn a_reported_charge_sits_beside_the_price_of_the_same_records() {
    let v = cost(&fixture(), "1");
    // Priced by ratebook (each line has its own timestamp, 2025-11-22):
    //   openai/gpt-5            1,000 × 1.25 + 200 × 10.00                  = 3,250 millionths
    //   anthropic/claude-sonnet-4.5  2,000 × 3.00 + 500 × 15.00              = 13,500
    //   google/gemini-2.5-flash 10,000 × 0.30 + 1,000 × 2.50                 = 5,500
    //   openai/gpt-4o-mini      6,000 × 0.15 + 4,000 × 0.075 + 1,000 × 0.60   = 1,800
    //   gpt-4o-mini (direct, no reported cost) 100 × 0.15 + 10 × 0.60         = 21
    // Total 24,071 millionths = $0.024071; the four gateway records 24,050 = $0.02405.
    assert_eq!(v["total_usd"], "0.024071");
    assert_eq!(v["records"], 5);
    // Charged: 0.00325 + 0.0135 + (0.000275 fee + 0.0055 upstream, bring-your-own-key)
    // + 0.002 = 0.024525; the difference 0.024525 − 0.02405 = 0.000475.
    let r = &v["reported_cost"];
    assert_eq!(r["records"], 4, "{r}");
    assert_eq!(r["charged_usd"], "0.024525");
    assert_eq!(r["estimated_usd"], "0.02405");
    assert_eq!(r["difference_usd"], "0.000475");
    // A negative charge is not a charge: the line is rejected, located, and counted.
    assert_eq!(v["rejected"], 1);
    let rejected = &v["rejected_lines"][0];
    assert_eq!(rejected["line"], 6);
    let reason = rejected["reason"].as_str().unwrap();
    assert!(reason.contains("usage.cost"), "{reason}");
    assert!(reason.contains("-0.5"), "{reason}");
}

#[test]
fn a_log_without_reported_charges_has_no_reported_cost() {
    let file = root().join("tests/data/usage/openai_chat_stream.jsonl");
    let v = cost(file.to_str().unwrap(), "1");
    assert!(v.get("reported_cost").is_none(), "{v}");
}

#[test]
fn reported_charges_sum_the_same_on_any_thread_count() {
    // 4,000 copies of the four gateway lines (about 2.4 MB, several of the reader's chunks).
    let text = std::fs::read_to_string(fixture()).expect("the fixture");
    let gateway: Vec<&str> = text.lines().take(4).collect();
    let mut log = String::new();
    for _ in 0..4_000 {
        for l in &gateway {
            log.push_str(l);
            log.push('\n');
        }
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openrouter-generated.jsonl");
    std::fs::write(&path, &log).expect("write the log");
    let file = path.to_str().expect("utf-8 path");
    let one = cost(file, "1");
    let three = cost(file, "3");
    assert_eq!(one, three);
    let r = &one["reported_cost"];
    assert_eq!(r["records"], 16_000);
    // 4,000 × 0.024525 and 4,000 × 0.02405.
    assert_eq!(r["charged_usd"], "98.1");
    assert_eq!(r["estimated_usd"], "96.2");
    assert_eq!(r["difference_usd"], "1.9");
}
