//! `ratebook cost --against OLD`: the same log priced by another version of the book, month by
//! month, with the book changes that restate each month; `book` stamps the result with the
//! book's identity.
//!
//! The log is `tests/data/usage/grouping.jsonl` (see `groups.rs`): gpt-5 responses of 1,000
//! prompt and 100 completion tokens (one on 2026-10-31, two standard and one flex in November)
//! and two gpt-4o-mini ones in November. The other book is `pricing/` with gpt-5's input rate
//! written as $1.50/M instead of the $1.25/M OpenAI publishes.

use std::path::PathBuf;

use serde_json::json;

use crate::support::{root, run_json};

/// A copy of `pricing/` with gpt-5's input rate at $1.50/M.
fn old_book() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("against-old-pricing");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(root().join("pricing")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let mut text = std::fs::read_to_string(&p).unwrap();
            if p.file_name().is_some_and(|n| n == "openai.toml") {
                let entry = "[[models.\"gpt-5\".prices]]\neffective = \"2025-08-07\"\n";
                let at = text.find(entry).expect("gpt-5's entry");
                let rate = text[at..].find("input = \"1.25\"").expect("gpt-5's input") + at;
                text.replace_range(rate..rate + "input = \"1.25\"".len(), "input = \"1.50\"");
            }
            std::fs::write(dir.join(p.file_name().unwrap()), text).unwrap();
        }
    }
    dir
}

#[test]
fn a_changed_price_restates_each_month_it_touches_and_names_the_change() {
    let old = old_book();
    let log = root().join("tests/data/usage/grouping.jsonl");
    let v = run_json(&[
        "cost",
        log.to_str().unwrap(),
        "--json",
        "--against",
        old.to_str().unwrap(),
    ]);
    let r = &v["restatement"];
    assert_eq!(r["not_priced_by_old"], 0);
    // Old gpt-5: 1,000 × 1.50 + 100 × 10.00 = 2,500 millionths (1,250 in flex); new 2,250
    // (1,125). October: one response, 2,500 → 2,250. November: 2,500 × 2 + 1,250 + 420
    // (gpt-4o-mini, unchanged) = 6,670 → 2,250 × 2 + 1,125 + 420 = 6,045.
    let cause = "input $1.50/M → $1.25/M from 2025-08-07";
    assert_eq!(
        r["months"],
        json!([
            {"month": "2026-10", "old_total_usd": "0.0025", "new_total_usd": "0.00225", "delta_usd": "-0.00025",
             "models": [{"model": "gpt-5", "old_total_usd": "0.0025", "new_total_usd": "0.00225",
                         "delta_usd": "-0.00025", "causes": [cause]}]},
            {"month": "2026-11", "old_total_usd": "0.00667", "new_total_usd": "0.006045", "delta_usd": "-0.000625",
             "models": [{"model": "gpt-5", "old_total_usd": "0.00625", "new_total_usd": "0.005625",
                         "delta_usd": "-0.000625", "causes": [cause]}]},
        ])
    );
    // Two different books, two identities.
    assert_ne!(r["against_book"]["hash"], v["book"]["hash"]);
}

#[test]
fn the_same_files_have_the_same_identity_wherever_they_are_read_from() {
    let log = root().join("tests/data/usage/grouping.jsonl");
    let log = log.to_str().unwrap();
    let bundled = run_json(&["cost", log, "--json"]);
    let pricing = root().join("pricing");
    let from_dir = run_json(&[
        "--pricing",
        pricing.to_str().unwrap(),
        "cost",
        log,
        "--json",
    ]);
    assert_eq!(bundled["book"], from_dir["book"]);
    assert_eq!(bundled["book"]["hash"].as_str().unwrap().len(), 16);
    let against_itself = run_json(&[
        "cost",
        log,
        "--json",
        "--against",
        pricing.to_str().unwrap(),
    ]);
    let months = against_itself["restatement"]["months"].as_array().unwrap();
    assert_eq!(months.len(), 2);
    assert!(
        months
            .iter()
            .all(|m| m["delta_usd"] == "0" && m["models"] == json!([])),
        "{months:?}"
    );
}
