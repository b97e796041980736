//! Your own prices: `--overlay FILE` and `--discount PROVIDER_OR_MODEL:PERCENT` on `estimate`,
//! `compare`, `scenario` and `cost`, every changed line naming the overlay, located errors.
//!
//! Rates (USD per million tokens) from the repository's pricing files, which cite the
//! providers' pages: gpt-5 1.25 in / 10.00 out and chatgpt-4o-latest 5.00 in / 15.00 out
//! (`pricing/openai.toml`, developers.openai.com/api/docs/pricing); claude-sonnet-4-5 3.00 in /
//! 15.00 out / 3.75 five-minute cache writes (`pricing/anthropic.toml`,
//! platform.claude.com/docs/en/about-claude/pricing); Bedrock's geographic (`us.`) endpoints
//! bill 1.1× the first-party rates (`pricing/aws-bedrock.toml`); gemini-3.1-flash-image 0.50 in,
//! 60.00 per million image-output tokens, 1,120 tokens per 1K image (`pricing/google.toml`).

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{root, run, run_json};

const DATE: &str = "2026-11-01";

/// Writes an overlay file for one test and returns its path.
fn overlay(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ratebook-overlays-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("overlay written");
    path
}

fn estimate(model: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "estimate",
        "--model",
        model,
        "--input-tokens",
        "100000",
        "--output-tokens",
        "10000",
        "--date",
        DATE,
        "--json",
    ];
    args.extend(extra);
    run_json(&args)
}

#[test]
fn a_discount_takes_its_percentage_off_every_line_and_names_itself() {
    // List: 100,000 × $1.25 + 10,000 × $10.00 = $0.125 + $0.10 = $0.225.
    let list = estimate("gpt-5", &[]);
    assert_eq!(list["total_usd"], "0.225");
    assert_eq!(list["line_items"][0]["overlays"], serde_json::json!([]));
    // 20% off: $1.00 and $8.00 per million → $0.10 + $0.08 = $0.18.
    let v = estimate("gpt-5", &["--discount", "openai:20%"]);
    assert_eq!(v["total_usd"], "0.18");
    for line in v["line_items"].as_array().expect("line items") {
        assert_eq!(
            line["overlays"][0],
            "--discount openai:20%: 20% discount on provider openai"
        );
        assert!(
            line["rule"]
                .as_str()
                .unwrap()
                .contains("custom price: --discount openai:20%")
        );
    }
    // A model of another provider is untouched.
    let v = estimate("claude-sonnet-4-5", &["--discount", "openai:20%"]);
    assert_eq!(v["total_usd"], "0.45"); // 100,000 × $3 + 10,000 × $15
    assert_eq!(v["line_items"][0]["overlays"], serde_json::json!([]));
}

#[test]
fn an_overlay_applies_from_its_date_and_replaces_rates() {
    let path = overlay(
        "acme.toml",
        r#"name = "Acme contract"

[[adjust]]
model = "gpt-5"
discount = "10%"
from = "2026-10-01"

[[replace]]
model = "claude-sonnet-4-5"
input = "2.40"
"#,
    );
    let p = path.to_str().unwrap();
    // Before October the list price: $0.225.
    let v = run_json(&[
        "estimate",
        "--model",
        "gpt-5",
        "--input-tokens",
        "100000",
        "--output-tokens",
        "10000",
        "--date",
        "2026-09-30",
        "--overlay",
        p,
        "--json",
    ]);
    assert_eq!(v["total_usd"], "0.225");
    // From October 10% off: $0.225 × 0.9 = $0.2025.
    let v = estimate("gpt-5", &["--overlay", p]);
    assert_eq!(v["total_usd"], "0.2025");
    assert_eq!(
        v["line_items"][0]["overlays"][0],
        "Acme contract: 10% discount on model gpt-5 from 2026-10-01"
    );
    // Replaced input: 100,000 × $2.40 + 10,000 × $15 = $0.24 + $0.15 = $0.39.
    let v = estimate("claude-sonnet-4-5", &["--overlay", p]);
    assert_eq!(v["total_usd"], "0.39");
    // The table says custom prices are in effect.
    let out = run(&[
        "estimate",
        "--model",
        "claude-sonnet-4-5",
        "--input-tokens",
        "100000",
        "--date",
        DATE,
        "--overlay",
        p,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "custom prices in effect: Acme contract: replaced input on model claude-sonnet-4-5"
        ),
        "{text}"
    );
}

#[test]
fn a_deployment_discount_multiplies_the_clouds_premium() {
    // Bedrock `us.`: ×1.1, then 10% off: ×0.99. 100,000 × $3 × 0.99 + 10,000 × $15 × 0.99
    // = $0.297 + $0.1485 = $0.4455.
    let v = estimate(
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        &["--discount", "aws-bedrock:10%"],
    );
    assert_eq!(v["total_usd"], "0.4455");
    assert_eq!(
        v["line_items"][0]["overlays"][0],
        "--discount aws-bedrock:10%: 10% discount on deployment aws-bedrock"
    );
    // The first-party model is untouched: $0.45.
    let v = estimate("claude-sonnet-4-5", &["--discount", "aws-bedrock:10%"]);
    assert_eq!(v["total_usd"], "0.45");
}

#[test]
fn a_billing_rule_rounds_each_request_up() {
    let path = overlay(
        "cents.toml",
        "[[billing]]\nprovider = \"openai\"\nunit = \"0.01\"\nrounding = \"up_per_request\"\n",
    );
    // 1,000 × $1.25/M = $0.00125, billed as one cent.
    let v = run_json(&[
        "estimate",
        "--model",
        "gpt-5",
        "--input-tokens",
        "1000",
        "--date",
        DATE,
        "--overlay",
        path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["total_usd"], "0.01");
    let last = v["line_items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["meter"], "billing_adjustment");
    assert_eq!(last["amount_usd"], "0.00875");
    assert!(
        last["overlays"][0]
            .as_str()
            .unwrap()
            .ends_with("billing unit $0.01, rounded up per request on provider openai")
    );
}

#[test]
fn compare_and_scenario_price_with_your_prices() {
    // compare: 1,000 input tokens. gpt-5 20% off: 1,000 × $1.00 = $0.001 (list $0.00125);
    // claude-sonnet-4-5 at list: $0.003.
    let v = run_json(&[
        "compare",
        "--models",
        "gpt-5,claude-sonnet-4-5",
        "--input-tokens",
        "1000",
        "--date",
        DATE,
        "--discount",
        "openai:20%",
        "--json",
    ]);
    let models = v["models"].as_array().unwrap();
    assert_eq!(models[0]["model"], "gpt-5");
    assert_eq!(models[0]["total_usd"], "0.001");
    assert_eq!(
        models[0]["overlays"][0],
        "--discount openai:20%: 20% discount on provider openai"
    );
    assert_eq!(models[1]["total_usd"], "0.003");
    assert_eq!(models[1]["overlays"], serde_json::json!([]));

    // scenario: 1,000 requests a day of 100 input tokens and one 1K image on
    // gemini-3.1-flash-image at list: $0.06725 each → $67.25 a day; 10% off → $60.525.
    let v = run_json(&[
        "scenario",
        "--model",
        "gemini-3.1-flash-image",
        "--requests-per-day",
        "1000",
        "--input-tokens",
        "100",
        "--output-tokens",
        "0",
        "--output-images",
        "1@1K",
        "--days",
        "30",
        "--date",
        DATE,
        "--discount",
        "google:10%",
        "--json",
    ]);
    assert_eq!(v["daily_usd"], "60.525");
    assert_eq!(v["monthly_usd"], "1815.75");
}

#[test]
fn cost_prices_a_log_with_your_prices() {
    let log = root().join("tests/data/usage/whatif.jsonl");
    let log = log.to_str().unwrap();
    // As logged (millionths of a dollar): gpt-5 10,000 × 1.25 + 2,000 × 10 = 32,500;
    // chatgpt-4o-latest 1,000 × 5 + 100 × 15 = 6,500; claude-sonnet-4-5 1,000 × 3 + 10,000 ×
    // 3.75 + 500 × 15 = 48,000. Total $0.087.
    let list = run_json(&["cost", log, "--date", "2025-11-22", "--json"]);
    assert_eq!(list["total_usd"], "0.087");
    // 20% off OpenAI: (32,500 + 6,500) × 0.8 = 31,200; + 48,000 = $0.0792.
    for threads in ["1", "2"] {
        let v = run_json(&[
            "cost",
            log,
            "--date",
            "2025-11-22",
            "--discount",
            "openai:20%",
            "--threads",
            threads,
            "--json",
        ]);
        assert_eq!(v["total_usd"], "0.0792");
        assert_eq!(v["by_model"]["gpt-5"]["total_usd"], "0.026");
        assert_eq!(
            v["by_model"]["gpt-5"]["overlays"][0],
            "--discount openai:20%: 20% discount on provider openai"
        );
        assert_eq!(
            v["by_model"]["claude-sonnet-4-5"]["overlays"],
            serde_json::json!([])
        );
        // A total priced with your prices never carries the list book's identity.
        assert_ne!(v["book"]["hash"], list["book"]["hash"]);
    }
    let out = run(&[
        "cost",
        log,
        "--date",
        "2025-11-22",
        "--discount",
        "openai:20%",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "custom prices on gpt-5: --discount openai:20%: 20% discount on provider openai"
        ),
        "{text}"
    );
}

#[test]
fn mistakes_are_located_and_nothing_is_priced() {
    let path = overlay(
        "broken.toml",
        "[[adjust]]\nprovider = \"openai\"\ndiscont = \"20%\"\n\n[[adjust]]\nmodel = \"gpt-5\"\ndiscount = 0.2\n",
    );
    let p = path.to_str().unwrap();
    let out = run(&[
        "estimate",
        "--model",
        "gpt-5",
        "--input-tokens",
        "1",
        "--overlay",
        p,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{p}:3:1: unknown key `discont`; did you mean `discount`?"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{p}:7:12: expected a percentage in quotes")),
        "{err}"
    );
    assert!(err.contains("your own prices have 3 error(s)"), "{err}");

    let path = overlay(
        "unknown.toml",
        "[[adjust]]\nmodel = \"gpt-9\"\nmarkup = \"5%\"\n",
    );
    let p = path.to_str().unwrap();
    let out = run(&["cost", "tests/data/usage/whatif.jsonl", "--overlay", p]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{p}:2:9: unknown model `gpt-9`")),
        "{err}"
    );

    for bad in ["openai", "openai:120%", "nobody:5%", "openai:x"] {
        let out = run(&[
            "estimate",
            "--model",
            "gpt-5",
            "--input-tokens",
            "1",
            "--discount",
            bad,
        ]);
        assert_eq!(out.status.code(), Some(1), "--discount {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with(&format!("--discount {bad}: ")), "{err}");
    }
}
