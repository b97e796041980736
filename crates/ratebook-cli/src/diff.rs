//! `ratebook diff`: what changed between two dates of the book, or between two pricing
//! directories (reviewing a pull request).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use ratebook::diff::{RateChange, diff_books, diff_dates};

use crate::books;

#[derive(Args)]
pub struct DiffArgs {
    /// Compare the prices in force at this date…
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// …with the prices in force at this date.
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Or compare two pricing directories: OLD_DIR NEW_DIR.
    #[arg(num_args = 0..=2, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn run(pricing: Option<&std::path::Path>, args: DiffArgs) -> Result<ExitCode> {
    let changes = match (&args.from, &args.to, args.dirs.as_slice()) {
        (Some(from), Some(to), []) => {
            let book = books::load(pricing)?;
            diff_dates(&book, from.parse()?, to.parse()?)
        }
        (None, None, [old, new]) => diff_books(&books::load(Some(old))?, &books::load(Some(new))?),
        _ => bail!("give either --from DATE --to DATE, or two pricing directories OLD NEW"),
    };
    if args.json {
        let out = serde_json::json!({ "changes": changes, "count": changes.len() });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_table(&changes);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(changes: &[RateChange]) {
    if changes.is_empty() {
        outln!("no changes");
        return;
    }
    let mut last = String::new();
    for c in changes {
        let head = format!("{} ({}) from {}", c.model, c.provider, c.at);
        if head != last {
            outln!("{head}");
            last = head;
        }
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        outln!("  {:<40} {} → {}", c.field, show(&c.old), show(&c.new));
    }
    outln!("{} change(s)", changes.len());
}
