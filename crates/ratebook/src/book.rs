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
    InputText,
    InputImage,
    InputAudio,
    InputVideo,
    CacheRead,
    CacheReadAudio,
    CacheReadImage,
    CacheWrite5m,
    CacheWrite1h,
    CacheStorage,
    OutputText,
    OutputImage,
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
    Input,
    CacheRead,
    CacheWrite,
    CacheStorage,
    Output,
}

impl Meter {
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

    pub fn from_key(key: &str) -> Option<Meter> {
        Meter::ALL.into_iter().find(|m| m.key() == key)
    }

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
    pub fn get(&self, meter: Meter) -> Option<Decimal> {
        self.0[meter.index()]
    }
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
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// How a request is served. Batch and flex are discounted, priority is dearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    #[default]
    Standard,
    Batch,
    Flex,
    Priority,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Standard, Mode::Batch, Mode::Flex, Mode::Priority];
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
    pub multiplier: Decimal,
    pub applies_to_cache_read: bool,
    pub applies_to_cache_write: bool,
    pub applies_to_cache_storage: bool,
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
    WholeRequest,
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
    pub threshold: u64,
    pub inclusive: bool,
    pub counts_input: bool,
    pub counts_cache_read: bool,
    pub counts_cache_write: bool,
    pub application: TierApplication,
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
    pub id: String,
    pub description: String,
    pub price: Decimal,
    pub per: u64,
    pub free: u64,
    pub free_period: Option<String>,
}

/// One dated price entry with everything inherited from earlier entries already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntry {
    /// First day in force (inclusive).
    pub effective: Date,
    /// First day no longer in force (exclusive): the next entry's `effective`.
    pub until: Option<Date>,
    pub source: String,
    pub checked: Date,
    pub note: Option<String>,
    pub rates: Rates,
    pub output_image_tokens: Map<String, u64>,
    pub output_image_fees: Map<String, Decimal>,
    /// USD per second of generated video, by resolution key.
    pub output_video_seconds: Map<String, Decimal>,
    pub residency_multiplier: Option<Decimal>,
    pub fees: Map<String, FeeRule>,
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
    Exact,
    UpPerRequest,
    Carry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Billing {
    pub unit: Decimal,
    pub rounding: Rounding,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub pricing_url: Option<String>,
    pub billing: Option<Billing>,
    /// The overlay rule that set `billing`, described, when a user's overlay did.
    pub billing_overlay: Option<String>,
    /// Id prefixes that logs and gateways put before ids (`models/`, `gemini/`), lowercase,
    /// each ending in `/`; resolution drops one before looking the rest up in the whole book.
    pub prefixes: Vec<String>,
    /// The file it was read from.
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub image_scheme: Option<(String, ImageScheme)>,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
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
    pub id: String,
    pub description: String,
    /// Id prefixes that select this scope (`""` matches ids with no prefix).
    pub prefixes: Vec<String>,
    pub multiplier: Decimal,
    pub source: String,
    /// When the premium was last checked (always set in a loaded book).
    pub checked: Option<Date>,
}

/// A cloud's offer of a first-party model under its own id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The id the cloud uses, without a scope prefix.
    pub id: String,
    pub aliases: Vec<String>,
    /// The first-party model id it bills as.
    pub model: String,
    /// Per-scope multipliers that replace the scope's own for this offer.
    pub multipliers: Map<String, Decimal>,
    pub notes: Option<String>,
    /// Where the offer is defined.
    pub location: Location,
}

/// A cloud that resells first-party models (a deployment card): scopes and offers, no rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// The provider id of the card (`aws-bedrock`).
    pub provider: String,
    pub name: String,
    pub scopes: Vec<Scope>,
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
