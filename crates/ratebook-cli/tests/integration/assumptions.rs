//! `ratebook cost` says what each price had to assume: records priced exactly, and those that
//! needed a cache-write TTL, a date, a service tier, a snapshot stripped or a stream's end.
//!
//! `tests/data/usage/assumptions.jsonl` (shapes from the providers' API references). Rates (USD
//! per million tokens) from the repository's pricing files: gpt-4o-mini 0.15 in / 0.60 out
//! (`pricing/openai.toml`); claude-sonnet-4-5 3.00 in / 15.00 out / 3.75 five-minute and 6.00
//! one-hour cache writes (`pricing/anthropic.toml`); gemini-2.5-flash 0.30 in / 2.50 out
//! (`pricing/google.toml`).

use serde_json::json;

use crate::support::{root, run_json};

#[test]
fn each_record_counts_the_assumptions_its_price_needed() {
    let file = root().join("tests/data/usage/assumptions.jsonl");
    let v = run_json(&[
        "cost",
        file.to_str().unwrap(),
        "--json",
        "--date",
        "2025-11-22",
    ]);
    // 1. gpt-4o-mini, timestamp and service_tier given: exact. 1,000 × 0.15 + 100 × 0.60 = 210.
    // 2. The same without service_tier: standard assumed. 210.
    // 3. claude-sonnet-4-5, no timestamp, 2,000 cache writes without their TTL split (five
    //    minutes assumed): 1,000 × 3 + 2,000 × 3.75 + 100 × 15 = 12,000.
    // 4. An unlisted snapshot (-20991231) of claude-sonnet-4-5, whose snapshots all bill one
    //    price, no timestamp, writes split as one hour: 3,000 + 2,000 × 6 + 1,500 = 16,500.
    // 5. gemini-2.5-flash without a timestamp (Gemini reports no tier): 300 + 250 = 550.
    // Total 29,470 millionths.
    assert_eq!(v["total_usd"], "0.02947");
    assert_eq!(v["records"], 5);
    assert_eq!(v["priced_exactly"], 1);
    assert_eq!(
        v["assumptions"],
        json!({"cache_ttl_5m": 1, "no_timestamp": 3, "snapshot_stripped": 1, "standard_tier": 1})
    );
}

#[test]
fn a_stream_closed_before_its_end_is_an_assumption_too() {
    let file = root().join("tests/data/usage/anthropic_stream.jsonl");
    let v = run_json(&[
        "cost",
        file.to_str().unwrap(),
        "--json",
        "--date",
        "2026-11-23",
    ]);
    // Four Anthropic streams (events carry no timestamp), one abandoned before message_stop.
    assert_eq!(v["records"], 4);
    assert_eq!(v["incomplete_streams"], 1);
    assert_eq!(v["priced_exactly"], 0);
    assert_eq!(
        v["assumptions"],
        json!({"incomplete_stream": 1, "no_timestamp": 4})
    );
}

/// `tests/data/usage/regions.jsonl`: one Claude Sonnet 4.5 call (1,000 input, 100 output tokens)
/// through Bedrock three ways. Bedrock's card (`pricing/aws-bedrock.toml`) bills in-region and
/// geographic (`us.`) calls at 1.1× the first-party rates and global (`global.`) ones at list.
#[test]
fn a_cloud_id_without_a_region_is_counted_as_assumed() {
    let file = root().join("tests/data/usage/regions.jsonl");
    let v = run_json(&[
        "cost",
        file.to_str().unwrap(),
        "--json",
        "--date",
        "2026-11-01",
    ]);
    // List: 1,000 × 3 + 100 × 15 = 4,500 millionths. No prefix (in-region, assumed): 4,950;
    // `global.`: 4,500; `us.`: 4,950. Total 14,400.
    assert_eq!(v["total_usd"], "0.0144");
    assert_eq!(v["records"], 3);
    // Only the id without a scope prefix assumed where it ran (Anthropic responses carry no
    // timestamp or, here, service tier: all three assumed those).
    assert_eq!(
        v["assumptions"],
        json!({"no_timestamp": 3, "region_unknown": 1, "standard_tier": 3})
    );
}
