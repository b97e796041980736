//! `ratebook schema`: the JSON Schema of the pricing file format, generated from the Rust types
//! that read it, so editors with a TOML language server can complete and check fields; with
//! `--output COMMAND`, the JSON Schema of that command's `--json` output (see `output.rs`).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::output::Command;

#[derive(Args)]
pub struct SchemaArgs {
    /// Print the schema of this command's --json output instead of the pricing file's.
    #[arg(long, value_enum, value_name = "COMMAND")]
    output: Option<Command>,
}

/// The schema as pretty JSON (what `pricing/schema.json` holds).
pub fn schema_json() -> Result<String> {
    let schema = schemars::schema_for!(ratebook::raw::PricingFile);
    Ok(serde_json::to_string_pretty(&schema)? + "\n")
}

pub fn run(args: SchemaArgs) -> Result<ExitCode> {
    match args.output {
        None => out!("{}", schema_json()?),
        Some(command) => outln!("{}", serde_json::to_string_pretty(&command.schema())?),
    }
    Ok(ExitCode::SUCCESS)
}
