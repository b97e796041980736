//! The validated rate book: providers, models, dated price entries and their rules.
//!
//! Everything here is immutable data produced by [`crate::load()`]. Nothing in this module knows
//! about a particular provider: Anthropic's stacking, Google's tiers and OpenAI's image tiles are
//! all values in these types, read from the pricing files.

use crate::map::Map;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::error::{Error, ErrorKind, Location};
use crate::image::ImageScheme;

/// A metered quantity priced per million tokens (or token-hours for storage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Meter {
    /// Uncached text input tokens (`input`); the rate the other input modalities fall back to.
    InputText,
    /// Uncached image input tokens (`input_image`); falls back to [`Meter::InputText`].
    InputImage,
    /// Uncached audio input tokens (`input_audio`); falls back to [`Meter::InputText`].
    InputAudio,
    /// Uncached video input tokens (`input_video`); falls back to [`Meter::InputText`].
    InputVideo,
    /// Cached input tokens read on a cache hit (`cache_read`).
    CacheRead,
    /// Cached audio input tokens (`cache_read_audio`); falls back to [`Meter::CacheRead`].
    CacheReadAudio,
    /// Cached image input tokens (`cache_read_image`); falls back to [`Meter::CacheRead`].
    CacheReadImage,
    /// Tokens written to the cache with a 5-minute time to live (`cache_write_5m`); also OpenAI's
    /// single cache-write rate.
    CacheWrite5m,
    /// Tokens written to the cache with a 1-hour time to live (`cache_write_1h`).
    CacheWrite1h,
    /// Tokens held in an explicit cache, in token-hours (`cache_storage`: USD per 1M tokens per hour).
    CacheStorage,
    /// Text output tokens, reasoning and thinking tokens included (`output`).
    OutputText,
    /// Generated image tokens (`output_image`), the rate `output_image_tokens` are billed at.
    OutputImage,
    /// Generated audio tokens (`output_audio`).
    OutputAudio,
    /// Input audio billed by duration: the rate is USD per minute, the quantity seconds.
    InputAudioMinute,
    /// Input billed by characters (speech): the rate is USD per 1M characters.
    InputCharacters,
    /// Generated video billed as tokens (per 1M tokens).
    OutputVideo,
}

/// Which family of rules a meter follows for mode stacking and long-context tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MeterGroup {
    /// Uncached input of every modality, the duration and character meters included.
    Input,
    /// Cache hits: [`Meter::CacheRead`] and its audio and image variants.
    CacheRead,
    /// Cache writes, with a 5-minute or 1-hour time to live.
    CacheWrite,
    /// Cache storage, billed in token-hours.
    CacheStorage,
    /// Output of every modality.
    Output,
}

impl Meter {
    /// Every meter, in the order [`Rates`] holds them and [`Rates::iter`] yields them.
    pub const ALL: [Meter; 16] = [
        Meter::InputText,
        Meter::InputImage,
        Meter::InputAudio,
        Meter::InputVideo,
        Meter::CacheRead,
        Meter::CacheReadAudio,
        Meter::CacheReadImage,
        Meter::CacheWrite5m,
        Meter::CacheWrite1h,
        Meter::CacheStorage,
        Meter::OutputText,
        Meter::OutputImage,
        Meter::OutputAudio,
        Meter::InputAudioMinute,
        Meter::InputCharacters,
        Meter::OutputVideo,
    ];

    /// The key used in pricing files (`input`, `output_image`, …).
    pub fn key(self) -> &'static str {
        match self {
            Meter::InputText => "input",
            Meter::InputImage => "input_image",
            Meter::InputAudio => "input_audio",
            Meter::InputVideo => "input_video",
            Meter::CacheRead => "cache_read",
            Meter::CacheReadAudio => "cache_read_audio",
            Meter::CacheReadImage => "cache_read_image",
            Meter::CacheWrite5m => "cache_write_5m",
            Meter::CacheWrite1h => "cache_write_1h",
            Meter::CacheStorage => "cache_storage",
            Meter::OutputText => "output",
            Meter::OutputImage => "output_image",
            Meter::OutputAudio => "output_audio",
            Meter::InputAudioMinute => "input_audio_minute",
            Meter::InputCharacters => "input_characters",
            Meter::OutputVideo => "output_video",
        }
    }

    /// The name used in line items and JSON (`input_text`, `output_image`, …).
    pub fn id(self) -> &'static str {
        match self {
            Meter::InputText => "input_text",
            Meter::OutputText => "output_text",
            other => other.key(),
        }
    }

    /// A phrase for people: `image output`, `cache write (1h)`.
    pub fn label(self) -> &'static str {
        match self {
            Meter::InputText => "text input",
            Meter::InputImage => "image input",
            Meter::InputAudio => "audio input",
            Meter::InputVideo => "video input",
            Meter::CacheRead => "cached input",
            Meter::CacheReadAudio => "cached audio input",
            Meter::CacheReadImage => "cached image input",
            Meter::CacheWrite5m => "cache write (5m)",
            Meter::CacheWrite1h => "cache write (1h)",
            Meter::CacheStorage => "cache storage",
            Meter::OutputText => "text output",
            Meter::OutputImage => "image output",
            Meter::OutputAudio => "audio output",
            Meter::InputAudioMinute => "audio input (by duration)",
            Meter::InputCharacters => "character input",
            Meter::OutputVideo => "video output",
        }
    }

    /// How the rate is quoted: per 1M tokens for most meters; per minute of audio (quantity in
    /// seconds) and per 1M characters for the unit meters.
    pub fn unit(self) -> MeterUnit {
        match self {
            Meter::InputAudioMinute => MeterUnit::Minute,
            Meter::InputCharacters => MeterUnit::MillionCharacters,
            Meter::CacheStorage => MeterUnit::MillionTokenHours,
            _ => MeterUnit::MillionTokens,
        }
    }

    /// The meter a pricing-file key names (`input`, `cache_write_1h`, …): the inverse of
    /// [`Meter::key`].
    pub fn from_key(key: &str) -> Option<Meter> {
        Meter::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The family of rules this meter follows for mode stacking and long-context tiers.
    pub fn group(self) -> MeterGroup {
        match self {
            Meter::InputText | Meter::InputImage | Meter::InputAudio | Meter::InputVideo => {
                MeterGroup::Input
            }
            Meter::CacheRead | Meter::CacheReadAudio | Meter::CacheReadImage => {
                MeterGroup::CacheRead
            }
            Meter::CacheWrite5m | Meter::CacheWrite1h => MeterGroup::CacheWrite,
            Meter::CacheStorage => MeterGroup::CacheStorage,
            Meter::OutputText | Meter::OutputImage | Meter::OutputAudio | Meter::OutputVideo => {
                MeterGroup::Output
            }
            // Billed by duration or characters, these are input and follow input's mode rules;
            // they are not tokens, so they never count toward a long-context threshold.
            Meter::InputAudioMinute | Meter::InputCharacters => MeterGroup::Input,
        }
    }

    /// The meter whose rate applies when this one has none of its own: other input modalities
    /// fall back to the text input rate, cached audio to the cached rate.
    pub fn fallback(self) -> Option<Meter> {
        match self {
            Meter::InputImage | Meter::InputAudio | Meter::InputVideo => Some(Meter::InputText),
            Meter::CacheReadAudio | Meter::CacheReadImage => Some(Meter::CacheRead),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The unit a meter's rate is quoted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MeterUnit {
    /// USD per 1M tokens.
    MillionTokens,
    /// USD per 1M token-hours (cache storage).
    MillionTokenHours,
    /// USD per minute; quantities are seconds.
    Minute,
    /// USD per 1M characters.
    MillionCharacters,
}

impl MeterUnit {
    /// The quantity that one rate buys: 1,000,000 tokens, or 60 seconds.
    pub fn divisor(self) -> Decimal {
        match self {
            MeterUnit::Minute => Decimal::from(60),
            _ => Decimal::from(1_000_000),
        }
    }
    /// The rate's suffix for people: `/M`, `/min`, `/M chars`.
    pub fn suffix(self) -> &'static str {
        match self {
            MeterUnit::MillionTokens => "/M",
            MeterUnit::MillionTokenHours => "/M token-hours",
            MeterUnit::Minute => "/min",
            MeterUnit::MillionCharacters => "/M chars",
        }
    }
    /// What a quantity counts: `tokens`, `seconds`, `characters`.
    pub fn quantity_name(self) -> &'static str {
        match self {
            MeterUnit::MillionTokens => "tokens",
            MeterUnit::MillionTokenHours => "token-hours",
            MeterUnit::Minute => "seconds",
            MeterUnit::MillionCharacters => "characters",
        }
    }
}

/// A rate per meter, each optional. Lookups follow [`Meter::fallback`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rates([Option<Decimal>; 16]);

impl Rates {
    /// The rate set for `meter` itself, in its [`MeterUnit`]; no [`Meter::fallback`] is applied.
    pub fn get(&self, meter: Meter) -> Option<Decimal> {
        self.0[meter.index()]
    }
    /// Sets the rate of `meter`, or clears it with `None`.
    pub fn set(&mut self, meter: Meter, rate: Option<Decimal>) {
        self.0[meter.index()] = rate;
    }
    /// Rates that are set, in meter order.
    pub fn iter(&self) -> impl Iterator<Item = (Meter, Decimal)> + '_ {
        Meter::ALL
            .into_iter()
            .filter_map(|m| self.get(m).map(|r| (m, r)))
    }
    /// Overlays `other` on `self`: every meter `other` sets wins.
    pub fn overlay(&mut self, other: &Rates) {
        for (m, r) in other.iter() {
            self.set(m, Some(r));
        }
    }
    /// Is no meter's rate set?
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// How a request is served. Batch and flex are discounted, priority is dearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    /// The list rates, with no mode rule.
    #[default]
    Standard,
    /// Asynchronous batch processing, billed at a discount (often ×0.5).
    Batch,
    /// Flex processing: slower, lower-priority serving at a discount.
    Flex,
    /// Priority processing: faster, reserved serving at a premium.
    Priority,
}

impl Mode {
    /// Every mode, standard first.
    pub const ALL: [Mode; 4] = [Mode::Standard, Mode::Batch, Mode::Flex, Mode::Priority];
    /// The mode as pricing files, flags and JSON write it: `standard`, `batch`, `flex`, `priority`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Standard => "standard",
            Mode::Batch => "batch",
            Mode::Flex => "flex",
            Mode::Priority => "priority",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Mode, Error> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidValue,
                    format!("unknown mode `{s}`; expected standard, batch, flex or priority"),
                )
            })
    }
}

impl serde::Serialize for Mode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A non-standard service mode: a multiplier over standard rates, whether it stacks with the
/// cache meters, and explicit rates where the provider publishes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeRule {
    /// Factor over the standard (or tier) rates: at most 1 for batch and flex, at least 1 for priority.
    pub multiplier: Decimal,
    /// Does the multiplier also apply to cache reads? (Data per model and mode, not a global rule.)
    pub applies_to_cache_read: bool,
    /// Does the multiplier also apply to cache writes?
    pub applies_to_cache_write: bool,
    /// Does the multiplier also apply to cache storage?
    pub applies_to_cache_storage: bool,
    /// Rates the provider publishes for this mode, where they are not a clean multiple; they replace
    /// multiplier × standard rate for the base tier only.
    pub explicit: Rates,
}

impl ModeRule {
    /// The rule for standard mode: ×1, applies everywhere.
    pub fn standard() -> ModeRule {
        ModeRule {
            multiplier: Decimal::ONE,
            applies_to_cache_read: true,
            applies_to_cache_write: true,
            applies_to_cache_storage: true,
            explicit: Rates::default(),
        }
    }

    /// Does the multiplier apply to meters of `group`? Always to input and output; to the cache
    /// groups as the rule's flags say.
    pub fn applies_to(&self, group: MeterGroup) -> bool {
        match group {
            MeterGroup::Input | MeterGroup::Output => true,
            MeterGroup::CacheRead => self.applies_to_cache_read,
            MeterGroup::CacheWrite => self.applies_to_cache_write,
            MeterGroup::CacheStorage => self.applies_to_cache_storage,
        }
    }
}

/// Whether a tier's rates replace the base rates for the whole request, or only for the input
/// tokens past the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TierApplication {
    /// Every token of the request is billed at the tier's rates (the providers' cliff).
    WholeRequest,
    /// Only the prompt tokens past the threshold are billed at the tier's rates.
    Marginal,
}

impl TierApplication {
    /// The value as written in a pricing file: `whole_request` or `marginal`.
    pub fn as_str(self) -> &'static str {
        match self {
            TierApplication::WholeRequest => "whole_request",
            TierApplication::Marginal => "marginal",
        }
    }
}

/// A long-context tier: past `threshold` (by `>` or `>=`) of the counted tokens, the request is
/// billed at `rates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongContextTier {
    /// The prompt size, in counted tokens, at which the tier starts (see `inclusive`).
    pub threshold: u64,
    /// `true` for `>=` (a prompt of exactly `threshold` tokens is in the tier), `false` for `>`.
    pub inclusive: bool,
    /// Do uncached input tokens, of every modality, count toward the threshold?
    pub counts_input: bool,
    /// Do cached input tokens count toward the threshold?
    pub counts_cache_read: bool,
    /// Do cache-write tokens count toward the threshold?
    pub counts_cache_write: bool,
    /// Whether the tier reprices the whole request or only the tokens past the threshold.
    pub application: TierApplication,
    /// The tier's rates, absolute (not relative to the base); meters it does not set keep their base
    /// rate.
    pub rates: Rates,
}

impl LongContextTier {
    /// Does a prompt of `counted` tokens reach this tier?
    pub fn reached(&self, counted: u64) -> bool {
        if self.inclusive {
            counted >= self.threshold
        } else {
            counted > self.threshold
        }
    }

    /// `prompt > 200,000 tokens`: the tier's condition in words.
    pub fn describe(&self) -> String {
        let mut what = Vec::new();
        if self.counts_input {
            what.push("input");
        }
        if self.counts_cache_read {
            what.push("cache reads");
        }
        if self.counts_cache_write {
            what.push("cache writes");
        }
        format!(
            "{} {} {} tokens",
            what.join(" + "),
            if self.inclusive { "≥" } else { ">" },
            crate::money::format_count(self.threshold)
        )
    }
}

/// A fee per call (search grounding, web search), with an optional free allowance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeRule {
    /// The fee's key in the entry's `fees` table (`search` for search grounding and web search).
    pub id: String,
    /// What the fee is for, in words.
    pub description: String,
    /// USD per `per` calls.
    pub price: Decimal,
    /// How many calls `price` buys (1 or 1,000 in practice; never 0).
    pub per: u64,
    /// Free calls per `free_period`: described in an estimate, not deducted from a single request.
    pub free: u64,
    /// The period the free allowance renews over: `day` or `month`.
    pub free_period: Option<String>,
}

/// One dated price entry with everything inherited from earlier entries already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntry {
    /// First day in force (inclusive).
    pub effective: Date,
    /// First day no longer in force (exclusive): the next entry's `effective`.
    pub until: Option<Date>,
    /// The URL the prices were read from.
    pub source: String,
    /// The day the prices were last verified against `source`.
    pub checked: Date,
    /// What changed in this entry, or anything else a reader should know about it.
    pub note: Option<String>,
    /// The standard rates per meter, each in its [`MeterUnit`] (USD per 1M tokens for token meters).
    pub rates: Rates,
    /// Tokens per generated image by resolution key (`1K`, `1024x1024:high`), billed at the
    /// `output_image` rate.
    pub output_image_tokens: Map<String, u64>,
    /// Flat USD fee per generated image by resolution key (size × quality).
    pub output_image_fees: Map<String, Decimal>,
    /// USD per second of generated video, by resolution key.
    pub output_video_seconds: Map<String, Decimal>,
    /// Multiplier on every token rate when data residency is requested (1–2); `None` when the entry
    /// offers no residency.
    pub residency_multiplier: Option<Decimal>,
    /// Per-call fees (search grounding, web search) by id.
    pub fees: Map<String, FeeRule>,
    /// The rules of the non-standard modes offered; a mode not listed is not offered.
    pub modes: Map<Mode, ModeRule>,
    /// Ordered by threshold, lowest first.
    pub tiers: Vec<LongContextTier>,
    /// The user's overlay rules that changed this entry, described (empty in a book read from
    /// pricing files; see [`crate::overlay`]).
    pub overlays: Vec<String>,
}

impl PriceEntry {
    /// The modes this entry offers, standard first.
    pub fn offered_modes(&self) -> Vec<Mode> {
        let mut modes = vec![Mode::Standard];
        modes.extend(self.modes.keys().copied());
        modes
    }

    /// The rule for `mode`: [`ModeRule::standard`] for standard, `None` when the entry does not offer
    /// the mode.
    pub fn mode_rule(&self, mode: Mode) -> Option<ModeRule> {
        match mode {
            Mode::Standard => Some(ModeRule::standard()),
            other => self.modes.get(&other).cloned(),
        }
    }

    /// Is `date` inside this entry's half-open interval?
    pub fn covers(&self, date: Date) -> bool {
        self.effective <= date && self.until.is_none_or(|u| date < u)
    }
}

/// How a gateway bills fractions of its smallest unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rounding {
    /// The exact amount is billed.
    Exact,
    /// Each request's charge is rounded up to a whole `unit`.
    UpPerRequest,
    /// Whole units are billed and the fraction is carried forward to the next charge (see
    /// [`Carry`](crate::estimate::Carry)).
    Carry,
}

impl Rounding {
    /// The rounding named `exact`, `up_per_request` or `carry`, as pricing files and overlays
    /// write it.
    pub fn from_key(key: &str) -> Option<Rounding> {
        match key {
            "exact" => Some(Rounding::Exact),
            "up_per_request" => Some(Rounding::UpPerRequest),
            "carry" => Some(Rounding::Carry),
            _ => None,
        }
    }
}

/// A gateway's billing granularity (`[provider] billing`): the smallest amount it bills and what
/// happens to fractions of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Billing {
    /// The smallest billed amount, in USD (`0.000001`).
    pub unit: Decimal,
    /// How a charge that is not a whole number of `unit`s is billed.
    pub rounding: Rounding,
}

/// A provider's card, from its `[provider]` table: a first-party provider, a gateway, or a cloud
/// whose deployment card is also a [`Cloud`]. A card split over several files is one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Short stable id (`google`, `openai`, `aws-bedrock`), unique across files.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The provider's pricing page.
    pub pricing_url: Option<String>,
    /// The billing granularity: a gateway's, or one a user's overlay sets; `None` bills exact
    /// amounts.
    pub billing: Option<Billing>,
    /// The overlay rule that set `billing`, described, when a user's overlay did.
    pub billing_overlay: Option<String>,
    /// Id prefixes that logs and gateways put before ids (`models/`, `gemini/`), lowercase,
    /// each ending in `/`; resolution drops one before looking the rest up in the whole book.
    pub prefixes: Vec<String>,
    /// The file it was read from.
    pub file: String,
}

/// A model of a provider's card: its ids, token limits, lifecycle and dated price entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// Canonical id: lowercase, the provider's API id.
    pub id: String,
    /// The id of the [`Provider`] whose card defines the model.
    pub provider: String,
    /// Display name.
    pub name: String,
    /// Other ids that resolve to this model: preview ids, marketing names and the dated snapshot ids
    /// that bill its price.
    pub aliases: Vec<String>,
    /// The input-image token formula the card names (`image_input`), with its name.
    pub image_scheme: Option<(String, ImageScheme)>,
    /// The context window, in tokens: a larger prompt is an error unless over-limit usage is allowed.
    pub context_window: Option<u64>,
    /// The most output tokens one request may produce.
    pub max_output_tokens: Option<u64>,
    /// Anything a reader should know: preview status, retirement, a disagreement between sources.
    pub notes: Option<String>,
    /// Do unlisted dated snapshot ids of this model (`<id>-2025-01-01`, `<id>-20250101`, …)
    /// bill its price? Only when the provider priced every snapshot of the model the same.
    pub snapshots: bool,
    /// Deprecation, shutdown and rerouting, as the provider announced them.
    pub lifecycle: Lifecycle,
    /// Oldest first, contiguous: each entry's `until` is the next one's `effective`.
    pub prices: Vec<PriceEntry>,
    /// Where the model is defined.
    pub location: Location,
}

/// A model's lifecycle: when the provider announced its retirement, when calls stopped being
/// served, and where the provider reroutes calls after that (billed at the target's rates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// The day the provider announced the retirement.
    pub deprecated: Option<Date>,
    /// First day the API no longer serves the model.
    pub shutdown: Option<Date>,
    /// The model id calls are rerouted to after `shutdown`.
    pub replaced_by: Option<String>,
}

/// Where a model stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModelStatus {
    /// Served, with no retirement announced.
    Active,
    /// Served, with a retirement announced.
    Deprecated,
    /// No longer served (calls fail or are rerouted).
    Retired,
}

impl ModelStatus {
    /// `active`, `deprecated` or `retired`.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelStatus::Active => "active",
            ModelStatus::Deprecated => "deprecated",
            ModelStatus::Retired => "retired",
        }
    }
}

impl Model {
    /// The model's status on `date`.
    pub fn status(&self, date: Date) -> ModelStatus {
        match (self.lifecycle.deprecated, self.lifecycle.shutdown) {
            (_, Some(s)) if date >= s => ModelStatus::Retired,
            (Some(d), _) if date >= d => ModelStatus::Deprecated,
            (_, Some(_)) => ModelStatus::Deprecated,
            _ => ModelStatus::Active,
        }
    }

    /// The entry in force at `date`.
    pub fn price_at(&self, date: Date) -> Result<&PriceEntry, Error> {
        self.prices.iter().find(|p| p.covers(date)).ok_or_else(|| {
            let first = self
                .prices
                .first()
                .map(|p| p.effective.to_string())
                .unwrap_or_default();
            Error::new(
                ErrorKind::NoPriceAtDate,
                format!(
                    "{} has no price in force on {date}; its first price starts {first}",
                    self.id
                ),
            )
        })
    }
}

/// A deployment scope of a cloud (Bedrock's `global.` / `us.` / in-region, Vertex's global or
/// regional endpoint, Azure's global / data-zone / regional deployment), recognised by an id
/// prefix, with the multiplier it bills over the first-party rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Short id, unique in the card (`global`, `geographic`).
    pub id: String,
    /// What the scope is, in words.
    pub description: String,
    /// Id prefixes that select this scope (`""` matches ids with no prefix).
    pub prefixes: Vec<String>,
    /// Factor over the first-party rates for calls in this scope (1–2).
    pub multiplier: Decimal,
    /// The URL the premium was read from.
    pub source: String,
    /// When the premium was last checked (always set in a loaded book).
    pub checked: Option<Date>,
}

/// A cloud's offer of a first-party model under its own id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The id the cloud uses, without a scope prefix.
    pub id: String,
    /// Other ids of the offer, also without a scope prefix.
    pub aliases: Vec<String>,
    /// The first-party model id it bills as.
    pub model: String,
    /// Per-scope multipliers that replace the scope's own for this offer.
    pub multipliers: Map<String, Decimal>,
    /// Anything a reader should know about the offer.
    pub notes: Option<String>,
    /// Where the offer is defined.
    pub location: Location,
}

/// A cloud that resells first-party models (a deployment card): scopes and offers, no rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// The provider id of the card (`aws-bedrock`).
    pub provider: String,
    /// Display name (`Amazon Bedrock`).
    pub name: String,
    /// The deployment scopes, each recognised by its id prefixes.
    pub scopes: Vec<Scope>,
    /// The first-party models the cloud resells, under its own ids.
    pub offers: Vec<Offer>,
    /// A user's overlay percentages on every call through this cloud (see [`crate::overlay`]).
    pub adjustments: Vec<crate::overlay::DeploymentAdjustment>,
    /// Lower-cased offer id or alias → index into `offers`.
    pub(crate) index: Map<String, usize>,
}

impl Cloud {
    /// The combined multiplier of the overlay adjustments in force on `date`, and their
    /// descriptions; `None` when none is.
    #[cfg(feature = "overlays")]
    pub fn adjustment_at(&self, date: Date) -> Option<(Decimal, Vec<String>)> {
        let mut factor = Decimal::ONE;
        let mut notes = Vec::new();
        for a in &self.adjustments {
            if a.from.is_none_or(|d| d <= date) {
                factor = factor.checked_mul(a.factor)?;
                notes.push(a.note.clone());
            }
        }
        (!notes.is_empty()).then_some((factor, notes))
    }

    /// The offer with this id or alias (case-insensitive).
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.index
            .get(&id.to_ascii_lowercase())
            .and_then(|&i| self.offers.get(i))
    }
}

/// The whole book: every provider's models, with an index of ids and aliases.
#[derive(Debug, Clone, Default)]
pub struct RateBook {
    pub(crate) providers: Vec<Provider>,
    pub(crate) models: Vec<Model>,
    /// Deployment cards of clouds that resell the models.
    pub(crate) clouds: Vec<Cloud>,
    /// Lower-cased id or alias → index into `models`.
    pub(crate) index: Map<String, usize>,
}

impl RateBook {
    /// Every provider card, clouds' deployment cards included, in file order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// Models in file order (providers in the order their files were given).
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// The clouds' deployment cards, in file order.
    pub fn clouds(&self) -> &[Cloud] {
        &self.clouds
    }

    /// The provider card with this id (exact).
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Looks up an id or alias exactly (case-insensitive), without snapshot handling.
    pub fn get(&self, id: &str) -> Option<&Model> {
        self.index
            .get(&id.to_ascii_lowercase())
            .map(|&i| &self.models[i])
    }
}
