//! The `--json` output of every command: one serde type per command, so the key names tools
//! read are declared once, here, and `ratebook schema --output COMMAND` prints each one's JSON
//! Schema (derived from these same types).
//!
//! Money is always the exact decimal as a string (`"0.0672"`), never a float, so tools can
//! re-add line items and get the total to the last digit. Token totals of a log that do not fit
//! in a `u64` are strings too ([`Count`]).

use std::collections::BTreeMap;

use clap::ValueEnum;
use ratebook::diff::RateChange;
use ratebook::estimate::LifecycleNote;
use ratebook::plausible::Warning;
use ratebook::{Date, Decimal, Error, Estimate, Resolution, format_usd};
use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// An exact decimal as JSON carries it: normalized, no exponent (`"0.0672"`, `"2.5"`).
pub fn usd(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The commands whose `--json` output has a schema (`ratebook schema --output COMMAND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Command {
    Estimate,
    Compare,
    ImageTokens,
    Models,
    Check,
    Diff,
    Cost,
    Scenario,
}

impl Command {
    /// The JSON Schema of the command's `--json` output (JSON Schema 2020-12, describing what
    /// is written, so optional keys are the ones that may be left out).
    pub fn schema(self) -> Schema {
        fn of<T: JsonSchema>() -> Schema {
            schemars::generate::SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator()
                .into_root_schema_for::<T>()
        }
        match self {
            Command::Estimate => of::<EstimateOutput>(),
            Command::Compare => of::<CompareOutput>(),
            Command::ImageTokens => of::<ImageTokensOutput>(),
            Command::Models => of::<ModelsOutput>(),
            Command::Check => of::<CheckOutput>(),
            Command::Diff => of::<DiffOutput>(),
            Command::Cost => of::<CostOutput>(),
            Command::Scenario => of::<ScenarioOutput>(),
        }
    }
}

// --- estimate ----------------------------------------------------------------------------------

/// `ratebook estimate --json`: one priced request, its line items adding up exactly to
/// `total_usd`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EstimateOutput {
    /// The model billed (after resolution and any rerouting).
    pub model: String,
    pub provider: String,
    /// The date priced at.
    pub date: Date,
    /// `standard`, `batch`, `flex` or `priority`.
    pub mode: String,
    /// The exact total in USD.
    pub total_usd: String,
    /// The total rounded for people (`$0.07`).
    pub total_display: String,
    /// The long-context tier reached, if any.
    pub tier: Option<String>,
    /// How the requested id became the model.
    pub resolution: Resolution,
    /// `resolution` in words.
    pub resolution_text: String,
    /// Set when the model is deprecated or retired at the date.
    pub lifecycle: Option<LifecycleNote>,
    /// The price entry used.
    pub price_entry: PriceEntryOutput,
    /// Estimated tokens of each input image, in order.
    pub image_tokens: Vec<u64>,
    pub line_items: Vec<LineItemOutput>,
}

/// The price entry an estimate used.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PriceEntryOutput {
    /// First day in force.
    pub effective: Date,
    /// First day no longer in force; `null` for the current entry.
    pub until: Option<Date>,
    /// Where the rates are published.
    pub source: String,
    /// When the source was last checked.
    pub checked: Date,
}

/// One line of an estimate.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LineItemOutput {
    /// `input_text`, `cache_read`, `output_image`, `fee:search`, …
    pub meter: String,
    pub label: String,
    pub quantity: u64,
    /// The rate applied, in USD per the meter's unit.
    pub rate_usd: String,
    pub amount_usd: String,
    /// The rule that produced the line.
    pub rule: String,
    /// The line in words.
    pub sentence: String,
    /// Your own prices (`--overlay`, `--discount`) that changed this line's rate, described;
    /// empty at list prices.
    pub overlays: Vec<String>,
}

impl EstimateOutput {
    pub fn new(e: &Estimate) -> EstimateOutput {
        EstimateOutput {
            model: e.model.clone(),
            provider: e.provider.clone(),
            date: e.date,
            mode: e.mode.as_str().to_string(),
            total_usd: usd(e.total),
            total_display: format_usd(e.total),
            tier: e.tier.clone(),
            resolution: e.resolution.clone(),
            resolution_text: e.resolution.describe(),
            lifecycle: e.lifecycle.clone(),
            price_entry: PriceEntryOutput {
                effective: e.price.effective,
                until: e.price.until,
                source: e.price.source.clone(),
                checked: e.price.checked,
            },
            image_tokens: e.image_tokens.clone(),
            line_items: e
                .line_items
                .iter()
                .map(|l| LineItemOutput {
                    meter: l.meter(),
                    label: l.label(),
                    quantity: l.quantity,
                    rate_usd: usd(l.rate),
                    amount_usd: usd(l.amount),
                    rule: l.rule(),
                    sentence: l.sentence(),
                    overlays: l.overlays.clone(),
                })
                .collect(),
        }
    }
}

// --- compare -----------------------------------------------------------------------------------

/// `ratebook compare --json`: one workload on many models, cheapest first.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CompareOutput {
    pub date: Date,
    pub mode: String,
    /// Models that priced the workload, cheapest first.
    pub models: Vec<ComparedModel>,
    /// Models that could not, with the reason.
    pub unpriced: Vec<Unpriced>,
}

/// A model's price of the compared workload.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ComparedModel {
    pub model: String,
    /// One request.
    pub total_usd: String,
    /// `--requests-per-day` requests; `null` if the product overflows.
    pub daily_usd: Option<String>,
    /// 30 days of those; `null` if the product overflows.
    pub monthly_usd: Option<String>,
    /// Your own prices (`--overlay`, `--discount`) that changed this model's rates, described;
    /// empty at list prices.
    pub overlays: Vec<String>,
}

/// A model that cannot price the compared workload.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Unpriced {
    pub model: String,
    pub error: String,
}

// --- image-tokens ------------------------------------------------------------------------------

/// `ratebook image-tokens --json`: the estimated input tokens of one image on one model.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImageTokensOutput {
    pub model: String,
    pub width: u32,
    pub height: u32,
    /// The detail level asked for, if any.
    pub detail: Option<String>,
    /// The name of the model's image token scheme.
    pub scheme: String,
    pub tokens: u64,
}

// --- models ------------------------------------------------------------------------------------

/// `ratebook models --json`: every model of the book with its rates at a date, and the clouds'
/// deployment cards.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelsOutput {
    pub date: Date,
    pub models: Vec<ModelOutput>,
    pub clouds: Vec<CloudOutput>,
}

/// A model of the book at the date.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelOutput {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// Service modes offered at the date; `null` when no price is in force.
    pub modes: Option<Vec<String>>,
    /// USD per 1M text input tokens at the date.
    pub input_usd_per_m: Option<String>,
    /// USD per 1M text output tokens at the date.
    pub output_usd_per_m: Option<String>,
    /// Effective date of the entry in force.
    pub price_effective: Option<Date>,
    /// When that entry's source was last checked.
    pub checked: Option<Date>,
    /// `active`, `deprecated` or `retired` at the date.
    pub status: String,
    pub deprecated: Option<Date>,
    pub shutdown: Option<Date>,
    /// Where calls are rerouted after `shutdown`.
    pub replaced_by: Option<String>,
    /// Whether unlisted dated snapshot ids bill this model's price.
    pub snapshots: bool,
}

/// A cloud's deployment card.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CloudOutput {
    pub id: String,
    pub name: String,
    pub scopes: Vec<ScopeOutput>,
    pub offers: Vec<OfferOutput>,
}

/// A deployment scope: the id prefixes that select it and its multiplier.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScopeOutput {
    pub id: String,
    pub prefixes: Vec<String>,
    pub multiplier: String,
}

/// A cloud's id for a first-party model.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OfferOutput {
    pub id: String,
    pub aliases: Vec<String>,
    /// The first-party model it bills as.
    pub model: String,
}

// --- check -------------------------------------------------------------------------------------

/// `ratebook check --json`: every problem of a pricing directory, located.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckOutput {
    /// No errors, and at least one file.
    pub ok: bool,
    /// The date `checked` dates were compared with.
    pub today: Date,
    /// Pricing files read.
    pub files: usize,
    /// Models loaded from the files without errors.
    pub models: usize,
    pub errors: Vec<Error>,
    pub warnings: Vec<Warning>,
}

// --- diff --------------------------------------------------------------------------------------

/// `ratebook diff --json`: every changed value.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DiffOutput {
    pub changes: Vec<RateChange>,
    pub count: usize,
}

// --- cost --------------------------------------------------------------------------------------

/// A token total of a log: a number, or a decimal string when it exceeds 2^64 − 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub u128);

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match u64::try_from(self.0) {
            Ok(n) => s.serialize_u64(n),
            Err(_) => s.collect_str(&self.0),
        }
    }
}

impl JsonSchema for Count {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Count".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "A count: a number up to 2^64 − 1, a decimal string above.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+$" }
            ]
        })
    }
}

/// `ratebook cost --json`: a log of provider responses, priced.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CostOutput {
    /// The files read, as given (`-` is standard input).
    pub files: Vec<String>,
    /// The date responses without a timestamp were priced at.
    pub date: Date,
    /// Lines read, blank lines not counted.
    pub lines: u64,
    pub blank_lines: u64,
    /// Responses priced.
    pub records: u64,
    /// Of those, priced with no assumption: everything their price rests on, their line says.
    pub priced_exactly: u64,
    /// Priced records by each assumption they needed (a record may need several):
    /// `cache_ttl_5m` (cache-write TTL not reported, five minutes assumed), `no_timestamp`
    /// (priced at `date`), `standard_tier` (service tier not reported), `snapshot_stripped`
    /// (an unlisted snapshot id priced as its model), `incomplete_stream` (a lower bound).
    pub assumptions: BTreeMap<String, u64>,
    /// Failed requests, not billed.
    pub failed: u64,
    /// Lines that could not be read or priced.
    pub rejected: u64,
    pub total_usd: String,
    pub total_display: String,
    /// Failed requests by reason.
    pub failed_reasons: BTreeMap<String, u64>,
    /// Rejected lines by kind.
    pub rejected_kinds: BTreeMap<String, u64>,
    /// The first rejected lines (all are counted in `rejected`).
    pub rejected_lines: Vec<RejectedLine>,
    /// Streamed responses whose final usage never came (the stream was abandoned or the log
    /// ends first): each priced as a lower bound from what arrived.
    pub incomplete_streams: u64,
    /// The first incomplete streams (all are counted in `incomplete_streams`).
    pub incomplete_stream_lines: Vec<IncompleteStreamLine>,
    /// Per model billed.
    pub by_model: BTreeMap<String, ModelCost>,
    /// The rate book priced with: closed months priced with the same `book` give the same
    /// totals.
    pub book: BookOutput,
    /// With `--against`: the log under the other book and this one, month by month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restatement: Option<RestatementOutput>,
    /// Requests at a whole-request long-context cliff (a tier that reprices every token of the
    /// request), when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_context: Option<LongContextOutput>,
    /// With `--group-by`: the log divided by the groupings, ordered by key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupCost>,
    /// Grouped by day or month, when the latest month is not complete: its total so far run
    /// on to the month's end at the daily rate of the days the log covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection: Option<ProjectionOutput>,
    /// With `--what-if`: the log priced under each change, in the order given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub what_if: Vec<WhatIfCost>,
    /// When lines report what a gateway charged (OpenRouter's `usage.cost`): that charge beside
    /// ratebook's price of the same records. `total_usd` stays ratebook's price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_cost: Option<ReportedCost>,
    /// With `--budget`: the total against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetOutput>,
}

/// Requests near and over a whole-request long-context cliff.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LongContextOutput {
    /// Requests within 10% below a tier's threshold (a few more prompt tokens would reprice
    /// them whole).
    pub near_cliff: u64,
    /// Requests past a tier's threshold, billed at its rates.
    pub over_cliff: u64,
    /// What those over it cost above their base rates.
    pub over_cliff_extra_usd: String,
}

/// What identifies a rate book.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BookOutput {
    /// FNV-1a 64-bit hash (hex) of the pricing files' names and contents.
    pub hash: String,
    /// The newest effective date of any price in the book.
    pub newest_effective: Option<Date>,
}

/// `--against`: what pricing the log with this book instead of the other restates.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RestatementOutput {
    /// The other book as given (a directory or a git ref).
    pub against: String,
    pub against_book: BookOutput,
    /// Records the other book cannot price (in the new totals only).
    pub not_priced_by_old: u64,
    /// Every month with records, in order.
    pub months: Vec<MonthRestatementOutput>,
}

/// One month under the two books.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MonthRestatementOutput {
    /// `YYYY-MM`.
    pub month: String,
    pub old_total_usd: String,
    pub new_total_usd: String,
    /// `new_total_usd − old_total_usd`.
    pub delta_usd: String,
    /// The models whose totals differ.
    pub models: Vec<ModelRestatementOutput>,
}

/// One model's share of a restated month.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelRestatementOutput {
    pub model: String,
    pub old_total_usd: String,
    pub new_total_usd: String,
    pub delta_usd: String,
    /// The book changes of this model in force by the month's end (`input $2.50/M → $2.00/M
    /// from 2026-07-30`), at most five.
    pub causes: Vec<String>,
}

/// One group of `--group-by`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupCost {
    /// The group's value for each grouping (`{"month": "2026-11", "model": "gpt-5"}`); records
    /// past 20,000 groups are in one group whose first value is `(other)`.
    pub group: BTreeMap<String, String>,
    pub records: u64,
    pub total_usd: String,
    /// The earliest and latest date priced in the group.
    pub first_date: Date,
    pub last_date: Date,
}

/// A month-end projection from the daily run rate.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProjectionOutput {
    /// `YYYY-MM`: the latest month with records.
    pub month: String,
    pub first_date: Date,
    pub last_date: Date,
    /// Days from the month's first day to `last_date`, inclusive.
    pub days_covered: u32,
    pub days_in_month: u32,
    pub so_far_usd: String,
    /// `so_far_usd / days_covered × days_in_month`, to the millionth of a dollar (a forecast).
    pub projected_usd: String,
}

/// The log priced under one `--what-if` change.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WhatIfCost {
    /// The change as given (`mode=batch`, `model=gpt-5-mini`, `cache-ttl=1h`).
    pub change: String,
    /// Every priced record under the change (as it is where the change does not apply).
    pub total_usd: String,
    /// `total_usd` minus the log's `total_usd`.
    pub delta_usd: String,
    /// Records the change does not apply to (a mode their model does not offer, a usage the
    /// other model cannot price), counted and priced as they are.
    pub not_applicable: u64,
}

/// What gateways reported they charged, beside ratebook's price of the same records.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportedCost {
    /// Priced records whose line reported a charge.
    pub records: u64,
    /// The sum of the reported charges (exact decimal string, US dollars).
    pub charged_usd: String,
    /// ratebook's price of the same records.
    pub estimated_usd: String,
    /// `charged_usd − estimated_usd`: positive when the gateway charged more.
    pub difference_usd: String,
}

/// A line that was not priced, and why.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RejectedLine {
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// `json`, `too_long`, `unknown_model`, … (as in `rejected_kinds`).
    pub kind: String,
    pub reason: String,
}

/// A stream whose final usage never came, and what it was priced from.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IncompleteStreamLine {
    pub file: String,
    /// 1-based line number of the stream's first event.
    pub line: u64,
    /// `openai_chat`, `openai_responses`, `anthropic_message` or `gemini`.
    pub shape: String,
    /// The stream's id (`chatcmpl-…`, `resp_…`, `msg_…`, a Gemini `responseId`).
    pub id: String,
    pub reason: String,
}

/// One model's share of a log.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelCost {
    pub provider: String,
    /// Responses priced.
    pub records: u64,
    /// Responses per service mode.
    pub modes: BTreeMap<String, u64>,
    /// All prompt tokens, cache reads and writes included.
    pub input_tokens: Count,
    pub cached_tokens: Count,
    pub cache_write_tokens: Count,
    /// All output tokens (text with reasoning, image, audio).
    pub output_tokens: Count,
    pub total_usd: String,
    /// Per meter: quantity and amount.
    pub meters: Vec<MeterCost>,
    /// Your own prices (`--overlay`, `--discount`) that changed a rate these responses were
    /// priced at, described; empty at list prices.
    pub overlays: Vec<String>,
}

/// One meter of a model's share.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MeterCost {
    pub meter: String,
    pub quantity: Count,
    pub amount_usd: String,
}

/// The total against `--budget`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BudgetOutput {
    pub limit_usd: String,
    pub over: bool,
    /// Total minus limit when over, else zero.
    pub over_by_usd: String,
    /// Limit minus total when within, else zero.
    pub headroom_usd: String,
}

// --- scenario ----------------------------------------------------------------------------------

/// `ratebook scenario --json`: one scenario's cost, or with `--compare` the models ranked.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
#[allow(
    clippy::large_enum_variant,
    reason = "one value per run, printed and dropped"
)]
pub enum ScenarioOutput {
    Run(ScenarioCostOutput),
    Compare(ScenarioComparison),
}

/// `scenario --compare --json`: each model as the primary, ranked by cost per accepted result.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioComparison {
    pub scenario: ScenarioInput,
    /// Best first; each has its `rank` (1-based).
    pub ranked: Vec<ScenarioCostOutput>,
    pub cannot_run: Vec<CannotRun>,
}

/// A model that cannot run the scenario, and why.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CannotRun {
    pub model: String,
    pub reason: String,
}

/// The scenario as run, defaults filled in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioInput {
    pub requests_per_day: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// `N@RES` per request.
    pub output_images: Vec<String>,
    /// Exact fractions from 0 to 1.
    pub cached_share: String,
    pub batch_share: String,
    pub pass_rate: String,
    /// Retries of a failed output on the primary before the fallback.
    pub max_retries: u32,
    pub fallback_model: Option<String>,
    pub fallback_pass_rate: Option<String>,
    pub days: u32,
    pub date: Date,
}

/// A scenario priced on one primary model.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioCostOutput {
    /// Position in a `--compare` ranking (1 is best); absent for a single run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    pub model: String,
    pub provider: String,
    pub fallback_model: Option<String>,
    pub date: Date,
    pub requests_per_day: u64,
    pub days: u32,
    pub per_request_usd: String,
    pub daily_usd: String,
    pub monthly_usd: String,
    /// Accepted results a day (an exact decimal).
    pub accepted_per_day: String,
    /// Expected calls per task: the primary's attempts (retries included) and the fallback's.
    pub expected_attempts: String,
    /// The share of tasks finally accepted (an exact decimal from 0 to 1).
    pub accepted_share: String,
    /// `daily_usd / accepted_per_day`; `null` when nothing is accepted.
    pub cost_per_accepted_usd: Option<String>,
    /// The same requests all standard, uncached, without escalation.
    pub baseline: ScenarioBaseline,
    /// Baseline minus scenario over `days` (the same as `saving_monthly_usd`).
    pub saving_usd: String,
    pub saving_daily_usd: String,
    pub saving_monthly_usd: String,
    /// Each kind of call the scenario makes.
    pub parts: Vec<ScenarioPart>,
    /// The scenario as run (a single run only; a comparison gives it once at the top).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioInput>,
}

/// The baseline of a scenario.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioBaseline {
    pub per_request_usd: String,
    pub daily_usd: String,
    pub monthly_usd: String,
    pub cost_per_accepted_usd: Option<String>,
}

/// One kind of call in a scenario: a role, model, mode and caching, with its weight.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScenarioPart {
    /// `primary` or `fallback`.
    pub role: String,
    pub model: String,
    pub mode: String,
    pub cached: bool,
    /// Calls of this kind per request (an exact decimal).
    pub weight: String,
    pub request_usd: String,
    pub daily_usd: String,
}

/// `ratebook cost --records`: one line per priced response.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordLine {
    pub file: String,
    /// The response's line (for a stream, the line of the event that completed it).
    pub line: u64,
    /// The model id as the response gives it.
    pub model: String,
    /// The model it was priced as.
    pub priced_as: String,
    pub date: Date,
    pub mode: String,
    pub total_usd: String,
    /// What its price had to assume (`no_timestamp`, `cache_ttl_5m`, …); empty when none.
    pub assumptions: Vec<String>,
}
