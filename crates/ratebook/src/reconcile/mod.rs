//! Reconciliation: what a priced log says the usage cost, beside what the provider billed, per
//! day and model, and the likely cause of a gap where the evidence names one.
//!
//! Three exports are read (their formats, with sources, in `docs/billing-exports.md`):
//!
//! | export | detected by | file |
//! |---|---|---|
//! | OpenAI organization Costs API (`GET /v1/organization/costs`) pages | a bucket's `start_time` | `exports.rs` |
//! | Anthropic Admin API cost report (`GET /v1/organizations/cost_report`) | a bucket's `starting_at` | `exports.rs` |
//! | Google Cloud billing export (BigQuery standard usage cost table) as CSV | not JSON | `gcp.rs` |
//!
//! [`read_bill`] turns an export's text into [`BilledItem`]s, each with its day, the model it
//! names (if any), its exact amount in US dollars and what it says about tier, cache TTL,
//! region and tool fees; a result or row that cannot be read is a [`BillError`] with its line,
//! and the rest still count. [`reconcile`] matches the items with a [`Summary`] of the logs
//! grouped by day, model and mode (`Ledger::group_by`), through the book's own id resolution.
//!
//! The module does no I/O: the shell reads the files and hands the text over.

mod exports;
mod gcp;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::RateBook;
use crate::book::Mode;
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::ingest::{Assumption, Summary};

/// Which provider's export a bill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BillFormat {
    /// OpenAI's organization Costs API pages (JSON).
    OpenAi,
    /// Anthropic's Admin API cost report (JSON).
    Anthropic,
    /// Google Cloud's billing export rows (CSV).
    Gcp,
}

impl BillFormat {
    /// `openai`, `anthropic` or `gcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            BillFormat::OpenAi => "openai",
            BillFormat::Anthropic => "anthropic",
            BillFormat::Gcp => "gcp",
        }
    }
}

impl fmt::Display for BillFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BillFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<BillFormat, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" => Ok(BillFormat::OpenAi),
            "anthropic" => Ok(BillFormat::Anthropic),
            "gcp" | "google" => Ok(BillFormat::Gcp),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown billing export `{s}`; expected openai, anthropic or gcp"),
            )),
        }
    }
}

/// One charge of a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledItem {
    /// The line of the export its text starts on.
    pub line: u64,
    /// The day it was used (the bucket's start, or the row's `usage_start_time`, in UTC).
    pub day: Date,
    /// The model id the item names (OpenAI's line item, Anthropic's `model`); `None` when it
    /// names none in an id's place (a Google SKU names it in its description).
    pub model: Option<String>,
    /// The line item, cost description or SKU as the export gives it.
    pub description: String,
    /// In US dollars, exact.
    pub amount: Decimal,
    /// A tool's fee (web search, code execution, grounding), not tokens.
    pub tool: bool,
    /// Billed at the batch tier.
    pub batch: bool,
    /// Billed in a long-context tier (Anthropic's `context_window` `200k-1M`, a "long" SKU).
    pub long_context: bool,
    /// One-hour cache writes (Anthropic's `cache_creation.ephemeral_1h_input_tokens`).
    pub cache_1h: bool,
    /// A region or inference geography the charge names (not `global`).
    pub region: Option<String>,
}

impl BilledItem {
    fn new(day: Date, amount: Decimal) -> BilledItem {
        BilledItem {
            line: 0,
            day,
            model: None,
            description: String::new(),
            amount,
            tool: false,
            batch: false,
            long_context: false,
            cache_1h: false,
            region: None,
        }
    }
}

/// Why part of an export was rejected. Stable snake_case names for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BillReject {
    /// Not valid JSON.
    Json,
    /// Valid JSON of the wrong shape (a field of the wrong type).
    Shape,
    /// An amount missing or not a decimal.
    Amount,
    /// An amount in a currency other than USD.
    Currency,
    /// No readable day.
    Date,
    /// A usage report (token counts), an error response, or not an export at all.
    NotABill,
    /// A CSV row that does not fit the header, or a quote never closed.
    Csv,
}

impl BillReject {
    /// `invalid_json`, `wrong_shape`, `invalid_amount`, `not_usd`, `no_date`, `not_a_bill` or
    /// `invalid_csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            BillReject::Json => "invalid_json",
            BillReject::Shape => "wrong_shape",
            BillReject::Amount => "invalid_amount",
            BillReject::Currency => "not_usd",
            BillReject::Date => "no_date",
            BillReject::NotABill => "not_a_bill",
            BillReject::Csv => "invalid_csv",
        }
    }
}

/// A part of an export that could not be read, located by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillError {
    /// The export's line (of a JSON page's result, or a CSV row) where the problem is.
    pub line: u64,
    /// What kind of problem (stable snake_case names for tools).
    pub kind: BillReject,
    /// The problem, for people.
    pub message: String,
}

/// An export read: its charges and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bill {
    /// The format read (detected, or as given); `None` for an empty export.
    pub format: Option<BillFormat>,
    /// The charges read, in file order.
    pub items: Vec<BilledItem>,
    /// Every part rejected, in file order.
    pub rejected: Vec<BillError>,
    /// Rows skipped as not LLM API charges (other services; tax and adjustments).
    pub skipped: u64,
    /// The sum of the skipped rows, in US dollars.
    pub skipped_amount: Decimal,
}

impl Bill {
    fn reject(&mut self, line: u64, kind: BillReject, message: String) {
        self.rejected.push(BillError {
            line,
            kind,
            message,
        });
    }

    fn skip(&mut self, amount: Decimal) {
        // Saturating: a count of rows, and a sum that cannot reach Decimal's bound from a file.
        self.skipped = self.skipped.saturating_add(1);
        self.skipped_amount = self.skipped_amount.saturating_add(amount);
    }
}

/// Where each line of a text starts, to turn byte offsets into line numbers.
pub(crate) struct Lines {
    /// Byte offsets of the text's newlines.
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The 1-based line of byte `offset`.
    fn line_of(&self, offset: usize) -> u64 {
        let before = self.newlines.partition_point(|&p| p < offset);
        (before as u64).saturating_add(1)
    }

    /// The offset of the first line after `line` that starts a JSON value at its first column
    /// (`{` or `[`): where reading resumes after a malformed value.
    fn next_value_start(&self, text: &str, line: u64) -> Option<usize> {
        let from = usize::try_from(line).ok()?;
        self.newlines
            .iter()
            .skip(from.saturating_sub(1))
            .find_map(|&nl| {
                let start = nl.checked_add(1)?;
                matches!(text.as_bytes().get(start), Some(b'{' | b'[')).then_some(start)
            })
    }
}

/// Reads a billing export: JSON pages of OpenAI's Costs API or Anthropic's cost report (told
/// apart by their buckets), or else Google Cloud's billing export as CSV. `format` forces one.
/// Never fails: what cannot be read is in [`Bill::rejected`] with its line.
pub fn read_bill(text: &str, format: Option<BillFormat>) -> Bill {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut bill = Bill::default();
    let json = text.trim_start().starts_with(['{', '[']);
    match format {
        Some(BillFormat::Gcp) => {
            bill.format = Some(BillFormat::Gcp);
            gcp::read(text, &mut bill);
        }
        _ if json => exports::read(text, format, &Lines::new(text), &mut bill),
        Some(f) => bill.reject(
            1,
            BillReject::NotABill,
            format!("not JSON, but the format given is {f} (a JSON export)"),
        ),
        None => {
            if !text.trim().is_empty() {
                bill.format = Some(BillFormat::Gcp);
            }
            gcp::read(text, &mut bill);
        }
    }
    bill
}

/// A likely cause of a gap, named only where the evidence is in the logs or the bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Cause {
    /// Billed for a day and model the logs have no record of.
    MissingFromLogs,
    /// The logs have records of the model that the book could not price (rejected as an unknown
    /// model).
    UnpricedModel,
    /// Billed at a tier the logs did not price at: batch, or a long-context tier.
    Tier,
    /// One-hour cache writes billed while the logs' cache writes were priced at five minutes
    /// (their lines did not say).
    CacheTtl,
    /// Billed above the computed cost in a region or inference geography that may carry a
    /// premium.
    RegionPremium,
    /// Tool fees (web search, code execution, grounding) billed beside the tokens.
    ToolFees,
}

impl Cause {
    /// Stable snake_case names for tools.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::MissingFromLogs => "missing_from_logs",
            Cause::UnpricedModel => "unpriced_model",
            Cause::Tier => "tier",
            Cause::CacheTtl => "cache_ttl",
            Cause::RegionPremium => "region_premium",
            Cause::ToolFees => "tool_fees",
        }
    }

    /// For people.
    pub fn describe(self) -> &'static str {
        match self {
            Cause::MissingFromLogs => "records missing from the logs",
            Cause::UnpricedModel => "unpriced model",
            Cause::Tier => "tier",
            Cause::CacheTtl => "cache TTL",
            Cause::RegionPremium => "region premium",
            Cause::ToolFees => "tool fees",
        }
    }
}

/// One day and model: the computed cost beside the billed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The day (UTC).
    pub day: Date,
    /// The book's model id, or the id the bill gives when the book has no such model.
    pub model: String,
    /// Log records priced for the day and model.
    pub records: u64,
    /// What the logs' records cost by the book, exactly.
    pub computed: Decimal,
    /// What the exports billed for the day and model.
    pub billed: Decimal,
    /// Likely causes of the gap, in [`Cause`]'s order; empty within the tolerance.
    pub causes: Vec<Cause>,
}

impl Row {
    /// `billed − computed`: positive when the provider billed more.
    pub fn gap(&self) -> Decimal {
        self.billed.saturating_sub(self.computed)
    }
}

/// Billed charges that name no model of the book, by day and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// The day (UTC).
    pub day: Date,
    /// The charge as the export describes it (a line item, a SKU, a cost type).
    pub description: String,
    /// What was billed for it that day.
    pub billed: Decimal,
    /// The bill (index in the slice given to [`reconcile`]) of its first item.
    pub bill: usize,
    /// The line of its first item in that bill.
    pub line: u64,
    /// Items summed.
    pub items: u64,
    /// [`Cause::ToolFees`] for a tool's fee; `None` otherwise.
    pub cause: Option<Cause>,
}

/// A priced log reconciled with bills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// By day, then model.
    pub rows: Vec<Row>,
    /// By day, then description.
    pub unmatched: Vec<Unmatched>,
    /// Every record priced (= the summary's total).
    pub computed: Decimal,
    /// Every item billed, the unmatched ones included.
    pub billed: Decimal,
    /// Computed in groups past the ledger's group cap (`(other)`): in `computed`, in no row.
    pub ungrouped: Decimal,
}

impl Reconciliation {
    /// `billed − computed` over everything.
    pub fn gap(&self) -> Decimal {
        self.billed.saturating_sub(self.computed)
    }
}

/// A model id as compared with another: after any `provider/` prefix, lower case.
fn bare(id: &str) -> String {
    id.rsplit('/')
        .next()
        .unwrap_or(id)
        .trim()
        .to_ascii_lowercase()
}

/// Whether two ids name the same model or one is a dated or suffixed form of the other.
fn same_model(a: &str, b: &str) -> bool {
    let (a, b) = (bare(a), bare(b));
    let prefixed = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.starts_with(['-', '@']))
    };
    a == b || prefixed(&a, &b) || prefixed(&b, &a)
}

/// A name as matched in a SKU: lower case, runs of anything but letters, digits and dots one
/// `-` (`Gemini 2.5 Flash-Lite` → `gemini-2.5-flash-lite`).
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() || c == '.' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Whether `needle` occurs in `hay` between `-` or the ends.
fn has_word_run(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay
            .get(i.saturating_add(needle.len())..)
            .and_then(|r| r.chars().next());
        before.is_none_or(|c| c == '-') && after.is_none_or(|c| c == '-')
    })
}

/// The book's model named in a description (a Google SKU: `Gemini 2.5 Flash Input Text`): the
/// model whose name, id or alias occurs in it as whole words, the longest such match.
fn model_in_description(book: &RateBook, description: &str) -> Option<String> {
    let hay = slug(description);
    let mut best: Option<(usize, &str)> = None;
    for m in book.models() {
        let names = [m.name.as_str(), m.id.as_str()]
            .into_iter()
            .chain(m.aliases.iter().map(String::as_str));
        for n in names {
            let s = slug(n);
            if s.len() > best.map_or(0, |b| b.0) && has_word_run(&hay, &s) {
                best = Some((s.len(), m.id.as_str()));
            }
        }
    }
    best.map(|(_, id)| id.to_string())
}

/// What the bill says of one day and model.
#[derive(Default)]
struct Billed {
    amount: Decimal,
    tool: bool,
    batch: bool,
    long_context: bool,
    cache_1h: bool,
    region: bool,
}

/// What the logs say of one day and model.
#[derive(Default)]
struct Computed {
    amount: Decimal,
    records: u64,
    batch: u64,
}

fn overflow() -> Error {
    Error::new(
        ErrorKind::Overflow,
        "a reconciled total does not fit in a decimal",
    )
}

/// Reconciles `summary` — a log priced on `book` by a ledger grouped by day, model and mode, in
/// that order (`Ledger::group_by`) — with `bills`. Every billed item lands in one row (by its
/// day and the model it names, resolved as the ledger resolves ids; a Google SKU by the model
/// name in its description) or in the unmatched list. A row whose gap is larger than
/// `tolerance` (in absolute value) gets the causes the evidence names.
pub fn reconcile(
    book: &RateBook,
    summary: &Summary,
    bills: &[Bill],
    tolerance: Decimal,
) -> Result<Reconciliation, Error> {
    let mut computed: BTreeMap<(Date, String), Computed> = BTreeMap::new();
    let mut ungrouped = Decimal::ZERO;
    for g in &summary.groups {
        let (Some(day), Some(model), Some(mode)) = (
            g.key.first().and_then(|d| d.parse::<Date>().ok()),
            g.key.get(1),
            g.key.get(2),
        ) else {
            ungrouped = ungrouped.checked_add(g.total).ok_or_else(overflow)?;
            continue;
        };
        let c = computed.entry((day, model.clone())).or_default();
        c.amount = c.amount.checked_add(g.total).ok_or_else(overflow)?;
        // Saturating: counts.
        c.records = c.records.saturating_add(g.records);
        if mode == Mode::Batch.as_str() {
            c.batch = c.batch.saturating_add(g.records);
        }
    }

    let mut billed: BTreeMap<(Date, String), Billed> = BTreeMap::new();
    let mut unmatched: BTreeMap<(Date, String), Unmatched> = BTreeMap::new();
    let mut resolved: BTreeMap<(bool, String), Option<String>> = BTreeMap::new();
    let mut billed_total = Decimal::ZERO;
    for (bi, bill) in bills.iter().enumerate() {
        for item in &bill.items {
            billed_total = billed_total.checked_add(item.amount).ok_or_else(overflow)?;
            let (by_id, text) = match &item.model {
                Some(m) => (true, m.clone()),
                None => (false, item.description.clone()),
            };
            let model = resolved
                .entry((by_id, text.clone()))
                .or_insert_with(|| {
                    if by_id {
                        Some(
                            book.resolve(&text)
                                .map_or_else(|_| text.clone(), |m| m.id.clone()),
                        )
                    } else {
                        model_in_description(book, &text)
                    }
                })
                .clone();
            match model {
                Some(model) => {
                    let b = billed.entry((item.day, model)).or_default();
                    b.amount = b.amount.checked_add(item.amount).ok_or_else(overflow)?;
                    let counts = !item.amount.is_zero();
                    b.tool |= item.tool && counts;
                    b.batch |= item.batch && counts;
                    b.long_context |= item.long_context && counts;
                    b.cache_1h |= item.cache_1h && counts;
                    b.region |= item.region.is_some() && counts;
                }
                None => {
                    let u = unmatched
                        .entry((item.day, item.description.clone()))
                        .or_insert_with(|| Unmatched {
                            day: item.day,
                            description: item.description.clone(),
                            billed: Decimal::ZERO,
                            bill: bi,
                            line: item.line,
                            items: 0,
                            cause: None,
                        });
                    u.billed = u.billed.checked_add(item.amount).ok_or_else(overflow)?;
                    u.items = u.items.saturating_add(1);
                    if item.tool {
                        u.cause = Some(Cause::ToolFees);
                    }
                }
            }
        }
    }

    let assumed_5m = summary
        .assumptions
        .iter()
        .any(|(a, n)| *a == Assumption::CacheTtl5m && *n > 0);
    let keys: BTreeSet<(Date, String)> = computed.keys().chain(billed.keys()).cloned().collect();
    let mut rows = Vec::with_capacity(keys.len());
    for key in keys {
        let c = computed.get(&key);
        let b = billed.get(&key);
        let (day, model) = key;
        let mut row = Row {
            day,
            model,
            records: c.map_or(0, |c| c.records),
            computed: c.map_or(Decimal::ZERO, |c| c.amount),
            billed: b.map_or(Decimal::ZERO, |b| b.amount),
            causes: Vec::new(),
        };
        let gap = row.gap();
        if gap.abs() > tolerance {
            let unpriced = summary
                .unpriced
                .iter()
                .any(|u| u.date == row.day && same_model(&u.model, &row.model));
            let mut causes = Vec::new();
            if row.records == 0 && !row.billed.is_zero() && !unpriced {
                causes.push(Cause::MissingFromLogs);
            }
            if unpriced {
                causes.push(Cause::UnpricedModel);
            }
            if let Some(b) = b {
                let logged_batch = c.is_some_and(|c| c.batch > 0);
                if row.records > 0 && ((b.batch && !logged_batch) || b.long_context) {
                    causes.push(Cause::Tier);
                }
                if row.records > 0 && b.cache_1h && assumed_5m {
                    causes.push(Cause::CacheTtl);
                }
                if b.region && gap.is_sign_positive() {
                    causes.push(Cause::RegionPremium);
                }
                if b.tool {
                    causes.push(Cause::ToolFees);
                }
            }
            row.causes = causes;
        }
        rows.push(row);
    }
    Ok(Reconciliation {
        rows,
        unmatched: unmatched.into_values().collect(),
        computed: summary.total,
        billed: billed_total,
        ungrouped,
    })
}

#[cfg(test)]
mod tests;
