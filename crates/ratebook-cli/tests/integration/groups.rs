//! `ratebook cost --group-by` and `--format csv`: a log divided by day, month, model, provider
//! or mode, and the month-end projection.
//!
//! `tests/data/usage/grouping.jsonl`: OpenAI Chat Completions responses of 1,000 prompt and 100
//! completion tokens, on 2026-10-31, 11-01 (two), 11-02 and 11-10 (two, one in flex mode).
//! Rates (USD per million tokens) from `pricing/openai.toml`: gpt-5 1.25 in / 10.00 out (flex
//! half price); gpt-4o-mini 0.15 in / 0.60 out. So a gpt-5 response costs 1,250 + 1,000 = 2,250
//! millionths (1,125 in flex) and a gpt-4o-mini one 150 + 60 = 210.

use serde_json::json;

use crate::support::{root, run, run_json};

fn fixture() -> String {
    root()
        .join("tests/data/usage/grouping.jsonl")
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

#[test]
fn a_log_divides_by_month_and_model_and_projects_the_month() {
    let v = run_json(&["cost", &fixture(), "--json", "--group-by", "month,model"]);
    // 4 × gpt-5 (one flex): 2,250 × 3 + 1,125 = 7,875; 2 × gpt-4o-mini: 420. Total 8,295.
    assert_eq!(v["total_usd"], "0.008295");
    let groups: Vec<_> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].clone(),
                g["records"].clone(),
                g["total_usd"].clone(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (
                json!({"month": "2026-10", "model": "gpt-5"}),
                json!(1),
                json!("0.00225")
            ),
            (
                json!({"month": "2026-11", "model": "gpt-4o-mini"}),
                json!(2),
                json!("0.00042")
            ),
            // 2,250 + 2,250 + 1,125 (flex).
            (
                json!({"month": "2026-11", "model": "gpt-5"}),
                json!(3),
                json!("0.005625")
            ),
        ]
    );
    // November so far: 6,045 millionths over its first 10 days; × 30 / 10 = 18,135.
    assert_eq!(
        v["projection"],
        json!({
            "month": "2026-11", "first_date": "2026-11-01", "last_date": "2026-11-10",
            "days_covered": 10, "days_in_month": 30,
            "so_far_usd": "0.006045", "projected_usd": "0.018135"
        })
    );
}

#[test]
fn csv_has_a_row_per_day_and_exact_amounts() {
    let out = run(&["cost", &fixture(), "--group-by", "day", "--format", "csv"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "day,records,total_usd\n\
         2026-10-31,1,0.00225\n\
         2026-11-01,2,0.00246\n\
         2026-11-02,1,0.00225\n\
         2026-11-10,2,0.001335\n"
    );
    // Without --group-by, a row per model.
    let out = run(&["cost", &fixture(), "--format", "csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some(
            "model,provider,records,input_tokens,cached_tokens,cache_write_tokens,output_tokens,total_usd"
        )
    );
    assert!(
        text.contains("\ngpt-5,openai,4,4000,0,0,400,0.007875\n"),
        "{text}"
    );
}

#[test]
fn provider_and_mode_groups_have_no_projection() {
    let v = run_json(&[
        "cost",
        &fixture(),
        "--json",
        "--group-by",
        "provider",
        "--group-by",
        "mode",
    ]);
    assert_eq!(
        v["groups"][0]["group"],
        json!({"provider": "openai", "mode": "flex"})
    );
    assert_eq!(v["groups"][0]["total_usd"], "0.001125");
    assert_eq!(
        v["groups"][1]["group"],
        json!({"provider": "openai", "mode": "standard"})
    );
    // 2,250 × 3 + 210 × 2 = 7,170.
    assert_eq!(v["groups"][1]["total_usd"], "0.00717");
    assert!(v.get("projection").is_none());
}

#[test]
fn groups_are_the_same_on_any_thread_count() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("grouping-generated.jsonl");
    std::fs::write(&path, text.repeat(5_000)).unwrap();
    let file = path.to_str().unwrap();
    let on = |threads: &str| {
        run_json(&[
            "cost",
            file,
            "--json",
            "--group-by",
            "day,model",
            "--threads",
            threads,
        ])
    };
    let (one, three) = (on("1"), on("3"));
    assert_eq!(one, three);
    // 5,000 × 0.006045 so far in November; × 3.
    assert_eq!(one["projection"]["so_far_usd"], "30.225");
    assert_eq!(one["projection"]["projected_usd"], "90.675");
}

#[test]
fn an_unknown_grouping_or_two_formats_is_an_error() {
    let out = run(&["cost", &fixture(), "--group-by", "week"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--group-by week") && err.contains("unknown grouping `week`"),
        "{err}"
    );
    let out = run(&["cost", &fixture(), "--json", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_tag_groups_by_a_field_of_the_line_or_its_metadata() {
    // `tests/data/usage/tags.jsonl`: five OpenAI Responses objects on gpt-5-mini (0.25 in / 2.00
    // out per million tokens), each 10,000 input and 1,000 output tokens: 4,500 millionths. Two
    // with metadata.team "search", one "support", one with empty metadata, one with a top-level
    // "team": "billing" and no metadata.
    let file = root().join("tests/data/usage/tags.jsonl");
    let out = run(&[
        "cost",
        file.to_str().unwrap(),
        "--group-by",
        "tag:team",
        "--format",
        "csv",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "tag:team,records,total_usd\n(none),1,0.0045\nbilling,1,0.0045\nsearch,2,0.009\nsupport,1,0.0045\n"
    );
    let t = run(&["cost", file.to_str().unwrap(), "--group-by", "tag:"]);
    assert_eq!(t.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&t.stderr).contains("needs a key"));
}
