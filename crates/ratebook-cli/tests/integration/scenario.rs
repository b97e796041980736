//! Scenarios: daily and monthly spend, batching, caching, escalation and cost per accepted
//! result, in the core (`ratebook::scenario`) and through `ratebook scenario`, with every
//! expected number worked out by hand.
//!
//! Rates (USD per 1M tokens, pricing/google.toml from ai.google.dev/gemini-api/docs/pricing):
//! - gemini-3.1-flash-lite: $0.25 in, $0.025 cached, $1.50 out; batch ×0.5 and (its exception
//!   among Gemini models) batch stacks with cache reads: $0.0125.
//! - gemini-2.5-flash: $0.30 in, $0.03 cached, $2.50 out; batch ×0.5, cached stays $0.03.
//! - gemini-3.1-flash-image: $0.50 in, $60 image out, 1,120 tokens per 1K image.
//!
//! The reference workload: 10,000 requests a day of 500 input and 100 output
//! tokens. One standard request costs 500 × 0.25 + 100 × 1.50 = $0.000275.

use crate::support::{book, date, run, run_json};
use ratebook::scenario::{self, Fallback, Scenario, ScenarioSpec};
use ratebook::{Decimal, ErrorKind};
use serde_json::Value;

const TODAY: &str = "2026-11-23";

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn flash_lite(args: &[&str]) -> Value {
    let mut all = vec![
        "scenario",
        "--model",
        "gemini-3.1-flash-lite",
        "--requests-per-day",
        "10000",
        "--input-tokens",
        "500",
        "--output-tokens",
        "100",
        "--date",
        TODAY,
        "--json",
    ];
    all.extend_from_slice(args);
    run_json(&all)
}

#[test]
fn the_reference_workload_costs_2_75_a_day() {
    // 10,000 × $0.000275 = $2.75 a day (not $2.30, a figure seen quoted for this workload,
    // which does not follow from the rates), × 30 days = $82.50.
    let v = flash_lite(&[]);
    assert_eq!(v["daily_usd"], "2.75");
    assert_eq!(v["monthly_usd"], "82.5");
    assert_eq!(v["per_request_usd"], "0.000275");
    // Every request accepted: $2.75 / 10,000.
    assert_eq!(v["cost_per_accepted_usd"], "0.000275");
    assert_eq!(v["baseline"]["daily_usd"], "2.75");
    assert_eq!(v["saving_usd"], "0");

    let s = Scenario::new("gemini-3.1-flash-lite", 10_000, 500, 100, date(TODAY));
    let c = scenario::run(&book(), &s).unwrap();
    assert_eq!((c.daily, c.monthly), (d("2.75"), d("82.5")));
}

#[test]
fn batch_share() {
    // Half through batch: 0.5 × $0.000275 + 0.5 × (500 × 0.125 + 100 × 0.75 = $0.0001375)
    // = $0.00020625 a request → $2.0625 a day, $61.875 a month; saving $82.50 − $61.875.
    let v = flash_lite(&["--batch-share", "0.5"]);
    assert_eq!(v["daily_usd"], "2.0625");
    assert_eq!(v["monthly_usd"], "61.875");
    assert_eq!(v["saving_usd"], "20.625");
    assert_eq!(v["saving_daily_usd"], "0.6875");
    // A percentage is the same fraction.
    assert_eq!(flash_lite(&["--batch-share", "50%"])["daily_usd"], "2.0625");
}

#[test]
fn cached_share() {
    // 60% of the input from cache: 0.4 × $0.000275 + 0.6 × (500 × 0.025 + 100 × 1.50 = $0.0001625)
    // = $0.00011 + $0.0000975 = $0.0002075 → $2.075 a day.
    let v = flash_lite(&["--cached-share", "0.6"]);
    assert_eq!(v["daily_usd"], "2.075");
    // With batch too (cache reads stack with batch on this model):
    // standard: 0.4 × 275 + 0.6 × 162.5 = 207.5; batch: 0.4 × 137.5 + 0.6 × (6.25 + 75) = 103.75
    // (millionths of a dollar); half each: 155.625 → $1.55625 a day.
    let v = flash_lite(&["--cached-share", "0.6", "--batch-share", "0.5"]);
    assert_eq!(v["daily_usd"], "1.55625");
    assert_eq!(v["parts"].as_array().unwrap().len(), 4);
}

#[test]
fn escalation_and_cost_per_accepted_result() {
    // The primary passes 80%; the 20% that fail go once to gemini-2.5-flash, which passes 90%.
    // Per request: $0.000275 + 0.2 × (500 × 0.30 + 100 × 2.50 = $0.0004) = $0.000355
    // → $3.55 a day. Accepted: 0.8 + 0.2 × 0.9 = 0.98 → 9,800 a day.
    // Cost per accepted result: 3.55 / 9,800 = 0.000362244897959183673469387755…, rounded to
    // 28 decimal places.
    let v = flash_lite(&[
        "--fallback-model",
        "gemini-2.5-flash",
        "--pass-rate",
        "0.8",
        "--fallback-pass-rate",
        "0.9",
    ]);
    assert_eq!(v["daily_usd"], "3.55");
    assert_eq!(v["accepted_per_day"], "9800");
    assert_eq!(v["cost_per_accepted_usd"], "0.0003622448979591836734693878");
    // Baseline: no escalation, so only the primary's 8,000 a day are accepted:
    // $2.75 / 8,000 = $0.00034375. Escalation spends more ($0.80 a day) but buys 1,800 more
    // accepted results.
    assert_eq!(v["baseline"]["cost_per_accepted_usd"], "0.00034375");
    assert_eq!(v["saving_daily_usd"], "-0.8");
    assert_eq!(v["saving_usd"], "-24");
    assert_eq!(v["fallback_model"], "gemini-2.5-flash");

    // The core API gives the same.
    let mut s = Scenario::new("gemini-3.1-flash-lite", 10_000, 500, 100, date(TODAY));
    s.pass_rate = d("0.8");
    s.fallback = Some(Fallback {
        model: "gemini-2.5-flash".into(),
        pass_rate: d("0.9"),
    });
    let c = scenario::run(&book(), &s).unwrap();
    assert_eq!(
        c.cost_per_accepted,
        Some(d("0.0003622448979591836734693878"))
    );

    // A pass rate without a fallback: failures are simply not accepted.
    let v = flash_lite(&["--pass-rate", "0.5"]);
    assert_eq!(v["cost_per_accepted_usd"], "0.00055");
    // Nothing accepted: no cost per accepted result.
    let v = flash_lite(&["--pass-rate", "0"]);
    assert_eq!(v["cost_per_accepted_usd"], Value::Null);
}

#[test]
fn generated_images_and_days() {
    // 1,000 requests a day of 100 input tokens and one 1K image on gemini-3.1-flash-image:
    // 100 × $0.50 + 1,120 × $60 = $0.00005 + $0.0672 = $0.06725 → $67.25 a day, × 31 = $2,084.75.
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
        "31",
        "--date",
        TODAY,
        "--json",
    ]);
    assert_eq!(v["daily_usd"], "67.25");
    assert_eq!(v["monthly_usd"], "2084.75");
    assert_eq!(v["days"], 31);
}

#[test]
fn scenario_files_and_overrides() {
    // tests/data/scenario/flash-lite.toml: the reference workload, half batch, 60% cached.
    let v = run_json(&[
        "scenario",
        "--file",
        "tests/data/scenario/flash-lite.toml",
        "--json",
    ]);
    assert_eq!(v["daily_usd"], "1.55625");
    assert_eq!(v["date"], TODAY);
    // A flag overrides the file: no batch → 0.4 × 275 + 0.6 × 162.5 = 207.5 millionths.
    let v = run_json(&[
        "scenario",
        "--file",
        "tests/data/scenario/flash-lite.toml",
        "--batch-share",
        "0",
        "--json",
    ]);
    assert_eq!(v["daily_usd"], "2.075");

    let spec = ScenarioSpec::from_toml("x.toml", "model = \"gpt-5\"\nrequests_per_day = 1\ninput_tokens = 1\noutput_tokens = 1\nbatch_share = 0.5\n").unwrap_err();
    assert!(
        spec.to_string().contains("write the fraction in quotes"),
        "{spec}"
    );
    let out = run(&["scenario", "--file", "tests/data/scenario/no-such.toml"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn compare_ranks_by_cost_per_accepted_result() {
    let v = run_json(&[
        "scenario",
        "--requests-per-day",
        "10000",
        "--input-tokens",
        "500",
        "--output-tokens",
        "100",
        "--date",
        TODAY,
        "--compare",
        "gemini-2.5-flash,gemini-3.1-flash-lite,gpt-image-1,gemini-9-ultra",
        "--json",
    ]);
    let ranked = v["ranked"].as_array().unwrap();
    let order: Vec<&str> = ranked
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    // $0.000275 (flash-lite) < $0.0004 (2.5 flash) per accepted result.
    assert_eq!(order, ["gemini-3.1-flash-lite", "gemini-2.5-flash"]);
    assert_eq!(
        (ranked[0]["rank"].as_u64(), ranked[1]["daily_usd"].as_str()),
        (Some(1), Some("4"))
    );
    let cannot: Vec<(String, String)> = v["cannot_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["model"].as_str().unwrap().to_string(),
                c["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(cannot.len(), 2);
    assert!(
        cannot
            .iter()
            .any(|(m, r)| m == "gpt-image-1" && r.contains("no text output rate")),
        "{cannot:?}"
    );
    assert!(
        cannot
            .iter()
            .any(|(m, r)| m == "gemini-9-ultra" && r.contains("unknown model")),
        "{cannot:?}"
    );

    // `all`: every model in the book is ranked or listed with its reason.
    let v = run_json(&[
        "scenario",
        "--requests-per-day",
        "10000",
        "--input-tokens",
        "500",
        "--output-tokens",
        "100",
        "--date",
        TODAY,
        "--batch-share",
        "0.5",
        "--compare",
        "all",
        "--json",
    ]);
    let n = v["ranked"].as_array().unwrap().len() + v["cannot_run"].as_array().unwrap().len();
    assert_eq!(n, book().models().len());
    let ranked = v["ranked"].as_array().unwrap();
    let costs: Vec<Decimal> = ranked
        .iter()
        .map(|r| d(r["cost_per_accepted_usd"].as_str().unwrap()))
        .collect();
    assert!(
        costs.windows(2).all(|w| w[0] <= w[1]),
        "ranked cheapest first: {costs:?}"
    );
}

#[test]
fn fractions_are_checked() {
    for (flag, value) in [
        ("--cached-share", "1.5"),
        ("--batch-share", "-0.1"),
        ("--pass-rate", "abc"),
        ("--batch-share", "0.1234567890123456789012345678901"),
    ] {
        let arg = format!("{flag}={value}");
        let out = run(&[
            "scenario",
            "--model",
            "gemini-3.1-flash-lite",
            "--requests-per-day",
            "1",
            "--input-tokens",
            "1",
            "--output-tokens",
            "1",
            &arg,
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{err}");
    }
    // Missing fields are named.
    let out = run(&["scenario", "--model", "gemini-3.1-flash-lite"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("requests_per_day, input_tokens, output_tokens")
    );
    // A fallback needs the primary's pass rate.
    let out = run(&[
        "scenario",
        "--model",
        "gemini-3.1-flash-lite",
        "--requests-per-day",
        "1",
        "--input-tokens",
        "1",
        "--output-tokens",
        "1",
        "--fallback-model",
        "gemini-2.5-flash",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The core refuses out-of-range shares too.
    let mut s = Scenario::new("gemini-3.1-flash-lite", 1, 1, 1, date(TODAY));
    s.cached_share = d("1.01");
    assert_eq!(
        scenario::run(&book(), &s).unwrap_err().kind,
        ErrorKind::InvalidValue
    );
}

#[test]
fn models_that_cannot_run_a_scenario_say_why() {
    // gemini-2.5-flash-image has no cache price on its card: a cached share bills at the input
    // rate (the card's rule) rather than failing; gpt-image-1 has no text output at all.
    let mut s = Scenario::new("gpt-image-1", 1, 1, 1, date(TODAY));
    s.batch_share = d("0.5");
    let e = scenario::run(&book(), &s).unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::ModeNotOffered | ErrorKind::UnsupportedMeter
        ),
        "{e}"
    );
}

/// Retries: a failed output is tried again on the primary up to --max-retries times, then
/// escalated. gemini-3.1-flash-lite, 500 in / 100 out: 500 × $0.25/M + 100 × $1.50/M =
/// $0.000275 a call; gemini-2.5-flash: 500 × $0.30/M + 100 × $2.50/M = $0.0004 a call
/// (`pricing/google.toml`, ai.google.dev/gemini-api/docs/pricing).
#[test]
fn retries_before_escalating() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "scenario",
            "--model",
            "gemini-3.1-flash-lite",
            "--requests-per-day",
            "1000",
            "--input-tokens",
            "500",
            "--output-tokens",
            "100",
            "--date",
            TODAY,
            "--json",
        ];
        args.extend(extra);
        run_json(&args)
    };
    // Two retries, no fallback: attempts 1 + 0.5 + 0.25 = 1.75; all three fail with 0.125.
    // Per task 1.75 × 0.000275 = 0.00048125; accepted 0.875; per accepted 0.00055.
    let v = run(&["--pass-rate", "0.5", "--max-retries", "2"]);
    assert_eq!(v["expected_attempts"], "1.75");
    assert_eq!(v["accepted_share"], "0.875");
    assert_eq!(v["per_request_usd"], "0.00048125");
    assert_eq!(v["daily_usd"], "0.48125");
    assert_eq!(v["cost_per_accepted_usd"], "0.00055");
    assert_eq!(v["scenario"]["max_retries"], 2);
    // Then the fallback for the 0.125 that failed every attempt: + 0.125 × 0.0004 = 0.00005;
    // per task 0.00053125 over 1.875 calls, everything accepted.
    let v = run(&[
        "--pass-rate",
        "0.5",
        "--max-retries",
        "2",
        "--fallback-model",
        "gemini-2.5-flash",
    ]);
    assert_eq!(v["expected_attempts"], "1.875");
    assert_eq!(v["accepted_share"], "1");
    assert_eq!(v["per_request_usd"], "0.00053125");
    assert_eq!(v["cost_per_accepted_usd"], "0.00053125");
    // No retries is the one-escalation model: 0.000275 + 0.5 × 0.0004 = 0.000475, 1.5 calls.
    let v = run(&["--pass-rate", "0.5", "--fallback-model", "gemini-2.5-flash"]);
    assert_eq!(v["expected_attempts"], "1.5");
    assert_eq!(v["per_request_usd"], "0.000475");
    // Pass rate 1: retries never happen.
    let v = run(&["--max-retries", "3", "--pass-rate", "1"]);
    assert_eq!(v["expected_attempts"], "1");
    // Past the limit: refused.
    let out = crate::support::run(&[
        "scenario",
        "--model",
        "gemini-3.1-flash-lite",
        "--requests-per-day",
        "1",
        "--input-tokens",
        "1",
        "--output-tokens",
        "1",
        "--pass-rate",
        "0.5",
        "--max-retries",
        "21",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_retries = 21 is more than 20"));
}
