//! The estimate: usage × rate card at a date → explained line items and an exact total.
//!
//! One pass decides everything a line needs: which price entry is in force, whether a
//! long-context tier is reached (and whether it reprices the whole request or only the tokens
//! past the threshold), the mode's multiplier and whether it stacks with each cache meter, and
//! the residency uplift. Each line keeps those decisions so it can explain itself; the
//! explanation text is rendered only when asked for, which keeps the estimate itself cheap.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::book::{
    Meter, MeterGroup, Mode, ModeRule, Model, ModelStatus, PriceEntry, RateBook, Rates, Rounding,
    TierApplication,
};
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::money::{format_count, format_rate, format_usd};
use crate::resolve::{Resolution, Resolved, ResolvedBy};
use crate::usage::Usage;

/// How to price: at which date, in which mode, with or without data residency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstimateOptions {
    pub date: Date,
    pub mode: Mode,
    pub residency: bool,
}

impl EstimateOptions {
    pub fn at(date: Date) -> EstimateOptions {
        EstimateOptions {
            date,
            mode: Mode::Standard,
            residency: false,
        }
    }
    pub fn mode(mut self, mode: Mode) -> EstimateOptions {
        self.mode = mode;
        self
    }
}

/// What a line bills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Tokens (or token-hours) of one meter.
    Meter(Meter),
    /// Generated images billed as tokens at the image-output rate.
    GeneratedImages {
        resolution: String,
        images: u64,
        tokens_per_image: u64,
    },
    /// Generated images billed at a flat fee each.
    ImageFee { resolution: String },
    /// Generated video billed per second at one resolution.
    Video { resolution: String },
    /// Calls billed per `per` calls.
    Fee {
        id: String,
        description: String,
        per: u64,
        free: u64,
        free_period: Option<String>,
    },
    /// The gateway's billing granularity: rounding up, or a fraction carried to the next cycle.
    BillingAdjustment { rounding: Rounding, unit: Decimal },
}

/// How the mode changed a line's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub kind: LineKind,
    /// Tokens, token-hours, images or calls.
    pub quantity: u64,
    /// The rate applied: per 1M tokens for meters and generated images, per image for image
    /// fees, per `per` calls for fees.
    pub rate: Decimal,
    /// The rate before mode and residency (the standard or tier rate).
    pub base_rate: Decimal,
    pub amount: Decimal,
    pub mode: Mode,
    pub mode_effect: ModeEffect,
    /// The tier that set the base rate, described (`input > 200,000 tokens`).
    pub tier: Option<String>,
    /// For marginal tiers: this line is the part past the threshold.
    pub marginal: bool,
    pub residency: Option<Decimal>,
    /// A cloud deployment's multiplier over the first-party rate.
    pub deployment: Option<Decimal>,
    /// Cache tokens billed at the input rate because the card has no cache price.
    pub billed_as_input: bool,
    pub price_effective: Date,
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

    /// The line as a sentence: `image output: 1,120 tokens × $60.00/M = $0.0672`.
    pub fn sentence(&self) -> String {
        let amount = format_usd(self.amount);
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
            return format!("billing unit {}: {how}", format_usd(*unit));
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
    pub effective: Date,
    pub until: Option<Date>,
    pub source: String,
    pub checked: Date,
}

/// What the estimate says about a model past (or near) its retirement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LifecycleNote {
    /// The requested model's status at the estimate's date.
    pub status: ModelStatus,
    /// The requested model's id.
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Date>,
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
    pub provider: String,
    pub date: Date,
    pub mode: Mode,
    pub price: PriceRef,
    /// The long-context tier reached, described, if any.
    pub tier: Option<String>,
    /// Estimated tokens of each input image, in the order given.
    pub image_tokens: Vec<u64>,
    pub line_items: Vec<LineItem>,
    pub total: Decimal,
}

fn add(a: u64, b: u64) -> Result<u64, Error> {
    a.checked_add(b)
        .ok_or_else(|| Error::overflow("token count"))
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidUsage, msg)
}

/// Finds `meter`'s rate in the first layer that sets it, then its fallback's.
fn lookup(layers: &[&Rates], meter: Meter) -> Option<Decimal> {
    layers.iter().find_map(|l| l.get(meter)).or_else(|| {
        let f = meter.fallback()?;
        layers.iter().find_map(|l| l.get(f))
    })
}

struct Pricer<'a> {
    model: &'a Model,
    entry: &'a PriceEntry,
    rule: ModeRule,
    options: EstimateOptions,
    residency: Option<Decimal>,
    deployment: Option<Decimal>,
}

impl Pricer<'_> {
    /// A line billed per unit (a generated image at a flat fee, a second of video): the mode's
    /// multiplier and the cloud deployment's apply, as to token rates.
    fn per_unit(&self, kind: LineKind, count: u64, fee: Decimal) -> Result<LineItem, Error> {
        let (mut rate, mode_effect) = if self.options.mode == Mode::Standard {
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
            (self.options.mode, mode_effect),
            self.entry.effective,
        );
        line.deployment = self.deployment;
        Ok(line)
    }

    /// The rate of `meter` with or without a tier's rates, after mode and residency.
    fn line(
        &self,
        meter: Meter,
        quantity: u64,
        tier: Option<(&str, &Rates)>,
        marginal: bool,
    ) -> Result<LineItem, Error> {
        let base = &self.entry.rates;
        let layers: &[&Rates] = match tier {
            Some((_, t)) => &[t, base],
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
        let explicit = if tier.is_none() && self.options.mode != Mode::Standard {
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
        let (mut rate, mode_effect) = match explicit {
            Some(r) => (r, ModeEffect::Explicit),
            None if self.options.mode == Mode::Standard => (base_rate, ModeEffect::None),
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
        let amount = Decimal::from(quantity)
            .checked_mul(rate)
            .and_then(|x| x.checked_div(meter.unit().divisor()))
            .ok_or_else(|| Error::overflow("amount"))?;
        Ok(LineItem {
            kind: LineKind::Meter(meter),
            quantity,
            rate,
            base_rate,
            amount,
            mode: self.options.mode,
            mode_effect,
            tier: tier.map(|(d, _)| d.to_string()),
            marginal,
            residency: self.residency,
            deployment: self.deployment,
            billed_as_input: billed_as != meter,
            price_effective: self.entry.effective,
        })
    }
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
    // A cloud keeps its own lifecycle: the first-party rerouting does not apply to its ids.
    let target = lc
        .replaced_by
        .as_deref()
        .filter(|_| status == ModelStatus::Retired && cloud.is_none())
        .and_then(|t| book.get(t));
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
    let rule = entry.mode_rule(options.mode).ok_or_else(|| {
        let offered: Vec<&str> = entry.offered_modes().iter().map(|m| m.as_str()).collect();
        Error::new(
            ErrorKind::ModeNotOffered,
            format!(
                "{} does not offer {} mode (offers: {})",
                model.id,
                options.mode,
                offered.join(", ")
            ),
        )
    })?;
    let residency = if options.residency {
        Some(entry.residency_multiplier.ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedMeter,
                format!("{} has no data-residency pricing", model.id),
            )
        })?)
    } else {
        None
    };
    let pricer = Pricer {
        model,
        entry,
        rule,
        options,
        residency,
        deployment: resolved.multiplier(),
    };

    // Input images become image-input tokens.
    let mut image_tokens = Vec::with_capacity(usage.input_images.len());
    let mut input_image = usage.input_image;
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

    // Split the prompt into uncached input by modality, cache reads and cache writes.
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
    if add(usage.cached_audio, usage.cached_image)? > usage.cached
        || usage.cached_image > input_image
    {
        return Err(invalid(format!(
            "cached image tokens ({}) exceed cached tokens not already audio ({}) or image input ({input_image})",
            usage.cached_image,
            usage.cached - usage.cached_audio
        )));
    }
    let from_cache_and_writes = add(usage.cached, writes)?;
    if from_cache_and_writes > prompt {
        return Err(invalid(format!(
            "cached tokens ({}) plus cache writes ({writes}) exceed the input tokens ({prompt}); input tokens must include them",
            usage.cached
        )));
    }
    let mut uncached = [
        (Meter::InputText, usage.input_text),
        (Meter::InputImage, input_image - usage.cached_image),
        (Meter::InputVideo, usage.input_video),
        (Meter::InputAudio, usage.input_audio - usage.cached_audio),
    ];
    let mut to_remove = from_cache_and_writes - usage.cached_audio - usage.cached_image;
    for (_, q) in uncached.iter_mut() {
        let take = (*q).min(to_remove);
        *q -= take;
        to_remove -= take;
    }
    let uncached_total = prompt - from_cache_and_writes;

    // Long-context tier: the highest one the counted tokens reach.
    let mut tier_reached = None;
    for t in &entry.tiers {
        let mut counted = 0u64;
        if t.counts_input {
            counted = add(counted, uncached_total)?;
        }
        if t.counts_cache_read {
            counted = add(counted, usage.cached)?;
        }
        if t.counts_cache_write {
            counted = add(counted, writes)?;
        }
        if t.reached(counted) {
            tier_reached = Some((t, counted));
        }
    }
    let tier_desc = tier_reached.map(|(t, _)| t.describe());
    let whole = tier_reached.filter(|(t, _)| t.application == TierApplication::WholeRequest);
    let whole_tier = whole.map(|(t, _)| (tier_desc.as_deref().unwrap_or(""), &t.rates));

    // Quantities per meter, in bill order.
    let mut quantities: Vec<(Meter, u64)> = uncached.to_vec();
    quantities.push((
        Meter::CacheRead,
        usage.cached - usage.cached_audio - usage.cached_image,
    ));
    quantities.push((Meter::CacheReadAudio, usage.cached_audio));
    quantities.push((Meter::CacheReadImage, usage.cached_image));
    quantities.push((Meter::CacheWrite5m, usage.cache_write_5m));
    quantities.push((Meter::CacheWrite1h, usage.cache_write_1h));
    quantities.push((Meter::CacheStorage, usage.cache_storage_token_hours));
    quantities.push((Meter::OutputText, usage.output_text));
    quantities.push((Meter::OutputImage, usage.output_image));
    quantities.push((Meter::OutputAudio, usage.output_audio));
    quantities.push((Meter::InputAudioMinute, usage.input_audio_seconds));
    quantities.push((Meter::InputCharacters, usage.input_characters));
    quantities.push((Meter::OutputVideo, usage.output_video_tokens));
    // Bill order puts text input first, then the other modalities.
    crate::order::sort_by_key(&mut quantities, |(m, _)| *m);

    // Marginal tier: the last `over` counted prompt tokens are billed at the tier's rates.
    let mut marginal_over: Vec<(Meter, u64)> = Vec::new();
    if let Some((t, counted)) =
        tier_reached.filter(|(t, _)| t.application == TierApplication::Marginal)
    {
        let mut over = counted - t.threshold + u64::from(t.inclusive);
        for (m, q) in quantities.iter_mut().rev() {
            let counts = match m.group() {
                MeterGroup::Input => t.counts_input,
                MeterGroup::CacheRead => t.counts_cache_read,
                MeterGroup::CacheWrite => t.counts_cache_write,
                _ => false,
            };
            if counts && over > 0 && *q > 0 {
                let take = (*q).min(over);
                *q -= take;
                over -= take;
                marginal_over.push((*m, take));
            }
        }
        marginal_over.reverse();
    }

    let mut lines =
        Vec::with_capacity(quantities.len() + marginal_over.len() + usage.output_images.len());
    for (m, q) in quantities {
        if q > 0 {
            lines.push(pricer.line(m, q, whole_tier, false)?);
        }
    }
    if let Some((t, _)) = tier_reached.filter(|_| !marginal_over.is_empty()) {
        for (m, q) in marginal_over {
            lines.push(pricer.line(
                m,
                q,
                Some((tier_desc.as_deref().unwrap_or(""), &t.rates)),
                true,
            )?);
        }
    }

    // Generated images: tokens at the image-output rate, or a flat fee per image.
    for img in &usage.output_images {
        if img.count == 0 {
            continue;
        }
        if let Some(&per) = entry.output_image_tokens.get(&img.resolution) {
            let tokens = per
                .checked_mul(img.count)
                .ok_or_else(|| Error::overflow("image tokens"))?;
            let mut line = pricer.line(Meter::OutputImage, tokens, whole_tier, false)?;
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
        let fee = entry.fees.get(id).ok_or_else(|| {
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
        })?;
        let amount = Decimal::from(calls)
            .checked_mul(fee.price)
            .and_then(|x| x.checked_div(Decimal::from(fee.per)))
            .ok_or_else(|| Error::overflow("fee"))?;
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
            let adj = billed - total;
            let kind = LineKind::BillingAdjustment {
                rounding: billing.rounding,
                unit: billing.unit,
            };
            let mode = (options.mode, ModeEffect::None);
            lines.push(LineItem::flat(
                kind,
                1,
                adj,
                adj,
                adj,
                mode,
                entry.effective,
            ));
            total = billed;
        }
    }

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
        self.carried = owed - billed;
        Ok(billed)
    }
}

#[cfg(test)]
mod tests {
    //! Mechanisms no official card uses today (gateway rounding, marginal tiers) and the ones
    //! that need a controlled card (residency, fees, flat image fees), on small inline cards.
    //! Every expected number is quantity × rate worked by hand in the comment.

    use super::*;
    use crate::load::SourceFile;

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
