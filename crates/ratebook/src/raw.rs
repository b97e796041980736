//! The pricing file format, exactly as written in TOML.
//!
//! These types mirror the files one to one. [`crate::read`] fills them from toml's spanned
//! parse tree (unknown keys are errors, not silently ignored prices) and [`crate::load()`] turns
//! them into the validated domain types of [`crate::book`]; nothing else reads them. The JSON
//! Schema published for editors is derived from these types (feature `schema`), and a test
//! checks that the keys the reader accepts are exactly the keys the schema lists.

use crate::map::Map;
use crate::money::Amount;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// A value with its byte span in the file, so validation can point at it. It describes itself
/// as plain `T` in the JSON Schema.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: std::ops::Range<usize>,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: std::ops::Range<usize>) -> Spanned<T> {
        Spanned { value, span }
    }
    pub fn span(&self) -> std::ops::Range<usize> {
        self.span.clone()
    }
    pub fn get_ref(&self) -> &T {
        &self.value
    }
    pub fn into_inner(self) -> T {
        self.value
    }
}

#[cfg(feature = "schema")]
impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(g)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// One pricing file: one provider (or one gateway's card).
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct PricingFile {
    /// Format version; currently 1.
    pub schema_version: Option<u32>,
    pub provider: ProviderInfo,
    /// Named image-input token schemes, referenced by models' `image_input`.
    #[cfg_attr(feature = "schema", serde(default))]
    pub image_schemes: Map<String, Spanned<ImageScheme>>,
    /// Models keyed by canonical id.
    #[cfg_attr(feature = "schema", serde(default))]
    pub models: Map<String, Spanned<ModelSpec>>,
    /// Cloud deployment cards only: deployment scopes, recognised by id prefix.
    #[cfg_attr(feature = "schema", serde(default))]
    pub scopes: Vec<Spanned<ScopeSpec>>,
    /// Cloud deployment cards only: the cloud's ids for first-party models.
    #[cfg_attr(feature = "schema", serde(default))]
    pub offers: Map<String, Spanned<OfferSpec>>,
}

/// A deployment scope of a cloud: the id prefixes that select it and its multiplier over the
/// first-party rates.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct ScopeSpec {
    /// Short id: `global`, `geographic`, `in-region`, `data-zone`, `regional`.
    pub id: Spanned<String>,
    /// What the scope is, for people.
    pub description: Option<String>,
    /// Id prefixes that select the scope; `""` matches ids with no prefix.
    pub prefixes: Vec<Spanned<String>>,
    /// Multiplier on every token rate, e.g. "1.1" for a 10% premium.
    pub multiplier: Spanned<Amount>,
    /// Where the premium is published.
    pub source: Option<Spanned<String>>,
    /// When it was last checked (YYYY-MM-DD).
    pub checked: Option<Spanned<String>>,
}

/// A cloud's offer of a first-party model.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct OfferSpec {
    /// The first-party model id (or alias) whose rates the offer bills.
    pub model: Spanned<String>,
    /// Other ids of the same offer.
    #[cfg_attr(feature = "schema", serde(default))]
    pub aliases: Vec<Spanned<String>>,
    /// Scope multipliers that replace the scope's own for this offer (`{ "in-region" = "1" }`).
    #[cfg_attr(feature = "schema", serde(default))]
    pub multipliers: Map<String, Spanned<Amount>>,
    pub notes: Option<String>,
}

#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct ProviderInfo {
    /// Short stable id: `google`, `openai`, `anthropic`.
    pub id: Spanned<String>,
    /// Display name.
    pub name: String,
    /// The provider's pricing page.
    pub pricing_url: Option<String>,
    /// How the provider bills fractions of the smallest unit (gateway cards).
    pub billing: Option<Billing>,
    /// Id prefixes that logs and gateways put before the ids this file prices (`models/`,
    /// `gemini/`), each ending in `/`: one is dropped before an id is looked up in the whole
    /// book, as `openai/` is for the provider `openai`.
    #[cfg_attr(feature = "schema", serde(default))]
    pub prefixes: Vec<Spanned<String>>,
}

/// Billing granularity: gateways may bill in a minimum unit.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct Billing {
    /// The smallest billed amount in USD, e.g. "0.000001".
    pub unit: Spanned<Amount>,
    /// `exact`, `up_per_request` or `carry` (bill whole units, carry the fraction forward).
    pub rounding: Spanned<String>,
}

/// An image-input token scheme: the domain type is the file format (see [`crate::image`]).
pub use crate::image::ImageScheme;

#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct ModelSpec {
    /// Display name.
    pub name: String,
    /// Other ids that resolve to this model (preview ids, marketing names, snapshot ids).
    #[cfg_attr(feature = "schema", serde(default))]
    pub aliases: Vec<Spanned<String>>,
    /// Name of an entry in `image_schemes` used to estimate input-image tokens.
    pub image_input: Option<Spanned<String>>,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// Anything a reader should know (preview status, a disagreement between sources).
    pub notes: Option<String>,
    /// Do unlisted dated snapshot ids of this model bill its price? Default false: only when
    /// the provider priced every snapshot the same.
    pub snapshots: Option<bool>,
    /// Day the provider announced the deprecation (YYYY-MM-DD).
    pub deprecated: Option<Spanned<String>>,
    /// First day the API no longer serves the model (YYYY-MM-DD).
    pub shutdown: Option<Spanned<String>>,
    /// Where the provider reroutes calls after `shutdown` (a model id).
    pub replaced_by: Option<Spanned<String>>,
    /// Dated price entries, oldest first. Each entry inherits every field it does not set from
    /// the entry before it, so a price change is a small diff.
    pub prices: Vec<Spanned<PriceEntry>>,
}

/// One dated price entry. Rates are USD per 1M tokens unless the field says otherwise.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct PriceEntry {
    /// First day these prices apply (inclusive); in force until the next entry's date.
    pub effective: Spanned<String>,
    /// Where the prices were read (the provider's page or announcement).
    pub source: Option<Spanned<String>>,
    /// When someone last checked them against the source (YYYY-MM-DD).
    pub checked: Option<Spanned<String>>,
    pub note: Option<String>,

    /// The per-1M rates of this entry.
    #[cfg_attr(feature = "schema", serde(flatten))]
    pub rates: RateFields,
    /// Tokens per generated image by resolution, billed at `output_image`.
    pub output_image_tokens: Option<Map<String, Spanned<u64>>>,
    /// Flat USD fee per generated image by resolution/quality.
    pub output_image_fees: Option<Map<String, Spanned<Amount>>>,
    /// USD per second of generated video by resolution.
    pub output_video_seconds: Option<Map<String, Spanned<Amount>>>,
    /// Modes inherited from an earlier entry that are no longer offered from this one.
    pub withdraw: Option<Vec<Spanned<String>>>,
    /// Multiplier on every token rate when data residency is requested (e.g. "1.1").
    pub residency_multiplier: Option<Spanned<Amount>>,
    /// Per-call fees (search grounding, web search) keyed by a short id.
    pub fees: Option<Map<String, Spanned<Fee>>>,
    /// Service modes other than standard. Setting one replaces the inherited one.
    pub batch: Option<Spanned<ModeSpec>>,
    pub flex: Option<Spanned<ModeSpec>>,
    pub priority: Option<Spanned<ModeSpec>>,
    /// Long-context tiers. `long_context = []` removes inherited tiers.
    pub long_context: Option<Vec<Spanned<TierSpec>>>,
}

/// A service mode as a multiplier over standard rates, with stacking rules and optional
/// explicit rates where the provider publishes numbers that are not a clean multiple.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct ModeSpec {
    /// Multiplier over the standard rate, e.g. "0.5" for batch.
    pub multiplier: Spanned<Amount>,
    /// Does the multiplier also apply to cache reads? (Anthropic: yes. Gemini 2.5: no.)
    pub cache_read: bool,
    /// Does it apply to cache writes? Default: same as `cache_read`.
    pub cache_write: Option<bool>,
    /// Does it apply to cache storage? Default: false.
    #[cfg_attr(feature = "schema", serde(default))]
    pub cache_storage: bool,
    /// Explicit per-meter rates for this mode (keys as in a price entry: `input`, `output`,
    /// `cache_read`, …); they replace multiplier × standard for the base tier.
    #[cfg_attr(feature = "schema", serde(default))]
    pub rates: Map<String, Spanned<Amount>>,
}

/// A long-context tier.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct TierSpec {
    /// Token count the prompt is compared with.
    pub threshold: u64,
    /// `>` or `>=`.
    pub comparison: Spanned<String>,
    /// What counts toward the threshold: any of `input` (uncached input of every modality),
    /// `cache_read`, `cache_write`.
    pub counts: Vec<Spanned<String>>,
    /// `whole_request` (every token of the request at tier rates) or `marginal` (only input
    /// tokens past the threshold).
    pub application: Spanned<String>,
    /// Tier rates, same keys as a price entry; meters not set keep their base rate.
    #[cfg_attr(feature = "schema", serde(flatten))]
    pub rates: RateFields,
}

/// A per-call fee.
#[derive(Debug)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", serde(deny_unknown_fields))]
pub struct Fee {
    pub description: String,
    /// USD per `per` calls.
    pub price: Spanned<Amount>,
    /// Calls the price is quoted for (1 or 1000).
    pub per: u64,
    /// Free calls per `free_period`.
    #[cfg_attr(feature = "schema", serde(default))]
    pub free: u64,
    /// `day` or `month`.
    pub free_period: Option<String>,
}

/// The sixteen rates a price entry or a tier can set (USD per 1M tokens; cache storage per
/// 1M tokens per hour).
#[derive(Debug, Default)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RateFields {
    /// Text input (and the default for every other input modality).
    pub input: Option<Spanned<Amount>>,
    pub input_image: Option<Spanned<Amount>>,
    pub input_audio: Option<Spanned<Amount>>,
    pub input_video: Option<Spanned<Amount>>,
    /// Cached input (cache read).
    pub cache_read: Option<Spanned<Amount>>,
    /// Cached audio input, where it is priced apart.
    pub cache_read_audio: Option<Spanned<Amount>>,
    /// Cache writes with a 5-minute and a 1-hour time to live.
    pub cache_write_5m: Option<Spanned<Amount>>,
    pub cache_write_1h: Option<Spanned<Amount>>,
    /// Cache storage, USD per 1M tokens per hour.
    pub cache_storage: Option<Spanned<Amount>>,
    /// Text output, including reasoning/thinking tokens.
    pub output: Option<Spanned<Amount>>,
    pub output_image: Option<Spanned<Amount>>,
    pub output_audio: Option<Spanned<Amount>>,
    /// Cached image input, where it is priced apart.
    pub cache_read_image: Option<Spanned<Amount>>,
    /// Input audio billed by duration: USD per minute.
    pub input_audio_minute: Option<Spanned<Amount>>,
    /// Input billed by characters: USD per 1M characters.
    pub input_characters: Option<Spanned<Amount>>,
    /// Generated video billed as tokens.
    pub output_video: Option<Spanned<Amount>>,
}

impl RateFields {
    /// Every field, to fill in place, in the order of [`crate::read::keys::RATES`].
    pub fn slots_mut(&mut self) -> [&mut Option<Spanned<Amount>>; 16] {
        [
            &mut self.input,
            &mut self.input_image,
            &mut self.input_audio,
            &mut self.input_video,
            &mut self.cache_read,
            &mut self.cache_read_audio,
            &mut self.cache_write_5m,
            &mut self.cache_write_1h,
            &mut self.cache_storage,
            &mut self.output,
            &mut self.output_image,
            &mut self.output_audio,
            &mut self.cache_read_image,
            &mut self.input_audio_minute,
            &mut self.input_characters,
            &mut self.output_video,
        ]
    }

    /// The field for `meter`.
    pub fn get(&self, meter: crate::book::Meter) -> Option<&Spanned<Amount>> {
        use crate::book::Meter;
        match meter {
            Meter::InputText => self.input.as_ref(),
            Meter::InputImage => self.input_image.as_ref(),
            Meter::InputAudio => self.input_audio.as_ref(),
            Meter::InputVideo => self.input_video.as_ref(),
            Meter::CacheRead => self.cache_read.as_ref(),
            Meter::CacheReadAudio => self.cache_read_audio.as_ref(),
            Meter::CacheWrite5m => self.cache_write_5m.as_ref(),
            Meter::CacheWrite1h => self.cache_write_1h.as_ref(),
            Meter::CacheStorage => self.cache_storage.as_ref(),
            Meter::OutputText => self.output.as_ref(),
            Meter::OutputImage => self.output_image.as_ref(),
            Meter::OutputAudio => self.output_audio.as_ref(),
            Meter::CacheReadImage => self.cache_read_image.as_ref(),
            Meter::InputAudioMinute => self.input_audio_minute.as_ref(),
            Meter::InputCharacters => self.input_characters.as_ref(),
            Meter::OutputVideo => self.output_video.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Meter;

    /// `slots_mut` fills the field that `get` reads for the meter of each key in `keys::RATES`.
    #[test]
    fn slots_follow_the_rate_keys() {
        for (i, name) in crate::read::keys::RATES.iter().enumerate() {
            let mut r = RateFields::default();
            if let Some(slot) = r.slots_mut().into_iter().nth(i) {
                *slot = Some(Spanned::new(Amount(rust_decimal::Decimal::ONE), i..i + 1));
            }
            let meter = Meter::from_key(name).expect("every rate key is a meter");
            assert_eq!(r.get(meter).map(Spanned::span), Some(i..i + 1), "{name}");
            let set = Meter::ALL.iter().filter(|m| r.get(**m).is_some()).count();
            assert_eq!(set, 1, "{name} filled one field");
        }
    }
}
