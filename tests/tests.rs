//! The workspace's integration tests, one binary (ripgrep-style). Each module is one area.

// Providers' worked examples, priced end to end on the repository's rate book.
mod golden;
// Invariants over generated usages: monotone costs, batch never dearer, line items sum exactly.
mod properties;
// The `ratebook` binary's contract: flags, JSON fields, exit codes, located errors.
mod cli;
// `ratebook check` on each kind of broken pricing file.
mod check;
// Dated price changes: past usage at past rates.
mod history;
// One workload on every model, against a committed snapshot of costs.
mod snapshot;
// Real usage: provider responses priced by `ratebook::ingest` and `ratebook cost`, bad input.
mod usage;
// Budgets per request, day and month; worst cases; `cost --budget` exit codes.
mod budget;
// Scenarios: batching, caching, escalation, cost per accepted result, `--compare`.
mod scenario;
// Rules that are not prices: id resolution, cloud deployments, lifecycle, unit meters, modes.
mod rules;
// The whole book prices: every model at every history date, every cloud offer in every scope.
mod coverage;
// The book as users meet it: flagships, old snapshots, media models, cloud ids, retirements.
mod book;
// One rule set: generated responses priced by the ledger and by `estimate`, exactly equal.
mod ledger;
// Inputs the fuzz targets found: scheme parameters past their bounds, a line read two ways.
mod fuzzfound;
// Limits from the domain: maximum counts, context windows, output caps, the worst case's clamp.
mod limits;
