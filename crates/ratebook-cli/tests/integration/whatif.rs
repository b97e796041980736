//! `ratebook cost --what-if CHANGE`: the same records priced again under a change, with the
//! total, the difference and the records the change does not apply to.
//!
//! `tests/data/usage/whatif.jsonl` holds an OpenAI Chat Completions response (gpt-5), one from
//! a model without batch (chatgpt-4o-latest) and an Anthropic Messages response with five-minute
//! cache writes (claude-sonnet-4-5). Rates (USD per million tokens) from the repository's
//! pricing files, which cite the providers' pages: gpt-5 1.25 in / 10.00 out; gpt-5-mini 0.25 in /
//! 2.00 out (cache writes are plain input on OpenAI); chatgpt-4o-latest 5.00 in / 15.00 out,
//! standard mode only (`pricing/openai.toml`); claude-sonnet-4-5 3.00 in / 15.00 out / 3.75
//! five-minute and 6.00 one-hour cache writes (`pricing/anthropic.toml`). Batch is half price on
//! both providers, cache writes included on Anthropic.

use serde_json::{Value, json};

use crate::support::{root, run, run_json};

fn fixture() -> String {
    root()
        .join("tests/data/usage/whatif.jsonl")
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

fn cost(file: &str, threads: &str, changes: &[&str]) -> Value {
    let mut args = vec![
        "cost",
        file,
        "--json",
        "--date",
        "2025-11-22",
        "--threads",
        threads,
    ];
    for c in changes {
        args.extend(["--what-if", c]);
    }
    run_json(&args)
}

#[test]
fn each_change_reprices_the_log_and_counts_what_it_cannot_apply_to() {
    let v = cost(
        &fixture(),
        "1",
        &["mode=batch", "cache-ttl=1h", "model=gpt-5-mini"],
    );
    // As logged (millionths of a dollar):
    //   gpt-5              10,000 × 1.25 + 2,000 × 10.00              = 32,500
    //   chatgpt-4o-latest   1,000 × 5.00 +   100 × 15.00              =  6,500
    //   claude-sonnet-4-5   1,000 × 3.00 + 10,000 × 3.75 + 500 × 15.00 = 48,000
    // Total 87,000 = $0.087.
    assert_eq!(v["total_usd"], "0.087");
    assert_eq!(
        v["what_if"],
        json!([
            // Half of 32,500 and of 48,000; chatgpt-4o-latest has no batch and stays at 6,500:
            // 16,250 + 6,500 + 24,000 = 46,750.
            {"change": "mode=batch", "total_usd": "0.04675", "delta_usd": "-0.04025", "not_applicable": 1},
            // The 10,000 writes at 6.00 instead of 3.75: 48,000 + 22,500 = 70,500; the OpenAI
            // responses have no cache writes and are unchanged: 32,500 + 6,500 + 70,500.
            {"change": "cache-ttl=1h", "total_usd": "0.1095", "delta_usd": "0.0225", "not_applicable": 0},
            // gpt-5-mini: 10,000 × 0.25 + 2,000 × 2.00 = 6,500; 1,000 × 0.25 + 100 × 2.00 = 450;
            // 11,000 × 0.25 + 500 × 2.00 = 3,750. Total 10,700.
            {"change": "model=gpt-5-mini", "total_usd": "0.0107", "delta_usd": "-0.0763", "not_applicable": 0},
        ])
    );
}

#[test]
fn what_if_results_are_the_same_on_any_thread_count() {
    // 3,000 copies of the three responses: about 2.6 MB, several of the reader's chunks.
    let text = std::fs::read_to_string(fixture()).expect("the fixture");
    let log = text.repeat(3_000);
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("whatif-generated.jsonl");
    std::fs::write(&path, &log).expect("write the log");
    let file = path.to_str().expect("utf-8 path");
    let one = cost(file, "1", &["mode=batch", "model=gpt-5-mini"]);
    let three = cost(file, "3", &["mode=batch", "model=gpt-5-mini"]);
    assert_eq!(one, three);
    assert_eq!(one["total_usd"], "261", "3,000 × 0.087");
    assert_eq!(one["what_if"][0]["total_usd"], "140.25", "3,000 × 0.04675");
    assert_eq!(one["what_if"][0]["not_applicable"], 3_000);
    assert_eq!(one["what_if"][1]["total_usd"], "32.1", "3,000 × 0.0107");
}

#[test]
fn a_bad_change_is_an_error_naming_it() {
    for (change, says) in [
        ("mode=cheap", "unknown mode `cheap`"),
        ("model=gpt-9", "unknown model `gpt-9`"),
        ("region=eu", "unknown change `region`"),
        ("batch", "expected KEY=VALUE"),
    ] {
        let out = run(&["cost", &fixture(), "--what-if", change]);
        assert_eq!(out.status.code(), Some(1), "{change}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("--what-if {change}")), "{err}");
        assert!(err.contains(says), "{change}: {err}");
    }
}

#[test]
fn without_what_if_the_output_has_no_what_if_key() {
    let v = cost(&fixture(), "1", &[]);
    assert!(v.get("what_if").is_none(), "{v}");
}

/// `tests/data/usage/whatif_cloud.jsonl`: the same Claude Sonnet 4.5 call (100,000 input and
/// 10,000 output tokens) once through Bedrock's geographic `us.` profile (1.1× the first-party
/// rates, `pricing/aws-bedrock.toml`) and once first-party.
#[test]
fn another_deployment_scope_and_your_own_prices() {
    let log = root().join("tests/data/usage/whatif_cloud.jsonl");
    let overlay = std::env::temp_dir().join(format!("ratebook-whatif-{}.toml", std::process::id()));
    std::fs::write(
        &overlay,
        "[[replace]]\nmodel = \"claude-sonnet-4-5\"\ninput = \"2.40\"\n\n[[adjust]]\ndeployment = \"aws-bedrock\"\ndiscount = \"10%\"\n",
    )
    .unwrap();
    let overlay_change = format!("overlay={}", overlay.display());
    let v = cost(
        log.to_str().unwrap(),
        "1",
        &["deployment=global", &overlay_change],
    );
    // As logged: first-party 100,000 × $3 + 10,000 × $15 = $0.45; through `us.` × 1.1 = $0.495.
    assert_eq!(v["total_usd"], "0.945");
    let w = &v["what_if"];
    // Through `global.` (list price): $0.45 + $0.45; the first-party call is not a cloud call.
    assert_eq!(w[0]["change"], "deployment=global");
    assert_eq!(w[0]["total_usd"], "0.9");
    assert_eq!(w[0]["delta_usd"], "-0.045");
    assert_eq!(w[0]["not_applicable"], 1);
    // Input at $2.40: $0.24 + $0.15 = $0.39 first-party; through Bedrock × 1.1 × 0.9 = $0.3861.
    assert_eq!(w[1]["change"], Value::String(overlay_change.clone()));
    assert_eq!(w[1]["total_usd"], "0.7761");
    assert_eq!(w[1]["delta_usd"], "-0.1689");
    assert_eq!(w[1]["not_applicable"], 0);
    // The same on two threads.
    assert_eq!(
        cost(
            log.to_str().unwrap(),
            "2",
            &["deployment=global", &overlay_change]
        )["what_if"],
        v["what_if"]
    );
    // A scope no cloud has is refused before anything is priced.
    let out = run(&[
        "cost",
        log.to_str().unwrap(),
        "--what-if",
        "deployment=nowhere",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown deployment scope `nowhere`"));
}
