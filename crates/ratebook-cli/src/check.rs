//! `ratebook check [DIR]`: validate a pricing directory, reporting every problem located.
//!
//! Errors come from loading (syntax, unknown keys, types, the rules of the book) and from the
//! plausibility checks (`ratebook::plausible`: a `checked` date after today); warnings (a rate
//! moving more than 5× between entries) are printed among them but do not change the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use ratebook::plausible::{self, Warning};
use ratebook::{Date, Error, Location, SourceFile};

use crate::output::CheckOutput;

#[derive(Args)]
pub struct CheckArgs {
    /// The pricing directory to validate.
    #[arg(default_value = "pricing")]
    dir: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Today's date, YYYY-MM-DD, for rejecting `checked` dates in the future. Default: the
    /// current date in the time zone that is furthest ahead (UTC+14), so a date that is today
    /// anywhere is accepted.
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let today = match &args.today {
        Some(d) => d.parse::<Date>()?,
        None => crate::books::today_anywhere(),
    };
    let files = crate::books::read_dir(&args.dir)?;
    let mut loaded = ratebook::load(&files);
    let found = plausible::check(&files, today);
    loaded.errors.extend(found.errors);
    let mut warnings = found.warnings;
    sort_by_place(&files, &mut loaded.errors, |e| e.location.as_ref());
    sort_by_place(&files, &mut warnings, |w| Some(&w.location));
    let models = loaded.book.models().len();
    let ok = loaded.errors.is_empty() && !files.is_empty();
    if args.json {
        let out = CheckOutput {
            ok,
            today,
            files: files.len(),
            models,
            errors: loaded.errors,
            warnings,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    print_report(&files, &loaded.errors, &warnings);
    let warned = match warnings.len() {
        0 => String::new(),
        n => format!("; {n} warning(s)"),
    };
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
                if let Some(c) = loaded.book.clouds().iter().find(|c| c.provider == p.id) {
                    return format!("{} {} offers", p.id, c.offers.len());
                }
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
            "ok: {} files, {models} models ({}){warned}",
            files.len(),
            per_provider.join(", ")
        );
    } else {
        let mut with_errors: Vec<&str> = loaded
            .errors
            .iter()
            .filter_map(|e| e.location.as_ref().map(|l| l.file.as_str()))
            .collect();
        with_errors.dedup();
        eprintln!(
            "{} error(s) in {} file(s){warned}",
            loaded.errors.len(),
            with_errors.len()
        );
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Prints errors and warnings as one list in file and line order.
fn print_report(files: &[SourceFile], errors: &[Error], warnings: &[Warning]) {
    let mut lines: Vec<(Option<Place>, String)> = errors
        .iter()
        .map(|e| (place(files, e.location.as_ref()), e.to_string()))
        .chain(
            warnings
                .iter()
                .map(|w| (place(files, Some(&w.location)), w.to_string())),
        )
        .collect();
    lines.sort_by_key(|(p, _)| *p);
    for (_, line) in lines {
        outln!("{line}");
    }
}

/// Where a finding is: the file's position among the files read, then line and column.
type Place = (Option<usize>, usize, usize);

fn place(files: &[SourceFile], location: Option<&Location>) -> Option<Place> {
    location.map(|l| {
        (
            files.iter().position(|f| f.name == l.file),
            l.line,
            l.column,
        )
    })
}

/// Sorts findings by file (in the order the files were read), line and column, so the report
/// reads top to bottom whichever pass found each problem.
fn sort_by_place<T>(
    files: &[SourceFile],
    items: &mut [T],
    location: impl Fn(&T) -> Option<&Location>,
) {
    items.sort_by_key(|x| place(files, location(x)));
}
