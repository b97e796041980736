//! One fixed workload priced on every model in the book, compared with the committed snapshot
//! `tests/snapshots/workload-costs.txt`, so any price change shows up in review as a readable
//! diff of costs. Regenerate after an intended change with
//! `RATEBOOK_UPDATE_SNAPSHOTS=1 cargo test -p ratebook-tests snapshot`.

use ratebook::{EstimateOptions, Mode, Usage, format_usd};
use ratebook_tests::{book, date, root};

/// 100,000 prompt tokens of which 20,000 cached, 2,000 output tokens, priced on 2026-11-23.
fn render() -> String {
    let book = book();
    let usage = Usage {
        input_text: 100_000,
        cached: 20_000,
        output_text: 2_000,
        ..Usage::default()
    };
    let mut out = String::from(
        "# 100,000 input tokens (20,000 cached) + 2,000 output tokens, priced on 2026-11-23.\n\
         # model | standard | batch | exact standard total\n",
    );
    for m in book.models() {
        let price = |mode| {
            book.estimate(
                &m.id,
                &usage,
                EstimateOptions {
                    date: date("2026-11-23"),
                    mode,
                    residency: false,
                },
            )
        };
        let std = match price(Mode::Standard) {
            Ok(e) => {
                format!(
                    "{} | {}",
                    format_usd(e.total),
                    match price(Mode::Batch) {
                        Ok(b) => format_usd(b.total),
                        Err(_) => "no batch".into(),
                    }
                ) + &format!(" | {}", e.total.normalize())
            }
            Err(e) => format!("n/a: {}", e.message),
        };
        out.push_str(&format!("{} | {std}\n", m.id));
    }
    out
}

#[test]
fn every_model_prices_the_reference_workload_as_in_the_snapshot() {
    let path = root().join("tests/snapshots/workload-costs.txt");
    let now = render();
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
             RATEBOOK_UPDATE_SNAPSHOTS=1 cargo test -p ratebook-tests snapshot and commit the file.",
            changed.join("\n")
        );
    }
    // Every model of the book prices the workload, except image-only models with no text output.
    let book = book();
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
