//! The workspace's integration tests of the core, one binary (ripgrep-style). Each module is
//! one area. The tests that run the `ratebook` binary live with it, in
//! `crates/ratebook-cli/tests/integration/`, where Cargo builds the binary for them.

// Providers' worked examples, priced end to end on the repository's rate book.
mod golden;
// Invariants over generated usages: monotone costs, batch never dearer, line items sum exactly.
mod properties;
// Dated price changes: past usage at past rates.
mod history;
// One workload on every model, against a committed snapshot of costs.
mod snapshot;
// Rules that are not prices: id resolution, cloud deployments, lifecycle, unit meters, modes.
mod rules;
// The whole book prices: every model at every history date, every cloud offer in every scope.
mod coverage;
// The book as users meet it: flagships, old snapshots, media models, cloud ids, retirements.
mod book;
// Streamed responses, one event per line: each stream billed once, abandoned ones as a lower
// bound.
mod streams;
// Reports on a priced log: groups past their cap, merged reports.
mod reports;
// Inputs the fuzz targets found: scheme parameters past their bounds, a line read two ways.
mod fuzzfound;
// The READMEs' Rust examples are the crate's doctests.
mod readme;
