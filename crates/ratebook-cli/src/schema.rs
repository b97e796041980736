//! `ratebook schema`: the JSON Schema of the pricing file format, generated from the Rust types
//! that read it, so editors with a TOML language server can complete and check fields.

use std::process::ExitCode;

use anyhow::Result;

/// The schema as pretty JSON (what `pricing/schema.json` holds).
pub fn schema_json() -> Result<String> {
    let schema = schemars::schema_for!(ratebook::raw::PricingFile);
    Ok(serde_json::to_string_pretty(&schema)? + "\n")
}

pub fn run() -> Result<ExitCode> {
    out!("{}", schema_json()?);
    Ok(ExitCode::SUCCESS)
}
