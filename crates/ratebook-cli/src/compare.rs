//! `ratebook compare`: one workload priced on every model (or a chosen set), cheapest first.
//! Models that cannot price the workload are listed with the reason, never dropped.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use ratebook::{Decimal, format_usd};

use crate::books;
use crate::estimate::WorkloadArgs;
use crate::output::{CompareOutput, ComparedModel, Unpriced, usd};

#[derive(Args)]
pub struct CompareArgs {
    #[command(flatten)]
    own: books::OwnPrices,
    /// Models to compare (ids or aliases, comma-separated); default: every model in the book.
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Only models of this provider.
    #[arg(long)]
    provider: Option<String>,
    #[command(flatten)]
    workload: WorkloadArgs,
    /// Requests per day, for the daily and 30-day monthly columns.
    #[arg(long, default_value_t = 1)]
    requests_per_day: u64,
    #[arg(long)]
    json: bool,
}

pub fn run(pricing: Option<&Path>, args: CompareArgs) -> Result<ExitCode> {
    let book = args.own.apply(books::load(pricing)?)?;
    let usage = args.workload.usage()?;
    let options = args.workload.options()?;
    let ids: Vec<String> = if args.models.is_empty() {
        book.models()
            .iter()
            .filter(|m| args.provider.as_deref().is_none_or(|p| m.provider == p))
            .map(|m| m.id.clone())
            .collect()
    } else {
        args.models.iter().map(|m| m.trim().to_string()).collect()
    };
    let per_day = Decimal::from(args.requests_per_day);
    let mut priced: Vec<(String, Decimal, Vec<String>)> = Vec::new();
    let mut unpriced: Vec<(String, String)> = Vec::new();
    for id in ids {
        match book.estimate(&id, &usage, options) {
            Ok(e) => {
                let own = e.overlays().into_iter().map(str::to_string).collect();
                priced.push((e.model, e.total, own));
            }
            Err(e) => unpriced.push((id, e.to_string())),
        }
    }
    priced.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let daily = |t: Decimal| t.checked_mul(per_day);
    if args.json {
        let out = CompareOutput {
            date: options.date,
            mode: options.mode.as_str().to_string(),
            models: priced
                .iter()
                .map(|(m, t, own)| ComparedModel {
                    model: m.clone(),
                    total_usd: usd(*t),
                    daily_usd: daily(*t).map(usd),
                    monthly_usd: daily(*t)
                        .and_then(|d| d.checked_mul(Decimal::from(30)))
                        .map(usd),
                    overlays: own.clone(),
                })
                .collect(),
            unpriced: unpriced
                .iter()
                .map(|(m, e)| Unpriced {
                    model: m.clone(),
                    error: e.clone(),
                })
                .collect(),
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{} mode, priced at {}; {} requests a day, 30-day month",
        options.mode,
        options.date,
        args.requests_per_day
    );
    outln!(
        "{:<26} {:>14} {:>14} {:>16}",
        "model",
        "per request",
        "per day",
        "per month"
    );
    let mut notes: Vec<&str> = Vec::new();
    for (m, t, own) in &priced {
        let d = daily(*t).unwrap_or_default();
        let mark = if own.is_empty() { "" } else { " *" };
        outln!(
            "{:<26} {:>14} {:>14} {:>16}{mark}",
            m,
            format_usd(*t),
            format_usd(d),
            format_usd(d * Decimal::from(30))
        );
        for o in own {
            if !notes.contains(&o.as_str()) {
                notes.push(o);
            }
        }
    }
    if !notes.is_empty() {
        outln!("* custom prices: {}", notes.join("; "));
    }
    for (m, e) in &unpriced {
        outln!("{m:<26} cannot price this workload: {e}");
    }
    Ok(ExitCode::SUCCESS)
}
