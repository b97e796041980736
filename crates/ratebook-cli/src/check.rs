//! `ratebook check [DIR]`: validate a pricing directory, reporting every problem located.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

#[derive(Args)]
pub struct CheckArgs {
    /// The pricing directory to validate.
    #[arg(default_value = "pricing")]
    dir: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let files = crate::books::read_dir(&args.dir)?;
    let mut loaded = ratebook::load(&files);
    sort_by_place(&files, &mut loaded.errors);
    let models = loaded.book.models().len();
    if args.json {
        let out = serde_json::json!({
            "ok": loaded.errors.is_empty(),
            "files": files.len(),
            "models": models,
            "errors": loaded.errors,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for e in &loaded.errors {
            outln!("{e}");
        }
        if loaded.errors.is_empty() {
            if files.is_empty() {
                outln!("{}: no pricing files (*.toml) found", args.dir.display());
                return Ok(ExitCode::from(1));
            }
            let per_provider: Vec<String> = loaded
                .book
                .providers()
                .iter()
                .map(|p| {
                    let n = loaded
                        .book
                        .models()
                        .iter()
                        .filter(|m| m.provider == p.id)
                        .count();
                    format!("{} {n}", p.id)
                })
                .collect();
            outln!(
                "ok: {} files, {models} models ({})",
                files.len(),
                per_provider.join(", ")
            );
        } else {
            eprintln!(
                "{} error(s) in {} file(s)",
                loaded.errors.len(),
                loaded.rejected_files.len()
            );
        }
    }
    Ok(if loaded.errors.is_empty() && !files.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Sorts errors by file (in the order the files were read), line and column, so the report
/// reads top to bottom whichever pass found each problem.
fn sort_by_place(files: &[ratebook::SourceFile], errors: &mut [ratebook::Error]) {
    let file_order = |name: &str| files.iter().position(|f| f.name == name);
    errors.sort_by_key(|e| {
        e.location
            .as_ref()
            .map(|l| (file_order(&l.file), l.line, l.column))
    });
}
