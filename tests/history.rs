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

/// A one-file book for the diff tests below.
fn acme(models: &str) -> ratebook::RateBook {
    let text = format!("[provider]\nid = \"acme\"\nname = \"Acme\"\n{models}");
    ratebook::RateBook::from_sources(&[ratebook::SourceFile::new("acme.toml", text)])
        .expect("valid test book")
}

fn entry(model: &str, date: &str, rest: &str) -> String {
    format!(
        "\n[[models.\"{model}\".prices]]\neffective = \"{date}\"\nsource = \"https://acme.example\"\nchecked = \"2026-11-20\"\n{rest}"
    )
}

#[test]
fn book_diff_labels_each_change_with_its_own_date_unit_and_relative_change() {
    use ratebook::diff::{Unit, diff_books};
    let old = acme(&format!(
        "[models.a]\nname = \"A\"\nmax_output_tokens = 1000\n{}{}\n[models.gone]\nname = \"Gone\"\n{}",
        entry(
            "a",
            "2026-01-01",
            "input = \"0.30\"\noutput = \"1.00\"\ncache_storage = \"1.00\"\nbatch = { multiplier = \"0.5\", cache_read = false }\nfees.search = { description = \"Search\", price = \"14.00\", per = 1000 }\n"
        ),
        entry("a", "2026-06-01", "output = \"1.20\"\n"),
        entry("gone", "2025-01-01", "input = \"1.00\"\n"),
    ));
    // The June entry is removed; a March one is added (its input inherited by June); storage,
    // the batch multiplier and the fee move in January; max_output_tokens is dropped.
    let new = acme(&format!(
        "[models.a]\nname = \"A\"\n{}{}",
        entry(
            "a",
            "2026-01-01",
            "input = \"0.30\"\noutput = \"1.00\"\ncache_storage = \"4.50\"\nbatch = { multiplier = \"0.4\", cache_read = false }\nfees.search = { description = \"Search\", price = \"35.00\", per = 1000 }\n"
        ),
        entry("a", "2026-03-01", "input = \"0.20\"\n"),
    ));
    let changes = diff_books(&old, &new);
    let rows: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}: {} → {}{}",
                c.model,
                c.effective.map(|d| d.to_string()).unwrap_or("-".into()),
                c.field,
                c.show(c.old.as_deref()),
                c.show(c.new.as_deref()),
                c.percent().map(|p| format!(" ({p})")).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "a - max_output_tokens: 1,000 tokens → —",
            "a 2026-01-01 cache_storage: $1.00/M/h → $4.50/M/h (+350%)",
            "a 2026-01-01 batch.multiplier: ×0.5 → ×0.4 (\u{2212}20%)",
            "a 2026-01-01 fees.search.price: $14.00/1,000 calls → $35.00/1,000 calls (+150%)",
            "a 2026-03-01 entry: — → 2026-03-01",
            "a 2026-03-01 input: $0.30/M → $0.20/M (\u{2212}33.3%)",
            "a 2026-06-01 entry: 2026-06-01 → —",
            "a 2026-06-01 output: $1.20/M → $1.00/M (\u{2212}16.7%)",
            "gone - model: Gone → —",
            "gone 2025-01-01 entry: 2025-01-01 → —",
        ]
    );
    let input = &changes[5];
    assert_eq!(input.unit, Some(Unit::UsdPerMTokens));
    assert_eq!(input.relative_change.as_deref(), Some("-0.333333"));
    let json = serde_json::to_value(&changes[3]).unwrap();
    assert_eq!(json["unit"], "usd_per_1000_calls");
    assert_eq!(json["relative_change"], "1.5");
    assert_eq!(json["effective"], "2026-01-01");
    assert_eq!(
        serde_json::to_value(&changes[0]).unwrap()["effective"],
        serde_json::Value::Null
    );
}

#[test]
fn date_diff_changes_carry_the_effective_date_of_the_entry_that_brings_them() {
    let changes = diff_dates(&book(), date("2026-12-15"), date("2027-02-01"));
    let flash = changes
        .iter()
        .find(|c| c.model == "gemini-3.8-flash" && c.field == "input")
        .expect("the promotional rate ends in between");
    assert_eq!(flash.at, date("2027-02-01"));
    assert_eq!(flash.effective, Some(date("2027-01-01")));
    assert_eq!(flash.relative_change.as_deref(), Some("1"));
    assert_eq!(flash.percent().as_deref(), Some("+100%"));
    assert_eq!(flash.show(flash.new.as_deref()), "$1.50/M");
}
