//! `ratebook cost` warns of whole-request long-context cliffs: requests within 10% below a
//! tier's threshold, and those past it with what they cost above base rates.
//!
//! `tests/data/usage/long_context.jsonl`: five Gemini 2.5 Pro responses of 1,000 output tokens
//! and 250,000, 190,000, 100,000, 200,000 and 179,999 prompt tokens. Rates from
//! `pricing/google.toml` (Google's Gemini API pricing page): input $1.25/M and output $10.00/M
//! for prompts up to 200,000 tokens; $2.50/M and $15.00/M for the whole request past it.

use serde_json::json;

use crate::support::{root, run_json};

#[test]
fn requests_near_and_over_the_cliff_are_counted_with_the_premium() {
    let file = root().join("tests/data/usage/long_context.jsonl");
    let v = run_json(&[
        "cost",
        file.to_str().unwrap(),
        "--json",
        "--date",
        "2026-11-23",
    ]);
    // 250,000: past the tier, 250,000 × 2.50 + 1,000 × 15 = 640,000 millionths; at base rates
    //          312,500 + 10,000 = 322,500, so 317,500 above them.
    // 190,000 and 200,000 (the tier starts past 200,000): within 10% below it (≥ 180,000):
    //          237,500 + 10,000 = 247,500 and 250,000 + 10,000 = 260,000.
    // 100,000: 125,000 + 10,000 = 135,000. 179,999: just under 90%: 224,998.75 + 10,000.
    // Total 1,517,498.75 millionths.
    assert_eq!(v["total_usd"], "1.51749875");
    assert_eq!(
        v["long_context"],
        json!({"near_cliff": 2, "over_cliff": 1, "over_cliff_extra_usd": "0.3175"})
    );
}

#[test]
fn a_log_without_tiers_has_no_long_context_section() {
    let file = root().join("tests/data/usage/grouping.jsonl");
    let v = run_json(&["cost", file.to_str().unwrap(), "--json"]);
    assert!(v.get("long_context").is_none(), "{v}");
}
