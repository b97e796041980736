//! Dated price changes of 2026: usage from a past date prices at that date's rates, and the
//! diff between the two dates shows the change. Rates are from the sources named in
//! `pricing/*.toml` next to each entry.

use ratebook::diff::diff_dates;
use ratebook::{EstimateOptions, Usage};
use ratebook_tests::{book, date};

#[track_caller]
fn total_on(model: &str, usage: &Usage, day: &str) -> String {
    let est = book()
        .estimate(model, usage, EstimateOptions::at(date(day)))
        .unwrap_or_else(|e| panic!("{model} on {day}: {e}"));
    est.total.normalize().to_string()
}

#[test]
fn opus_46_long_context_surcharge_ends_on_2026_03_13() {
    // 300,000 input tokens (> 200,000). Until 2026-03-12 the >200k tier applies: 300,000 × $10/M
    // = 3. From 2026-03-13 the surcharge is gone: 300,000 × $5/M = 1.5.
    let u = Usage::text(300_000, 0);
    assert_eq!(total_on("claude-opus-4-6", &u, "2026-03-12"), "3");
    assert_eq!(total_on("claude-opus-4-6", &u, "2026-03-13"), "1.5");
    // Sonnet 4.6: 300,000 × $6/M = 1.8 before, 300,000 × $3/M = 0.9 after.
    assert_eq!(total_on("claude-sonnet-4-6", &u, "2026-03-12"), "1.8");
    assert_eq!(total_on("claude-sonnet-4-6", &u, "2026-03-13"), "0.9");
}

#[test]
fn gpt_56_terra_price_cut_on_2026_07_30() {
    // 100,000 input + 100,000 output (under the 272k tier): $2.50 × 0.1 + $15 × 0.1 = 1.75 on
    // 2026-07-29; $2.00 × 0.1 + $12 × 0.1 = 1.4 from 2026-07-30.
    let u = Usage::text(100_000, 100_000);
    assert_eq!(total_on("gpt-5.6-terra", &u, "2026-07-29"), "1.75");
    assert_eq!(total_on("gpt-5.6-terra", &u, "2026-07-30"), "1.4");
    let changes = diff_dates(&book(), date("2026-07-29"), date("2026-07-30"));
    let input = changes
        .iter()
        .find(|c| c.model == "gpt-5.6-terra" && c.field == "input")
        .expect("the terra input change is listed");
    assert_eq!(
        (input.old.as_deref(), input.new.as_deref()),
        (Some("2.5"), Some("2"))
    );
    // gpt-5.6-luna moved the same day: $1.00 → $0.20 input.
    let luna = changes
        .iter()
        .find(|c| c.model == "gpt-5.6-luna" && c.field == "input")
        .expect("luna listed");
    assert_eq!(
        (luna.old.as_deref(), luna.new.as_deref()),
        (Some("1"), Some("0.2"))
    );
}

#[test]
fn gemini_flash_promotional_rate_ends_on_2027_01_01() {
    // Announced: $0.75/M input until 2026-12-31, $1.50/M from 2027-01-01.
    let u = Usage::text(1_000_000, 0);
    for model in ["gemini-3.6-flash", "gemini-3.7-flash"] {
        assert_eq!(total_on(model, &u, "2026-12-31"), "0.75", "{model}");
        assert_eq!(total_on(model, &u, "2027-01-01"), "1.5", "{model}");
    }
}

#[test]
fn the_estimate_reports_the_entry_it_used() {
    let est = book()
        .estimate(
            "gpt-5.6-terra",
            &Usage::text(1, 1),
            EstimateOptions::at(date("2026-07-29")),
        )
        .unwrap();
    assert_eq!(
        est.price.until.map(|d| d.to_string()).as_deref(),
        Some("2026-07-30")
    );
    assert!(
        est.price.source.starts_with("https://"),
        "{}",
        est.price.source
    );
    assert!(est.line_items.iter().all(|l| {
        l.rule()
            .contains(&format!("price from {}", est.price.effective))
    }));
}
