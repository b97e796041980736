//! The estimate: usage × rate card at a date → explained line items and an exact total.
//!
//! One pass decides everything a line needs: which price entry is in force, whether a
//! long-context tier is reached (and whether it reprices the whole request or only the tokens
//! past the threshold), the mode's multiplier and whether it stacks with each cache meter, and
//! the residency uplift. Each line keeps those decisions so it can explain itself; the
//! explanation text is rendered only when asked for, which keeps the estimate itself cheap.
//!
//! The pass is made of pure pieces that other callers use as they are: [`rerouted_to`] (which
//! model bills a retired one's calls), [`split`] (a usage's quantities per meter, the prompt
//! split into uncached input, cache reads and writes), [`quantities`] (the long-context tier,
//! from [`tier_reached`], and which tokens each tier rate bills), [`Rater::rate`] (a meter's
//! rate after fallback, mode, stacking, residency and deployment), [`meter_amount`],
//! [`fee_rule`] and [`fee_amount`]. The ingest ledger prices through the same pieces, caching
//! the rates `Rater::rate` returns, so `ratebook cost` and `ratebook estimate` cannot disagree.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::book::{
    Cloud, FeeRule, LongContextTier, Meter, MeterGroup, Mode, ModeRule, Model, ModelStatus,
    PriceEntry, RateBook, Rates, Rounding, TierApplication,
};
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::money::{format_count, format_rate, format_usd};
use crate::resolve::{Resolution, Resolved, ResolvedBy};
use crate::usage::Usage;

/// The most of any one quantity (tokens of one meter, token-hours, seconds, characters, images,
/// calls) one estimate prices: 10^12.
///
/// The largest context windows in the book are a few million tokens, so 10^12 is about a
/// million times any real request; at the highest token rates it is still millions of dollars,
/// and quantity × rate stays far inside the exact decimal's 96-bit range. Counts above it are
/// not usage but mistakes: a negative count read as unsigned (`(-1i64) as u64` is about
/// 1.8 × 10^19) lands far above it. Such a count is an [`ErrorKind::InvalidUsage`] error naming
/// the field, never priced, whether or not the caller allows requests over the model's limits.
pub const MAX_QUANTITY: u64 = 1_000_000_000_000;

/// How to price: at which date, in which mode, with or without data residency, and whether a
/// request over the model's context window or output cap is priced anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimateOptions {
    /// The date to price at: the price entry in force that day bills.
    pub date: Date,
    /// The service mode to price in.
    pub mode: Mode,
    /// Request data residency: every token rate times the entry's `residency_multiplier` (an error
    /// when the entry has none).
    pub residency: bool,
    /// Price a prompt larger than the model's `context_window`, or output above its
    /// `max_output_tokens`, instead of failing with [`ErrorKind::InvalidUsage`] (for usage that
    /// stands for more than one request). [`MAX_QUANTITY`] applies either way.
    pub allow_over_limits: bool,
}

impl EstimateOptions {
    /// Standard mode, no residency, the model's limits enforced, at `date`.
    pub fn at(date: Date) -> EstimateOptions {
        EstimateOptions {
            date,
            mode: Mode::Standard,
            residency: false,
            allow_over_limits: false,
        }
    }
    /// These options with `allow_over_limits` set to `allow`.
    pub fn allow_over_limits(mut self, allow: bool) -> EstimateOptions {
        self.allow_over_limits = allow;
        self
    }
    /// These options in `mode`.
    pub fn mode(mut self, mode: Mode) -> EstimateOptions {
        self.mode = mode;
        self
    }
}

/// What a line bills.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineKind {
    /// Tokens (or token-hours) of one meter.
    Meter(Meter),
    /// Generated images billed as tokens at the image-output rate.
    GeneratedImages {
        /// The resolution key (`1K`, `1024x1024:high`).
        resolution: String,
        /// How many images were generated.
        images: u64,
        /// Tokens each image bills, from the entry's `output_image_tokens`.
        tokens_per_image: u64,
    },
    /// Generated images billed at a flat fee each.
    ImageFee {
        /// The resolution key of the fee (size × quality: `1024x1024:high`).
        resolution: String,
    },
    /// Generated video billed per second at one resolution.
    Video {
        /// The resolution key (`720p`, `1080p:audio`).
        resolution: String,
    },
    /// Calls billed per `per` calls.
    Fee {
        /// The fee's id in the entry's `fees` table (`search`).
        id: String,
        /// What the fee is for, in words.
        description: String,
        /// How many calls the line's rate buys.
        per: u64,
        /// Free calls per `free_period`: described, not deducted from the line.
        free: u64,
        /// The period the free allowance renews over: `day` or `month`.
        free_period: Option<String>,
    },
    /// The gateway's billing granularity: rounding up, or a fraction carried to the next cycle.
    BillingAdjustment {
        /// How the gateway bills fractions of `unit`.
        rounding: Rounding,
        /// The smallest amount the gateway bills, in USD.
        unit: Decimal,
    },
}

/// How the mode changed a line's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModeEffect {
    /// Standard mode: no change.
    None,
    /// The mode's multiplier was applied.
    Multiplied(Decimal),
    /// The card publishes an explicit rate for this mode.
    Explicit,
    /// The mode's multiplier does not stack with this cache meter, per the card.
    NotStacked(Decimal),
}

/// One line of an estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    /// What the line bills.
    pub kind: LineKind,
    /// Tokens, token-hours, images or calls.
    pub quantity: u64,
    /// The rate applied: per 1M tokens for meters and generated images, per image for image
    /// fees, per `per` calls for fees.
    pub rate: Decimal,
    /// The rate before mode and residency (the standard or tier rate).
    pub base_rate: Decimal,
    /// The line's exact cost in USD; an estimate's line amounts add up to its total.
    pub amount: Decimal,
    /// The mode the line was priced in.
    pub mode: Mode,
    /// How the mode changed the rate.
    pub mode_effect: ModeEffect,
    /// The tier that set the base rate, described (`input > 200,000 tokens`).
    pub tier: Option<String>,
    /// For marginal tiers: this line is the part past the threshold.
    pub marginal: bool,
    /// The data-residency multiplier applied, when residency was requested.
    pub residency: Option<Decimal>,
    /// A cloud deployment's multiplier over the first-party rate.
    pub deployment: Option<Decimal>,
    /// Cache tokens billed at the input rate because the card has no cache price.
    pub billed_as_input: bool,
    /// The effective date of the price entry the rate comes from.
    pub price_effective: Date,
    /// The user's overlay rules that changed this line's rate, described
    /// (`Acme: 20% discount on provider openai`); empty at list prices.
    pub overlays: Vec<String>,
}

impl LineItem {
    /// A line that is not a token meter (image fees, call fees, billing adjustments): no tier,
    /// no residency, the mode effect as given.
    fn flat(
        kind: LineKind,
        quantity: u64,
        rate: Decimal,
        base_rate: Decimal,
        amount: Decimal,
        mode: (Mode, ModeEffect),
        effective: Date,
    ) -> LineItem {
        LineItem {
            kind,
            quantity,
            rate,
            base_rate,
            amount,
            mode: mode.0,
            mode_effect: mode.1,
            tier: None,
            marginal: false,
            residency: None,
            deployment: None,
            billed_as_input: false,
            price_effective: effective,
            overlays: Vec::new(),
        }
    }

    /// Stable meter name for JSON: `input_text`, `output_image`, `fee:search`, …
    pub fn meter(&self) -> String {
        match &self.kind {
            LineKind::Meter(m) => m.id().to_string(),
            LineKind::GeneratedImages { .. } => "output_image".into(),
            LineKind::ImageFee { .. } => "image_fee".into(),
            LineKind::Video { .. } => "output_video".into(),
            LineKind::Fee { id, .. } => format!("fee:{id}"),
            LineKind::BillingAdjustment { .. } => "billing_adjustment".into(),
        }
    }

    /// What the line is, for people: `image output`, `2 generated images at 1K`.
    pub fn label(&self) -> String {
        match &self.kind {
            LineKind::Meter(m) if self.marginal => format!("{} past the tier threshold", m.label()),
            LineKind::Meter(m) => m.label().to_string(),
            LineKind::GeneratedImages {
                resolution, images, ..
            } => {
                format!(
                    "image output: {} image{} at {resolution}",
                    format_count(*images),
                    plural(*images)
                )
            }
            LineKind::ImageFee { resolution } => format!("generated images at {resolution}"),
            LineKind::Video { resolution } => format!("generated video at {resolution}"),
            LineKind::Fee { description, .. } => description.clone(),
            LineKind::BillingAdjustment {
                rounding: Rounding::Carry,
                ..
            } => "fraction carried to the next billing cycle".into(),
            LineKind::BillingAdjustment { .. } => "rounding up to the billing unit".into(),
        }
    }

    /// The line as a sentence: `image output: 1,120 tokens × $60.00/M = $0.0672`. An amount
    /// with more digits than are shown says so: `= $0.001543 (rounded from 0.0015425)`.
    pub fn sentence(&self) -> String {
        let amount = if crate::money::usd_rounds(self.amount) {
            format!(
                "{} (rounded from {})",
                format_usd(self.amount),
                self.amount.normalize()
            )
        } else {
            format_usd(self.amount)
        };
        match &self.kind {
            LineKind::Meter(m) => {
                let unit = m.unit();
                format!(
                    "{}: {} {} × {}{} = {amount}",
                    self.label(),
                    format_count(self.quantity),
                    unit.quantity_name(),
                    format_rate(self.rate),
                    unit.suffix()
                )
            }
            LineKind::Video { .. } => format!(
                "{}: {} second{} × {}/s = {amount}",
                self.label(),
                format_count(self.quantity),
                plural(self.quantity),
                format_rate(self.rate)
            ),
            LineKind::GeneratedImages {
                tokens_per_image,
                images,
                ..
            } => format!(
                "{}: {} × {} tokens = {} tokens × {}/M = {amount}",
                self.label(),
                format_count(*images),
                format_count(*tokens_per_image),
                format_count(self.quantity),
                format_rate(self.rate)
            ),
            LineKind::ImageFee { .. } => format!(
                "{}: {} image{} × {} = {amount}",
                self.label(),
                format_count(self.quantity),
                plural(self.quantity),
                format_usd(self.rate)
            ),
            LineKind::Fee { per, .. } => {
                let per = if *per == 1 {
                    "call".to_string()
                } else {
                    format_count(*per)
                };
                format!(
                    "{}: {} call{} × {}/{per} = {amount}",
                    self.label(),
                    format_count(self.quantity),
                    plural(self.quantity),
                    format_rate(self.rate)
                )
            }
            LineKind::BillingAdjustment { .. } => format!("{}: {amount}", self.label()),
        }
    }

    /// Which rules produced the rate: mode, stacking, tier, residency, price entry.
    pub fn rule(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.billed_as_input {
            parts.push("no cache price on this card: billed at the input rate".into());
        }
        match &self.tier {
            Some(t) if self.marginal => {
                parts.push(format!("long-context rate for tokens past {t}"))
            }
            Some(t) => parts.push(format!("long-context rate: {t} reprices the whole request")),
            None => {}
        }
        match self.mode_effect {
            ModeEffect::None => parts.push(format!("{} rate", self.mode)),
            ModeEffect::Multiplied(m) => parts.push(format!(
                "{} ×{} of {}",
                self.mode,
                m.normalize(),
                format_rate(self.base_rate)
            )),
            ModeEffect::Explicit => parts.push(format!("published {} rate", self.mode)),
            ModeEffect::NotStacked(m) => parts.push(format!(
                "{} ×{} not applied: this card does not stack it with this cache meter",
                self.mode,
                m.normalize()
            )),
        }
        if let Some(r) = self.residency {
            parts.push(format!("data residency ×{}", r.normalize()));
        }
        if let Some(r) = self.deployment {
            parts.push(format!("cloud deployment ×{}", r.normalize()));
        }
        if let LineKind::Fee {
            free,
            free_period: Some(p),
            ..
        } = &self.kind
        {
            if *free > 0 {
                parts.push(format!(
                    "first {} a {p} free (not applied to a single estimate)",
                    format_count(*free)
                ));
            }
        }
        if let LineKind::BillingAdjustment { rounding, unit } = &self.kind {
            let how = match rounding {
                Rounding::Exact => "exact",
                Rounding::UpPerRequest => "rounded up per request",
                Rounding::Carry => "whole units billed, fraction carried forward",
            };
            let mut s = format!("billing unit {}: {how}", format_usd(*unit));
            for o in &self.overlays {
                let _ = write!(s, "; custom price: {o}");
            }
            return s;
        }
        for o in &self.overlays {
            parts.push(format!("custom price: {o}"));
        }
        let mut s = parts.join("; ");
        let _ = write!(s, "; price from {}", self.price_effective);
        s
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The price entry an estimate used, for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRef {
    /// First day the entry is in force.
    pub effective: Date,
    /// First day it is no longer in force (the next entry's `effective`); `None` for the latest
    /// entry.
    pub until: Option<Date>,
    /// The URL the prices were read from.
    pub source: String,
    /// The day the prices were last verified against `source`.
    pub checked: Date,
}

/// What the estimate says about a model past (or near) its retirement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LifecycleNote {
    /// The requested model's status at the estimate's date.
    pub status: ModelStatus,
    /// The requested model's id.
    pub model: String,
    /// The day the provider announced the retirement, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Date>,
    /// The first day the model is no longer served, if announced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown: Option<Date>,
    /// Where the provider reroutes calls; the estimate is billed at that model's rates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerouted_to: Option<String>,
    /// The note in words.
    pub message: String,
}

/// A priced request: line items that add up exactly to `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// The canonical id of the model billed (after alias resolution and any rerouting).
    pub model: String,
    /// How the requested id was resolved.
    pub resolution: Resolution,
    /// Retirement: set when the model is deprecated or retired at the date.
    pub lifecycle: Option<LifecycleNote>,
    /// The id of the billed model's provider.
    pub provider: String,
    /// The date priced at.
    pub date: Date,
    /// The mode priced in.
    pub mode: Mode,
    /// The price entry the lines were priced from: the one in force at `date`.
    pub price: PriceRef,
    /// The long-context tier reached, described, if any.
    pub tier: Option<String>,
    /// Estimated tokens of each input image, in the order given.
    pub image_tokens: Vec<u64>,
    /// The lines, in bill order; their amounts add up exactly to `total`.
    pub line_items: Vec<LineItem>,
    /// The exact total in USD, normalized (no trailing zeros).
    pub total: Decimal,
}

impl Estimate {
    /// The user's overlay rules behind this estimate's rates, each once, in line order (empty
    /// at list prices).
    pub fn overlays(&self) -> Vec<&str> {
        let mut rules: Vec<&str> = Vec::new();
        for o in self.line_items.iter().flat_map(|l| &l.overlays) {
            if !rules.contains(&o.as_str()) {
                rules.push(o);
            }
        }
        rules
    }
}

fn add(a: u64, b: u64) -> Result<u64, Error> {
    a.checked_add(b)
        .ok_or_else(|| Error::overflow("token count"))
}

/// `a − b` of token counts whose order was checked before (so this never fails in practice).
fn sub(a: u64, b: u64) -> Result<u64, Error> {
    a.checked_sub(b)
        .ok_or_else(|| Error::overflow("token count"))
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidUsage, msg)
}

/// Fails with [`ErrorKind::InvalidUsage`] naming `field` when `n` is above [`MAX_QUANTITY`].
#[inline]
pub fn within_max(field: &str, n: u64) -> Result<u64, Error> {
    if n > MAX_QUANTITY {
        return Err(over_max(field, n));
    }
    Ok(n)
}

/// The error of [`within_max`], out of line: the check itself is inlined where it is called.
#[cold]
#[inline(never)]
fn over_max(field: &str, n: u64) -> Error {
    invalid(format!(
        "{field} is {}, above the maximum of {} one request can meter (a negative count read as unsigned?)",
        format_count(n),
        format_count(MAX_QUANTITY)
    ))
}

/// The output tokens a model's `max_output_tokens` caps: text (reasoning included), image,
/// audio and video output tokens.
pub fn output_tokens(usage: &Usage) -> u64 {
    usage
        .output_text
        .saturating_add(usage.output_image)
        .saturating_add(usage.output_audio)
        .saturating_add(usage.output_video_tokens)
}

/// Fails with [`ErrorKind::InvalidUsage`] when `split`'s prompt is larger than `model`'s
/// context window, or `usage`'s output tokens (see [`output_tokens`]) above its output cap. A
/// model without the figure in the book has no limit to check, and a price `entry` with a
/// long-context tier at or past the window prices longer prompts (a larger window offered as an
/// option), so the window is not checked against it.
pub fn check_model_limits(
    model: &Model,
    entry: &PriceEntry,
    usage: &Usage,
    split: &Split,
) -> Result<(), Error> {
    if let Some(window) = model.context_window {
        let wider = entry.tiers.iter().any(|t| t.threshold >= window);
        if split.prompt > window && !wider {
            return Err(invalid(format!(
                "the prompt is {} tokens, larger than {}'s context window of {} tokens (allow it with allow_over_limits / --allow-over-limits)",
                format_count(split.prompt),
                model.id,
                format_count(window)
            )));
        }
    }
    if let Some(cap) = model.max_output_tokens {
        let out = output_tokens(usage);
        if out > cap {
            return Err(invalid(format!(
                "the output is {} tokens, above {}'s maximum output of {} tokens (allow it with allow_over_limits / --allow-over-limits)",
                format_count(out),
                model.id,
                format_count(cap)
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The rules, as pure pieces. `estimate_resolved` is these pieces in order; the ingest ledger
// calls the same ones (and caches what `Rater::rate` returns), so there is one definition of
// every rule.
// ---------------------------------------------------------------------------------------------

/// How many meters there are: the length of the per-meter arrays below, indexed by
/// `meter as usize`, which is [`Meter::ALL`] order and bill order.
pub const METERS: usize = Meter::ALL.len();

/// A request's quantities per meter, with its prompt split into uncached input, cache reads
/// and cache writes.
///
/// Cache reads and writes are part of the `input_*` counts (see [`Usage`]); they come out of
/// text input first, then image, video and audio input, except cached audio and cached image
/// tokens, which come out of their own modality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Every meter's quantity, indexed by `meter as usize` (bill order).
    pub quantities: [u64; METERS],
    /// All prompt tokens: input of every modality, cache reads and writes included.
    pub prompt: u64,
    /// Prompt tokens neither read from nor written to the cache.
    pub uncached: u64,
    /// Prompt tokens read from the cache.
    pub cached: u64,
    /// Prompt tokens written to the cache (5-minute and 1-hour).
    pub writes: u64,
}

impl Split {
    /// The quantity of `meter`.
    pub fn get(&self, meter: Meter) -> u64 {
        self.quantities[meter as usize]
    }
}

/// Splits `usage` (plus `image_tokens` of estimated input images, counted as image input) into
/// its quantities per meter. Fails when a count is above [`MAX_QUANTITY`] (the error names the
/// field), or the counts contradict each other (more cache reads and writes than prompt tokens,
/// cached audio or image beyond their modality) or overflow.
pub fn split(usage: &Usage, image_tokens: u64) -> Result<Split, Error> {
    for (field, n) in [
        ("input_text", usage.input_text),
        ("input_image", usage.input_image),
        ("input_audio", usage.input_audio),
        ("input_video", usage.input_video),
        ("cached", usage.cached),
        ("cached_audio", usage.cached_audio),
        ("cached_image", usage.cached_image),
        ("cache_write_5m", usage.cache_write_5m),
        ("cache_write_1h", usage.cache_write_1h),
        ("cache_storage_token_hours", usage.cache_storage_token_hours),
        ("output_text", usage.output_text),
        ("output_image", usage.output_image),
        ("output_audio", usage.output_audio),
        ("output_video_tokens", usage.output_video_tokens),
        ("input_audio_seconds", usage.input_audio_seconds),
        ("input_characters", usage.input_characters),
        ("estimated input image tokens", image_tokens),
    ] {
        within_max(field, n)?;
    }
    let input_image = add(usage.input_image, image_tokens)?;
    let prompt = add(
        add(add(usage.input_text, input_image)?, usage.input_audio)?,
        usage.input_video,
    )?;
    let writes = add(usage.cache_write_5m, usage.cache_write_1h)?;
    if usage.cached_audio > usage.cached || usage.cached_audio > usage.input_audio {
        return Err(invalid(format!(
            "cached audio tokens ({}) exceed cached tokens ({}) or audio input ({})",
            usage.cached_audio, usage.cached, usage.input_audio
        )));
    }
    // `cached_audio <= cached` was checked above, so the subtraction cannot wrap.
    let cached_not_audio = sub(usage.cached, usage.cached_audio)?;
    if usage.cached_image > cached_not_audio || usage.cached_image > input_image {
        return Err(invalid(format!(
            "cached image tokens ({}) exceed cached tokens not already audio ({cached_not_audio}) or image input ({input_image})",
            usage.cached_image,
        )));
    }
    let from_cache_and_writes = add(usage.cached, writes)?;
    if from_cache_and_writes > prompt {
        return Err(invalid(format!(
            "cached tokens ({}) plus cache writes ({writes}) exceed the input tokens ({prompt}); input tokens must include them",
            usage.cached
        )));
    }
    let mut q = [0u64; METERS];
    // Uncached input by modality: cached audio and image leave their own modality; the rest of
    // the cache reads and all writes leave text first, then image, video and audio.
    let mut uncached = [
        (Meter::InputText, usage.input_text),
        (Meter::InputImage, sub(input_image, usage.cached_image)?),
        (Meter::InputVideo, usage.input_video),
        (
            Meter::InputAudio,
            sub(usage.input_audio, usage.cached_audio)?,
        ),
    ];
    let mut to_remove = sub(
        sub(from_cache_and_writes, usage.cached_audio)?,
        usage.cached_image,
    )?;
    for (m, n) in uncached.iter_mut() {
        // Takes min(n, to_remove) from both: x − min(x, y) is exactly x.saturating_sub(y).
        let left = n.saturating_sub(to_remove);
        to_remove = to_remove.saturating_sub(*n);
        *n = left;
        q[*m as usize] = *n;
    }
    q[Meter::CacheRead as usize] = sub(cached_not_audio, usage.cached_image)?;
    q[Meter::CacheReadAudio as usize] = usage.cached_audio;
    q[Meter::CacheReadImage as usize] = usage.cached_image;
    q[Meter::CacheWrite5m as usize] = usage.cache_write_5m;
    q[Meter::CacheWrite1h as usize] = usage.cache_write_1h;
    q[Meter::CacheStorage as usize] = usage.cache_storage_token_hours;
    q[Meter::OutputText as usize] = usage.output_text;
    q[Meter::OutputImage as usize] = usage.output_image;
    q[Meter::OutputAudio as usize] = usage.output_audio;
    q[Meter::InputAudioMinute as usize] = usage.input_audio_seconds;
    q[Meter::InputCharacters as usize] = usage.input_characters;
    q[Meter::OutputVideo as usize] = usage.output_video_tokens;
    Ok(Split {
        quantities: q,
        prompt,
        uncached: sub(prompt, from_cache_and_writes)?,
        cached: usage.cached,
        writes,
    })
}

/// The long-context tier a request reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierReached<'e> {
    /// Its position in the price entry's `tiers`.
    pub index: usize,
    /// The tier reached.
    pub tier: &'e LongContextTier,
    /// The tokens the tier counts in this request.
    pub counted: u64,
}

/// The highest of `entry`'s long-context tiers that the tokens it counts reach, if any.
pub fn tier_reached<'e>(
    entry: &'e PriceEntry,
    split: &Split,
) -> Result<Option<TierReached<'e>>, Error> {
    let mut reached = None;
    for (index, tier) in entry.tiers.iter().enumerate() {
        let counted = tier_counted(tier, split)?;
        if tier.reached(counted) {
            reached = Some(TierReached {
                index,
                tier,
                counted,
            });
        }
    }
    Ok(reached)
}

/// The prompt tokens `tier` counts in `split`.
fn tier_counted(tier: &LongContextTier, split: &Split) -> Result<u64, Error> {
    let mut counted = 0u64;
    if tier.counts_input {
        counted = add(counted, split.uncached)?;
    }
    if tier.counts_cache_read {
        counted = add(counted, split.cached)?;
    }
    if tier.counts_cache_write {
        counted = add(counted, split.writes)?;
    }
    Ok(counted)
}

/// Whether `split` is within 10% below a whole-request long-context tier of `entry` it does
/// not reach: a few more prompt tokens would reprice the whole request.
pub fn near_cliff(entry: &PriceEntry, split: &Split) -> Result<bool, Error> {
    for tier in &entry.tiers {
        if tier.application != TierApplication::WholeRequest {
            continue;
        }
        let counted = tier_counted(tier, split)?;
        // counted ≥ 0.9 × threshold, as 10 × counted ≥ 9 × threshold (in u128: no overflow).
        let near =
            u128::from(counted).saturating_mul(10) >= u128::from(tier.threshold).saturating_mul(9);
        if near && !tier.reached(counted) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A request's quantities by the rates they are billed at: `main` at the base rates (or, past
/// a whole-request tier, at the tier's), `marginal` at a marginal tier's rates (the counted
/// prompt tokens past its threshold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantities<'e> {
    /// Quantities per meter (indexed by `meter as usize`) billed at the base rates, or at a
    /// whole-request tier's when one is reached.
    pub main: [u64; METERS],
    /// Quantities per meter billed at a marginal tier's rates (the counted prompt tokens past its
    /// threshold); all zero otherwise.
    pub marginal: [u64; METERS],
    /// The tier reached, if any.
    pub tier: Option<TierReached<'e>>,
}

impl<'e> Quantities<'e> {
    /// The tier rates `main` is billed at: a whole-request tier's, or none (the base rates).
    pub fn main_tier(&self) -> Option<&'e Rates> {
        self.tier
            .filter(|t| t.tier.application == TierApplication::WholeRequest)
            .map(|t| &t.tier.rates)
    }

    /// The tier rates `marginal` is billed at, if a marginal tier is reached.
    pub fn marginal_tier(&self) -> Option<&'e Rates> {
        self.tier
            .filter(|t| t.tier.application == TierApplication::Marginal)
            .map(|t| &t.tier.rates)
    }
}

/// Decides the tier of `split` on `entry` and which quantities each tier rate bills. Past a
/// marginal tier, the last counted prompt tokens in bill order (the meter billed last first)
/// are the ones past the threshold.
pub fn quantities<'e>(entry: &'e PriceEntry, split: &Split) -> Result<Quantities<'e>, Error> {
    let tier = tier_reached(entry, split)?;
    let mut main = split.quantities;
    let mut marginal = [0u64; METERS];
    if let Some(t) = tier.filter(|t| t.tier.application == TierApplication::Marginal) {
        // `reached` means counted ≥ threshold (or >), so this does not fail.
        let mut over =
            sub(t.counted, t.tier.threshold)?.saturating_add(u64::from(t.tier.inclusive));
        for m in Meter::ALL.into_iter().rev() {
            let counts = match m.group() {
                MeterGroup::Input => t.tier.counts_input,
                MeterGroup::CacheRead => t.tier.counts_cache_read,
                MeterGroup::CacheWrite => t.tier.counts_cache_write,
                _ => false,
            };
            let q = &mut main[m as usize];
            if counts && over > 0 && *q > 0 {
                // Takes min(q, over) from both: x − min(x, y) is exactly x.saturating_sub(y).
                marginal[m as usize] = (*q).min(over);
                over = over.saturating_sub(*q);
                *q = q.saturating_sub(marginal[m as usize]);
            }
        }
    }
    Ok(Quantities {
        main,
        marginal,
        tier,
    })
}

/// Finds `meter`'s rate in the first layer that sets it, then its fallback's.
fn lookup(layers: &[&Rates], meter: Meter) -> Option<Decimal> {
    layers.iter().find_map(|l| l.get(meter)).or_else(|| {
        let f = meter.fallback()?;
        layers.iter().find_map(|l| l.get(f))
    })
}

/// A meter's rate and how it was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterRate {
    /// The rate applied, after mode, residency and deployment.
    pub rate: Decimal,
    /// The rate before them (the standard or tier rate).
    pub base_rate: Decimal,
    /// How the mode changed the rate.
    pub effect: ModeEffect,
    /// The meter whose rate was used: the meter itself, or input for a cache meter the card
    /// has no price for.
    pub billed_as: Meter,
}

/// The rates of one price entry in one mode, with residency and a cloud deployment's
/// multiplier: where every token line's rate comes from.
#[derive(Debug, Clone)]
pub struct Rater<'a> {
    /// The model priced.
    pub model: &'a Model,
    /// The price entry in force.
    pub entry: &'a PriceEntry,
    /// The mode priced in.
    pub mode: Mode,
    /// The mode's rule ([`ModeRule::standard`] in standard mode).
    pub rule: ModeRule,
    /// The entry's residency multiplier, when residency is requested.
    pub residency: Option<Decimal>,
    /// A cloud deployment's multiplier (its scope's premium times any overlay adjustment), when the
    /// id names a cloud offer and it is not 1.
    pub deployment: Option<Decimal>,
}

impl<'a> Rater<'a> {
    /// A line billed per unit (a generated image at a flat fee, a second of video): the mode's
    /// multiplier and the cloud deployment's apply, as to token rates.
    pub fn per_unit(&self, kind: LineKind, count: u64, fee: Decimal) -> Result<LineItem, Error> {
        let (mut rate, mode_effect) = if self.mode == Mode::Standard {
            (fee, ModeEffect::None)
        } else {
            (
                fee.checked_mul(self.rule.multiplier)
                    .ok_or_else(|| Error::overflow("rate"))?,
                ModeEffect::Multiplied(self.rule.multiplier),
            )
        };
        if let Some(d) = self.deployment {
            rate = rate.checked_mul(d).ok_or_else(|| Error::overflow("rate"))?;
        }
        let amount = Decimal::from(count)
            .checked_mul(rate)
            .ok_or_else(|| Error::overflow("amount"))?;
        let mut line = LineItem::flat(
            kind,
            count,
            rate,
            fee,
            amount,
            (self.mode, mode_effect),
            self.entry.effective,
        );
        line.deployment = self.deployment;
        Ok(line)
    }

    /// Fails when `entry` does not offer `mode`, or residency is asked of a card without it.
    pub fn new(
        model: &'a Model,
        entry: &'a PriceEntry,
        mode: Mode,
        residency: bool,
        deployment: Option<Decimal>,
    ) -> Result<Rater<'a>, Error> {
        let rule = entry.mode_rule(mode).ok_or_else(|| {
            let offered: Vec<&str> = entry.offered_modes().iter().map(|m| m.as_str()).collect();
            Error::new(
                ErrorKind::ModeNotOffered,
                format!(
                    "{} does not offer {mode} mode (offers: {})",
                    model.id,
                    offered.join(", ")
                ),
            )
        })?;
        let residency = if residency {
            Some(entry.residency_multiplier.ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedMeter,
                    format!("{} has no data-residency pricing", model.id),
                )
            })?)
        } else {
            None
        };
        Ok(Rater {
            model,
            entry,
            mode,
            rule,
            residency,
            deployment,
        })
    }

    /// The rate of `meter`, at the base rates or with a tier's rates over them, after mode
    /// (its multiplier, whether it stacks with this cache meter, or an explicit rate),
    /// residency and deployment.
    pub fn rate(&self, meter: Meter, tier: Option<&Rates>) -> Result<MeterRate, Error> {
        let base = &self.entry.rates;
        let layers: &[&Rates] = match tier {
            Some(t) => &[t, base],
            None => &[base],
        };
        // A card without a cache price bills cached tokens and cache writes as plain input (the
        // provider does not discount or surcharge them); the line says so.
        let billed_as = match meter.group() {
            MeterGroup::CacheRead | MeterGroup::CacheWrite if lookup(layers, meter).is_none() => {
                if meter == Meter::CacheReadAudio {
                    Meter::InputAudio
                } else {
                    Meter::InputText
                }
            }
            _ => meter,
        };
        let base_rate = lookup(layers, billed_as).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedMeter,
                format!(
                    "{} has no {} rate (price from {})",
                    self.model.id,
                    meter.label(),
                    self.entry.effective
                ),
            )
        })?;
        let explicit = if tier.is_none() && self.mode != Mode::Standard {
            self.rule.explicit.get(billed_as).or_else(|| {
                if base.get(billed_as).is_none() {
                    billed_as.fallback().and_then(|f| self.rule.explicit.get(f))
                } else {
                    None
                }
            })
        } else {
            None
        };
        let (mut rate, effect) = match explicit {
            Some(r) => (r, ModeEffect::Explicit),
            None if self.mode == Mode::Standard => (base_rate, ModeEffect::None),
            None if self.rule.applies_to(billed_as.group()) => {
                let r = base_rate
                    .checked_mul(self.rule.multiplier)
                    .ok_or_else(|| Error::overflow("rate"))?;
                (r, ModeEffect::Multiplied(self.rule.multiplier))
            }
            None => (base_rate, ModeEffect::NotStacked(self.rule.multiplier)),
        };
        if let Some(r) = self.residency {
            rate = rate.checked_mul(r).ok_or_else(|| Error::overflow("rate"))?;
        }
        if let Some(r) = self.deployment {
            rate = rate.checked_mul(r).ok_or_else(|| Error::overflow("rate"))?;
        }
        Ok(MeterRate {
            rate,
            base_rate,
            effect,
            billed_as,
        })
    }

    /// A token line: `quantity` of `meter` at `rate` (from [`Rater::rate`] with `tier`).
    fn line(
        &self,
        meter: Meter,
        quantity: u64,
        tier: Option<&str>,
        marginal: bool,
        rate: MeterRate,
    ) -> Result<LineItem, Error> {
        Ok(LineItem {
            kind: LineKind::Meter(meter),
            quantity,
            rate: rate.rate,
            base_rate: rate.base_rate,
            amount: meter_amount(meter, Decimal::from(quantity), rate.rate)?,
            mode: self.mode,
            mode_effect: rate.effect,
            tier: tier.map(str::to_string),
            marginal,
            residency: self.residency,
            deployment: self.deployment,
            billed_as_input: rate.billed_as != meter,
            price_effective: self.entry.effective,
            overlays: Vec::new(),
        })
    }
}

/// What `quantity` of `meter` costs at `rate`: quantity × rate over the meter's unit (a
/// million tokens, a minute). The quantity is a decimal so summed quantities price the same
/// way.
pub fn meter_amount(meter: Meter, quantity: Decimal, rate: Decimal) -> Result<Decimal, Error> {
    quantity
        .checked_mul(rate)
        .and_then(|x| x.checked_div(meter.unit().divisor()))
        .ok_or_else(|| Error::overflow("amount"))
}

/// The per-call fee `id` of `entry`, or an error that names the fees it has.
pub fn fee_rule<'e>(model: &Model, entry: &'e PriceEntry, id: &str) -> Result<&'e FeeRule, Error> {
    entry.fees.get(id).ok_or_else(|| {
        let known: Vec<&str> = entry.fees.keys().map(String::as_str).collect();
        Error::new(
            ErrorKind::UnsupportedMeter,
            format!(
                "{} has no `{id}` fee (fees: {})",
                model.id,
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ),
        )
    })
}

/// What `calls` calls cost under `fee`: calls × price / per. Per-call fees take no mode
/// multiplier.
pub fn fee_amount(calls: Decimal, fee: &FeeRule) -> Result<Decimal, Error> {
    calls
        .checked_mul(fee.price)
        .and_then(|x| x.checked_div(Decimal::from(fee.per)))
        .ok_or_else(|| Error::overflow("fee"))
}

impl RateBook {
    /// Prices `usage` on model `model_id` (an id, alias or snapshot id).
    pub fn estimate(
        &self,
        model_id: &str,
        usage: &Usage,
        options: EstimateOptions,
    ) -> Result<Estimate, Error> {
        let resolved = self.resolve_with(model_id)?;
        estimate_resolved(self, &resolved, usage, options)
    }
}

/// Prices `usage` on a model taken as named by its own id.
pub fn estimate_model(
    book: &RateBook,
    model: &Model,
    usage: &Usage,
    options: EstimateOptions,
) -> Result<Estimate, Error> {
    let resolved = Resolved {
        model,
        resolution: Resolution {
            requested: model.id.clone(),
            model: model.id.clone(),
            by: ResolvedBy::Exact,
            matched: model.id.to_ascii_lowercase(),
            prefix: None,
            stripped: None,
            deployment: None,
        },
    };
    estimate_resolved(book, &resolved, usage, options)
}

/// Where a retired model's calls are billed on `date`: the model the provider reroutes them
/// to, if it does. A cloud deployment keeps its own lifecycle, so calls through a cloud
/// (`via_cloud`) are never rerouted.
pub fn rerouted_to<'b>(
    book: &'b RateBook,
    model: &Model,
    date: Date,
    via_cloud: bool,
) -> Option<&'b Model> {
    model
        .lifecycle
        .replaced_by
        .as_deref()
        .filter(|_| !via_cloud && model.status(date) == ModelStatus::Retired)
        .and_then(|t| book.get(t))
}

/// The model that bills a request on `date`: the resolved one, or where the provider reroutes
/// calls after its shutdown; with the note to show.
fn billed_model<'b>(
    book: &'b RateBook,
    model: &'b Model,
    date: Date,
    cloud: Option<&str>,
) -> (&'b Model, Option<LifecycleNote>) {
    let lc = &model.lifecycle;
    let status = model.status(date);
    let target = rerouted_to(book, model, date, cloud.is_some());
    let message = match (status, lc.shutdown, target) {
        (ModelStatus::Active, ..) => return (model, None),
        (ModelStatus::Retired, Some(s), _) if cloud.is_some() => format!(
            "{} was retired on its first-party API on {s}; {} may serve it longer: priced at the last first-party rates",
            model.id,
            cloud.unwrap_or_default()
        ),
        (ModelStatus::Retired, Some(s), Some(t)) => format!(
            "{} was retired on {s}; the provider reroutes its calls to {}, billed at {}'s rates",
            model.id, t.id, t.id
        ),
        (ModelStatus::Retired, Some(s), None) => format!(
            "{} was retired on {s}: the provider no longer serves it; priced at its last rates",
            model.id
        ),
        (_, Some(s), _) => format!("{} is deprecated; it shuts down on {s}", model.id),
        (_, None, _) => format!("{} is deprecated", model.id),
    };
    let note = LifecycleNote {
        status,
        model: model.id.clone(),
        deprecated: lc.deprecated,
        shutdown: lc.shutdown,
        rerouted_to: target.map(|t| t.id.clone()),
        message,
    };
    (target.unwrap_or(model), Some(note))
}

/// The multiplier a call through `resolved`'s cloud deployment (if any) bills over first-party
/// rates on `date`: the cloud's premium times the user's overlay percentages on that cloud in
/// force then, with those overlays described. `None` (and no overlays) for a first-party call
/// or a premium of 1. The ledger prices logs through this too.
pub fn deployment_at(
    book: &RateBook,
    resolved: &Resolved<'_>,
    date: Date,
) -> Result<(Option<Decimal>, Vec<String>), Error> {
    let Some(d) = &resolved.resolution.deployment else {
        return Ok((None, Vec::new()));
    };
    let cloud = book.clouds().iter().find(|c| c.provider == d.cloud);
    deployment_multiplier(cloud, d.multiplier, date)
}

/// A call through `cloud` at its `premium` on `date`: the premium times the overlay percentages
/// on that cloud in force then (see [`deployment_at`]).
pub fn deployment_multiplier(
    cloud: Option<&Cloud>,
    premium: Decimal,
    date: Date,
) -> Result<(Option<Decimal>, Vec<String>), Error> {
    #[cfg(feature = "overlays")]
    if let Some((factor, notes)) = cloud.and_then(|c| c.adjustment_at(date)) {
        let m = premium
            .checked_mul(factor)
            .ok_or_else(|| Error::overflow("rate"))?;
        return Ok(((m != Decimal::ONE).then_some(m), notes));
    }
    // Without feature `overlays` a book has no deployment adjustments (`with_overlays` refuses
    // them), so the premium is the multiplier.
    let _ = (cloud, date);
    Ok(((premium != Decimal::ONE).then_some(premium), Vec::new()))
}

/// Prices `usage` on a resolved model: the one rule set every caller goes through.
pub fn estimate_resolved(
    book: &RateBook,
    resolved: &Resolved<'_>,
    usage: &Usage,
    options: EstimateOptions,
) -> Result<Estimate, Error> {
    let cloud = resolved
        .resolution
        .deployment
        .as_ref()
        .map(|d| d.cloud_name.as_str());
    let (model, lifecycle) = billed_model(book, resolved.model, options.date, cloud);
    let entry = model.price_at(options.date)?;
    let (deployment, deployment_overlays) = deployment_at(book, resolved, options.date)?;
    let pricer = Rater::new(model, entry, options.mode, options.residency, deployment)?;

    // Input images become image-input tokens.
    let mut image_tokens = Vec::with_capacity(usage.input_images.len());
    let mut input_image = 0u64;
    for img in &usage.input_images {
        let (_, scheme) = model.image_scheme.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedMeter,
                format!("{} has no image-input token scheme", model.id),
            )
        })?;
        let t = scheme.tokens(img.width, img.height, img.detail.as_deref())?;
        image_tokens.push(t);
        input_image = add(input_image, t)?;
    }

    // The prompt split, the tier and the tokens each rate bills.
    let split = split(usage, input_image)?;
    if !options.allow_over_limits {
        check_model_limits(model, entry, usage, &split)?;
    }
    let quantities = quantities(entry, &split)?;
    let tier_desc = quantities.tier.map(|t| t.tier.describe());
    let main_tier = quantities.main_tier();
    let main_desc = main_tier.and(tier_desc.as_deref());

    // Saturating: a capacity hint.
    let mut lines = Vec::with_capacity(METERS.saturating_add(usage.output_images.len()));
    for m in Meter::ALL {
        let q = quantities.main[m as usize];
        if q > 0 {
            let rate = pricer.rate(m, main_tier)?;
            lines.push(pricer.line(m, q, main_desc, false, rate)?);
        }
    }
    if let Some(tier) = quantities.marginal_tier() {
        for m in Meter::ALL {
            let q = quantities.marginal[m as usize];
            if q > 0 {
                let rate = pricer.rate(m, Some(tier))?;
                lines.push(pricer.line(m, q, tier_desc.as_deref(), true, rate)?);
            }
        }
    }

    // Generated images: tokens at the image-output rate, or a flat fee per image.
    for img in &usage.output_images {
        if img.count == 0 {
            continue;
        }
        within_max("generated images", img.count)?;
        if let Some(&per) = entry.output_image_tokens.get(&img.resolution) {
            let tokens = per
                .checked_mul(img.count)
                .ok_or_else(|| Error::overflow("image tokens"))?;
            let rate = pricer.rate(Meter::OutputImage, main_tier)?;
            let mut line = pricer.line(Meter::OutputImage, tokens, main_desc, false, rate)?;
            line.kind = LineKind::GeneratedImages {
                resolution: img.resolution.clone(),
                images: img.count,
                tokens_per_image: per,
            };
            lines.push(line);
        } else if let Some(&fee) = entry.output_image_fees.get(&img.resolution) {
            let kind = LineKind::ImageFee {
                resolution: img.resolution.clone(),
            };
            lines.push(pricer.per_unit(kind, img.count, fee)?);
        } else {
            let mut known: Vec<&str> = entry
                .output_image_tokens
                .keys()
                .map(String::as_str)
                .collect();
            known.extend(entry.output_image_fees.keys().map(String::as_str));
            let list = if known.is_empty() {
                "none: it does not generate images".to_string()
            } else {
                known.join(", ")
            };
            return Err(invalid(format!(
                "{} has no image resolution `{}` (resolutions: {list})",
                model.id, img.resolution
            )));
        }
    }

    // Generated video: USD per second at the resolution, with the mode's multiplier.
    for v in &usage.output_video {
        if v.seconds == 0 {
            continue;
        }
        within_max("generated video seconds", v.seconds)?;
        let Some(&per_second) = entry.output_video_seconds.get(&v.resolution) else {
            let known: Vec<&str> = entry
                .output_video_seconds
                .keys()
                .map(String::as_str)
                .collect();
            let list = if known.is_empty() {
                "none: it does not generate video".to_string()
            } else {
                known.join(", ")
            };
            return Err(invalid(format!(
                "{} has no video resolution `{}` (resolutions: {list})",
                model.id, v.resolution
            )));
        };
        let kind = LineKind::Video {
            resolution: v.resolution.clone(),
        };
        lines.push(pricer.per_unit(kind, v.seconds, per_second)?);
    }

    // Per-call fees.
    for (id, &calls) in &usage.calls {
        if calls == 0 {
            continue;
        }
        if calls > MAX_QUANTITY {
            within_max(&format!("calls of fee `{id}`"), calls)?;
        }
        let fee = fee_rule(model, entry, id)?;
        let amount = fee_amount(Decimal::from(calls), fee)?;
        let kind = LineKind::Fee {
            id: id.clone(),
            description: fee.description.clone(),
            per: fee.per,
            free: fee.free,
            free_period: fee.free_period.clone(),
        };
        let mode = (options.mode, ModeEffect::None);
        lines.push(LineItem::flat(
            kind,
            calls,
            fee.price,
            fee.price,
            amount,
            mode,
            entry.effective,
        ));
    }

    // Every line priced from a rate an overlay changed names it.
    if !entry.overlays.is_empty() || !deployment_overlays.is_empty() {
        for l in &mut lines {
            l.overlays.extend(entry.overlays.iter().cloned());
            // A cloud's premium (and so its overlay) applies to rates, not to per-call fees.
            if !matches!(l.kind, LineKind::Fee { .. }) {
                l.overlays.extend(deployment_overlays.iter().cloned());
            }
        }
    }

    let mut total = Decimal::ZERO;
    for l in &lines {
        total = total
            .checked_add(l.amount)
            .ok_or_else(|| Error::overflow("total"))?;
    }

    // A gateway's billing granularity, as one more line so the items still add up.
    if let Some(billing) = book.provider(&model.provider).and_then(|p| p.billing) {
        let billed = bill(total, billing.unit, billing.rounding)?;
        if billed != total {
            let adj = billed
                .checked_sub(total)
                .ok_or_else(|| Error::overflow("billing"))?;
            let kind = LineKind::BillingAdjustment {
                rounding: billing.rounding,
                unit: billing.unit,
            };
            let mode = (options.mode, ModeEffect::None);
            let mut line = LineItem::flat(kind, 1, adj, adj, adj, mode, entry.effective);
            line.overlays.extend(
                book.provider(&model.provider)
                    .and_then(|p| p.billing_overlay.clone()),
            );
            lines.push(line);
            total = billed;
        }
    }

    // Exact values, printed without trailing zeros (`0.045`, not `0.0450`).
    for l in &mut lines {
        l.amount = l.amount.normalize();
        l.rate = l.rate.normalize();
        l.base_rate = l.base_rate.normalize();
    }
    let total = total.normalize();
    Ok(Estimate {
        model: model.id.clone(),
        resolution: resolved.resolution.clone(),
        lifecycle,
        provider: model.provider.clone(),
        date: options.date,
        mode: options.mode,
        price: PriceRef {
            effective: entry.effective,
            until: entry.until,
            source: entry.source.clone(),
            checked: entry.checked,
        },
        tier: tier_desc,
        image_tokens,
        line_items: lines,
        total,
    })
}

/// What a gateway bills for an exact `amount` under its granularity rule. `Carry` bills whole
/// units and leaves the fraction for the next cycle (see [`Carry`] for a running sequence).
pub fn bill(amount: Decimal, unit: Decimal, rounding: Rounding) -> Result<Decimal, Error> {
    if unit <= Decimal::ZERO {
        return Ok(amount);
    }
    let units = amount
        .checked_div(unit)
        .ok_or_else(|| Error::overflow("billing"))?;
    let whole = match rounding {
        Rounding::Exact => return Ok(amount),
        Rounding::UpPerRequest => units.ceil(),
        Rounding::Carry => units.floor(),
    };
    whole
        .checked_mul(unit)
        .ok_or_else(|| Error::overflow("billing"))
}

/// A running balance for `carry` billing: each charge bills whole units of what is owed,
/// including the fractions carried from earlier charges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carry {
    /// The fraction owed but not yet billed, in USD, carried to the next charge.
    pub carried: Decimal,
}

impl Carry {
    /// Adds `amount` and returns what is billed now.
    pub fn charge(&mut self, amount: Decimal, unit: Decimal) -> Result<Decimal, Error> {
        let owed = self
            .carried
            .checked_add(amount)
            .ok_or_else(|| Error::overflow("billing"))?;
        let billed = bill(owed, unit, Rounding::Carry)?;
        self.carried = owed
            .checked_sub(billed)
            .ok_or_else(|| Error::overflow("billing"))?;
        Ok(billed)
    }
}

#[cfg(test)]
mod tests {
    //! Mechanisms no official card uses today (gateway rounding, marginal tiers) and the ones
    //! that need a controlled card (residency, fees, flat image fees), on small inline cards.
    //! Every expected number is quantity × rate worked by hand in the comment.

    use super::*;
    use crate::source::SourceFile;

    const CARD: &str = r#"
[provider]
id = "gw"
name = "Gateway"
billing = { unit = "0.01", rounding = "ROUNDING" }

[models."m"]
name = "M"

[[models."m".prices]]
effective = "2026-01-01"
source = "https://gw.example/pricing"
checked = "2026-11-01"
input = "1.00"
output = "2.00"
residency_multiplier = "1.1"
output_image_fees = { "1024x1024" = "0.04" }
fees.search = { description = "Web search", price = "10.00", per = 1000, free = 1000, free_period = "month" }
batch = { multiplier = "0.5", cache_read = true }

[[models."m".prices.long_context]]
threshold = 1000
comparison = ">="
counts = ["input"]
application = "marginal"
input = "3.00"
"#;

    fn book(rounding: &str) -> RateBook {
        RateBook::from_sources(&[SourceFile::new(
            "gw.toml",
            CARD.replace("ROUNDING", rounding),
        )])
        .expect("card loads")
    }

    fn at() -> EstimateOptions {
        EstimateOptions::at("2026-06-01".parse().expect("date"))
    }

    #[test]
    fn up_per_request_rounds_to_the_unit_as_a_line() {
        // 500 in × $1/M = 0.0005, billed as one whole cent: +0.0095 adjustment → 0.01.
        let est = book("up_per_request")
            .estimate("m", &Usage::text(500, 0), at())
            .unwrap();
        assert_eq!(est.total.to_string(), "0.01");
        let adj = est.line_items.last().unwrap();
        assert_eq!(adj.meter(), "billing_adjustment");
        assert_eq!(adj.amount.to_string(), "0.0095");
        let sum: Decimal = est.line_items.iter().map(|l| l.amount).sum();
        assert_eq!(sum, est.total);
    }

    #[test]
    fn exact_rounding_adds_no_line() {
        let est = book("exact")
            .estimate("m", &Usage::text(500, 0), at())
            .unwrap();
        assert_eq!(est.total.to_string(), "0.0005");
        assert_eq!(est.line_items.len(), 1);
    }

    #[test]
    fn carry_bills_whole_units_and_carries_the_rest() {
        // Three charges of 0.004 with a 0.01 unit: 0, 0, then 0.01 once 0.012 is owed.
        let mut c = Carry::default();
        let unit = Decimal::new(1, 2);
        let billed: Vec<String> = (0..3)
            .map(|_| {
                c.charge(Decimal::new(4, 3), unit)
                    .unwrap()
                    .normalize()
                    .to_string()
            })
            .collect();
        assert_eq!(billed, ["0", "0", "0.01"]);
        assert_eq!(c.carried.normalize().to_string(), "0.002");
    }

    #[test]
    fn marginal_tier_bills_only_tokens_past_the_threshold() {
        // `>=` 1,000: tokens from the 1,000th on are at $3. 1,500 in: 999 × $1 + 501 × $3
        // = 0.000999 + 0.001503 = 0.002502. Output keeps its base rate: 100 × $2 = 0.0002.
        let est = book("exact")
            .estimate("m", &Usage::text(1_500, 100), at())
            .unwrap();
        assert_eq!(est.total.normalize().to_string(), "0.002702");
        assert!(
            est.line_items
                .iter()
                .any(|l| l.marginal && l.quantity == 501)
        );
        // 999 tokens: below the threshold, all at $1 = 0.000999.
        let est = book("exact")
            .estimate("m", &Usage::text(999, 0), at())
            .unwrap();
        assert_eq!(est.total.normalize().to_string(), "0.000999");
    }

    #[test]
    fn residency_uplifts_every_token_rate() {
        // 900 in × $1.10 + 1,000 out × $2.20 = 0.00099 + 0.0022 = 0.00319 (900 stays under the
        // card's 1,000-token tier).
        let opts = EstimateOptions {
            residency: true,
            ..at()
        };
        let est = book("exact")
            .estimate("m", &Usage::text(900, 1_000), opts)
            .unwrap();
        assert_eq!(est.total.normalize().to_string(), "0.00319");
        assert!(est.line_items[0].rule().contains("data residency ×1.1"));
    }

    #[test]
    fn per_call_fees_and_flat_image_fees() {
        // 3 searches × $10/1,000 = 0.03; 2 images × $0.04 = 0.08 → 0.11.
        let mut u = Usage::default();
        u.calls.insert("search".into(), 3);
        u.output_images.push(crate::usage::ImageCount {
            resolution: "1024x1024".into(),
            count: 2,
        });
        let est = book("exact").estimate("m", &u, at()).unwrap();
        assert_eq!(est.total.normalize().to_string(), "0.11");
        let search = est
            .line_items
            .iter()
            .find(|l| l.meter() == "fee:search")
            .unwrap();
        assert_eq!(
            search.sentence(),
            "Web search: 3 calls × $10.00/1,000 = $0.03"
        );
        assert!(search.rule().contains("first 1,000 a month free"));
        // Batch halves the image fee: 0.03 + 2 × 0.02 = 0.07.
        let est = book("exact")
            .estimate("m", &u, at().mode(Mode::Batch))
            .unwrap();
        assert_eq!(est.total.normalize().to_string(), "0.07");
        // An unknown fee id is an error that names the known ones.
        u.calls.insert("maps".into(), 1);
        let e = book("exact").estimate("m", &u, at()).unwrap_err();
        assert!(e.message.contains("search"), "{e}");
    }
}
