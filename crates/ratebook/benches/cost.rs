//! Throughput of costing real usage: a 1,000,000-line JSON Lines file of mixed provider
//! responses (OpenAI Chat Completions, Responses and Batch lines; Gemini responses and batch
//! lines; Anthropic Messages and Message Batches lines; a few failed requests), generated from
//! a fixed seed (`common/mixed.rs`), read line by line through one `ingest::Ledger` on the
//! bundled rate book: the core's single-thread rate. `ledger_records_only` times the ledger
//! alone on the same responses, read beforehand.
//!
//! ```text
//! cargo bench -p ratebook --bench cost
//! ```
//!
//! `cost/ledger_1m_mixed_lines` is wall-clock time; `cost/ledger_1m_mixed_lines_on_cpu` is the
//! time the benchmark's thread spent on a CPU (Linux `/proc/thread-self/schedstat`), which other
//! processes sharing the machine do not inflate: the figure to compare single-core rates by
//! (`cargo bench -p ratebook --bench cost -- on_cpu`).
//!
//! `cargo xtask bench` writes the same file and times the `ratebook cost` binary on it on one
//! thread and on every core (with peak memory), and genai-prices on a sample of it. To keep
//! the file this bench generates, set `RATEBOOK_BENCH_JSONL=/path/to/file.jsonl`.

#![allow(
    clippy::disallowed_types,
    reason = "a benchmark reports its rates as floats; it is not on the page's path"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ratebook::Date;
use ratebook::ingest::{Ledger, Parsed, Record, parse_line};

#[path = "common/mixed.rs"]
mod mixed;

use mixed::{DATE, LINES, generate};

fn cost_all(book: &ratebook::RateBook, text: &str, today: Date) -> ratebook::Decimal {
    let mut ledger = Ledger::new(book, today);
    // Split on newlines with SIMD memchr, as `ratebook cost` does.
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        ledger.add_line(&text[start..end]);
        start = end + 1;
    }
    let s = ledger.summary().expect("summary");
    assert_eq!(s.rejected, 0, "the generated file is all valid");
    s.total
}

/// Nanoseconds this thread has spent on a CPU, if the kernel says (Linux).
fn on_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn bench(c: &mut Criterion) {
    let book = ratebook::bundled::book();
    let today: Date = DATE.parse().expect("date");
    let t = Instant::now();
    let text = generate(LINES);
    eprintln!(
        "generated {LINES} lines, {:.1} MB ({:.0} bytes a line) in {:.2?}",
        text.len() as f64 / 1e6,
        text.len() as f64 / LINES as f64,
        t.elapsed()
    );
    if let Ok(path) = std::env::var("RATEBOOK_BENCH_JSONL") {
        std::fs::write(&path, &text).expect("write the generated file");
        eprintln!("wrote {path}");
    }
    eprintln!("total ${}", cost_all(&book, &text, today));

    let mut group = c.benchmark_group("cost");
    group.sample_size(10);
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("ledger_1m_mixed_lines", |b| {
        b.iter(|| black_box(cost_all(&book, black_box(&text), today)))
    });
    if on_cpu().is_some() {
        group.bench_function("ledger_1m_mixed_lines_on_cpu", |b| {
            b.iter_custom(|iters| {
                let start = on_cpu().unwrap_or_default();
                for _ in 0..iters {
                    black_box(cost_all(&book, black_box(&text), today));
                }
                on_cpu().unwrap_or_default().saturating_sub(start)
            })
        });
    }
    group.finish();

    // The ledger alone (the pricing, without reading JSON): the file's responses read once,
    // then summed and priced.
    let records: Vec<Record<'static>> = text
        .lines()
        .filter_map(|l| match parse_line(l, None) {
            Ok(Parsed::Billable(r)) => Some(Record {
                model: r.model.into_owned().into(),
                ..r
            }),
            _ => None,
        })
        .collect();
    drop(text);
    let mut group = c.benchmark_group("cost");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("ledger_records_only", |b| {
        b.iter(|| {
            let mut ledger = Ledger::new(&book, today);
            for r in &records {
                let _ = ledger.add_record(black_box(r));
            }
            black_box(ledger.summary().expect("summary").total)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
