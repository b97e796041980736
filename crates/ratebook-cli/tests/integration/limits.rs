//! Limits from the domain: counts above `ratebook::MAX_QUANTITY`, prompts over a model's context
//! window and output over its cap, the opt-in for aggregates, the worst case's clamp, and a
//! cost log with over-limit records.
//!
//! Rates: gemini-3.1-flash-lite $0.25 in / $1.50 out per 1M tokens, context window 1,048,576,
//! max output 65,536; gpt-4o context window 128,000, max output 16,384 (pricing/).

use crate::support::{book, date, run, run_json};
use ratebook::budget::worst_case;
use ratebook::ingest::{Ledger, LineOutcome};
use ratebook::{Decimal, ErrorKind, EstimateOptions, MAX_QUANTITY, Usage};

const TODAY: &str = "2026-11-23";
const LITE: &str = "gemini-3.1-flash-lite";

fn opts() -> EstimateOptions {
    EstimateOptions::at(date(TODAY))
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn counts_above_the_maximum_are_rejected_naming_the_field() {
    let b = book();
    assert_eq!(MAX_QUANTITY, 1_000_000_000_000);
    #[allow(clippy::cast_sign_loss)]
    let wrapped = (-1i64) as u64;
    for (usage, field) in [
        (Usage::text(wrapped, 0), "input_text"),
        (Usage::text(0, MAX_QUANTITY + 1), "output_text"),
        (
            Usage {
                input_text: 10,
                cached: wrapped,
                ..Usage::default()
            },
            "cached",
        ),
    ] {
        // Not even the opt-in prices them.
        let e = b
            .estimate(LITE, &usage, opts().allow_over_limits(true))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidUsage, "{e}");
        assert!(e.message.starts_with(field), "{field}: {e}");
        assert!(e.message.contains("1,000,000,000,000"), "{e}");
    }
}

#[test]
fn the_context_window_and_the_output_cap_are_errors_unless_allowed() {
    let b = book();
    // At the window and the cap exactly: priced. 1,048,576 × $0.25 + 65,536 × $1.50
    // = $0.262144 + $0.098304 = $0.360448.
    let at_limits = Usage::text(1_048_576, 65_536);
    assert_eq!(
        b.estimate(LITE, &at_limits, opts()).unwrap().total,
        d("0.360448")
    );
    // One token over the window.
    let e = b
        .estimate(LITE, &Usage::text(1_048_577, 0), opts())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage);
    assert!(
        e.message.contains(
            "1,048,577 tokens, larger than gemini-3.1-flash-lite's context window of 1,048,576"
        ),
        "{e}"
    );
    // One token over the output cap.
    let e = b
        .estimate(LITE, &Usage::text(0, 65_537), opts())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage);
    assert!(e.message.contains("maximum output of 65,536"), "{e}");
    // The opt-in prices both: 5,000,000 × $0.25 + 1,000,000 × $1.50 = $1.25 + $1.50 = $2.75.
    let day = Usage::text(5_000_000, 1_000_000);
    assert!(b.estimate(LITE, &day, opts()).is_err());
    let est = b
        .estimate(LITE, &day, opts().allow_over_limits(true))
        .unwrap();
    assert_eq!(est.total, d("2.75"));
}

#[test]
fn the_cli_flag_opts_in_for_estimate_and_compare() {
    let args = [
        "--model",
        LITE,
        "--input-tokens",
        "5000000",
        "--date",
        TODAY,
        "--json",
    ];
    let out = run(&[&["estimate"], &args[..]].concat());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("context window of 1,048,576"), "{err}");
    // 5,000,000 × $0.25/M = $1.25.
    let v = run_json(&[&["estimate"], &args[..], &["--allow-over-limits"]].concat());
    assert_eq!(v["total_usd"], "1.25", "{v}");
    let compare = |extra: &[&str]| {
        let base = [
            "compare",
            "--models",
            LITE,
            "--input-tokens",
            "5000000",
            "--date",
            TODAY,
            "--json",
        ];
        run_json(&[&base[..], extra].concat())
    };
    let v = compare(&["--allow-over-limits"]);
    assert_eq!(v["models"][0]["total_usd"], "1.25", "{v}");
    let v = compare(&[]);
    assert_eq!(v["models"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(v["unpriced"].as_array().map(Vec::len), Some(1), "{v}");
}

#[test]
fn worst_case_clamps_max_tokens_to_the_output_cap_and_says_so() {
    let b = book();
    // max_tokens 10,000,000 on a 65,536-token cap: priced at 65,536.
    // 500 × $0.25 + 65,536 × $1.50 = $0.000125 + $0.098304 = $0.098429.
    let w = worst_case(&b, LITE, &Usage::text(500, 0), Some(10_000_000), opts()).unwrap();
    assert_eq!(w.max_tokens, 65_536);
    assert_eq!(w.clamped_from, Some(10_000_000));
    assert!(w.clamped());
    assert_eq!(w.estimate.total, d("0.098429"));
    // Under the cap: not clamped. 500 × $0.25 + 8,192 × $1.50 = $0.012413.
    let w = worst_case(&b, LITE, &Usage::text(500, 0), Some(8_192), opts()).unwrap();
    assert_eq!((w.max_tokens, w.clamped_from), (8_192, None));
    assert_eq!(w.estimate.total, d("0.012413"));
}

#[test]
fn a_cost_log_counts_over_limit_records_as_rejected_with_their_line() {
    let line = |prompt: u64, completion: u64| {
        format!(
            r#"{{"id": "chatcmpl-X", "object": "chat.completion", "created": 1763600400, "model": "gpt-4o", "usage": {{"prompt_tokens": {prompt}, "completion_tokens": {completion}}}}}"#
        )
    };
    let lines = [
        line(1_000, 100),
        line(200_000, 10),
        line(10, 20_000),
        line(128_000, 16_384),
    ];
    let text = lines.join("\n") + "\n";
    let path = std::env::temp_dir().join(format!("ratebook-limits-{}.jsonl", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let v = run_json(&["cost", path.to_str().unwrap(), "--json", "--date", TODAY]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(v["records"], 2, "{v}");
    assert_eq!(v["rejected"], 2, "{v}");
    let rejected = v["rejected_lines"].as_array().unwrap();
    let got: Vec<(u64, &str)> = rejected
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(2, "invalid_usage"), (3, "invalid_usage")]);
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("context window of 128,000")
    );
    assert!(
        rejected[1]["reason"]
            .as_str()
            .unwrap()
            .contains("maximum output of 16,384")
    );
    // The core ledger says the same, and prices the two within limits as `estimate` does.
    let b = book();
    let mut ledger = Ledger::new(&b, date(TODAY));
    let outcomes: Vec<bool> = lines
        .iter()
        .map(|l| matches!(ledger.add_line(l), LineOutcome::Priced))
        .collect();
    assert_eq!(outcomes, [true, false, false, true]);
    let expect = b
        .estimate("gpt-4o", &Usage::text(1_000, 100), opts())
        .unwrap()
        .total
        + b.estimate("gpt-4o", &Usage::text(128_000, 16_384), opts())
            .unwrap()
            .total;
    assert_eq!(ledger.summary().unwrap().total, expect);
}
