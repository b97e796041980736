//! One fixed workload priced on every model in the book, compared with the committed snapshot
//! `tests/snapshots/workload-costs.txt`, so any price change shows up in review as a readable
//! diff of costs. Regenerate after an intended change with
//! `RATEBOOK_UPDATE_SNAPSHOTS=1 cargo test -p ratebook-tests --test integration snapshot`.
//!
//! Each model is priced at its own latest entry's effective date, so the snapshot follows the
//! book: a model first priced next year gets a line like any other. A second column prices
//! every model on one fixed date, [`FIXED_DATE`], and says "not yet priced" for models that did
//! not exist then.

use ratebook::{Date, ErrorKind, EstimateOptions, Mode, RateBook, SourceFile, Usage, format_usd};
use ratebook_tests::{book, date, root};

/// The date of the fixed-date column.
const FIXED_DATE: &str = "2026-11-23";

/// 100,000 prompt tokens of which 20,000 cached, and 2,000 output tokens.
fn workload() -> Usage {
    Usage {
        input_text: 100_000,
        cached: 20_000,
        output_text: 2_000,
        ..Usage::default()
    }
}

/// The snapshot text of `book`: one line per model.
fn render(book: &RateBook) -> String {
    let usage = workload();
    let mut out = format!(
        "# 100,000 input tokens (20,000 cached) + 2,000 output tokens.\n\
         # Each model is priced at its latest entry's effective date; the last column prices it on\n\
         # {FIXED_DATE}.\n\
         # model | latest entry | standard | batch | exact standard total | standard on {FIXED_DATE}\n"
    );
    for m in book.models() {
        let price = |date: Date, mode| {
            book.estimate(
                &m.id,
                &usage,
                EstimateOptions {
                    date,
                    mode,
                    residency: false,
                    // One reference workload on every model, embeddings included: a rate
                    // comparison, not a request each model must accept.
                    allow_over_limits: true,
                },
            )
        };
        let latest = m
            .prices
            .last()
            .expect("a loaded model has at least one price entry")
            .effective;
        let at_latest = match price(latest, Mode::Standard) {
            Ok(e) => format!(
                "{} | {} | {}",
                format_usd(e.total),
                match price(latest, Mode::Batch) {
                    Ok(b) => format_usd(b.total),
                    Err(_) => "no batch".into(),
                },
                e.total.normalize()
            ),
            Err(e) => format!("n/a: {}", e.message),
        };
        let fixed = match price(date(FIXED_DATE), Mode::Standard) {
            Ok(e) => format_usd(e.total),
            Err(e) if e.kind == ErrorKind::NoPriceAtDate => "not yet priced".into(),
            Err(_) => "n/a".into(),
        };
        out.push_str(&format!("{} | {latest} | {at_latest} | {fixed}\n", m.id));
    }
    out
}

#[test]
fn every_model_prices_the_reference_workload_as_in_the_snapshot() {
    let path = root().join("tests/snapshots/workload-costs.txt");
    let book = book();
    let now = render(&book);
    if std::env::var_os("RATEBOOK_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &now).expect("write snapshot");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != now {
        let changed: Vec<String> = now
            .lines()
            .filter(|l| !committed.lines().any(|c| c == *l))
            .map(|l| format!("  now:  {l}"))
            .chain(
                committed
                    .lines()
                    .filter(|c| !now.lines().any(|l| l == *c))
                    .map(|l| format!("  was:  {l}")),
            )
            .collect();
        panic!(
            "costs differ from tests/snapshots/workload-costs.txt:\n{}\nIf the price change is intended, run \
             RATEBOOK_UPDATE_SNAPSHOTS=1 cargo test -p ratebook-tests --test integration snapshot \
             and commit the file.",
            changed.join("\n")
        );
    }
    // Every model of the book prices the workload, except image-only models with no text output.
    for line in now.lines().filter(|l| l.contains("n/a")) {
        let id = line.split(" | ").next().unwrap_or_default();
        let m = book.get(id).expect("listed models exist");
        let text_out = m
            .prices
            .iter()
            .any(|p| p.rates.get(ratebook::Meter::OutputText).is_some());
        assert!(!text_out, "{line}");
    }
}

#[test]
fn a_model_first_priced_after_the_fixed_date_gets_a_priced_line() {
    // A model first priced in 2027, with a price change later that year, next to one that was
    // priced on the fixed date.
    let toml = r#"
[provider]
id = "acme"
name = "Acme"

[models."acme-old"]
name = "Acme Old"

[[models."acme-old".prices]]
effective = "2026-01-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = "1.00"
output = "4.00"
cache_read = "0.10"

[models."acme-new"]
name = "Acme New"

[[models."acme-new".prices]]
effective = "2027-03-01"
source = "https://acme.example/pricing"
checked = "2027-03-01"
input = "2.00"
output = "8.00"
cache_read = "0.20"
batch = { multiplier = "0.5", cache_read = true }

[[models."acme-new".prices]]
effective = "2027-06-01"
source = "https://acme.example/news"
checked = "2027-06-01"
input = "1.00"
"#;
    let book = RateBook::from_sources(&[SourceFile::new("acme.toml", toml)]).expect("valid");
    let text = render(&book);
    // Models are listed by id.
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 2, "{text}");
    // acme-old: 80,000 × $1 + 20,000 × $0.10 + 2,000 × $4 = 0.08 + 0.002 + 0.008 = 0.09.
    assert_eq!(
        lines[1],
        "acme-old | 2026-01-01 | $0.09 | no batch | 0.09 | $0.09"
    );
    // acme-new at its latest entry (2027-06-01): 80,000 × $1 + 20,000 × $0.20 + 2,000 × $8
    // = 0.08 + 0.004 + 0.016 = 0.1; batch halves it. It did not exist on the fixed date.
    assert_eq!(
        lines[0],
        "acme-new | 2027-06-01 | $0.10 | $0.05 | 0.1 | not yet priced"
    );
}
