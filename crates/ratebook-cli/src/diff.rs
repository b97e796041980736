//! `ratebook diff`: what changed between two dates of the book, between two pricing
//! directories, or between the pricing directory at a git commit and the working one
//! (reviewing a pull request).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ratebook::diff::{RateChange, diff_books, diff_dates};

use crate::output::DiffOutput;
use crate::{books, git};

#[derive(Args)]
pub struct DiffArgs {
    /// Compare the prices in force at this date…
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// …with the prices in force at this date.
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Or compare the pricing directory at this git commit (branch, tag, `HEAD~1`, …) with the
    /// working one (or --pricing DIR).
    #[arg(long, value_name = "GIT_REF", conflicts_with_all = ["from", "to", "dirs"])]
    base: Option<String>,
    /// Or compare two pricing directories: OLD_DIR NEW_DIR.
    #[arg(num_args = 0..=2, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Print JSON: every change with provider, model, field, old, new, at, effective, unit and
    /// relative_change.
    #[arg(long)]
    json: bool,
}

pub fn run(pricing: Option<&Path>, args: DiffArgs) -> Result<ExitCode> {
    let changes = match (&args.from, &args.to, &args.base, args.dirs.as_slice()) {
        (Some(from), Some(to), None, []) => {
            let book = books::load(pricing)?;
            diff_dates(&book, from.parse()?, to.parse()?)
        }
        (None, None, None, [old, new]) => {
            diff_books(&books::load(Some(old))?, &books::load(Some(new))?)
        }
        (None, None, Some(reference), []) => {
            let top = git::toplevel()?;
            let old = books::load_sources(&git::pricing_at(&top, reference)?)
                .with_context(|| format!("reading pricing/ at `{reference}`"))?;
            let working = git::working_pricing(&top);
            let new = books::load(Some(pricing.unwrap_or(&working)))?;
            diff_books(&old, &new)
        }
        _ => bail!(
            "give either --from DATE --to DATE, --base GIT_REF, or two pricing directories OLD NEW"
        ),
    };
    if args.json {
        let out = DiffOutput {
            count: changes.len(),
            changes,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_table(&changes);
    }
    Ok(ExitCode::SUCCESS)
}

/// Per model: added/removed, undated facts, then the changes grouped by the date they take
/// effect, each `field  old → new  (±N%)` with units.
fn print_table(changes: &[RateChange]) {
    if changes.is_empty() {
        outln!("no changes");
        return;
    }
    let mut i = 0;
    while i < changes.len() {
        let model = &changes[i].model;
        let end = changes[i..]
            .iter()
            .position(|c| &c.model != model)
            .map_or(changes.len(), |n| i + n);
        print_model(&changes[i..end]);
        i = end;
    }
    outln!("{} change(s)", changes.len());
}

fn print_model(changes: &[RateChange]) {
    let Some(first) = changes.first() else {
        return;
    };
    outln!("{} ({})", first.model, first.provider);
    let width = changes.iter().map(|c| c.field.len()).max().unwrap_or(0);
    let mut group: Option<ratebook::Date> = None;
    for c in changes {
        match (c.field.as_str(), c.effective) {
            ("model", _) => match (&c.old, &c.new) {
                (None, Some(name)) => outln!("  model added: {name}"),
                _ => outln!("  model removed"),
            },
            ("entry", Some(d)) => {
                let what = if c.new.is_some() { "added" } else { "removed" };
                outln!("  from {d}: entry {what}");
                group = Some(d);
            }
            (_, None) => outln!("  {}", line(c, width)),
            (_, Some(d)) => {
                if group != Some(d) {
                    outln!("  from {d}");
                    group = Some(d);
                }
                outln!("    {}", line(c, width));
            }
        }
    }
}

/// `input  $0.25/M → $0.20/M  (−20%)`, the field padded to `width`.
fn line(c: &RateChange, width: usize) -> String {
    let mut s = format!(
        "{:<width$}  {} → {}",
        c.field,
        c.show(c.old.as_deref()),
        c.show(c.new.as_deref())
    );
    if let Some(p) = c.percent() {
        s.push_str(&format!("  ({p})"));
    }
    s
}
