//! Budgets: the core API (`ratebook::budget`) on the bundled rate book — per request, per day,
//! per month, the worst case of a capped request, a costed log — and `ratebook cost --budget`'s
//! exit codes (0 within, 3 over).
//!
//! Rates: gemini-3.1-flash-lite $0.25 in / $1.50 out per 1M tokens, max output 65,536 tokens
//! (ai.google.dev/gemini-api/docs/pricing, pricing/google.toml).

use crate::support::{book, date, root, run};
use ratebook::budget::{Budget, Period, Workload, worst_case, worst_case_usage};
use ratebook::ingest::Ledger;
use ratebook::{Decimal, EstimateOptions, Usage};
use serde_json::Value;

const TODAY: &str = "2026-11-23";

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn opts() -> EstimateOptions {
    EstimateOptions::at(date(TODAY))
}

#[test]
fn per_request_budget_on_an_estimate() {
    let est = book()
        .estimate("gemini-3.1-flash-lite", &Usage::text(500, 100), opts())
        .unwrap();
    // 500 × $0.25/M + 100 × $1.50/M = $0.000125 + $0.00015 = $0.000275
    assert_eq!(est.total, d("0.000275"));
    let within = Budget::usd_per_request(d("0.0003"))
        .unwrap()
        .check_estimate(&est);
    assert!(within.passes());
    assert_eq!(
        (within.spend, within.headroom, within.over_by),
        (d("0.000275"), d("0.000025"), Decimal::ZERO)
    );
    let over = Budget::usd_per_request(d("0.00027"))
        .unwrap()
        .check_estimate(&est);
    assert!(over.over);
    assert_eq!(over.over_by, d("0.000005"));
    // Exactly at the limit is within it.
    assert!(
        Budget::usd_per_request(d("0.000275"))
            .unwrap()
            .check_estimate(&est)
            .passes()
    );
}

#[test]
fn workload_per_day_and_per_month() {
    let per_request = d("0.000275");
    let w = Workload::requests_per_day(10_000);
    // 10,000 × $0.000275 = $2.75 a day: $0.25 over a $2.50 daily budget.
    let day = Budget::usd_per_day(d("2.50"))
        .unwrap()
        .check_workload(per_request, &w)
        .unwrap();
    assert_eq!(
        (day.period, day.spend, day.over, day.over_by),
        (Period::Day, d("2.75"), true, d("0.25"))
    );
    assert_eq!(
        day.to_string(),
        "over the daily budget of $2.50 by $0.25 (spend $2.75)"
    );
    // 30 days × $2.75 = $82.50 a month; 31 days = $85.25.
    let month = Budget::usd_per_month(d("85")).unwrap();
    let c30 = month.check_workload(per_request, &w).unwrap();
    assert_eq!(
        (c30.spend, c30.over, c30.headroom),
        (d("82.50"), false, d("2.50"))
    );
    assert_eq!(
        c30.to_string(),
        "within the monthly budget of $85.00: spend $82.50, $2.50 left"
    );
    let c31 = month
        .check_workload(per_request, &w.days_per_month(31))
        .unwrap();
    assert_eq!(
        (c31.spend, c31.over, c31.over_by),
        (d("85.25"), true, d("0.25"))
    );
    // A per-request budget checks the per-request cost of a workload.
    let req = Budget::usd_per_request(d("0.001"))
        .unwrap()
        .check_workload(per_request, &w)
        .unwrap();
    assert_eq!(req.spend, per_request);
}

#[test]
fn worst_case_of_a_capped_request() {
    let book = book();
    // An abandoned stream is billed for what was generated: the worst case is the input plus
    // max_tokens of output. 500 × $0.25 + 8,192 × $1.50 = $0.000125 + $0.012288 = $0.012413.
    let w = worst_case(
        &book,
        "gemini-3.1-flash-lite",
        &Usage::text(500, 0),
        Some(8_192),
        opts(),
    )
    .unwrap();
    assert_eq!(w.estimate.total, d("0.012413"));
    assert_eq!((w.max_tokens, w.clamped_from), (8_192, None));
    let check = Budget::usd_per_request(d("0.01"))
        .unwrap()
        .check_worst_case(
            &book,
            "gemini-3.1-flash-lite",
            &Usage::text(500, 0),
            Some(8_192),
            opts(),
        )
        .unwrap();
    assert_eq!((check.over, check.over_by), (true, d("0.002413")));
    // No cap: the model's own maximum output (65,536 tokens) is the cap.
    // 500 × $0.25 + 65,536 × $1.50 = $0.000125 + $0.098304 = $0.098429.
    let w = worst_case(
        &book,
        "gemini-3.1-flash-lite",
        &Usage::text(500, 0),
        None,
        opts(),
    )
    .unwrap();
    assert_eq!(w.estimate.total, d("0.098429"));
    assert_eq!((w.max_tokens, w.clamped()), (65_536, false));
    // The worst case never lowers output already there.
    assert_eq!(worst_case_usage(&Usage::text(1, 900), 100).output_text, 900);
    // Unknown models are errors, not zero.
    assert!(worst_case(&book, "no-such-model", &Usage::text(1, 0), Some(1), opts()).is_err());
}

#[test]
fn costed_log_total() {
    // A project costs its own log with the ledger and checks the total against its budget.
    let book = book();
    let mut ledger = Ledger::new(&book, date(TODAY));
    let text = std::fs::read_to_string(root().join("tests/data/usage/anthropic.jsonl")).unwrap();
    for line in text.lines() {
        ledger.add_line(line);
    }
    let total = ledger.summary().unwrap().total;
    // $0.06765 (claude-sonnet-4-5) + $0.0106 (claude-haiku-4-5), see tests/usage.rs.
    assert_eq!(total, d("0.07825"));
    let c = Budget::usd_per_day(d("0.05")).unwrap().check_spend(total);
    assert_eq!((c.over, c.over_by), (true, d("0.02825")));
}

#[test]
fn negative_budgets_are_refused() {
    assert!(Budget::usd_per_day(d("-1")).is_err());
    assert!(
        Budget::usd_per_day(Decimal::ZERO)
            .unwrap()
            .check_spend(Decimal::ZERO)
            .passes()
    );
}

// --- `ratebook cost --budget` ------------------------------------------------------------------

fn cost_with_budget(budget: &str, json: bool) -> (Option<i32>, String, String) {
    let flag = format!("--budget={budget}");
    let mut args = vec![
        "cost",
        "tests/data/usage/anthropic.jsonl",
        "--date",
        TODAY,
        &flag,
    ];
    if json {
        args.push("--json");
    }
    let out = run(&args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cost_budget_exit_codes() {
    // The file costs $0.07825.
    let (code, stdout, _) = cost_with_budget("0.10", true);
    assert_eq!(code, Some(0), "within budget exits 0");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["budget"]["over"], false);
    assert_eq!(v["budget"]["headroom_usd"], "0.02175");
    assert_eq!(v["total_usd"], "0.07825");

    let (code, stdout, _) = cost_with_budget("$0.05", true);
    assert_eq!(code, Some(3), "over budget exits 3");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            v["budget"]["over"].as_bool(),
            v["budget"]["over_by_usd"].as_str()
        ),
        (Some(true), Some("0.02825"))
    );

    // Equal to the budget is within it.
    assert_eq!(cost_with_budget("0.07825", true).0, Some(0));

    let (code, stdout, _) = cost_with_budget("0.05", false);
    assert_eq!(code, Some(3));
    assert!(
        stdout.contains("over budget: $0.07825 is $0.02825 over the $0.05 budget"),
        "{stdout}"
    );

    let (code, _, stderr) = cost_with_budget("lots", false);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--budget"), "{stderr}");
    assert_eq!(cost_with_budget("-1", false).0, Some(1));
}

#[test]
fn cost_help_documents_exit_codes_and_blank_lines() {
    let out = run(&["cost", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("3  --budget given and the total is over it"),
        "{help}"
    );
    assert!(
        help.contains("blank lines are skipped and not counted"),
        "{help}"
    );
}
