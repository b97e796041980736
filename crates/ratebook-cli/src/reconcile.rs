//! `ratebook reconcile --usage LOGS --billed EXPORT`: the logs priced as `cost` prices them
//! (the same reading path, [`cost::read_logs`]), grouped by day, model and mode, beside what
//! the providers billed, read from their exports by the core (`ratebook::reconcile`). This
//! module reads the files and prints.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use ratebook::ingest::{GroupBy, Ledger, Provider};
use ratebook::money::parse_user_decimal;
use ratebook::reconcile::{
    Bill, BillError, BillFormat, Cause, Reconciliation, read_bill, reconcile,
};
use ratebook::{Decimal, format_count, format_usd};

use crate::books;
use crate::cost::{self, warn_listed, warn_rejected};
use crate::output::{
    BilledFile, BookOutput, ReconcileOutput, ReconcileRejected, ReconcileRow, ReconcileTotals,
    RejectedLine, SkippedBilled, UnmatchedBilled, usd,
};

/// Exit code when `--tolerance` is given and a gap is beyond it.
pub const BEYOND_TOLERANCE: u8 = 4;
/// Rejected parts of the exports listed in full (all are counted).
const LISTED: usize = 20;

const AFTER_HELP: &str = "\
Usage logs: JSON Lines of provider responses, read and priced exactly as `ratebook cost` reads
them (the same shapes, streams, dates, threads; a rejected line is counted with its file:line
and the rest still prices).

Billing exports (--billed, repeatable; the format is detected, or given by --billed-format):
  openai     OpenAI's organization Costs API (GET /v1/organization/costs) pages as downloaded:
             one page, a JSON array of pages, or pages one after another (JSON Lines or
             pretty-printed). Per model only when grouped by line_item (group_by=line_item);
             the line item names the model (`gpt-4o-2024-08-06, input`). A Usage API page
             (token counts) is not a bill and is rejected as such.
  anthropic  Anthropic's Admin API cost report (GET /v1/organizations/cost_report), grouped by
             description for per-model rows. `amount` is in cents (the currency's lowest unit)
             as a decimal string: \"123.45\" is $1.2345.
  gcp        Google Cloud's billing export (BigQuery standard usage cost table) as CSV, with
             the columns usage_start_time, sku.description and cost (service.description,
             currency, location.region and cost_type when present). The model is the book's
             model named in the SKU's description; other services, tax and adjustments are
             skipped and counted. `cost` is before credits.
Amounts are exact decimals (a JSON number is the decimal it was written as); only USD is
compared. A part of an export that cannot be read (a line, a result, a row) is rejected with
its file:line and counted; the rest still reconciles.

Rows: one per day (UTC) and model, computed (the book's price of the logged records), billed,
gap (billed − computed) and, where the evidence names one, the likely cause:
  records missing from the logs  billed for a day and model with no logged record
  unpriced model                 logged records of that day whose model the book does not price
  tier                           billed at batch (or a long-context tier) the logs did not price at
  cache TTL                      one-hour cache writes billed; the logs' writes assumed 5 minutes
  region premium                 billed above computed in a region or inference geo that names one
  tool fees                      web search, code execution or grounding fees billed
Billed charges that name no model of the book are listed apart (unmatched_billed), a tool's
fee with its cause. Totals cover everything, unmatched charges included.

--tolerance USD: gaps within it name no cause; a gap beyond it (a row's, or an unmatched
charge's) makes the exit code 4.

Exit codes:
  0  reconciled (rejected lines and gaps are reported, not failures)
  1  error: an unreadable file or bad arguments
  2  invalid command line
  4  --tolerance given and a gap is beyond it";

#[derive(Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ReconcileArgs {
    /// JSON Lines files of provider responses (as `ratebook cost` reads them); `-` reads
    /// standard input.
    #[arg(long, required = true, num_args = 1.., value_name = "LOGS")]
    usage: Vec<String>,
    /// Your own prices: the logs are computed with them (negotiated rates make a bill).
    #[command(flatten)]
    own: books::OwnPrices,
    /// Billing exports: OpenAI Costs API pages (JSON), Anthropic cost reports (JSON), Google
    /// Cloud billing export rows (CSV).
    #[arg(long, required = true, num_args = 1.., value_name = "EXPORT")]
    billed: Vec<String>,
    /// Read every export as this format instead of detecting it.
    #[arg(long = "billed-format", value_parser = ["openai", "anthropic", "gcp"])]
    billed_format: Option<String>,
    /// Read every log line with this provider's usage convention instead of detecting it.
    #[arg(long, value_parser = ["google", "openai", "anthropic"])]
    provider: Option<String>,
    /// Price log records that carry no timestamp at this date (YYYY-MM-DD); default today.
    #[arg(long)]
    date: Option<String>,
    /// Gaps within this many USD name no cause; one beyond it makes the exit code 4.
    #[arg(long, value_name = "USD")]
    tolerance: Option<String>,
    /// Print JSON (exact decimal strings for money) instead of a table.
    #[arg(long)]
    json: bool,
    /// Threads to price the logs on (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

/// The causes for people: `tier; tool fees`.
fn causes_text(causes: &[Cause]) -> Option<String> {
    (!causes.is_empty()).then(|| {
        causes
            .iter()
            .map(|c| c.describe())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Whether anything's gap is beyond `tolerance`.
fn beyond(r: &Reconciliation, tolerance: Decimal) -> bool {
    r.rows.iter().any(|x| x.gap().abs() > tolerance)
        || r.unmatched.iter().any(|u| u.billed.abs() > tolerance)
}

/// The table: one row per day and model, unmatched charges, totals.
fn table(r: &Reconciliation, files: &[String], skipped: (u64, Decimal)) -> String {
    let mut out = format!(
        "{:<10}  {:<28} {:>12} {:>12} {:>12}   {}\n",
        "day", "model", "computed", "billed", "gap", "cause"
    );
    let signed = |d: Decimal| {
        if d.is_sign_positive() && !d.is_zero() {
            format!("+{}", format_usd(d))
        } else {
            format_usd(d)
        }
    };
    for x in &r.rows {
        let line = format!(
            "{:<10}  {:<28} {:>12} {:>12} {:>12}   {}",
            x.day.to_string(),
            x.model,
            format_usd(x.computed),
            format_usd(x.billed),
            signed(x.gap()),
            causes_text(&x.causes).unwrap_or_default()
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !r.unmatched.is_empty() {
        out.push_str("\nbilled, naming no model of the book:\n");
        for u in &r.unmatched {
            out.push_str(&format!(
                "{:<10}  {:<41} {:>12}   {}:{}{}\n",
                u.day.to_string(),
                u.description,
                format_usd(u.billed),
                files.get(u.bill).map_or("", String::as_str),
                u.line,
                u.cause
                    .map(|c| format!("   {}", c.describe()))
                    .unwrap_or_default()
            ));
        }
    }
    out.push_str(&format!(
        "\ncomputed {}, billed {}, gap {}   (exact: {} − {} = {})\n",
        format_usd(r.computed),
        format_usd(r.billed),
        signed(r.gap()),
        r.billed.normalize(),
        r.computed.normalize(),
        r.gap().normalize()
    ));
    if !r.ungrouped.is_zero() {
        out.push_str(&format!(
            "{} of the computed total is in groups past the group cap (in no row)\n",
            format_usd(r.ungrouped)
        ));
    }
    if skipped.0 > 0 {
        out.push_str(&format!(
            "{} export row(s) of other services, tax or adjustments skipped ({})\n",
            format_count(skipped.0),
            format_usd(skipped.1)
        ));
    }
    out.push_str("Amounts are rounded for display only; --json has the exact decimals.\n");
    out
}

pub fn run(pricing: Option<&Path>, args: ReconcileArgs) -> Result<ExitCode> {
    let (book, identity) = books::load_identified(pricing, &args.own)?;
    let date = books::date_or_today(args.date.as_deref())?;
    let provider: Option<Provider> = args.provider.as_deref().map(str::parse).transpose()?;
    let format: Option<BillFormat> = args.billed_format.as_deref().map(str::parse).transpose()?;
    let tolerance = match &args.tolerance {
        Some(t) => parse_user_decimal(t)
            .map_err(anyhow::Error::msg)
            .context("--tolerance")?
            .abs(),
        None => Decimal::ZERO,
    };
    let ledger = Ledger::new(&book, date)
        .force_provider(provider)
        .group_by(GroupBy::Day)
        .group_by(GroupBy::Model)
        .group_by(GroupBy::Mode);
    let logs = cost::read_logs(ledger, &args.usage, false, args.threads)?;
    let summary = logs.ledger.summary()?;

    let mut bills: Vec<Bill> = Vec::with_capacity(args.billed.len());
    for name in &args.billed {
        let bytes = std::fs::read(name).with_context(|| format!("cannot read {name}"))?;
        // Bytes that are not UTF-8 become U+FFFD: the part holding them is then rejected with
        // its line, like any other malformed part.
        bills.push(read_bill(&String::from_utf8_lossy(&bytes), format));
    }
    let r = reconcile(&book, &summary, &bills, tolerance)?;
    let over = args.tolerance.is_some() && beyond(&r, tolerance);

    // The exports' rejected parts, in file order: (file, error).
    let billed_rejected: Vec<(&String, &BillError)> = bills
        .iter()
        .zip(&args.billed)
        .flat_map(|(b, file)| b.rejected.iter().map(move |e| (file, e)))
        .collect();
    let billed_count = billed_rejected.len() as u64;
    let skipped = bills.iter().fold((0u64, Decimal::ZERO), |(n, s), b| {
        (
            n.saturating_add(b.skipped),
            s.saturating_add(b.skipped_amount),
        )
    });

    if args.json {
        let mut lines: Vec<RejectedLine> = logs
            .rejections
            .iter()
            .map(|x| RejectedLine {
                file: x.file.clone(),
                line: x.line,
                kind: x.kind.as_str().to_string(),
                reason: x.reason.clone(),
            })
            .collect();
        lines.extend(
            billed_rejected
                .iter()
                .take(LISTED)
                .map(|(file, e)| RejectedLine {
                    file: (*file).clone(),
                    line: e.line,
                    kind: e.kind.as_str().to_string(),
                    reason: e.message.clone(),
                }),
        );
        let v = ReconcileOutput {
            usage: args.usage.clone(),
            billed: bills
                .iter()
                .zip(&args.billed)
                .map(|(b, file)| BilledFile {
                    file: file.clone(),
                    format: b.format.map(|f| f.as_str().to_string()),
                    items: b.items.len() as u64,
                })
                .collect(),
            date,
            rows: r
                .rows
                .iter()
                .map(|x| ReconcileRow {
                    day: x.day,
                    model: x.model.clone(),
                    records: x.records,
                    computed_usd: usd(x.computed),
                    billed_usd: usd(x.billed),
                    gap_usd: usd(x.gap()),
                    cause: causes_text(&x.causes),
                    causes: x.causes.iter().map(|c| c.as_str().to_string()).collect(),
                })
                .collect(),
            unmatched_billed: r
                .unmatched
                .iter()
                .map(|u| UnmatchedBilled {
                    day: u.day,
                    description: u.description.clone(),
                    billed_usd: usd(u.billed),
                    items: u.items,
                    file: args.billed.get(u.bill).cloned().unwrap_or_default(),
                    line: u.line,
                    cause: u.cause.map(|c| c.describe().to_string()),
                })
                .collect(),
            totals: ReconcileTotals {
                computed_usd: usd(r.computed),
                billed_usd: usd(r.billed),
                gap_usd: usd(r.gap()),
            },
            skipped_billed: SkippedBilled {
                rows: skipped.0,
                usd: usd(skipped.1),
            },
            rejected: ReconcileRejected {
                usage_lines: summary.rejected,
                billed_lines: billed_count,
                lines,
            },
            assumptions: summary
                .assumptions
                .iter()
                .map(|(a, n)| (a.as_str().to_string(), *n))
                .collect(),
            tolerance_usd: usd(tolerance),
            beyond_tolerance: over,
            book: BookOutput {
                hash: identity.hash.clone(),
                newest_effective: identity.newest_effective,
            },
        };
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        out!("{}", table(&r, &args.billed, skipped));
        if args.tolerance.is_some() {
            outln!(
                "{} --tolerance {}",
                if over { "beyond" } else { "within" },
                format_usd(tolerance)
            );
        }
    }
    let json = args.json.then_some("rejected.lines");
    warn_rejected(summary.rejected, &logs.rejections, json);
    warn_listed(
        &format!(
            "{} part(s) of the billing exports rejected (not compared)",
            format_count(billed_count)
        ),
        billed_count,
        json,
        billed_rejected
            .iter()
            .take(LISTED)
            .map(|(file, e)| format!("{file}:{}: {}: {}", e.line, e.kind.as_str(), e.message)),
    );
    Ok(if over {
        ExitCode::from(BEYOND_TOLERANCE)
    } else {
        ExitCode::SUCCESS
    })
}
