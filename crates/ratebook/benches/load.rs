//! Criterion benchmark of loading the whole bundled rate book (every pricing file: read, check,
//! index) and of resolving ids through each rule (exact, alias, cloud deployment, snapshot).
//!
//! Run: `cargo bench -p ratebook --bench load`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let sources = ratebook::bundled::sources();
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let loaded = ratebook::load(&sources);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let models = loaded.book.models().len();
    let offers: usize = loaded.book.clouds().iter().map(|c| c.offers.len()).sum();
    c.bench_function(
        &format!(
            "load the bundled book ({} files, {bytes} bytes, {models} models, {offers} cloud offers)",
            sources.len()
        ),
        |b| b.iter(|| ratebook::load(black_box(&sources))),
    );
    let book = loaded.book;
    for id in [
        "gpt-4o",
        "gpt-4o-2024-08-06",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "claude-sonnet-4-5-20991231",
    ] {
        c.bench_function(&format!("resolve {id}"), |b| {
            b.iter(|| book.resolve_with(black_box(id)).expect("resolves"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
