//! The `ratebook` binary's integration tests, one binary (ripgrep-style), each module one area.
//! They run the binary Cargo builds for this package's tests (`CARGO_BIN_EXE_ratebook`), so a
//! test never runs a stale build. The tests of the core alone are the workspace's `tests/`.

// Test helpers: the binary, the repository's book, dates.
mod support;

// The `ratebook` binary's contract: flags, JSON fields, exit codes, located errors.
mod cli;
// `ratebook check` on each kind of broken pricing file.
mod check;
// Real usage: provider responses priced by `ratebook::ingest` and `ratebook cost`, bad input.
mod usage;
// Budgets per request, day and month; worst cases; `cost --budget` exit codes.
mod budget;
// Scenarios: batching, caching, escalation, cost per accepted result, `--compare`.
mod scenario;
// Every command's `--json` output against the schema `ratebook schema --output` prints.
mod schemas;
// One rule set: generated responses priced by the ledger and `ratebook cost` (any thread
// count) equal `estimate` of their usage, exactly.
mod ledger;
// Limits from the domain: maximum counts, context window, output cap, `--allow-over-limits`.
mod limits;
mod streams;
// Gateways: provider-prefixed ids and the charge a gateway reports beside the price.
mod gateway;
// What-if: the log priced again under a change (mode, model, cache TTL).
mod whatif;
// Assumptions: what each price rests on that its line did not say.
mod assumptions;
// Reports: --group-by, --format csv, the month-end projection.
mod groups;
// Restatements: --against another book, month by month; the book's identity.
mod against;
// Long-context cliffs: requests near and over a whole-request tier.
mod long_context;
// Your own prices: --overlay files and --discount on every pricing command.
mod overlays;
// Reconciliation: the logs' computed cost beside the providers' billing exports.
mod reconcile;
