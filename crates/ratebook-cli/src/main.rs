//! The `ratebook` command: the imperative shell around the `ratebook` core.
//!
//! This file parses arguments and dispatches; each subcommand lives in its own module and does
//! its I/O there (reading pricing files and logs, printing tables or JSON). Exit codes: 0 on
//! success, 1 on an error, 2 on bad usage (clap), 3 when `cost --budget` finds the total over
//! budget, 4 when `reconcile --tolerance` finds a gap beyond it. Output goes through [`out`],
//! so a closed pipe ends a command quietly (exit 0).

// First, so its `out!`/`outln!` macros are in scope in every module below.
#[macro_use]
mod out;

mod books;
mod check;
mod compare;
mod cost;
mod diff;
mod estimate;
mod git;
mod output;
mod reconcile;
mod scenario;
mod schema;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exact, explained cost estimates for LLM APIs.
#[derive(Parser)]
#[command(name = "ratebook", version, about, long_about = None)]
struct Cli {
    /// Read pricing files from this directory instead of the book built into the binary.
    #[arg(long, global = true, env = "RATEBOOK_PRICING", value_name = "DIR")]
    pricing: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Price one request (or a workload) on one model.
    Estimate(estimate::EstimateArgs),
    /// Price one workload on every model (or a chosen set), cheapest first.
    Compare(compare::CompareArgs),
    /// Estimate the input tokens of an image on a model.
    ImageTokens(estimate::ImageTokensArgs),
    /// List the models in the book.
    Models(estimate::ModelsArgs),
    /// Validate a pricing directory; prints file:line:column: message for every problem.
    Check(check::CheckArgs),
    /// List every rate that changed between two dates, two pricing directories, or a git commit
    /// and the working pricing directory (--base REF).
    Diff(diff::DiffArgs),
    /// Print the JSON Schema of the pricing file format, or with --output COMMAND that of the
    /// command's --json output.
    Schema(schema::SchemaArgs),
    /// Price real usage: JSON Lines of provider responses (exit 3 when over --budget).
    Cost(cost::CostArgs),
    /// Price a workload per day and month: batching, caching, escalation, cost per accepted result.
    Scenario(scenario::ScenarioArgs),
    /// Compare the logs' computed cost with what the provider billed, per day and model
    /// (exit 4 when a gap is beyond --tolerance).
    Reconcile(reconcile::ReconcileArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Estimate(a) => estimate::run_estimate(cli.pricing.as_deref(), a),
        Command::Compare(a) => compare::run(cli.pricing.as_deref(), a),
        Command::ImageTokens(a) => estimate::run_image_tokens(cli.pricing.as_deref(), a),
        Command::Models(a) => estimate::run_models(cli.pricing.as_deref(), a),
        Command::Check(a) => check::run(a),
        Command::Diff(a) => diff::run(cli.pricing.as_deref(), a),
        Command::Schema(a) => schema::run(a),
        Command::Cost(a) => cost::run(cli.pricing.as_deref(), a),
        Command::Scenario(a) => scenario::run(cli.pricing.as_deref(), a),
        Command::Reconcile(a) => reconcile::run(cli.pricing.as_deref(), a),
    };
    match result {
        Ok(code) => {
            out::flush();
            code
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
