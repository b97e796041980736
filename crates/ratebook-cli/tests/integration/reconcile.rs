//! `ratebook reconcile`: logs priced as `cost` prices them, beside the providers' bills.
//!
//! The exports in `tests/data/billing/` are written from the providers' API references
//! (`tests/data/billing/README.md` names each source):
//! - `openai_costs.json`: a page of `GET /v1/organization/costs` grouped by `line_item`
//!   (https://platform.openai.com/docs/api-reference/usage/costs);
//! - `anthropic_cost_report.json`: `GET /v1/organizations/cost_report` grouped by description
//!   (https://platform.claude.com/docs/en/api/admin/cost_report), `amount` in cents;
//! - `gcp_billing_export.csv`: rows of the standard usage cost table
//!   (https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage).
//!
//! The log `tests/data/usage/reconcile.jsonl` and its prices, from `pricing/*.toml` (USD per
//! million tokens, each card citing the provider's page), all on 2025-11-20:
//!   1 gpt-4o-2024-08-06 (2.50 in, 10.00 out): 1,000 × 2.50 + 200 × 10.00 = $0.0045
//!   2 gpt-9-turbo: not in the book (rejected, counted as an unpriced model)
//!   3 claude-sonnet-4-5 standard (3.00 in, 15.00 out): 10,000 × 3 + 1,000 × 15 = $0.045
//!   4 claude-haiku-4-5, 2,000 cache writes without their TTL split, 5 minutes assumed
//!     (1.25): 2,000 × 1.25 = $0.0025; at the one-hour rate (2.00) it is $0.004
//!   5 gemini-2.5-flash (0.30 in, 2.50 out): 1,000 × 0.30 + 200 × 2.50 = $0.0008
//! Computed total: $0.0528.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::schemas::assert_follows;
use crate::support::{root, run};

fn data(path: &str) -> String {
    root()
        .join("tests/data")
        .join(path)
        .to_str()
        .unwrap()
        .to_string()
}

const LOG: &str = "usage/reconcile.jsonl";
const OPENAI: &str = "billing/openai_costs.json";
const ANTHROPIC: &str = "billing/anthropic_cost_report.json";
const GCP: &str = "billing/gcp_billing_export.csv";

fn reconcile(billed: &[&str], extra: &[&str]) -> (Option<i32>, String, String) {
    let log = data(LOG);
    let mut args = vec!["reconcile", "--usage", log.as_str(), "--date", "2025-11-20"];
    let billed: Vec<String> = billed.iter().map(|b| data(b)).collect();
    args.push("--billed");
    args.extend(billed.iter().map(String::as_str));
    args.extend(extra);
    let out = run(&args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(billed: &[&str], extra: &[&str]) -> Value {
    let mut e = vec!["--json"];
    e.extend(extra);
    let (code, stdout, stderr) = reconcile(billed, &e);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).expect("JSON")
}

/// (model, computed, billed, gap, causes) of the rows of `day`.
fn rows(v: &Value, day: &str) -> Vec<(String, String, String, String, Vec<String>)> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["day"] == day)
        .map(|r| {
            (
                r["model"].as_str().unwrap().to_string(),
                r["computed_usd"].as_str().unwrap().to_string(),
                r["billed_usd"].as_str().unwrap().to_string(),
                r["gap_usd"].as_str().unwrap().to_string(),
                r["causes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn row(
    model: &str,
    computed: &str,
    billed: &str,
    gap: &str,
    causes: &[&str],
) -> (String, String, String, String, Vec<String>) {
    (
        model.into(),
        computed.into(),
        billed.into(),
        gap.into(),
        causes.iter().map(|c| c.to_string()).collect(),
    )
}

#[test]
fn openai_costs_match_to_the_cent_and_name_what_differs() {
    let v = json_of(&[OPENAI], &[]);
    assert_eq!(v["billed"][0]["format"], "openai");
    // Billed 2025-11-20: gpt-4o-2024-08-06 input 0.0025 + output 0.002 = $0.0045, the log's
    // price exactly; gpt-9-turbo $0.05, which the log has but the book does not price.
    // 2025-11-21: $0.01 of gpt-4o-2024-08-06 with no record in the log.
    let nov20 = rows(&v, "2025-11-20");
    assert!(nov20.contains(&row("gpt-4o-2024-08-06", "0.0045", "0.0045", "0", &[])));
    assert!(nov20.contains(&row(
        "gpt-9-turbo",
        "0",
        "0.05",
        "0.05",
        &["unpriced_model"]
    )));
    assert_eq!(
        rows(&v, "2025-11-21"),
        vec![row(
            "gpt-4o-2024-08-06",
            "0",
            "0.01",
            "0.01",
            &["missing_from_logs"]
        )]
    );
    // The result whose amount is "n/a" (line 11) is rejected, located, and counted; the rest
    // reconciles. The log's unpriced line is counted too.
    assert_eq!(v["rejected"]["billed_lines"], 1);
    assert_eq!(v["rejected"]["usage_lines"], 1);
    let lines = v["rejected"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["file"].as_str().unwrap().ends_with(LOG));
    assert_eq!(lines[0]["line"], 2);
    assert_eq!(lines[0]["kind"], "unknown_model");
    assert!(lines[1]["file"].as_str().unwrap().ends_with(OPENAI));
    assert_eq!(lines[1]["line"], 11);
    assert_eq!(lines[1]["kind"], "wrong_shape");
    // Computed: every record of the log (0.0528); billed: 0.0045 + 0.05 + 0.01 = 0.0645.
    assert_eq!(
        v["totals"],
        json!({"computed_usd": "0.0528", "billed_usd": "0.0645", "gap_usd": "0.0117"})
    );
    assert!(assert_follows("reconcile", &v) > 30);
}

#[test]
fn anthropic_batch_and_one_hour_cache_writes_are_named() {
    let v = json_of(&[ANTHROPIC], &[]);
    assert_eq!(v["billed"][0]["format"], "anthropic");
    // Sonnet billed at the batch tier: 1.5 + 0.75 cents = $0.0225, half the standard $0.045
    // the log priced. Haiku billed 0.4 cents = $0.004 of one-hour cache writes, where the
    // log's writes had no TTL split and were priced at five minutes, $0.0025.
    let nov20 = rows(&v, "2025-11-20");
    assert!(nov20.contains(&row(
        "claude-sonnet-4-5",
        "0.045",
        "0.0225",
        "-0.0225",
        &["tier"]
    )));
    assert!(nov20.contains(&row(
        "claude-haiku-4-5",
        "0.0025",
        "0.004",
        "0.0015",
        &["cache_ttl"]
    )));
    // The web search fee (1 cent) names no model.
    assert_eq!(
        v["unmatched_billed"],
        json!([{
            "day": "2025-11-20",
            "description": "Web Search Usage",
            "billed_usd": "0.01",
            "items": 1,
            "file": data(ANTHROPIC),
            "line": 10,
            "cause": "tool fees"
        }])
    );
    assert_eq!(v["assumptions"]["cache_ttl_5m"], 1);
    assert!(assert_follows("reconcile", &v) > 30);
}

#[test]
fn a_gcp_billing_export_reconciles_by_sku() {
    let v = json_of(&[GCP], &[]);
    assert_eq!(v["billed"][0]["format"], "gcp");
    // Gemini 2.5 Flash input 0.0003 + output 0.0005 = $0.0008, the log's price exactly.
    assert!(rows(&v, "2025-11-20").contains(&row(
        "gemini-2.5-flash",
        "0.0008",
        "0.0008",
        "0",
        &[]
    )));
    // Cloud Storage is another service: skipped, counted. The row costing "n/a" (line 5) is
    // rejected; grounding is a tool fee naming no model.
    assert_eq!(v["skipped_billed"], json!({"rows": 1, "usd": "1.2"}));
    assert_eq!(v["rejected"]["billed_lines"], 1);
    assert_eq!(v["rejected"]["lines"][1]["line"], 5);
    assert_eq!(
        v["unmatched_billed"][0]["description"],
        "Grounding with Google Search"
    );
    assert_eq!(v["unmatched_billed"][0]["cause"], "tool fees");
}

#[test]
fn the_table_shows_every_export_at_once_and_rounds_only_for_display() {
    let (code, stdout, stderr) = reconcile(&[OPENAI, ANTHROPIC, GCP], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let want = "\
day         model                            computed       billed          gap   cause
2025-11-20  claude-haiku-4-5                  $0.0025       $0.004     +$0.0015   cache TTL
2025-11-20  claude-sonnet-4-5                  $0.045      $0.0225     -$0.0225   tier
2025-11-20  gemini-2.5-flash                  $0.0008      $0.0008        $0.00
2025-11-20  gpt-4o-2024-08-06                 $0.0045      $0.0045        $0.00
2025-11-20  gpt-9-turbo                         $0.00        $0.05       +$0.05   unpriced model
2025-11-21  gpt-4o-2024-08-06                   $0.00        $0.01       +$0.01   records missing from the logs
";
    assert!(stdout.starts_with(want), "{stdout}");
    // 0.0045 + 0.05 + 0.01 + 0.0225 + 0.004 + 0.01 + 0.0008 + 0.035 = 0.1368 billed.
    assert!(
        stdout.contains(
            "computed $0.0528, billed $0.1368, gap +$0.084   (exact: 0.1368 − 0.0528 = 0.084)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("rounded for display only"));
    // Every malformed part is located, file:line, on stderr.
    for located in [
        format!("{}:2: unknown model `gpt-9-turbo`", data(LOG)),
        format!("{}:11: wrong_shape", data(OPENAI)),
        format!("{}:5: invalid_amount", data(GCP)),
    ] {
        assert!(stderr.contains(&located), "{located} in {stderr}");
    }
}

#[test]
fn a_tolerance_sets_the_exit_code() {
    // The largest gap is the grounding fee, $0.035.
    let (code, stdout, _) = reconcile(&[OPENAI, ANTHROPIC, GCP], &["--tolerance", "0.05"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("within --tolerance $0.05"), "{stdout}");
    // Within a tolerance, small gaps name no cause.
    assert!(!stdout.contains("cache TTL"));
    let (code, stdout, _) = reconcile(&[OPENAI], &["--tolerance", "0.01"]);
    assert_eq!(code, Some(4), "{stdout}");
    assert!(stdout.contains("beyond --tolerance $0.01"));
}

#[test]
fn exports_that_are_not_bills_are_rejected_not_fatal() {
    let dir = std::env::temp_dir().join(format!("ratebook-reconcile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let usage_page: PathBuf = dir.join("usage.json");
    std::fs::write(
        &usage_page,
        r#"{"object":"page","data":[{"object":"bucket","start_time":1763596800,"end_time":1763683200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"output_tokens":200}]}],"has_more":false,"next_page":null}"#,
    )
    .unwrap();
    let binary = dir.join("binary.csv");
    std::fs::write(&binary, b"\xff\xfe\x00garbage,\n\"").unwrap();
    let log = data(LOG);
    let out = run(&[
        "reconcile",
        "--usage",
        &log,
        "--billed",
        usage_page.to_str().unwrap(),
        binary.to_str().unwrap(),
        "--date",
        "2025-11-20",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"]["billed_usd"], "0");
    assert_eq!(v["totals"]["computed_usd"], "0.0528");
    let kinds: Vec<&str> = v["rejected"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"not_a_bill"), "{kinds:?}");
    // A forced format that does not fit is said, not guessed around.
    let out = run(&[
        "reconcile",
        "--usage",
        &log,
        "--billed",
        &data(GCP),
        "--billed-format",
        "openai",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not_a_bill"));
    let _ = std::fs::remove_dir_all(&dir);
}
