//! Criterion benchmark of one multi-meter estimate on the bundled book (target: under 1 µs).
//!
//! Run: `cargo bench -p ratebook --bench estimate`.

use criterion::{Criterion, criterion_group, criterion_main};
use ratebook::{EstimateOptions, ImageCount, Mode, Usage};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let book = ratebook::bundled::book();
    let date = "2026-11-23".parse().expect("date");
    // Claude Sonnet 4.5 in batch mode with plain input, cache reads, 5m and 1h writes and
    // output: five meters, stacking rules and the long-context check.
    let claude = Usage {
        input_text: 60_000,
        cached: 30_000,
        cache_write_5m: 5_000,
        cache_write_1h: 5_000,
        output_text: 2_000,
        ..Usage::default()
    };
    let opts = EstimateOptions {
        date,
        mode: Mode::Batch,
        residency: false,
        allow_over_limits: false,
    };
    c.bench_function("estimate claude-sonnet-4-5 batch, 5 meters", |b| {
        b.iter(|| {
            book.estimate(black_box("claude-sonnet-4-5"), black_box(&claude), opts)
                .expect("prices")
        })
    });
    // Gemini image model: text in, text out, cached, and generated images.
    let gemini = Usage {
        input_text: 3_000,
        cached: 1_000,
        output_text: 500,
        output_images: vec![ImageCount {
            resolution: "2K".into(),
            count: 2,
        }],
        ..Usage::default()
    };
    let std = EstimateOptions::at(date);
    c.bench_function("estimate gemini-3.1-flash-image, 4 meters", |b| {
        b.iter(|| {
            book.estimate(
                black_box("gemini-3.1-flash-image-preview"),
                black_box(&gemini),
                std,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
