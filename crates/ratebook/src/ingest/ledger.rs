//! The ledger: many responses in, one exact total and a per-model summary out, in memory that
//! does not grow with the number of lines.
//!
//! Pricing is linear — every line item of an estimate is quantity × rate — so the ledger does
//! not price each response. It sums the usages that share a model, a price entry, a mode and a
//! long-context tier (the tier is decided per response, as the providers do) and prices each
//! sum once at the end: exact, because Σ (qᵢ × r / 10⁶) = (Σ qᵢ) × r / 10⁶ in decimal
//! arithmetic. The rates come from [`estimate_model`] itself (one probe per group and meter),
//! so there is a single definition of every rule. Responses that pricing is not linear for are
//! priced one by one with [`estimate_model`]: those past a *marginal* long-context tier, and
//! those of a gateway that rounds every request up to its billing unit. A gateway that bills
//! whole units and carries the fraction to the next cycle is summed exactly: the log's total is
//! what the cycle bills plus the fraction still carried.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use super::{LineError, Parsed, Provider, Record, RejectKind, parse_line};
use crate::book::{
    LongContextTier, Meter, Mode, Model, PriceEntry, RateBook, Rounding, TierApplication,
};
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::estimate::{EstimateOptions, LineKind, estimate_model, estimate_resolved};
use crate::usage::Usage;

const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
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

/// What became of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    /// Empty or whitespace only: skipped, not counted.
    Blank,
    /// A response, priced.
    Priced,
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
    pub quantity: u128,
    pub amount: Decimal,
}

/// One model's share of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSummary {
    pub model: String,
    pub provider: String,
    /// Responses priced.
    pub records: u64,
    /// Responses per mode, in mode order.
    pub modes: Vec<(Mode, u64)>,
    /// All prompt tokens, cache reads and writes included.
    pub input_tokens: u128,
    pub cached_tokens: u128,
    pub cache_write_tokens: u128,
    /// All output tokens (text with reasoning, image, audio).
    pub output_tokens: u128,
    pub total: Decimal,
    pub meters: Vec<MeterTotal>,
}

/// The priced log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub total: Decimal,
    pub records: u64,
    pub failed: u64,
    pub rejected: u64,
    /// Failed requests by reason (`anthropic batch: expired`, `openai batch: status 500`).
    pub failed_reasons: Vec<(String, u64)>,
    /// Rejected lines by kind.
    pub rejected_kinds: Vec<(RejectKind, u64)>,
    /// Dearest first.
    pub by_model: Vec<ModelSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey {
    model: u32,
    entry: u32,
    mode: Mode,
    tier: Option<u32>,
}

#[derive(Debug, Clone)]
enum Slot {
    Unknown,
    Rate(Decimal),
    Missing(Error),
}

#[derive(Debug)]
struct Group {
    key: GroupKey,
    date: Date,
    /// An error every response of the group meets (mode not offered, …).
    base: Result<(), Error>,
    /// Price the responses one by one: the provider rounds every request up, or the tier
    /// could not be isolated by a probe.
    per_line: bool,
    rates: [Slot; METERS],
    quantities: [u128; METERS],
    /// Fee id → (price, per) and the calls summed.
    fees: Vec<FeeSlot>,
}

/// A fee id, its (price, per) or why the model has none, and the calls summed.
type FeeSlot = (String, Result<(Decimal, u64), Error>, u128);

/// Amounts by meter id: (quantity, amount).
type MeterSums = BTreeMap<String, (u128, Decimal)>;

#[derive(Debug, Default)]
struct ModelAcc {
    records: u64,
    modes: [u64; 4],
    input: u128,
    cached: u128,
    cache_write: u128,
    output: u128,
    /// Responses priced one by one: amounts by meter.
    per_line: MeterSums,
}

/// Sums priced responses. Feed it lines ([`Ledger::add_line`]) or parsed records
/// ([`Ledger::add_record`]); read the result with [`Ledger::summary`].
#[derive(Debug)]
pub struct Ledger<'b> {
    book: &'b RateBook,
    default_date: Date,
    force: Option<Provider>,
    names: FxMap<Box<str>, Result<usize, Error>>,
    /// Names that resolve through a cloud deployment card: priced one by one, exactly.
    special: FxMap<Box<str>, bool>,
    groups: Vec<Group>,
    group_index: FxMap<GroupKey, usize>,
    models: Vec<ModelAcc>,
    records: u64,
    failed: u64,
    rejected: u64,
    failed_reasons: BTreeMap<Cow<'static, str>, u64>,
    rejected_kinds: BTreeMap<RejectKind, u64>,
}

/// How many meters there are: the size of the per-meter arrays.
const METERS: usize = Meter::ALL.len();

/// Usage the grouped path does not model (cached image input, audio by duration, characters,
/// video): such a record is priced on its own by `estimate`.
fn needs_exact_path(u: &Usage) -> bool {
    u.cached_image > 0
        || u.input_audio_seconds > 0
        || u.input_characters > 0
        || u.output_video_tokens > 0
        || !u.output_video.is_empty()
}

fn idx(m: Meter) -> usize {
    m as usize
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

/// A request's quantities per meter, split exactly as [`estimate_model`] splits them (cache
/// reads and writes come out of text input first, then image, video and audio), and the
/// tokens each long-context tier would count.
struct Split {
    q: [u64; METERS],
    uncached: u64,
    cached: u64,
    writes: u64,
    prompt: u64,
}

fn split(u: &Usage) -> Result<Split, LineError> {
    let add = |a: u64, b: u64| {
        a.checked_add(b)
            .ok_or_else(|| LineError::new(RejectKind::Overflow, "token counts overflow"))
    };
    let prompt = add(
        add(add(u.input_text, u.input_image)?, u.input_audio)?,
        u.input_video,
    )?;
    let writes = add(u.cache_write_5m, u.cache_write_1h)?;
    if u.cached_audio > u.cached || u.cached_audio > u.input_audio {
        return Err(LineError::usage(format!(
            "cached audio tokens ({}) exceed cached tokens ({}) or audio input ({})",
            u.cached_audio, u.cached, u.input_audio
        )));
    }
    let from_cache = add(u.cached, writes)?;
    if from_cache > prompt {
        return Err(LineError::usage(format!(
            "cached tokens ({}) plus cache writes ({writes}) exceed the input tokens ({prompt})",
            u.cached
        )));
    }
    let mut q = [0u64; METERS];
    let mut uncached = [
        (Meter::InputText, u.input_text),
        (Meter::InputImage, u.input_image),
        (Meter::InputVideo, u.input_video),
        (Meter::InputAudio, u.input_audio - u.cached_audio),
    ];
    let mut to_remove = from_cache - u.cached_audio;
    for (m, n) in uncached.iter_mut() {
        let take = (*n).min(to_remove);
        *n -= take;
        to_remove -= take;
        q[idx(*m)] = *n;
    }
    q[idx(Meter::CacheRead)] = u.cached - u.cached_audio;
    // Cached image input, duration and character meters, and video never reach the grouped
    // path (see `needs_exact_path`); their quantities stay zero here.
    q[idx(Meter::CacheReadAudio)] = u.cached_audio;
    q[idx(Meter::CacheWrite5m)] = u.cache_write_5m;
    q[idx(Meter::CacheWrite1h)] = u.cache_write_1h;
    q[idx(Meter::CacheStorage)] = u.cache_storage_token_hours;
    q[idx(Meter::OutputText)] = u.output_text;
    q[idx(Meter::OutputImage)] = u.output_image;
    q[idx(Meter::OutputAudio)] = u.output_audio;
    Ok(Split {
        q,
        uncached: prompt - from_cache,
        cached: u.cached,
        writes,
        prompt,
    })
}

/// The highest tier `s` reaches, as [`estimate_model`] decides it.
fn tier_reached(entry: &PriceEntry, s: &Split) -> Option<usize> {
    let mut reached = None;
    for (i, t) in entry.tiers.iter().enumerate() {
        let mut counted = 0u64;
        if t.counts_input {
            counted = counted.saturating_add(s.uncached);
        }
        if t.counts_cache_read {
            counted = counted.saturating_add(s.cached);
        }
        if t.counts_cache_write {
            counted = counted.saturating_add(s.writes);
        }
        if t.reached(counted) {
            reached = Some(i);
        }
    }
    reached
}

/// One token of `meter`, in a usage that is otherwise consistent.
fn probe_usage(meter: Meter) -> Usage {
    let mut u = Usage::default();
    match meter {
        Meter::InputText => u.input_text = 1,
        Meter::InputImage => u.input_image = 1,
        Meter::InputAudio => u.input_audio = 1,
        Meter::InputVideo => u.input_video = 1,
        Meter::CacheRead => (u.input_text, u.cached) = (1, 1),
        Meter::CacheReadAudio => (u.input_audio, u.cached, u.cached_audio) = (1, 1, 1),
        Meter::CacheWrite5m => (u.input_text, u.cache_write_5m) = (1, 1),
        Meter::CacheWrite1h => (u.input_text, u.cache_write_1h) = (1, 1),
        Meter::CacheStorage => u.cache_storage_token_hours = 1,
        Meter::OutputText => u.output_text = 1,
        Meter::OutputImage => u.output_image = 1,
        Meter::OutputAudio => u.output_audio = 1,
        Meter::CacheReadImage => (u.input_image, u.cached, u.cached_image) = (1, 1, 1),
        Meter::InputAudioMinute => u.input_audio_seconds = 1,
        Meter::InputCharacters => u.input_characters = 1,
        Meter::OutputVideo => u.output_video_tokens = 1,
    }
    u
}

/// Adds the prompt tokens that make a probe reach `tier` (and, tiers being ordered, no higher
/// one; the caller checks).
fn reach(u: &mut Usage, tier: &LongContextTier) {
    let n = tier.threshold.saturating_add(u64::from(!tier.inclusive));
    u.input_text = u.input_text.saturating_add(n);
    if !tier.counts_input {
        if tier.counts_cache_read {
            u.cached = u.cached.saturating_add(n);
        } else {
            u.cache_write_5m = u.cache_write_5m.saturating_add(n);
        }
    }
}

impl Group {
    fn options(&self) -> EstimateOptions {
        EstimateOptions::at(self.date).mode(self.key.mode)
    }

    fn tier<'e>(&self, entry: &'e PriceEntry) -> Option<&'e LongContextTier> {
        self.key.tier.and_then(|t| entry.tiers.get(t as usize))
    }

    /// Prices `u` (plus the tokens reaching the group's tier) and checks the tier is the
    /// group's: `Ok(None)` when it is not (the caller then prices one by one).
    fn probe(
        &self,
        book: &RateBook,
        model: &Model,
        entry: &PriceEntry,
        mut u: Usage,
    ) -> Result<Option<crate::Estimate>, Error> {
        let tier = self.tier(entry);
        if let Some(t) = tier {
            reach(&mut u, t);
        }
        let est = estimate_model(book, model, &u, self.options())?;
        let want = tier.map(LongContextTier::describe);
        Ok((est.tier == want).then_some(est))
    }

    fn rate(
        &mut self,
        book: &RateBook,
        model: &Model,
        entry: &PriceEntry,
        meter: Meter,
    ) -> Result<(), Error> {
        if let Slot::Unknown = self.rates[idx(meter)] {
            self.rates[idx(meter)] = match self.probe(book, model, entry, probe_usage(meter)) {
                Ok(Some(est)) => {
                    let line = est
                        .line_items
                        .iter()
                        .find(|l| l.kind == LineKind::Meter(meter) && !l.marginal);
                    match line {
                        Some(l) => Slot::Rate(l.rate),
                        None => {
                            self.per_line = true;
                            Slot::Unknown
                        }
                    }
                }
                Ok(None) => {
                    self.per_line = true;
                    Slot::Unknown
                }
                Err(e) => Slot::Missing(e),
            };
        }
        match &self.rates[idx(meter)] {
            Slot::Missing(e) => Err(e.clone()),
            _ => Ok(()),
        }
    }

    fn fee(
        &mut self,
        book: &RateBook,
        model: &Model,
        entry: &PriceEntry,
        id: &str,
    ) -> Result<usize, Error> {
        if let Some(i) = self.fees.iter().position(|(f, _, _)| f == id) {
            return match &self.fees[i].1 {
                Ok(_) => Ok(i),
                Err(e) => Err(e.clone()),
            };
        }
        let mut u = Usage::default();
        u.calls.insert(id.to_string(), 1);
        let found = match self.probe(book, model, entry, u) {
            Ok(Some(est)) => est
                .line_items
                .iter()
                .find_map(|l| match &l.kind {
                    LineKind::Fee { id: f, per, .. } if f == id => Some((l.rate, *per)),
                    _ => None,
                })
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::UnsupportedMeter,
                        format!("{} has no `{id}` fee", model.id),
                    )
                }),
            Ok(None) => {
                self.per_line = true;
                return Ok(usize::MAX);
            }
            Err(e) => Err(e),
        };
        let err = found.as_ref().err().cloned();
        self.fees.push((id.to_string(), found, 0));
        match err {
            Some(e) => Err(e),
            None => Ok(self.fees.len() - 1),
        }
    }
}

impl<'b> Ledger<'b> {
    /// A ledger pricing on `book`; responses without a timestamp are priced at `default_date`.
    pub fn new(book: &'b RateBook, default_date: Date) -> Ledger<'b> {
        Ledger {
            book,
            default_date,
            force: None,
            names: FxMap::default(),
            special: FxMap::default(),
            groups: Vec::new(),
            group_index: FxMap::default(),
            models: Vec::new(),
            records: 0,
            failed: 0,
            rejected: 0,
            failed_reasons: BTreeMap::new(),
            rejected_kinds: BTreeMap::new(),
        }
    }

    /// Reads every line under `provider`'s usage convention instead of detecting it.
    pub fn force_provider(mut self, provider: Option<Provider>) -> Ledger<'b> {
        self.force = provider;
        self
    }

    pub fn book(&self) -> &'b RateBook {
        self.book
    }

    /// Reads and prices one line (without its newline).
    pub fn add_line(&mut self, line: &str) -> LineOutcome {
        // JSON whitespace is ASCII; stops at the first other byte (`{` on real lines).
        if line.bytes().all(|b| b.is_ascii_whitespace()) {
            return LineOutcome::Blank;
        }
        match parse_line(line, self.force) {
            Ok(Parsed::Billable(r)) => match self.add_record(&r) {
                Ok(()) => LineOutcome::Priced,
                Err(e) => LineOutcome::Rejected(e),
            },
            Ok(Parsed::Failed { reason, .. }) => {
                self.add_failed(reason);
                LineOutcome::Failed
            }
            Err(e) => {
                self.count_rejected(e.kind);
                LineOutcome::Rejected(e)
            }
        }
    }

    /// Counts a failed request (not billed).
    pub fn add_failed(&mut self, reason: Cow<'static, str>) {
        self.failed += 1;
        *self.failed_reasons.entry(reason).or_insert(0) += 1;
    }

    /// Counts a line rejected before it reached the ledger (unreadable bytes, too long).
    pub fn count_rejected(&mut self, kind: RejectKind) {
        self.rejected += 1;
        *self.rejected_kinds.entry(kind).or_insert(0) += 1;
    }

    fn model_index(&mut self, name: &str) -> Result<usize, LineError> {
        match self.names.get(name) {
            Some(r) => r.as_ref().map(|&i| i).map_err(LineError::from_error),
            None => {
                let r = self.book.resolve_with(name).map(|r| {
                    if r.resolution.deployment.is_some() && self.special.len() < NAME_CACHE {
                        self.special.insert(name.into(), true);
                    }
                    self.book
                        .models()
                        .iter()
                        .position(|x| std::ptr::eq(x, r.model))
                        .unwrap_or_default()
                });
                let out = r.as_ref().map(|&i| i).map_err(LineError::from_error);
                if self.names.len() < NAME_CACHE {
                    self.names.insert(name.into(), r);
                }
                out
            }
        }
    }

    /// Prices one response. On error the response is counted as rejected.
    pub fn add_record(&mut self, rec: &Record<'_>) -> Result<(), LineError> {
        match self.try_add(rec) {
            Ok(()) => {
                self.records += 1;
                Ok(())
            }
            Err(e) => {
                self.count_rejected(e.kind);
                Err(e)
            }
        }
    }

    fn try_add(&mut self, rec: &Record<'_>) -> Result<(), LineError> {
        let book = self.book;
        let mi = self.model_index(&rec.model)?;
        let model = &book.models()[mi];
        let date = rec.date.unwrap_or(self.default_date);
        let Some(ei) = model.prices.iter().position(|p| p.covers(date)) else {
            let e = model
                .price_at(date)
                .err()
                .unwrap_or_else(|| Error::new(ErrorKind::NoPriceAtDate, "no price"));
            return Err(LineError::from_error(&e));
        };
        let entry = &model.prices[ei];
        let u = &rec.usage;
        let s = split(u)?;
        let tier = tier_reached(entry, &s);
        let mut one_by_one = !u.input_images.is_empty()
            || !u.output_images.is_empty()
            || needs_exact_path(u)
            || model.lifecycle.shutdown.is_some()
            || self
                .special
                .get(rec.model.as_ref())
                .copied()
                .unwrap_or(false);
        if let Some(t) = tier {
            one_by_one |= entry.tiers[t].application == TierApplication::Marginal;
        }
        let key = GroupKey {
            model: mi as u32,
            entry: ei as u32,
            mode: rec.mode,
            tier: tier.map(|t| t as u32),
        };
        let gi = match self.group_index.get(&key) {
            Some(&g) => g,
            None => {
                // A gateway that rounds every request up is not linear: price one by one.
                let rounds_up = book
                    .provider(&model.provider)
                    .and_then(|p| p.billing)
                    .is_some_and(|b| b.rounding == Rounding::UpPerRequest);
                let mut g = Group {
                    key,
                    date,
                    base: Ok(()),
                    per_line: rounds_up,
                    rates: std::array::from_fn(|_| Slot::Unknown),
                    quantities: [0; METERS],
                    fees: Vec::new(),
                };
                match g.probe(book, model, entry, Usage::default()) {
                    Ok(Some(_)) => {}
                    Ok(None) => g.per_line = true,
                    Err(e) => g.base = Err(e),
                }
                self.groups.push(g);
                self.group_index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let g = &mut self.groups[gi];
        if let Err(e) = &g.base {
            return Err(LineError::from_error(e));
        }
        // Check every meter (and fee) has a rate before adding anything.
        let mut fee_slots: [usize; 4] = [usize::MAX; 4];
        if !(one_by_one || g.per_line) {
            for m in Meter::ALL {
                if s.q[idx(m)] > 0 {
                    g.rate(book, model, entry, m)
                        .map_err(|e| LineError::from_error(&e))?;
                }
            }
            if u.calls.len() > fee_slots.len() {
                one_by_one = true;
            } else {
                for (i, (id, &n)) in u.calls.iter().enumerate() {
                    if n > 0 {
                        fee_slots[i] = g
                            .fee(book, model, entry, id)
                            .map_err(|e| LineError::from_error(&e))?;
                    }
                }
            }
        }
        if one_by_one || g.per_line {
            return self.price_one(mi, model, rec, date, &s);
        }
        for m in Meter::ALL {
            g.quantities[idx(m)] += u128::from(s.q[idx(m)]);
        }
        for (i, (_, &n)) in u.calls.iter().enumerate() {
            if fee_slots[i] != usize::MAX {
                g.fees[fee_slots[i]].2 += u128::from(n);
            }
        }
        self.account(mi, rec.mode, u, &s);
        Ok(())
    }

    fn acc(&mut self, mi: usize) -> &mut ModelAcc {
        if self.models.len() <= mi {
            self.models.resize_with(mi + 1, ModelAcc::default);
        }
        &mut self.models[mi]
    }

    fn account(&mut self, mi: usize, mode: Mode, u: &Usage, s: &Split) {
        let a = self.acc(mi);
        a.records += 1;
        a.modes[mode as usize] += 1;
        a.input += u128::from(s.prompt);
        a.cached += u128::from(s.cached);
        a.cache_write += u128::from(s.writes);
        a.output +=
            u128::from(u.output_text) + u128::from(u.output_image) + u128::from(u.output_audio);
    }

    /// Prices a response on its own with [`estimate_model`].
    fn price_one(
        &mut self,
        mi: usize,
        model: &Model,
        rec: &Record<'_>,
        date: Date,
        s: &Split,
    ) -> Result<(), LineError> {
        // Priced through the resolution of the id as written, so a cloud deployment's premium
        // and a retired model's rerouting apply exactly as in `estimate`.
        let options = EstimateOptions::at(date).mode(rec.mode);
        let est = match self.book.resolve_with(&rec.model) {
            Ok(r) if std::ptr::eq(r.model, model) => {
                estimate_resolved(self.book, &r, &rec.usage, options)
            }
            _ => estimate_model(self.book, model, &rec.usage, options),
        }
        .map_err(|e| LineError::from_error(&e))?;
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
            staged.insert(key, (q + u128::from(l.quantity), amt));
        }
        a.per_line.extend(staged);
        self.account(mi, rec.mode, &rec.usage, s);
        Ok(())
    }

    /// Responses priced so far.
    pub fn records(&self) -> u64 {
        self.records
    }
    pub fn failed(&self) -> u64 {
        self.failed
    }
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Prices the sums. Fails only if a total does not fit in a decimal (about 7.9 × 10²⁸).
    pub fn summary(&self) -> Result<Summary, Error> {
        let mut per_model: BTreeMap<usize, (Decimal, MeterSums)> = BTreeMap::new();
        for (mi, a) in self.models.iter().enumerate() {
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
                e.0 += q;
                e.1 = e.1.checked_add(amount).ok_or_else(overflow)?;
                *total = total.checked_add(amount).ok_or_else(overflow)?;
                Ok(())
            };
            for m in Meter::ALL {
                let q = g.quantities[idx(m)];
                if q == 0 {
                    continue;
                }
                let Slot::Rate(rate) = g.rates[idx(m)] else {
                    continue;
                };
                let amount = dec(q)?
                    .checked_mul(rate)
                    .and_then(|x| x.checked_div(MILLION))
                    .ok_or_else(overflow)?;
                bump(m.id().to_string(), q, amount)?;
            }
            for (id, fee, calls) in &g.fees {
                if let (Ok((price, per)), true) = (fee, *calls > 0) {
                    let amount = dec(*calls)?
                        .checked_mul(*price)
                        .and_then(|x| x.checked_div(Decimal::from(*per)))
                        .ok_or_else(overflow)?;
                    bump(format!("fee:{id}"), *calls, amount)?;
                }
            }
        }
        let mut by_model = Vec::with_capacity(per_model.len());
        let mut grand = Decimal::ZERO;
        for (mi, (total, meters)) in per_model {
            let a = &self.models[mi];
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
            by_model,
        })
    }
}

/// Bill order for the per-meter breakdown: meters in [`Meter::ALL`] order, then fees.
fn meter_order(id: &str) -> (usize, String) {
    match Meter::ALL.iter().position(|m| m.id() == id) {
        Some(i) => (i, String::new()),
        None => (Meter::ALL.len(), id.to_string()),
    }
}
