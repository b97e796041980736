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
    // Four Anthropic streams (events carry no timestamp, nor a service tier), one abandoned
    // before message_stop.
    assert_eq!(v["records"], 4);
    assert_eq!(v["incomplete_streams"], 1);
    assert_eq!(v["priced_exactly"], 0);
    assert_eq!(
        v["assumptions"],
        json!({"incomplete_stream": 1, "no_timestamp": 4, "standard_tier": 4})
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

/// `--records`: every priced response on its own line with its own assumptions; the records of
/// a streamed log add up to the summary's total.
#[test]
fn records_carry_their_own_cost_and_assumptions() {
    let file = root().join("tests/data/usage/assumptions.jsonl");
    let file = file.to_str().unwrap();
    let out = crate::support::run(&["cost", file, "--date", "2025-11-22", "--records"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    // The same hand-computed prices as above, one per line (millionths of a dollar).
    let want = [
        (1, "gpt-4o-mini", "0.00021", json!([])),
        (2, "gpt-4o-mini", "0.00021", json!(["standard_tier"])),
        (
            3,
            "claude-sonnet-4-5",
            "0.012",
            json!(["cache_ttl_5m", "no_timestamp"]),
        ),
        (
            4,
            "claude-sonnet-4-5",
            "0.0165",
            json!(["no_timestamp", "snapshot_stripped"]),
        ),
        (5, "gemini-2.5-flash", "0.00055", json!(["no_timestamp"])),
    ];
    assert_eq!(lines.len(), want.len());
    for (got, (line, model, total, assumed)) in lines.iter().zip(want) {
        assert_eq!(got["file"], file);
        assert_eq!(got["line"], line);
        assert_eq!(got["priced_as"], model);
        assert_eq!(got["total_usd"], total);
        assert_eq!(got["assumptions"], assumed);
        assert_eq!(got["date"], "2025-11-22");
    }
    assert_eq!(lines[3]["model"], "claude-sonnet-4-5-20991231");

    // A streamed log: each stream once, at the line that completed it, the abandoned one a
    // lower bound; together the summary's total.
    let stream = root().join("tests/data/usage/anthropic_stream.jsonl");
    let stream = stream.to_str().unwrap();
    let out = crate::support::run(&["cost", stream, "--date", "2026-11-23", "--records"]);
    let mut sum = ratebook::Decimal::ZERO;
    let mut incomplete = 0;
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        sum += v["total_usd"]
            .as_str()
            .unwrap()
            .parse::<ratebook::Decimal>()
            .unwrap();
        if v["assumptions"]
            .as_array()
            .unwrap()
            .contains(&json!("incomplete_stream"))
        {
            incomplete += 1;
        }
    }
    let total = run_json(&["cost", stream, "--date", "2026-11-23", "--json"]);
    assert_eq!(sum.normalize().to_string(), total["total_usd"]);
    assert_eq!(incomplete, 1);
    // Records and a summary format are two outputs: refused.
    let out = crate::support::run(&["cost", stream, "--records", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}
