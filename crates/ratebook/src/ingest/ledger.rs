//! The ledger: many responses in, one exact total and a per-model summary out, in memory that
//! does not grow with the number of lines.
//!
//! Pricing is linear — every token line of an estimate is quantity × rate — so the ledger does
//! not price each response. It prices through the pieces of [`crate::estimate`] that
//! `estimate` itself is made of: [`rerouted_to`] picks the model that bills, [`split`] and
//! [`quantities`] give each response's quantities per meter and its long-context tier (decided
//! per response, as the providers do, and with the tokens past a marginal tier apart), and
//! [`Rater::rate`] gives each meter's rate after mode, stacking and a cloud deployment's
//! multiplier. The ledger sums the quantities of responses that share a model, price entry,
//! mode, tier and deployment multiplier, caches the rates `Rater::rate` returns for that group
//! (a cache in front of the rule, not a copy of it), and prices each sum once at the end with
//! [`meter_amount`] and [`fee_amount`]: exact, because Σ (qᵢ × r / 10⁶) = (Σ qᵢ) × r / 10⁶ in
//! decimal arithmetic.
//!
//! Responses that pricing is not linear for are priced one by one with
//! [`estimate_resolved`] itself: those with input images, generated images or video, those
//! with a quantity whose unit does not divide exactly (audio billed per minute, a fee per a
//! number of calls that is not a power of ten), and those of a gateway that rounds every
//! request up to its billing unit. A gateway that bills whole units and carries the fraction
//! to the next cycle is summed exactly: the log's total is what the cycle bills plus the
//! fraction still carried.
//!
//! Ledgers over parts of a log merge ([`Ledger::merge`]) into the ledger of the whole log, to
//! the last digit: sums of integers and exact decimals do not depend on their order.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use super::groups::{project, tag_value};
use super::stream::{Partial, StreamEvent, StreamKind, StreamStep};
use super::{
    Applied, Assumption, Assumptions, GroupBy, GroupSummary, LineError, Parsed, Projection,
    Provider, Record, RejectKind, Shape, WhatIf, parse_event,
};
use crate::book::{FeeRule, Meter, Mode, Model, RateBook, Rates, Rounding, TierApplication};
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::estimate::{
    EstimateOptions, METERS, Rater, Split, check_model_limits, deployment_multiplier,
    estimate_resolved, fee_amount, fee_rule, meter_amount, near_cliff, quantities, rerouted_to,
    split,
};
use crate::resolve::ResolvedBy;
use crate::usage::Usage;

// Counts saturate. A `u64` count of records, lines or requests gains at most one per line read,
// so reaching `u64::MAX` would take more lines than any log holds; a `u128` sum of `u64`
// quantities would take more than 2^64 records. So saturating never changes a result, and a
// record's sums cannot fail halfway through being added. Amounts (`Decimal`) are checked.

/// Distinct model strings remembered; past this, lookups are not cached (memory stays flat
/// even on a file of garbage model ids).
const NAME_CACHE: usize = 4096;

/// A fast hasher for the ledger's small maps (model strings, group keys): FxHash's
/// multiply-rotate, eight bytes at a time. Not DoS-resistant; the maps it serves are bounded
/// ([`NAME_CACHE`] names; groups are model × price entry × mode × tier).
#[derive(Debug, Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ rest.len() as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Streams open at once, at most, by default; past it the oldest is closed as incomplete.
pub const MAX_OPEN_STREAMS: usize = 100_000;

/// Incomplete streams a ledger lists (all are counted) until they are taken.
const LISTED_INCOMPLETE: usize = 20;

/// What became of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// Empty or whitespace only: skipped, not counted.
    Blank,
    /// A response, priced (or a stream that this line ended, priced).
    Priced,
    /// A stream event taken into its open stream, billed when the stream ends.
    Streamed,
    /// A failed request: counted, not billed.
    Failed,
    /// Not readable or not priceable.
    Rejected(LineError),
}

/// Tokens (or calls) of one meter and what they cost, across a model's responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterTotal {
    /// `input_text`, `cache_read`, `output_image`, `fee:search`, … (as in estimate line items).
    pub meter: String,
    /// The summed quantity, in the meter's unit (tokens, token-hours, seconds, characters, images
    /// or calls).
    pub quantity: u128,
    /// What it cost, in USD, exactly.
    pub amount: Decimal,
}

/// One model's share of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSummary {
    /// The canonical id the responses' model ids resolved to.
    pub model: String,
    /// The model's provider id.
    pub provider: String,
    /// Responses priced.
    pub records: u64,
    /// Responses per mode, in mode order.
    pub modes: Vec<(Mode, u64)>,
    /// All prompt tokens, cache reads and writes included.
    pub input_tokens: u128,
    /// Prompt tokens read from cache.
    pub cached_tokens: u128,
    /// Prompt tokens written to cache, at either time to live.
    pub cache_write_tokens: u128,
    /// All output tokens (text with reasoning, image, audio).
    pub output_tokens: u128,
    /// What these responses cost, in USD.
    pub total: Decimal,
    /// Quantity and cost per meter (and per call fee).
    pub meters: Vec<MeterTotal>,
    /// The user's overlay rules that changed a rate these responses were priced at, described
    /// (empty at list prices).
    pub overlays: Vec<String>,
}

/// The priced log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The log's exact price in USD: ratebook's, never a reported charge.
    pub total: Decimal,
    /// Responses priced.
    pub records: u64,
    /// Failed requests: counted, not billed.
    pub failed: u64,
    /// Lines that could not be read or priced.
    pub rejected: u64,
    /// Failed requests by reason (`anthropic batch: expired`, `openai batch: status 500`).
    pub failed_reasons: Vec<(String, u64)>,
    /// Rejected lines by kind.
    pub rejected_kinds: Vec<(RejectKind, u64)>,
    /// Streams whose final usage never came, priced as a lower bound from what did (each also
    /// counted in `records` when it could be priced).
    pub incomplete_streams: u64,
    /// Dearest first.
    pub by_model: Vec<ModelSummary>,
    /// What gateways reported they charged, for the records whose lines say (OpenRouter's
    /// `usage.cost`), beside ratebook's price of those records; `None` when no line reported
    /// a charge. `total` is always ratebook's price.
    pub reported: Option<ReportedSummary>,
    /// The log priced under each what-if change ([`Ledger::what_if`]), in the order given.
    pub what_if: Vec<WhatIfSummary>,
    /// With [`Ledger::group_by`]: the log divided by its groupings, ordered by key.
    pub groups: Vec<GroupSummary>,
    /// Requests near or over a whole-request long-context cliff, if any.
    pub long_context: Option<CliffSummary>,
    /// With [`Ledger::against`]: the log under the other book and this one, month by month.
    pub restatement: Option<Restatement>,
    /// Grouped by day or month, and the latest month not complete: its month-end projection.
    pub projection: Option<Projection>,
    /// Priced records that needed no assumption.
    pub priced_exactly: u64,
    /// Priced records by each assumption they needed (a record may need several), in
    /// [`Assumption::ALL`]'s order, those with none left out.
    pub assumptions: Vec<(Assumption, u64)>,
    /// Records rejected because the book has no model for their id, by date and id as the
    /// line gives it, in that order (at most [`MAX_GROUPS`] pairs; further ones are counted in
    /// `rejected` only). `ratebook reconcile` names them as the cause of a gap.
    pub unpriced: Vec<UnpricedModel>,
}

/// Records of one day whose model id the book does not price ([`Summary::unpriced`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpricedModel {
    /// The record's date (the run's, without a timestamp).
    pub date: Date,
    /// The model id as the line gives it.
    pub model: String,
    /// Records of that day with that id, rejected as an unknown model.
    pub records: u64,
}

/// What a group of responses shares: everything a rate depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey {
    /// The model the id resolved to: the summary's row.
    model: u32,
    /// The model that bills (another one after a shutdown the provider reroutes).
    billed: u32,
    entry: u32,
    mode: Mode,
    tier: Option<u32>,
    /// A cloud deployment's multiplier over the first-party rates.
    deployment: Option<Decimal>,
}

/// A cached rate: not asked yet, the rate [`Rater::rate`] returned, or its error.
#[derive(Debug, Clone)]
enum Slot {
    Unknown,
    Rate(Decimal),
    Missing(Error),
}

/// A per-call fee of a group: its rule (or why the card has none) and the calls summed.
#[derive(Debug, Clone)]
struct FeeSlot<'b> {
    id: String,
    rule: Result<&'b FeeRule, Error>,
    calls: u128,
}

/// Responses summed under one [`GroupKey`].
#[derive(Debug, Clone)]
struct Group<'b> {
    key: GroupKey,
    /// The rates of the group's price entry and mode, or why there are none (a mode the entry
    /// does not offer): every response of the group meets that error.
    rater: Result<Rater<'b>, Error>,
    /// The provider rounds every request up to its billing unit: price one by one.
    per_request: bool,
    /// Rates of the tokens billed at the base (or whole-request tier) rates, by meter.
    main: [Slot; METERS],
    /// Rates of the tokens past a marginal tier's threshold, by meter.
    marginal: [Slot; METERS],
    main_quantities: [u128; METERS],
    marginal_quantities: [u128; METERS],
    fees: Vec<FeeSlot<'b>>,
}

/// Which of a group's two rate layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Main,
    Marginal,
}

impl<'b> Group<'b> {
    fn new(book: &RateBook, key: GroupKey, rater: Result<Rater<'b>, Error>) -> Group<'b> {
        let per_request = rater.as_ref().is_ok_and(|r| {
            book.provider(&r.model.provider)
                .and_then(|p| p.billing)
                .is_some_and(|b| b.rounding == Rounding::UpPerRequest)
        });
        Group {
            key,
            rater,
            per_request,
            main: std::array::from_fn(|_| Slot::Unknown),
            marginal: std::array::from_fn(|_| Slot::Unknown),
            main_quantities: [0; METERS],
            marginal_quantities: [0; METERS],
            fees: Vec::new(),
        }
    }

    /// Makes sure `meter` has a rate in `layer` (asking [`Rater::rate`] with `tier` the first
    /// time), or returns the error pricing it meets.
    fn rate(&mut self, layer: Layer, meter: Meter, tier: Option<&Rates>) -> Result<(), Error> {
        let rater = self.rater.as_ref().map_err(Clone::clone)?;
        let slots = match layer {
            Layer::Main => &mut self.main,
            Layer::Marginal => &mut self.marginal,
        };
        let slot = &mut slots[meter as usize];
        if let Slot::Unknown = slot {
            *slot = match rater.rate(meter, tier) {
                Ok(r) => Slot::Rate(r.rate),
                Err(e) => Slot::Missing(e),
            };
        }
        match slot {
            Slot::Missing(e) => Err(e.clone()),
            _ => Ok(()),
        }
    }

    /// The slot of fee `id` (looked up with [`fee_rule`] the first time), or its error.
    fn fee(&mut self, id: &str) -> Result<usize, Error> {
        let i = match self.fees.iter().position(|f| f.id == id) {
            Some(i) => i,
            None => {
                let rater = self.rater.as_ref().map_err(Clone::clone)?;
                let i = self.fees.len();
                self.fees.push(FeeSlot {
                    id: id.to_string(),
                    rule: fee_rule(rater.model, rater.entry, id),
                    calls: 0,
                });
                i
            }
        };
        match &self.fees[i].rule {
            Ok(_) => Ok(i),
            Err(e) => Err(e.clone()),
        }
    }

    /// Adds `other`'s sums (a group of the same key) to this one's (saturating: see "Counts
    /// saturate" above).
    fn absorb(&mut self, other: Group<'b>) {
        for (mine, theirs) in [
            (&mut self.main, other.main),
            (&mut self.marginal, other.marginal),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                if let Slot::Unknown = a {
                    *a = b;
                }
            }
        }
        for (a, b) in self.main_quantities.iter_mut().zip(other.main_quantities) {
            *a = a.saturating_add(b);
        }
        for (a, b) in self
            .marginal_quantities
            .iter_mut()
            .zip(other.marginal_quantities)
        {
            *a = a.saturating_add(b);
        }
        for f in other.fees {
            match self.fees.iter_mut().find(|m| m.id == f.id) {
                Some(m) => m.calls = m.calls.saturating_add(f.calls),
                None => self.fees.push(f),
            }
        }
    }
}

/// Amounts by meter id: (quantity, amount).
type MeterSums = BTreeMap<String, (u128, Decimal)>;

#[derive(Debug, Default, Clone)]
struct ModelAcc {
    records: u64,
    modes: [u64; 4],
    input: u128,
    cached: u128,
    cache_write: u128,
    output: u128,
    /// Responses priced one by one: amounts by meter.
    per_line: MeterSums,
    /// The user's overlay rules that changed a rate this model's responses were priced at.
    overlays: Vec<String>,
}

/// Adds the notes of `new` that `to` does not have yet (a handful at most).
fn add_notes<'n>(to: &mut Vec<String>, new: impl Iterator<Item = &'n String>) {
    for n in new {
        if !to.contains(n) {
            to.push(n.clone());
        }
    }
}

impl ModelAcc {
    /// Adds `other`'s sums: counts saturating (see "Counts saturate" above), amounts checked.
    fn absorb(&mut self, other: ModelAcc) -> Result<(), Error> {
        self.records = self.records.saturating_add(other.records);
        for (a, b) in self.modes.iter_mut().zip(other.modes) {
            *a = a.saturating_add(b);
        }
        self.input = self.input.saturating_add(other.input);
        self.cached = self.cached.saturating_add(other.cached);
        self.cache_write = self.cache_write.saturating_add(other.cache_write);
        self.output = self.output.saturating_add(other.output);
        add_notes(&mut self.overlays, other.overlays.iter());
        for (meter, (q, amount)) in other.per_line {
            let e = self.per_line.entry(meter).or_insert((0, Decimal::ZERO));
            e.0 = e.0.saturating_add(q);
            e.1 = e.1.checked_add(amount).ok_or_else(overflow)?;
        }
        Ok(())
    }
}

/// How a model id resolved, remembered per id string.
#[derive(Debug, Clone, Copy)]
struct Name {
    /// Index of the model it resolved to.
    model: usize,
    /// A cloud deployment's multiplier, when it is not 1.
    deployment: Option<Decimal>,
    /// Resolved through a cloud's deployment card (which keeps its own lifecycle).
    cloud: bool,
    /// Through a cloud a user's overlay adjusts: its index and premium, so the multiplier is
    /// taken at each record's date.
    adjusted: Option<(usize, Decimal)>,
    /// What resolving the id assumed: a snapshot suffix stripped, a cloud's default scope.
    assumed: Assumptions,
    /// Index of the model the provider reroutes it to after its shutdown, if any.
    successor: Option<usize>,
}

/// Sums priced responses. Feed it lines ([`Ledger::add_line`]) or parsed records
/// ([`Ledger::add_record`]); read the result with [`Ledger::summary`].
#[derive(Debug, Clone)]
pub struct Ledger<'b> {
    book: &'b RateBook,
    default_date: Date,
    force: Option<Provider>,
    names: FxMap<Box<str>, Result<Name, Error>>,
    groups: Vec<Group<'b>>,
    group_index: FxMap<GroupKey, usize>,
    /// Per model priced: (the model's index in the book, its sums), in first-priced order;
    /// `model_slot[i]` is model `i`'s place here (`u32::MAX`: none yet). Sparse, so a ledger
    /// per group (`--group-by`) costs what its models use, not the whole book.
    models: Vec<(usize, ModelAcc)>,
    model_slot: Vec<u32>,
    /// Meters whose unit does not divide a quantity exactly (per minute): summing their amounts
    /// would not be exact, so their responses are priced one by one.
    inexact: [bool; METERS],
    records: u64,
    failed: u64,
    rejected: u64,
    failed_reasons: BTreeMap<Cow<'static, str>, u64>,
    rejected_kinds: BTreeMap<RejectKind, u64>,
    streams: Streams,
    /// The records whose lines reported what a gateway charged.
    reported: Option<Box<Reported<'b>>>,
    /// The log priced again under each what-if change, in the order given.
    what_ifs: Vec<Shadow<'b>>,
    /// Records priced with no assumption.
    exact: u64,
    /// Records priced with each assumption (indexed as [`Assumption::ALL`]).
    assumed: [u64; ASSUMPTIONS],
    /// What resolving the id of the record being priced assumed (a stripped snapshot suffix,
    /// a cloud's default scope).
    last_assumed: Assumptions,
    /// The model the id of the record being priced resolved to.
    last_model: usize,
    /// `--group-by`: the groupings, in order, and the log divided by them.
    grouping: Vec<GroupBy>,
    buckets: FxMap<String, Bucket<'b>>,
    /// Records near and over a whole-request long-context cliff.
    cliff: CliffCounts,
    /// The values of the `tag:KEY` groupings on the line being read, in grouping order.
    line_tags: Vec<Option<String>>,
    /// Most groups kept ([`MAX_GROUPS`] unless set).
    group_cap: usize,
    /// `--against`: the log priced by another (older) book too, by month and model.
    against: Option<Box<Against<'b>>>,
    /// Each record's own cost, when asked for ([`Ledger::record_costs`]), until taken.
    record_costs: Option<Vec<RecordCost>>,
    /// Records whose id the book has no model for, by date and id ([`Summary::unpriced`]).
    unpriced: BTreeMap<(Date, Box<str>), u64>,
}

/// The same records under this book and another, each divided by month and model.
#[derive(Debug, Clone)]
struct Against<'b> {
    old: Ledger<'b>,
    new: Ledger<'b>,
    /// Records the other book could not price (a model it does not have, say).
    not_priced_by_old: u64,
}

/// A log priced under two books, month by month: what a change to the book restates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restatement {
    /// Every month with records, in order.
    pub months: Vec<MonthRestatement>,
    /// Records the other book could not price: in the new totals, not in the old.
    pub not_priced_by_old: u64,
}

/// One month under the two books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRestatement {
    /// `YYYY-MM`.
    pub month: String,
    /// The month's total under the other book (the one given to [`Ledger::against`]), in USD.
    pub old_total: Decimal,
    /// The month's total under the ledger's own book, in USD.
    pub new_total: Decimal,
    /// The models whose totals differ, by model id.
    pub models: Vec<ModelRestatement>,
}

/// One model's share of a month under the two books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRestatement {
    /// The model's canonical id.
    pub model: String,
    /// Its total that month under the other book, in USD.
    pub old_total: Decimal,
    /// Its total that month under the ledger's own book, in USD.
    pub new_total: Decimal,
}

/// Records priced near and over a whole-request long-context tier.
#[derive(Debug, Clone, Copy, Default)]
struct CliffCounts {
    near: u64,
    over: u64,
}

/// Requests at a whole-request long-context cliff: a tier that reprices every token of a
/// request once its prompt passes a threshold (Gemini 2.5 Pro past 200,000 tokens, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliffSummary {
    /// Priced requests within 10% below a tier's threshold, not past it.
    pub near: u64,
    /// Priced requests past a tier's threshold, billed at its rates.
    pub over: u64,
    /// What those over it cost above the base rates of their price entries (token meters;
    /// requests priced one by one, with media, are counted but not in this sum).
    pub over_extra: Decimal,
}

/// Most groups kept; records past it go to one group keyed [`OTHER`].
pub const MAX_GROUPS: usize = 20_000;
/// The key of the group of records past [`MAX_GROUPS`].
pub const OTHER: &str = "(other)";

/// One group of the log: its records on a ledger of their own.
#[derive(Debug, Clone)]
struct Bucket<'b> {
    key: Vec<String>,
    first: Date,
    last: Date,
    ledger: Ledger<'b>,
}

const ASSUMPTIONS: usize = Assumption::ALL.len();

/// The log under one what-if change: its records, changed, on a ledger of their own.
#[derive(Debug, Clone)]
struct Shadow<'b> {
    change: WhatIf,
    /// Records the change did not apply to (priced as they are).
    not_applicable: u64,
    ledger: Ledger<'b>,
}

/// The log priced under one what-if change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIfSummary {
    /// The change priced.
    pub change: WhatIf,
    /// Every priced record, changed where the change applies, as it is where not.
    pub total: Decimal,
    /// Records the change could not apply to (a mode their model does not offer, a usage the
    /// other model cannot price): in `total` at their own price.
    pub not_applicable: u64,
}

/// Records that came with a reported charge: its sum, and the same records priced by the book
/// on a ledger of their own (the same rules as every record).
#[derive(Debug, Clone)]
struct Reported<'b> {
    records: u64,
    /// `None` once the sum no longer fits in a decimal.
    charged: Option<Decimal>,
    ledger: Ledger<'b>,
}

/// What a gateway reported it charged for some records, beside ratebook's price for the same
/// records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedSummary {
    /// Priced records whose line reported a charge.
    pub records: u64,
    /// The sum of the reported charges, in US dollars.
    pub charged: Decimal,
    /// ratebook's price of the same records.
    pub estimated: Decimal,
}

impl ReportedSummary {
    /// `charged − estimated`: positive when the gateway charged more than the book prices.
    pub fn difference(&self) -> Decimal {
        // Both are sums of at most ~7.9e28 in magnitude; the difference of two non-negative
        // decimals cannot overflow.
        self.charged.saturating_sub(self.estimated)
    }
}

/// A stream's identity: its kind and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamKey {
    /// Whose stream it is.
    pub kind: StreamKind,
    /// The stream's id, as its events give it.
    pub id: Box<str>,
}

/// One priced response on its own ([`Ledger::record_costs`]): what `ratebook cost --records`
/// prints per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCost {
    /// The line it was priced at: the response's line, or for a stream the line of the event
    /// that completed it (the last line read, for a stream closed as incomplete).
    pub line: u64,
    /// The model id as the response gives it.
    pub model: String,
    /// The model it was priced as (after aliases, snapshots, cloud ids and rerouting).
    pub priced_as: String,
    /// The date it was priced at: its timestamp's, or the ledger's default date.
    pub date: Date,
    /// The mode it was priced in.
    pub mode: Mode,
    /// Its exact cost, priced by `estimate` (the sums of the ledger are the same prices).
    pub total: Decimal,
    /// What its price had to assume.
    pub assumptions: Assumptions,
}

/// A stream whose final usage never came: priced as a lower bound from what did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteStream {
    /// The line number of its first event (as given to [`Ledger::add_line_at`]).
    pub line: u64,
    /// The response shape of the stream.
    pub shape: Shape,
    /// The stream's id (`chatcmpl-…`, `resp_…`, `msg_…`, a Gemini `responseId`).
    pub id: String,
    /// What it was priced from, or why it could not be.
    pub reason: String,
}

/// An open stream: what it has measured so far.
#[derive(Debug, Clone)]
struct Open {
    seq: u64,
    first_line: u64,
    model: Option<String>,
    date: Option<Date>,
    mode: Mode,
    usage: Option<Usage>,
    /// An event reported a service tier.
    tier_said: bool,
}

/// The open streams, oldest first per kind (the most recent open one of a kind takes the
/// events that carry no id).
#[derive(Debug, Clone)]
struct Streams {
    open: FxMap<StreamKey, Open>,
    /// Per kind (in [`StreamKind::ALL`] order): start sequence → id.
    order: [BTreeMap<u64, Box<str>>; 4],
    next_seq: u64,
    cap: usize,
    /// The line number of the line being read.
    line: u64,
    incomplete: u64,
    listed: Vec<IncompleteStream>,
}

impl Streams {
    fn new() -> Streams {
        Streams {
            open: FxMap::default(),
            order: std::array::from_fn(|_| BTreeMap::new()),
            next_seq: 0,
            cap: MAX_OPEN_STREAMS,
            line: 0,
            incomplete: 0,
            listed: Vec::new(),
        }
    }

    fn remove(&mut self, key: &StreamKey) -> Option<Open> {
        let o = self.open.remove(key)?;
        self.order[key.kind as usize].remove(&o.seq);
        Some(o)
    }

    /// The most recently started open stream of `kind`.
    fn latest(&self, kind: StreamKind) -> Option<StreamKey> {
        self.order[kind as usize]
            .last_key_value()
            .map(|(_, id)| StreamKey {
                kind,
                id: id.clone(),
            })
    }

    /// The oldest open stream of any kind.
    fn oldest(&self) -> Option<StreamKey> {
        StreamKind::ALL
            .iter()
            .filter_map(|&k| {
                self.order[k as usize]
                    .first_key_value()
                    .map(|(seq, id)| (*seq, k, id))
            })
            .min_by_key(|(seq, ..)| *seq)
            .map(|(_, kind, id)| StreamKey {
                kind,
                id: id.clone(),
            })
    }
}

/// What a worker of a parallel run does with a line (see [`Ledger::add_line_for_worker`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerStep {
    /// Done here.
    Done(LineOutcome),
    /// A stream event that needs the open streams: give the line, in input order, to the
    /// ledger that holds them ([`Ledger::add_line_at`]).
    Defer,
    /// A stream's final usage, priced here: the ledger that holds the open streams must forget
    /// the stream, in input order ([`Ledger::end_stream`]).
    Ended(LineOutcome, StreamKey),
}

/// Is `d` a power of ten (so dividing by it is exact in decimal)?
fn power_of_ten(d: Decimal) -> bool {
    let d = d.normalize();
    if d.scale() != 0 || d.is_sign_negative() {
        return false;
    }
    let mut m = d.mantissa();
    while m >= 10 && m % 10 == 0 {
        m /= 10;
    }
    m == 1
}

/// Usage `estimate` prices with more than token meters (input images, generated images and
/// video): such a response is priced on its own.
fn has_media(u: &Usage) -> bool {
    !u.input_images.is_empty() || !u.output_images.is_empty() || !u.output_video.is_empty()
}

fn dec(q: u128) -> Result<Decimal, Error> {
    Decimal::from_u128(q).ok_or_else(|| {
        Error::new(
            ErrorKind::Overflow,
            "token total is too large to price exactly",
        )
    })
}

fn overflow() -> Error {
    Error::new(ErrorKind::Overflow, "total is too large to compute exactly")
}

fn line_error(e: Error) -> LineError {
    LineError::from_error(&e)
}

impl<'b> Ledger<'b> {
    /// A ledger pricing on `book`; responses without a timestamp are priced at `default_date`.
    pub fn new(book: &'b RateBook, default_date: Date) -> Ledger<'b> {
        Ledger {
            book,
            default_date,
            force: None,
            names: FxMap::default(),
            groups: Vec::new(),
            group_index: FxMap::default(),
            models: Vec::new(),
            model_slot: Vec::new(),
            inexact: Meter::ALL.map(|m| !power_of_ten(m.unit().divisor())),
            records: 0,
            failed: 0,
            rejected: 0,
            failed_reasons: BTreeMap::new(),
            rejected_kinds: BTreeMap::new(),
            streams: Streams::new(),
            reported: None,
            what_ifs: Vec::new(),
            exact: 0,
            assumed: [0; ASSUMPTIONS],
            last_assumed: Assumptions::default(),
            last_model: 0,
            grouping: Vec::new(),
            buckets: FxMap::default(),
            group_cap: MAX_GROUPS,
            line_tags: Vec::new(),
            cliff: CliffCounts::default(),
            against: None,
            record_costs: None,
            unpriced: BTreeMap::new(),
        }
    }

    /// Also prices every record by `old` (another version of the book), by month and model:
    /// see [`Summary::restatement`].
    pub fn against(mut self, old: &'b RateBook) -> Ledger<'b> {
        let by_month = |book: &'b RateBook, date: Date| {
            Ledger::new(book, date)
                .group_by(GroupBy::Month)
                .group_by(GroupBy::Model)
        };
        self.against = Some(Box::new(Against {
            old: by_month(old, self.default_date),
            new: by_month(self.book, self.default_date),
            not_priced_by_old: 0,
        }));
        self
    }

    /// Divides the log by `by` too (after any grouping already asked for): see
    /// [`Summary::groups`].
    pub fn group_by(mut self, by: GroupBy) -> Ledger<'b> {
        self.grouping.push(by);
        self
    }

    /// At most `cap` groups (at least one); records of further groups go to one group keyed
    /// [`OTHER`]. The default is [`MAX_GROUPS`]: each group keeps sums of its own.
    pub fn group_cap(mut self, cap: usize) -> Ledger<'b> {
        self.group_cap = cap.max(1);
        self
    }

    /// Also prices every record under `change` (see [`Summary::what_if`]); checked against the
    /// book first (a model change must name a model it prices).
    pub fn what_if(self, change: WhatIf) -> Result<Ledger<'b>, Error> {
        if let WhatIf::Overlay(f) = &change {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "what-if overlay={f}: give the book with the overlay applied (Ledger::what_if_priced_by)"
                ),
            ));
        }
        let book = self.book;
        self.what_if_priced_by(change, book)
    }

    /// Also prices every record under `change` with `book` (this ledger's book with your own
    /// prices applied, for [`WhatIf::Overlay`]); see [`Ledger::what_if`].
    pub fn what_if_priced_by(
        mut self,
        change: WhatIf,
        book: &'b RateBook,
    ) -> Result<Ledger<'b>, Error> {
        change.check(self.book)?;
        self.what_ifs.push(Shadow {
            change,
            not_applicable: 0,
            ledger: Ledger::new(book, self.default_date),
        });
        Ok(self)
    }

    /// Also keeps each priced record's own cost and assumptions, to be taken with
    /// [`Ledger::take_record_costs`] (as `ratebook cost --records` does after every line).
    pub fn record_costs(mut self) -> Ledger<'b> {
        self.record_costs = Some(Vec::new());
        self
    }

    /// The records priced since the last call, in the order they were priced (empty unless
    /// [`Ledger::record_costs`] was asked for).
    pub fn take_record_costs(&mut self) -> Vec<RecordCost> {
        self.record_costs
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// At most `cap` streams open at once (at least one); past it the oldest is closed as
    /// incomplete. The default is [`MAX_OPEN_STREAMS`]. The cap trades exactness for memory: a
    /// closed stream is forgotten, so should its final usage still come, that is billed as a
    /// stream of its own, on top of the lower bound already counted.
    pub fn stream_cap(mut self, cap: usize) -> Ledger<'b> {
        self.streams.cap = cap.max(1);
        self
    }

    /// Reads every line under `provider`'s usage convention instead of detecting it.
    pub fn force_provider(mut self, provider: Option<Provider>) -> Ledger<'b> {
        self.force = provider;
        self
    }

    /// The book the ledger prices with.
    pub fn book(&self) -> &'b RateBook {
        self.book
    }

    /// An empty ledger with this one's book, default date and provider convention: one for
    /// each part of a log priced in parallel, to [`merge`](Ledger::merge) back.
    pub fn fresh(&self) -> Ledger<'b> {
        let mut fresh = Ledger::new(self.book, self.default_date)
            .force_provider(self.force)
            .stream_cap(self.streams.cap);
        fresh.grouping.clone_from(&self.grouping);
        fresh.group_cap = self.group_cap;
        if let Some(a) = &self.against {
            fresh = fresh.against(a.old.book);
        }
        fresh.what_ifs = self
            .what_ifs
            .iter()
            .map(|w| Shadow {
                change: w.change.clone(),
                not_applicable: 0,
                ledger: Ledger::new(w.ledger.book, self.default_date),
            })
            .collect();
        fresh
    }

    /// Reads and prices one line (without its newline), numbered one past the last line read
    /// (the number an incomplete stream is listed at).
    pub fn add_line(&mut self, line: &str) -> LineOutcome {
        // Saturating: a line count (see "Counts saturate" above).
        let n = self.streams.line.saturating_add(1);
        self.add_line_at(line, n)
    }

    /// Reads and prices line number `number` (without its newline). A stream event goes to its
    /// open stream; a stream is priced when its final usage comes.
    pub fn add_line_at(&mut self, line: &str, number: u64) -> LineOutcome {
        self.read_tags(line);
        let outcome = self.add_line_tagged(line, number);
        self.line_tags.clear();
        outcome
    }

    /// Reads the line's values for the `tag:KEY` groupings, if any.
    fn read_tags(&mut self, line: &str) {
        self.line_tags.clear();
        for g in &self.grouping {
            if let GroupBy::Tag(key) = g {
                self.line_tags.push(tag_value(line, key));
            }
        }
    }

    fn add_line_tagged(&mut self, line: &str, number: u64) -> LineOutcome {
        self.streams.line = number;
        // JSON whitespace is ASCII; stops at the first other byte (`{` on real lines).
        if line.bytes().all(|b| b.is_ascii_whitespace()) {
            return LineOutcome::Blank;
        }
        match parse_event(line, self.force) {
            Ok(Parsed::Stream(ev)) => self.add_event(ev),
            Ok(other) => self.add_parsed(other),
            Err(e) => {
                self.count_rejected(e.kind);
                LineOutcome::Rejected(e)
            }
        }
    }

    /// Reads and prices a line on a worker of a parallel run whose open streams another
    /// ledger holds: whole responses and stream events that need no open stream are priced
    /// here; the rest is for the other ledger, in input order ([`WorkerStep`]).
    pub fn add_line_for_worker(&mut self, line: &str) -> WorkerStep {
        self.read_tags(line);
        let step = self.worker_step(line);
        self.line_tags.clear();
        step
    }

    fn worker_step(&mut self, line: &str) -> WorkerStep {
        if line.bytes().all(|b| b.is_ascii_whitespace()) {
            return WorkerStep::Done(LineOutcome::Blank);
        }
        match parse_event(line, self.force) {
            Ok(Parsed::Stream(ev)) => match ev.step {
                StreamStep::Nothing => WorkerStep::Done(LineOutcome::Streamed),
                StreamStep::Progress(_) | StreamStep::Stop => WorkerStep::Defer,
                StreamStep::End(end) => {
                    let outcome = self.add_end(end);
                    match ev.id {
                        Some(id) => WorkerStep::Ended(
                            outcome,
                            StreamKey {
                                kind: ev.kind,
                                id: id.into(),
                            },
                        ),
                        None => WorkerStep::Done(outcome),
                    }
                }
            },
            Ok(other) => WorkerStep::Done(self.add_parsed(other)),
            Err(e) => {
                self.count_rejected(e.kind);
                WorkerStep::Done(LineOutcome::Rejected(e))
            }
        }
    }

    fn add_parsed(&mut self, parsed: Parsed<'_>) -> LineOutcome {
        match parsed {
            Parsed::Billable(r) => match self.add_record(&r) {
                Ok(()) => LineOutcome::Priced,
                Err(e) => LineOutcome::Rejected(e),
            },
            Parsed::Failed { reason, .. } => {
                self.add_failed(reason);
                LineOutcome::Failed
            }
            Parsed::Stream(ev) => self.add_event(ev),
        }
    }

    fn add_end(&mut self, end: Result<Record<'_>, Cow<'static, str>>) -> LineOutcome {
        match end {
            Ok(r) => self.add_parsed(Parsed::Billable(r)),
            Err(reason) => {
                self.add_failed(reason);
                LineOutcome::Failed
            }
        }
    }

    /// Forgets stream `key` without pricing it: its final usage was priced elsewhere
    /// ([`WorkerStep::Ended`]).
    pub fn end_stream(&mut self, key: &StreamKey) {
        self.streams.remove(key);
    }

    /// Takes a stream event: opens or updates its stream, or ends and prices it.
    pub fn add_event(&mut self, ev: StreamEvent<'_>) -> LineOutcome {
        let kind = ev.kind;
        let key = match ev.id {
            Some(id) => Some(StreamKey {
                kind,
                id: id.into(),
            }),
            None => self.streams.latest(kind),
        };
        match ev.step {
            StreamStep::Nothing => LineOutcome::Streamed,
            StreamStep::End(end) => {
                if let Some(k) = &key {
                    self.streams.remove(k);
                }
                self.add_end(end)
            }
            StreamStep::Stop => {
                let Some(open) = key.as_ref().and_then(|k| self.streams.remove(k)) else {
                    let e = LineError::new(
                        RejectKind::NoUsage,
                        "message_stop with no open Anthropic stream (its message_start was not logged)",
                    );
                    self.count_rejected(e.kind);
                    return LineOutcome::Rejected(e);
                };
                match self.price_open(kind, open, true) {
                    Ok(()) => LineOutcome::Priced,
                    Err(e) => LineOutcome::Rejected(e),
                }
            }
            StreamStep::Progress(p) => {
                let Some(key) = key else {
                    let e = LineError::new(
                        RejectKind::NoUsage,
                        format!(
                            "a {} stream event with no open stream to belong to",
                            kind.shape().as_str()
                        ),
                    );
                    self.count_rejected(e.kind);
                    return LineOutcome::Rejected(e);
                };
                self.progress(key, p);
                LineOutcome::Streamed
            }
        }
    }

    fn progress(&mut self, key: StreamKey, p: Partial<'_>) {
        let line = self.streams.line;
        if let Some(o) = self.streams.open.get_mut(&key) {
            if o.model.is_none() {
                o.model = p.model.map(|m| m.into_owned());
            }
            o.date = o.date.or(p.date);
            if p.mode != Mode::Standard {
                o.mode = p.mode;
            }
            o.tier_said |= p.tier_said;
            merge_usage(&mut o.usage, p.usage, p.prompt_counts);
            return;
        }
        let seq = self.streams.next_seq;
        // Saturating: one per stream opened, at most one per line read.
        self.streams.next_seq = seq.saturating_add(1);
        let mut usage = None;
        merge_usage(&mut usage, p.usage, p.prompt_counts);
        self.streams.order[key.kind as usize].insert(seq, key.id.clone());
        self.streams.open.insert(
            key,
            Open {
                seq,
                first_line: line,
                model: p.model.map(|m| m.into_owned()),
                date: p.date,
                mode: p.mode,
                usage,
                tier_said: p.tier_said,
            },
        );
        while self.streams.open.len() > self.streams.cap {
            let Some(oldest) = self.streams.oldest() else {
                break;
            };
            if let Some(o) = self.streams.remove(&oldest) {
                self.close_incomplete(&oldest, o);
            }
        }
    }

    /// Prices a stream at what it measured.
    /// Prices a stream at what it measured; `complete` when its end came (Anthropic's
    /// `message_stop`), not when it is closed as incomplete.
    fn price_open(
        &mut self,
        kind: StreamKind,
        open: Open,
        complete: bool,
    ) -> Result<(), LineError> {
        let Some(model) = open.model else {
            let e = LineError::new(
                RejectKind::NoModel,
                format!("{} stream without a model id", kind.shape().as_str()),
            );
            self.count_rejected(e.kind);
            return Err(e);
        };
        let rec = Record {
            shape: kind.shape(),
            model: Cow::Owned(model),
            usage: open.usage.unwrap_or_default(),
            mode: open.mode,
            date: open.date,
            reported_cost: None,
            assumptions: {
                let mut a = Assumptions::NONE;
                if open.date.is_none() {
                    a.insert(Assumption::NoTimestamp);
                }
                if !complete {
                    a.insert(Assumption::IncompleteStream);
                }
                // As for a whole response: no event reported a tier (see `record`).
                if kind.tiered() && open.mode == Mode::Standard && !open.tier_said {
                    a.insert(Assumption::StandardTier);
                }
                a
            },
        };
        self.add_record(&rec)
    }

    fn close_incomplete(&mut self, key: &StreamKey, open: Open) {
        let line = open.first_line;
        let mut reason = match (&open.usage, key.kind) {
            (None, StreamKind::OpenAiChat) => "no usage arrived (a stream without stream_options.include_usage, or its last chunk not logged): priced at zero tokens, a lower bound".to_string(),
            (None, _) => "no usage arrived before the stream ended: priced at zero tokens, a lower bound".to_string(),
            (Some(_), StreamKind::Anthropic) => "no message_stop: priced at message_start's prompt counts and the last output_tokens seen, a lower bound".to_string(),
            (Some(_), _) => "no final chunk: priced at the last usage seen, a lower bound".to_string(),
        };
        if let Err(e) = self.price_open(key.kind, open, false) {
            reason = format!("{reason}; not priced: {e}");
        }
        // Saturating: a count (see "Counts saturate" above).
        self.streams.incomplete = self.streams.incomplete.saturating_add(1);
        if self.streams.listed.len() < LISTED_INCOMPLETE {
            self.streams.listed.push(IncompleteStream {
                line,
                shape: key.kind.shape(),
                id: key.id.to_string(),
                reason,
            });
        }
    }

    /// Closes every open stream as incomplete (priced as a lower bound from what arrived), in
    /// the order they started: the input has ended.
    pub fn finish(&mut self) {
        while let Some(key) = self.streams.oldest() {
            if let Some(o) = self.streams.remove(&key) {
                self.close_incomplete(&key, o);
            }
        }
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.streams.open.len()
    }

    /// Incomplete streams so far.
    pub fn incomplete_streams(&self) -> u64 {
        self.streams.incomplete
    }

    /// The first incomplete streams closed since the last call (at most 20 are kept; all are
    /// counted).
    pub fn take_incomplete(&mut self) -> Vec<IncompleteStream> {
        std::mem::take(&mut self.streams.listed)
    }

    /// Counts a failed request (not billed).
    pub fn add_failed(&mut self, reason: Cow<'static, str>) {
        // Saturating: counts (see "Counts saturate" above).
        self.failed = self.failed.saturating_add(1);
        let n = self.failed_reasons.entry(reason).or_insert(0);
        *n = n.saturating_add(1);
    }

    /// Counts a line rejected before it reached the ledger (unreadable bytes, too long).
    pub fn count_rejected(&mut self, kind: RejectKind) {
        // Saturating: counts (see "Counts saturate" above).
        self.rejected = self.rejected.saturating_add(1);
        let n = self.rejected_kinds.entry(kind).or_insert(0);
        *n = n.saturating_add(1);
    }

    fn name(&mut self, name: &str) -> Result<Name, LineError> {
        if let Some(r) = self.names.get(name) {
            return r.as_ref().copied().map_err(LineError::from_error);
        }
        let book = self.book;
        let position = |m: &Model| book.models().iter().position(|x| std::ptr::eq(x, m));
        let r = book.resolve_with(name).map(|r| {
            let successor = r
                .model
                .lifecycle
                .replaced_by
                .as_deref()
                .and_then(|t| book.get(t))
                .and_then(position);
            Name {
                model: position(r.model).unwrap_or_default(),
                deployment: r.multiplier(),
                cloud: r.resolution.deployment.is_some(),
                adjusted: r.resolution.deployment.as_ref().and_then(|d| {
                    let i = book.clouds().iter().position(|c| c.provider == d.cloud)?;
                    (!book.clouds()[i].adjustments.is_empty()).then_some((i, d.multiplier))
                }),
                assumed: {
                    let mut a = Assumptions::default();
                    if r.resolution.by == ResolvedBy::SnapshotStripped {
                        a.insert(Assumption::SnapshotStripped);
                    }
                    if r.resolution
                        .deployment
                        .as_ref()
                        .is_some_and(|d| d.scope_assumed(book))
                    {
                        a.insert(Assumption::RegionUnknown);
                    }
                    a
                },
                successor,
            }
        });
        let out = r.as_ref().copied().map_err(LineError::from_error);
        if self.names.len() < NAME_CACHE {
            self.names.insert(name.into(), r);
        }
        out
    }

    /// Prices one response. On error the response is counted as rejected. A reported charge
    /// ([`Record::reported_cost`]) is summed beside the price (see [`Summary::reported`]).
    pub fn add_record(&mut self, rec: &Record<'_>) -> Result<(), LineError> {
        if let Err(e) = self.add_priced(rec) {
            if e.kind == RejectKind::UnknownModel {
                self.note_unpriced(rec.date.unwrap_or(self.default_date), &rec.model, 1);
            }
            return Err(e);
        }
        if !self.grouping.is_empty() {
            self.add_to_group(rec);
        }
        if let Some(a) = &mut self.against {
            // Priced by this book in the main sums, so it is here too.
            let _ = a.new.add_record(rec);
            if a.old.add_record(rec).is_err() {
                // Saturating: a count (see "Counts saturate" above).
                a.not_priced_by_old = a.not_priced_by_old.saturating_add(1);
            }
        }
        for w in &mut self.what_ifs {
            let applied = match w.change.apply(rec, self.book) {
                Applied::Same => w.ledger.add_priced(rec).is_ok(),
                Applied::Changed(changed) => w.ledger.add_priced(&changed).is_ok(),
                Applied::NotApplicable => false,
            };
            if !applied {
                // The change does not apply: the record keeps its own price, which the main
                // ledger just found (the same rules, so this succeeds), and is counted.
                let _ = w.ledger.add_priced(rec);
                // Saturating: a count (see "Counts saturate" above).
                w.not_applicable = w.not_applicable.saturating_add(1);
            }
        }
        if let Some(charged) = rec.reported_cost {
            let (book, date) = (self.book, self.default_date);
            let r = self.reported.get_or_insert_with(|| {
                Box::new(Reported {
                    records: 0,
                    charged: Some(Decimal::ZERO),
                    ledger: Ledger::new(book, date),
                })
            });
            // The same record on the same book prices the same: this cannot fail where the
            // main ledger succeeded, and if it did the charge would not be compared.
            if r.ledger.add_priced(rec).is_ok() {
                // Saturating: a count (see "Counts saturate" above).
                r.records = r.records.saturating_add(1);
                r.charged = r.charged.and_then(|c| c.checked_add(charged));
            }
        }
        Ok(())
    }

    /// Counts `n` records of `date` whose id `model` the book has no model for.
    fn note_unpriced(&mut self, date: Date, model: &str, n: u64) {
        let key = (date, Box::<str>::from(model));
        if let Some(count) = self.unpriced.get_mut(&key) {
            // Saturating: a count (see "Counts saturate" above).
            *count = count.saturating_add(n);
        } else if self.unpriced.len() < MAX_GROUPS {
            self.unpriced.insert(key, n);
        }
    }

    /// Adds a record the main sums just priced to its group.
    fn add_to_group(&mut self, rec: &Record<'_>) {
        let date = rec.date.unwrap_or(self.default_date);
        let model = &self.book.models()[self.last_model];
        let mut tags = self.line_tags.iter();
        let key: Vec<String> = self
            .grouping
            .iter()
            .map(|g| {
                let tag = match g {
                    GroupBy::Tag(_) => tags.next().and_then(|t| t.as_deref()),
                    _ => None,
                };
                g.key(date, rec.mode, &model.id, model.provider.as_str(), tag)
            })
            .collect();
        let mut joined = key.join("\u{1f}");
        let mut key = key;
        if !self.buckets.contains_key(&joined) && self.buckets.len() >= self.group_cap {
            joined = OTHER.to_string();
            key = vec![OTHER.to_string()];
        }
        let (book, default_date) = (self.book, self.default_date);
        let b = self.buckets.entry(joined).or_insert_with(|| Bucket {
            key,
            first: date,
            last: date,
            ledger: Ledger::new(book, default_date),
        });
        b.first = b.first.min(date);
        b.last = b.last.max(date);
        // The same record on the same book prices the same as in the main sums.
        let _ = b.ledger.add_priced(rec);
    }

    /// What the groups past a whole-request tier cost above their entries' base rates.
    fn over_cliff_extra(&self) -> Result<Decimal, Error> {
        let mut extra = Decimal::ZERO;
        for g in &self.groups {
            let (Some(t), Ok(rater)) = (g.key.tier, &g.rater) else {
                continue;
            };
            let whole = rater
                .entry
                .tiers
                .get(t as usize)
                .is_some_and(|t| t.application == TierApplication::WholeRequest);
            if !whole {
                continue;
            }
            for m in Meter::ALL {
                let q = g.main_quantities[m as usize];
                let Slot::Rate(tier_rate) = &g.main[m as usize] else {
                    continue;
                };
                if q == 0 {
                    continue;
                }
                let base = rater.rate(m, None)?.rate;
                let at_tier = meter_amount(m, dec(q)?, *tier_rate)?;
                let at_base = meter_amount(m, dec(q)?, base)?;
                extra = extra
                    .checked_add(at_tier.checked_sub(at_base).ok_or_else(overflow)?)
                    .ok_or_else(overflow)?;
            }
        }
        Ok(extra)
    }

    fn group_summaries(&self) -> Result<Vec<GroupSummary>, Error> {
        let mut out = Vec::with_capacity(self.buckets.len());
        for b in self.buckets.values() {
            out.push(GroupSummary {
                key: b.key.clone(),
                records: b.ledger.records,
                total: b.ledger.summary()?.total,
                first: b.first,
                last: b.last,
            });
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// The latest month's projection, when grouped by day or month (each group then lies in
    /// one month).
    fn projection(&self) -> Result<Option<Projection>, Error> {
        if !self
            .grouping
            .iter()
            .any(|g| matches!(g, GroupBy::Day | GroupBy::Month))
        {
            return Ok(None);
        }
        let month = |d: Date| (d.year(), d.month());
        let Some(latest) = self.buckets.values().map(|b| b.last).max() else {
            return Ok(None);
        };
        let (mut so_far, mut first) = (Decimal::ZERO, latest);
        for b in self.buckets.values() {
            // The `(other)` group may span months: it is left out of the projection.
            if b.key.first().is_some_and(|k| k == OTHER) || month(b.last) != month(latest) {
                continue;
            }
            so_far = so_far
                .checked_add(b.ledger.summary()?.total)
                .ok_or_else(overflow)?;
            first = first.min(b.first);
        }
        Ok(project(so_far, first, latest))
    }

    /// Prices one response into the sums, counting it as priced or rejected.
    fn add_priced(&mut self, rec: &Record<'_>) -> Result<(), LineError> {
        match self.try_add(rec) {
            Ok(()) => {
                // Saturating: counts (see "Counts saturate" above).
                self.records = self.records.saturating_add(1);
                let mut a = rec.assumptions;
                for x in self.last_assumed.iter() {
                    a.insert(x);
                }
                if self.record_costs.is_some() {
                    self.note_record_cost(rec, a);
                }
                if a.is_empty() {
                    self.exact = self.exact.saturating_add(1);
                } else {
                    for (i, x) in Assumption::ALL.into_iter().enumerate() {
                        if a.contains(x) {
                            self.assumed[i] = self.assumed[i].saturating_add(1);
                        }
                    }
                }
                Ok(())
            }
            Err(e) => {
                self.count_rejected(e.kind);
                Err(e)
            }
        }
    }

    /// Prices `rec`, which the sums just took, on its own (the same rules: it cannot fail
    /// where they did not) and keeps it for [`Ledger::take_record_costs`].
    fn note_record_cost(&mut self, rec: &Record<'_>, assumptions: Assumptions) {
        let date = rec.date.unwrap_or(self.default_date);
        let options = EstimateOptions::at(date).mode(rec.mode);
        let Ok(est) = self
            .book
            .resolve_with(&rec.model)
            .and_then(|r| estimate_resolved(self.book, &r, &rec.usage, options))
        else {
            return;
        };
        let line = self.streams.line;
        if let Some(v) = &mut self.record_costs {
            v.push(RecordCost {
                line,
                model: rec.model.to_string(),
                priced_as: est.model,
                date,
                mode: rec.mode,
                total: est.total,
                assumptions,
            });
        }
    }

    fn try_add(&mut self, rec: &Record<'_>) -> Result<(), LineError> {
        let book = self.book;
        let name = self.name(&rec.model)?;
        self.last_assumed = name.assumed;
        self.last_model = name.model;
        let requested = &book.models()[name.model];
        let date = rec.date.unwrap_or(self.default_date);
        let u = &rec.usage;
        if has_media(u) {
            return self.price_one(name.model, rec, date);
        }
        // The model that bills, as `estimate` decides it.
        let (billed, bi) = match rerouted_to(book, requested, date, name.cloud) {
            None => (requested, name.model),
            Some(t) => {
                let i = name
                    .successor
                    .filter(|&i| std::ptr::eq(&book.models()[i], t))
                    .or_else(|| book.models().iter().position(|x| std::ptr::eq(x, t)))
                    .unwrap_or_default();
                (t, i)
            }
        };
        let entry = billed.price_at(date).map_err(line_error)?;
        let ei = billed
            .prices
            .iter()
            .position(|p| std::ptr::eq(p, entry))
            .unwrap_or_default();
        let (deployment, deployment_overlays) = match name.adjusted {
            None => (name.deployment, Vec::new()),
            Some((ci, premium)) => {
                deployment_multiplier(book.clouds().get(ci), premium, date).map_err(line_error)?
            }
        };
        let rater = || Rater::new(billed, entry, rec.mode, false, deployment);
        // `estimate` meets a mode the entry does not offer before contradicting counts.
        // (`match`, not `map_err(…)?`: the large results are then used where they were
        // returned instead of copied into another `Result`.)
        let s = match split(u, 0) {
            Ok(s) => s,
            Err(e) => return Err(line_error(rater().err().unwrap_or(e))),
        };
        // One request per record: over the model's context window or output cap is rejected.
        check_model_limits(billed, entry, u, &s)
            .map_err(|e| line_error(rater().err().unwrap_or(e)))?;
        let q = match quantities(entry, &s) {
            Ok(q) => q,
            Err(e) => return Err(line_error(e)),
        };
        // Long-context cliffs: past a whole-request tier, or within 10% below one.
        let (over_cliff, near) = if entry.tiers.is_empty() {
            (false, false)
        } else {
            let over = q.main_tier().is_some();
            (over, !over && near_cliff(entry, &s).unwrap_or(false))
        };
        let key = GroupKey {
            model: name.model as u32,
            billed: bi as u32,
            entry: ei as u32,
            mode: rec.mode,
            tier: q.tier.map(|t| t.index as u32),
            deployment,
        };
        let gi = match self.group_index.get(&key) {
            Some(&g) => g,
            None => {
                let g = self.groups.len();
                self.groups.push(Group::new(book, key, rater()));
                self.group_index.insert(key, g);
                // A group's rates come from one entry and deployment: the overlays that
                // changed them are noted once, for the model's row.
                if !entry.overlays.is_empty() || !deployment_overlays.is_empty() {
                    let notes = entry.overlays.iter().chain(&deployment_overlays);
                    add_notes(&mut self.acc(name.model).overlays, notes);
                }
                g
            }
        };
        let inexact = self.inexact;
        let g = &mut self.groups[gi];
        if let Err(e) = &g.rater {
            return Err(LineError::from_error(e));
        }
        // Every meter (and fee) must have a rate before anything is added.
        let mut one_by_one = g.per_request;
        for m in Meter::ALL {
            if q.main[m as usize] > 0 {
                g.rate(Layer::Main, m, q.main_tier()).map_err(line_error)?;
                one_by_one |= inexact[m as usize];
            }
        }
        for m in Meter::ALL {
            if q.marginal[m as usize] > 0 {
                g.rate(Layer::Marginal, m, q.marginal_tier())
                    .map_err(line_error)?;
                one_by_one |= inexact[m as usize];
            }
        }
        let mut fees = Vec::new();
        for (id, &n) in &u.calls {
            if n > 0 {
                let i = g.fee(id).map_err(line_error)?;
                let linear = g.fees[i]
                    .rule
                    .as_ref()
                    .is_ok_and(|f| power_of_ten(Decimal::from(f.per)));
                one_by_one |= !linear;
                fees.push((i, n));
            }
        }
        if one_by_one {
            return self.price_one(name.model, rec, date);
        }
        // Saturating: counts (see "Counts saturate" above).
        for m in 0..METERS {
            g.main_quantities[m] = g.main_quantities[m].saturating_add(u128::from(q.main[m]));
            g.marginal_quantities[m] =
                g.marginal_quantities[m].saturating_add(u128::from(q.marginal[m]));
        }
        for (i, n) in fees {
            g.fees[i].calls = g.fees[i].calls.saturating_add(u128::from(n));
        }
        self.account(name.model, rec.mode, u, &s);
        // Saturating: counts (see "Counts saturate" above).
        if over_cliff {
            self.cliff.over = self.cliff.over.saturating_add(1);
        } else if near {
            self.cliff.near = self.cliff.near.saturating_add(1);
        }
        Ok(())
    }

    fn acc(&mut self, mi: usize) -> &mut ModelAcc {
        if self.model_slot.len() <= mi {
            // Saturating: `mi` indexes the book's models, far below `usize::MAX`.
            self.model_slot.resize(mi.saturating_add(1), u32::MAX);
        }
        let mut slot = self.model_slot[mi];
        if slot == u32::MAX {
            // A book has far fewer than u32::MAX models.
            slot = u32::try_from(self.models.len()).unwrap_or(u32::MAX);
            self.model_slot[mi] = slot;
            self.models.push((mi, ModelAcc::default()));
        }
        &mut self.models[slot as usize].1
    }

    fn account(&mut self, mi: usize, mode: Mode, u: &Usage, s: &Split) {
        // Saturating: counts (see "Counts saturate" above).
        let a = self.acc(mi);
        a.records = a.records.saturating_add(1);
        let n = &mut a.modes[mode as usize];
        *n = n.saturating_add(1);
        a.input = a.input.saturating_add(u128::from(s.prompt));
        a.cached = a.cached.saturating_add(u128::from(s.cached));
        a.cache_write = a.cache_write.saturating_add(u128::from(s.writes));
        a.output = a
            .output
            .saturating_add(u128::from(u.output_text))
            .saturating_add(u128::from(u.output_image))
            .saturating_add(u128::from(u.output_audio));
    }

    /// Prices a response on its own with [`estimate_resolved`].
    fn price_one(&mut self, mi: usize, rec: &Record<'_>, date: Date) -> Result<(), LineError> {
        // Priced through the resolution of the id as written, so a cloud deployment's premium
        // and a retired model's rerouting apply exactly as in `estimate`.
        let options = EstimateOptions::at(date).mode(rec.mode);
        let resolved = self.book.resolve_with(&rec.model).map_err(line_error)?;
        let est =
            estimate_resolved(self.book, &resolved, &rec.usage, options).map_err(line_error)?;
        let image_tokens = est
            .image_tokens
            .iter()
            .try_fold(0u64, |a, &t| a.checked_add(t))
            .ok_or_else(|| line_error(Error::overflow("token count")))?;
        let s = split(&rec.usage, image_tokens).map_err(line_error)?;
        // Check the whole sum fits before changing anything. (An estimate may have two lines of
        // one meter: the part below a marginal tier and the part past it.)
        let a = self.acc(mi);
        let mut staged: MeterSums = BTreeMap::new();
        for l in &est.line_items {
            let key = l.meter();
            let (q, amt) = match staged.get(&key) {
                Some(v) => *v,
                None => a.per_line.get(&key).copied().unwrap_or((0, Decimal::ZERO)),
            };
            let amt = amt
                .checked_add(l.amount)
                .ok_or_else(|| LineError::from_error(&overflow()))?;
            let q = q
                .checked_add(u128::from(l.quantity))
                .ok_or_else(|| LineError::from_error(&overflow()))?;
            staged.insert(key, (q, amt));
        }
        a.per_line.extend(staged);
        for l in &est.line_items {
            add_notes(&mut a.overlays, l.overlays.iter());
        }
        self.account(mi, rec.mode, &rec.usage, &s);
        Ok(())
    }

    /// Adds `other` — a ledger of other lines on the same book — to this one: the result is
    /// the ledger of all the lines, whatever way they were divided between the two.
    /// Streams still open in `other` are closed as incomplete first.
    pub fn merge(&mut self, mut other: Ledger<'b>) -> Result<(), Error> {
        other.finish();
        self.streams.incomplete = self
            .streams
            .incomplete
            .saturating_add(other.streams.incomplete);
        for l in other.streams.listed {
            if self.streams.listed.len() < LISTED_INCOMPLETE {
                self.streams.listed.push(l);
            }
        }
        for g in other.groups {
            match self.group_index.get(&g.key) {
                Some(&i) => self.groups[i].absorb(g),
                None => {
                    self.group_index.insert(g.key, self.groups.len());
                    self.groups.push(g);
                }
            }
        }
        for (mi, a) in other.models {
            if a.records > 0 {
                self.acc(mi).absorb(a)?;
            }
        }
        // Saturating: counts (see "Counts saturate" above).
        self.records = self.records.saturating_add(other.records);
        self.exact = self.exact.saturating_add(other.exact);
        self.cliff.near = self.cliff.near.saturating_add(other.cliff.near);
        self.cliff.over = self.cliff.over.saturating_add(other.cliff.over);
        for (ours, theirs) in self.assumed.iter_mut().zip(other.assumed) {
            *ours = ours.saturating_add(theirs);
        }
        self.failed = self.failed.saturating_add(other.failed);
        self.rejected = self.rejected.saturating_add(other.rejected);
        for (k, v) in other.failed_reasons {
            let n = self.failed_reasons.entry(k).or_insert(0);
            *n = n.saturating_add(v);
        }
        for (k, v) in other.rejected_kinds {
            let n = self.rejected_kinds.entry(k).or_insert(0);
            *n = n.saturating_add(v);
        }
        for ((date, model), n) in other.unpriced {
            self.note_unpriced(date, &model, n);
        }
        if let Some(theirs) = other.reported {
            match &mut self.reported {
                None => self.reported = Some(theirs),
                Some(ours) => {
                    let theirs = *theirs;
                    // Saturating: a count (see "Counts saturate" above).
                    ours.records = ours.records.saturating_add(theirs.records);
                    ours.charged = ours
                        .charged
                        .zip(theirs.charged)
                        .and_then(|(a, b)| a.checked_add(b));
                    ours.ledger.merge(theirs.ledger)?;
                }
            }
        }
        for (k, theirs) in other.buckets {
            let room = self.buckets.len() < self.group_cap;
            match self.buckets.get_mut(&k) {
                Some(ours) => {
                    ours.first = ours.first.min(theirs.first);
                    ours.last = ours.last.max(theirs.last);
                    ours.ledger.merge(theirs.ledger)?;
                }
                None if room => {
                    self.buckets.insert(k, theirs);
                }
                None => {
                    let (book, date) = (self.book, self.default_date);
                    let ours = self
                        .buckets
                        .entry(OTHER.to_string())
                        .or_insert_with(|| Bucket {
                            key: vec![OTHER.to_string()],
                            first: theirs.first,
                            last: theirs.last,
                            ledger: Ledger::new(book, date),
                        });
                    ours.first = ours.first.min(theirs.first);
                    ours.last = ours.last.max(theirs.last);
                    ours.ledger.merge(theirs.ledger)?;
                }
            }
        }
        if let (Some(ours), Some(theirs)) = (&mut self.against, other.against) {
            let theirs = *theirs;
            ours.old.merge(theirs.old)?;
            ours.new.merge(theirs.new)?;
            // Saturating: a count (see "Counts saturate" above).
            ours.not_priced_by_old = ours
                .not_priced_by_old
                .saturating_add(theirs.not_priced_by_old);
        }
        // Ledgers of one log are made by `fresh`, so their what-ifs are the same, in order.
        for (ours, theirs) in self.what_ifs.iter_mut().zip(other.what_ifs) {
            // Saturating: a count (see "Counts saturate" above).
            ours.not_applicable = ours.not_applicable.saturating_add(theirs.not_applicable);
            ours.ledger.merge(theirs.ledger)?;
        }
        Ok(())
    }

    /// Responses priced so far.
    pub fn records(&self) -> u64 {
        self.records
    }
    /// Failed requests counted so far (not billed).
    pub fn failed(&self) -> u64 {
        self.failed
    }
    /// Lines rejected so far.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Prices the sums. Fails only if a total does not fit in a decimal (about 7.9 × 10²⁸).
    /// Streams still open are counted as incomplete and priced as a lower bound (on a copy:
    /// [`finish`](Ledger::finish) does it on the ledger itself).
    pub fn summary(&self) -> Result<Summary, Error> {
        if !self.streams.open.is_empty() {
            let mut done = self.clone();
            done.finish();
            return done.summary();
        }
        let mut per_model: BTreeMap<usize, (Decimal, MeterSums)> = BTreeMap::new();
        for &(mi, ref a) in &self.models {
            if a.records > 0 {
                let mut total = Decimal::ZERO;
                for (_, amt) in a.per_line.values() {
                    total = total.checked_add(*amt).ok_or_else(overflow)?;
                }
                per_model.insert(mi, (total, a.per_line.clone()));
            }
        }
        for g in &self.groups {
            let Some((total, meters)) = per_model.get_mut(&(g.key.model as usize)) else {
                continue;
            };
            let mut bump = |key: String, q: u128, amount: Decimal| -> Result<(), Error> {
                let e = meters.entry(key).or_insert((0, Decimal::ZERO));
                e.0 = e.0.checked_add(q).ok_or_else(overflow)?;
                e.1 = e.1.checked_add(amount).ok_or_else(overflow)?;
                *total = total.checked_add(amount).ok_or_else(overflow)?;
                Ok(())
            };
            for (slots, sums) in [
                (&g.main, &g.main_quantities),
                (&g.marginal, &g.marginal_quantities),
            ] {
                for m in Meter::ALL {
                    let q = sums[m as usize];
                    if let (Slot::Rate(rate), true) = (&slots[m as usize], q > 0) {
                        bump(m.id().to_string(), q, meter_amount(m, dec(q)?, *rate)?)?;
                    }
                }
            }
            for f in &g.fees {
                if let (Ok(rule), true) = (&f.rule, f.calls > 0) {
                    bump(
                        format!("fee:{}", f.id),
                        f.calls,
                        fee_amount(dec(f.calls)?, rule)?,
                    )?;
                }
            }
        }
        let mut by_model = Vec::with_capacity(per_model.len());
        let mut grand = Decimal::ZERO;
        for (mi, (total, meters)) in per_model {
            let Some((_, a)) = self
                .model_slot
                .get(mi)
                .and_then(|&s| self.models.get(s as usize))
            else {
                continue;
            };
            let model = &self.book.models()[mi];
            grand = grand.checked_add(total).ok_or_else(overflow)?;
            let modes = Mode::ALL
                .iter()
                .filter(|m| a.modes[**m as usize] > 0)
                .map(|m| (*m, a.modes[*m as usize]))
                .collect();
            let mut meters: Vec<MeterTotal> = meters
                .into_iter()
                .map(|(meter, (quantity, amount))| MeterTotal {
                    meter,
                    quantity,
                    amount,
                })
                .collect();
            meters.sort_by_key(|m| meter_order(&m.meter));
            by_model.push(ModelSummary {
                model: model.id.clone(),
                provider: model.provider.clone(),
                records: a.records,
                modes,
                input_tokens: a.input,
                cached_tokens: a.cached,
                cache_write_tokens: a.cache_write,
                output_tokens: a.output,
                total,
                meters,
                overlays: a.overlays.clone(),
            });
        }
        by_model.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.model.cmp(&b.model)));
        Ok(Summary {
            total: grand,
            records: self.records,
            failed: self.failed,
            rejected: self.rejected,
            failed_reasons: self
                .failed_reasons
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            rejected_kinds: self.rejected_kinds.iter().map(|(k, v)| (*k, *v)).collect(),
            incomplete_streams: self.streams.incomplete,
            by_model,
            long_context: if self.cliff.near == 0 && self.cliff.over == 0 {
                None
            } else {
                Some(CliffSummary {
                    near: self.cliff.near,
                    over: self.cliff.over,
                    over_extra: self.over_cliff_extra()?,
                })
            },
            groups: self.group_summaries()?,
            restatement: match &self.against {
                None => None,
                Some(a) => Some(restatement(a)?),
            },
            projection: self.projection()?,
            priced_exactly: self.exact,
            assumptions: Assumption::ALL
                .into_iter()
                .zip(self.assumed)
                .filter(|(_, n)| *n > 0)
                .collect(),
            unpriced: self
                .unpriced
                .iter()
                .map(|((date, model), n)| UnpricedModel {
                    date: *date,
                    model: model.to_string(),
                    records: *n,
                })
                .collect(),
            what_if: self
                .what_ifs
                .iter()
                .map(|w| {
                    Ok(WhatIfSummary {
                        change: w.change.clone(),
                        total: w.ledger.summary()?.total,
                        not_applicable: w.not_applicable,
                    })
                })
                .collect::<Result<_, Error>>()?,
            reported: match &self.reported {
                None => None,
                Some(r) => Some(ReportedSummary {
                    records: r.records,
                    charged: r.charged.ok_or_else(overflow)?,
                    estimated: r.ledger.summary()?.total,
                }),
            },
        })
    }
}

/// Takes a stream's newer measurement: counts are cumulative, so a newer one replaces the
/// older; without prompt counts (an Anthropic `message_delta`), only the output side does.
fn merge_usage(have: &mut Option<Usage>, new: Option<Usage>, prompt_counts: bool) {
    let Some(new) = new else { return };
    match have {
        Some(old) if !prompt_counts => {
            old.output_text = new.output_text;
            old.output_audio = new.output_audio;
            old.output_image = new.output_image;
            if !new.calls.is_empty() {
                old.calls = new.calls;
            }
        }
        _ => *have = Some(new),
    }
}

/// Bill order for the per-meter breakdown: meters in [`Meter::ALL`] order, then fees.
fn meter_order(id: &str) -> (usize, String) {
    match Meter::ALL.iter().position(|m| m.id() == id) {
        Some(i) => (i, String::new()),
        None => (Meter::ALL.len(), id.to_string()),
    }
}

/// Month by month, the totals of the two books and the models whose totals differ.
fn restatement(a: &Against<'_>) -> Result<Restatement, Error> {
    // (month, model) → (old, new).
    let mut cells: BTreeMap<(String, String), (Decimal, Decimal)> = BTreeMap::new();
    for (ledger, is_new) in [(&a.old, false), (&a.new, true)] {
        for g in ledger.group_summaries()? {
            let mut k = g.key.into_iter();
            let (Some(month), model) = (k.next(), k.next().unwrap_or_default()) else {
                continue;
            };
            let cell = cells.entry((month, model)).or_default();
            if is_new {
                cell.1 = g.total;
            } else {
                cell.0 = g.total;
            }
        }
    }
    let mut months: Vec<MonthRestatement> = Vec::new();
    for ((month, model), (old, new)) in cells {
        if months.last().is_none_or(|m| m.month != month) {
            months.push(MonthRestatement {
                month,
                old_total: Decimal::ZERO,
                new_total: Decimal::ZERO,
                models: Vec::new(),
            });
        }
        let Some(m) = months.last_mut() else { continue };
        m.old_total = m.old_total.checked_add(old).ok_or_else(overflow)?;
        m.new_total = m.new_total.checked_add(new).ok_or_else(overflow)?;
        if old != new {
            m.models.push(ModelRestatement {
                model,
                old_total: old,
                new_total: new,
            });
        }
    }
    Ok(Restatement {
        months,
        not_priced_by_old: a.not_priced_by_old,
    })
}
