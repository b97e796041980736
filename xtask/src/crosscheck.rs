//! `cargo xtask crosscheck`: the rate book against two open price databases.
//!
//! A maintainer's report, not a test: it installs [genai-prices] and [LiteLLM] from PyPI into a
//! throwaway virtual environment (`<target>/crosscheck-venv`, reused while the pinned versions
//! match), runs `xtask/crosscheck.py` to dump their first-party Anthropic, OpenAI and Google
//! (Gemini API) prices, and prints:
//!
//! - (a) models we share (their id, or for genai-prices an id its match rule lists, or the one
//!   model of ours whose ids start with a `starts_with` rule of theirs) whose plain rates
//!   (input, output, cache read, 5-minute and 1-hour cache writes) in force today differ from
//!   ours, and LiteLLM's per-image prices (`<quality>/<size>/<model>` keys) that differ from
//!   our `output_image_fees` (or from our tokens per image times `output_image`);
//! - a note of rates that agree under another meter: their `output` where we have no text
//!   output rate but the same number as `output_image`, `output_audio` or `output_video`;
//! - (b) their first-party models whose id does not resolve in our book;
//! - (c) our price entries whose `checked` date is more than [`STALE_AFTER_DAYS`] days old;
//! - (d) their ids the book deliberately does not price, with the reasons kept in
//!   `xtask/crosscheck-known.toml` ([`KNOWN_FILE`]); these are not counted as missing.
//!
//! Rates are compared as exact decimals; a rate they state and we do not is a disagreement,
//! unless theirs is zero. A per-image price we derive from tokens per image is compared after
//! rounding to the decimals they quote (OpenAI publishes those prices rounded). The command
//! fails only when the databases cannot be installed or read, or the list of known ids is
//! malformed; disagreements are findings to look into, and either side may be wrong.
//!
//! [genai-prices]: https://github.com/pydantic/genai-prices
//! [LiteLLM]: https://github.com/BerriAI/litellm

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use ratebook::book::Meter;
use ratebook::{Date, Decimal, Model, RateBook, SourceFile};
use serde_json::{Value, json};

use crate::{Result, describe, root, step, target_dir, tools};

/// The genai-prices release compared against (override with `CROSSCHECK_GENAI_PRICES`).
pub const GENAI_PRICES: &str = "0.2.3";
/// The LiteLLM release compared against (override with `CROSSCHECK_LITELLM`).
pub const LITELLM: &str = "1.110.2";
/// A price entry whose `checked` date is more than this many days old is reported as stale.
pub const STALE_AFTER_DAYS: i64 = 90;
/// The ids the book deliberately does not price, with a reason each (relative to the root).
pub const KNOWN_FILE: &str = "xtask/crosscheck-known.toml";

/// The rates compared: the ones every source states the same way.
pub const PLAIN: [Meter; 5] = [
    Meter::InputText,
    Meter::OutputText,
    Meter::CacheRead,
    Meter::CacheWrite5m,
    Meter::CacheWrite1h,
];

/// Where a database's `output` may stand for a rate we keep under a modality's own meter (an
/// image, speech or video model whose whole output is that modality).
pub const OUTPUT_ELSEWHERE: [Meter; 3] =
    [Meter::OutputImage, Meter::OutputAudio, Meter::OutputVideo];

/// The providers a known id may name.
const PROVIDERS: [&str; 3] = ["anthropic", "openai", "google"];

/// Usage text for `cargo xtask crosscheck --help`.
pub const USAGE: &str = "usage: cargo xtask crosscheck [--json] [--date YYYY-MM-DD]

Compares pricing/ with genai-prices and LiteLLM (installed from PyPI into a virtual
environment under the target directory) and reports (a) rates and per-image prices that
disagree, and rates that agree under another meter, (b) their first-party models we lack,
(c) our entries checked more than 90 days ago, (d) their ids the book deliberately does not
price (reasons in xtask/crosscheck-known.toml).

  --json               machine-readable output on stdout
  --date YYYY-MM-DD    compare the prices in force on this day (default: today, UTC)

environment:
  CROSSCHECK_GENAI_PRICES   genai-prices version to install (default 0.2.3)
  CROSSCHECK_LITELLM        litellm version to install (default 1.110.2)
  CROSSCHECK_PYTHON         the Python that creates the environment (default python3)";

/// A price per generated image that a database states under a size and quality key.
#[derive(Debug, Clone, PartialEq)]
pub struct TheirImage {
    /// The model the key names (`gpt-image-1`).
    pub model: String,
    /// `WIDTHxHEIGHT`.
    pub size: String,
    /// `low`, `medium`, `high`, `standard`, … or `None` where the key names no quality.
    pub quality: Option<String>,
    /// USD per image.
    pub price: Decimal,
}

impl TheirImage {
    /// The key our `output_image_fees` / `output_image_tokens` use: `WIDTHxHEIGHT:quality`.
    pub fn key(&self) -> String {
        match &self.quality {
            Some(q) => format!("{}:{q}", self.size),
            None => self.size.clone(),
        }
    }
}

/// One model as another database prices it.
#[derive(Debug, Clone, PartialEq)]
pub struct TheirModel {
    /// `genai-prices` or `litellm`.
    pub source: String,
    /// Our provider id: `anthropic`, `openai` or `google`.
    pub provider: String,
    /// The id as the database writes it (LiteLLM's Gemini ids carry a `gemini/` prefix).
    pub id: String,
    /// Other ids it matches (genai-prices' match rules), tried when `id` is unknown to us.
    pub also: Vec<String>,
    /// Id prefixes it matches (genai-prices' `starts_with` rules): when no id resolves, the one
    /// model of ours whose id or alias starts with one of them is the same model.
    pub prefixes: Vec<String>,
    /// The plain rates it states, USD per 1M tokens.
    pub rates: Vec<(Meter, Decimal)>,
    /// Whether the database marks the model retired.
    pub deprecated: bool,
    /// LiteLLM's `mode` (`chat`, `embedding`, `image_generation`, …).
    pub mode: Option<String>,
    /// Set for LiteLLM's per-image keys, which are a price of a model, not a model.
    pub image: Option<TheirImage>,
}

/// An id the book deliberately does not price, and why (one `[[known]]` table).
#[derive(Debug, Clone, PartialEq)]
pub struct KnownRule {
    /// The provider it is listed under; `None` matches every provider.
    pub provider: Option<String>,
    /// Ids or patterns (`*` stands for any run of characters), matched without case against
    /// the id as the database writes it and without a provider prefix.
    pub ids: Vec<String>,
    /// Why the book does not price them.
    pub reason: String,
}

impl KnownRule {
    /// The first of this rule's patterns that `id` (listed under `provider`) matches.
    pub fn matching(&self, provider: &str, id: &str) -> Option<&str> {
        if self.provider.as_deref().is_some_and(|p| p != provider) {
            return None;
        }
        let bare = bare_id(id);
        self.ids
            .iter()
            .find(|p| glob(p, id) || glob(p, &bare))
            .map(String::as_str)
    }
}

/// Does `text` match `pattern`, where `*` matches any run of characters? Case-insensitive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let text = text.to_ascii_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// One source's value for a rate, and the ids under which it states it.
#[derive(Debug, Clone, PartialEq)]
pub struct TheirValue {
    /// `genai-prices` or `litellm`.
    pub source: String,
    /// Their rate, USD per 1M tokens (per image for a per-image price).
    pub value: Decimal,
    /// Their ids that resolve to our model and state this value.
    pub ids: Vec<String>,
}

/// A rate of one of our models that at least one source states differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Our provider id.
    pub provider: String,
    /// Our model id.
    pub model: String,
    /// The rate.
    pub meter: Meter,
    /// Our rate in force on the report's date (`None`: we do not price it).
    pub ours: Option<Decimal>,
    /// Every source's values for it, agreeing ones included.
    pub theirs: Vec<TheirValue>,
}

impl Disagreement {
    /// Whether `value` is the rate we have.
    pub fn agrees(&self, value: Decimal) -> bool {
        self.ours == Some(value)
    }
}

/// Their rate where we have none under the same meter but the same number under another: the
/// same price, metered differently (genai-prices writes GPT Image's image output as `output`).
#[derive(Debug, Clone, PartialEq)]
pub struct SameMeter {
    /// Our provider id.
    pub provider: String,
    /// Our model id.
    pub model: String,
    /// The meter they state it under.
    pub theirs: Meter,
    /// The meter we state it under.
    pub ours: Meter,
    /// The rate both state.
    pub value: Decimal,
    /// Who states it.
    pub source: String,
    /// Their ids.
    pub ids: Vec<String>,
}

/// A per-image price of one of our models that at least one source states differently.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageFee {
    /// Our provider id.
    pub provider: String,
    /// Our model id.
    pub model: String,
    /// The size and quality key, `WIDTHxHEIGHT:quality`.
    pub key: String,
    /// Our price per image (`None`: we do not price this key).
    pub ours: Option<Decimal>,
    /// Where ours comes from tokens per image: the tokens and the `output_image` rate.
    pub from_tokens: Option<(u64, Decimal)>,
    /// Every source's values for it, agreeing ones included.
    pub theirs: Vec<TheirValue>,
}

impl ImageFee {
    /// Whether `value` is our price: exactly for a flat fee; for a price derived from tokens,
    /// after rounding ours half away from zero to the decimals `value` is quoted with.
    pub fn agrees(&self, value: Decimal) -> bool {
        match (self.ours, self.from_tokens) {
            (Some(ours), Some(_)) => round_half_up(ours, value.scale()) == value,
            (Some(ours), None) => ours == value,
            (None, _) => false,
        }
    }
}

/// `value` rounded half away from zero to `dp` decimals.
fn round_half_up(value: Decimal, dp: u32) -> Decimal {
    let mut shift = Decimal::ONE;
    for _ in 0..dp {
        shift *= Decimal::TEN;
    }
    let half = Decimal::new(5, 1);
    let scaled = value.checked_mul(shift).unwrap_or(value);
    let rounded = if scaled.is_sign_negative() {
        (scaled - half).ceil()
    } else {
        (scaled + half).floor()
    };
    rounded / shift
}

/// A first-party model of another database whose id does not resolve in our book.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// Our provider id.
    pub provider: String,
    /// The id without a provider prefix.
    pub id: String,
    /// The databases that list it.
    pub sources: Vec<String>,
    /// Whether every database that lists it marks it retired.
    pub deprecated: bool,
    /// LiteLLM's `mode`, where it says.
    pub mode: Option<String>,
}

/// Their id that a rule of the known list covers.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownHit {
    /// Our provider id.
    pub provider: String,
    /// Their id without a provider prefix (a per-image key as they write it).
    pub id: String,
    /// The databases that list it.
    pub sources: Vec<String>,
    /// The index of the rule in the known list.
    pub rule: usize,
}

/// One of our price entries whose `checked` date is old.
#[derive(Debug, Clone, PartialEq)]
pub struct Stale {
    /// Our provider id.
    pub provider: String,
    /// Our model id.
    pub model: String,
    /// The entry's first day.
    pub effective: Date,
    /// When its prices were last verified.
    pub checked: Date,
    /// Days from `checked` to the report's date.
    pub days: i64,
    /// Whether it is the entry in force on the report's date.
    pub in_force: bool,
}

/// What the comparison found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Our models that at least one of their ids resolves to (and that have a price that day).
    pub shared: usize,
    /// (a) rates that disagree, in book order.
    pub disagreements: Vec<Disagreement>,
    /// (a) per-image prices that disagree, in book order.
    pub image_fees: Vec<ImageFee>,
    /// How many (model, size and quality) per-image prices were compared.
    pub images_compared: usize,
    /// Their rates that are ours under another meter.
    pub same_meter: Vec<SameMeter>,
    /// (b) their models we lack, by provider and id.
    pub missing: Vec<Missing>,
    /// (c) our entries checked more than [`STALE_AFTER_DAYS`] days before the date.
    pub stale: Vec<Stale>,
    /// (d) the known list.
    pub known_rules: Vec<KnownRule>,
    /// (d) their ids the known list covers, by provider and id.
    pub known: Vec<KnownHit>,
    /// Patterns of the known list that covered nothing (`(rule, pattern)`): stale entries.
    pub unused_known: Vec<(usize, String)>,
}

impl Report {
    /// How many of our models have at least one disagreeing rate or per-image price.
    pub fn models_disagreeing(&self) -> usize {
        self.disagreements
            .iter()
            .map(|d| d.model.as_str())
            .chain(self.image_fees.iter().map(|f| f.model.as_str()))
            .collect::<BTreeSet<_>>()
            .len()
    }
}

/// Source → values, each with the ids that state it.
type Values = BTreeMap<String, Vec<(Decimal, Vec<String>)>>;

fn add_value(values: &mut Values, source: &str, value: Decimal, id: &str) {
    let list = values.entry(source.to_string()).or_default();
    match list.iter_mut().find(|(v, _)| *v == value) {
        Some((_, ids)) => {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        None => list.push((value, vec![id.to_string()])),
    }
}

fn flatten(values: Values) -> Vec<TheirValue> {
    values
        .into_iter()
        .flat_map(|(source, values)| {
            values.into_iter().map(move |(value, ids)| TheirValue {
                source: source.clone(),
                value,
                ids,
            })
        })
        .collect()
}

/// The one model of ours whose id or an alias starts with one of `prefixes`.
fn by_prefix<'a>(book: &'a RateBook, prefixes: &[String]) -> Option<&'a Model> {
    let prefixes: Vec<String> = prefixes
        .iter()
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    if prefixes.is_empty() {
        return None;
    }
    let mut found = book.models().iter().filter(|m| {
        std::iter::once(&m.id).chain(&m.aliases).any(|id| {
            prefixes
                .iter()
                .any(|p| id.to_ascii_lowercase().starts_with(p))
        })
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Compares `theirs` with `book` at `date`, setting aside what `known` covers. Pure: no I/O.
pub fn compare(book: &RateBook, date: Date, theirs: &[TheirModel], known: &[KnownRule]) -> Report {
    let index_of = |id: &str| book.models().iter().position(|m| m.id == id);
    // (our model index, meter index) → source → value → ids
    let mut rows: BTreeMap<(usize, usize), Values> = BTreeMap::new();
    // (our model index, size and quality key) → source → value → ids
    let mut images: BTreeMap<(usize, String), Values> = BTreeMap::new();
    let mut shared: Vec<usize> = Vec::new();
    let mut missing: BTreeMap<(String, String), Missing> = BTreeMap::new();
    let mut hits: BTreeMap<(String, String), KnownHit> = BTreeMap::new();
    let mut used: BTreeSet<(usize, String)> = BTreeSet::new();

    let mut known_hit =
        |t: &TheirModel, id: &str, hits: &mut BTreeMap<(String, String), KnownHit>| -> bool {
            for (r, rule) in known.iter().enumerate() {
                if let Some(pattern) = rule.matching(&t.provider, id) {
                    used.insert((r, pattern.to_string()));
                    let hit = hits
                        .entry((t.provider.clone(), id.to_string()))
                        .or_insert_with(|| KnownHit {
                            provider: t.provider.clone(),
                            id: id.to_string(),
                            sources: Vec::new(),
                            rule: r,
                        });
                    if !hit.sources.contains(&t.source) {
                        hit.sources.push(t.source.clone());
                    }
                    return true;
                }
            }
            false
        };

    for t in theirs {
        let resolved = match &t.image {
            Some(image) => book.resolve(&image.model).ok(),
            None => std::iter::once(&t.id)
                .chain(&t.also)
                .find_map(|id| book.resolve(id).ok())
                .or_else(|| by_prefix(book, &t.prefixes)),
        };
        let Some(i) = resolved.and_then(|m| index_of(&m.id)) else {
            // A per-image key of a model we lack stands for that model, never for itself.
            let id = match &t.image {
                Some(image) => bare_id(&image.model),
                None => bare_id(&t.id),
            };
            if known_hit(t, &id, &mut hits) || known_hit(t, &bare_id(&t.id), &mut hits) {
                continue;
            }
            let entry = missing
                .entry((t.provider.clone(), id.clone()))
                .or_insert_with(|| Missing {
                    provider: t.provider.clone(),
                    id,
                    sources: Vec::new(),
                    deprecated: true,
                    mode: None,
                });
            if !entry.sources.contains(&t.source) {
                entry.sources.push(t.source.clone());
            }
            entry.deprecated &= t.deprecated;
            if entry.mode.is_none() {
                entry.mode.clone_from(&t.mode);
            }
            continue;
        };
        let Ok(price) = book.models()[i].price_at(date) else {
            continue;
        };
        if !shared.contains(&i) {
            shared.push(i);
        }
        if let Some(image) = &t.image {
            let key = image.key();
            let priced = price.output_image_fees.get(key.as_str()).is_some()
                || price.output_image_tokens.get(key.as_str()).is_some();
            if !priced && known_hit(t, &bare_id(&t.id), &mut hits) {
                continue;
            }
            add_value(
                images.entry((i, key)).or_default(),
                &t.source,
                image.price,
                &t.id,
            );
            continue;
        }
        for &(meter, value) in &t.rates {
            let Some(m) = PLAIN.iter().position(|&p| p == meter) else {
                continue;
            };
            add_value(rows.entry((i, m)).or_default(), &t.source, value, &t.id);
        }
    }

    let mut disagreements = Vec::new();
    let mut same_meter = Vec::new();
    for ((i, m), by_source) in rows {
        let model = &book.models()[i];
        let Ok(price) = model.price_at(date) else {
            continue;
        };
        let meter = PLAIN[m];
        let ours = price.rates.get(meter);
        let mut theirs = Vec::new();
        for t in flatten(by_source) {
            // A zero rate where we have none says the same thing: nothing is charged (LiteLLM
            // writes `output_cost_per_token: 0` for embedding models).
            if ours.is_none() && t.value.is_zero() {
                continue;
            }
            // Their `output` where we have no text output rate may be our image, speech or
            // video output rate: the same price under another meter.
            let elsewhere = (ours.is_none() && meter == Meter::OutputText)
                .then(|| {
                    OUTPUT_ELSEWHERE
                        .into_iter()
                        .find(|&o| price.rates.get(o) == Some(t.value))
                })
                .flatten();
            match elsewhere {
                Some(o) => same_meter.push(SameMeter {
                    provider: model.provider.clone(),
                    model: model.id.clone(),
                    theirs: meter,
                    ours: o,
                    value: t.value,
                    source: t.source,
                    ids: t.ids,
                }),
                None => theirs.push(t),
            }
        }
        if theirs.iter().any(|t| ours != Some(t.value)) {
            disagreements.push(Disagreement {
                provider: model.provider.clone(),
                model: model.id.clone(),
                meter,
                ours,
                theirs,
            });
        }
    }

    let mut image_fees = Vec::new();
    let images_compared = images.len();
    for ((i, key), by_source) in images {
        let model = &book.models()[i];
        let Ok(price) = model.price_at(date) else {
            continue;
        };
        let fee = price.output_image_fees.get(key.as_str()).copied();
        let from_tokens = match (
            fee,
            price.output_image_tokens.get(key.as_str()),
            price.rates.get(Meter::OutputImage),
        ) {
            (None, Some(&tokens), Some(rate)) => Some((tokens, rate)),
            _ => None,
        };
        let ours = fee.or_else(|| {
            from_tokens.and_then(|(tokens, rate)| {
                Decimal::from(tokens)
                    .checked_mul(rate)
                    .map(|v| v / Decimal::from(1_000_000))
            })
        });
        let row = ImageFee {
            provider: model.provider.clone(),
            model: model.id.clone(),
            key,
            ours,
            from_tokens,
            theirs: flatten(by_source),
        };
        if row.theirs.iter().any(|t| !row.agrees(t.value)) {
            image_fees.push(row);
        }
    }

    let mut stale = Vec::new();
    for model in book.models() {
        let in_force = model.price_at(date).ok().map(|p| p.effective);
        for p in &model.prices {
            let days = date.unix_days() - p.checked.unix_days();
            if days > STALE_AFTER_DAYS {
                stale.push(Stale {
                    provider: model.provider.clone(),
                    model: model.id.clone(),
                    effective: p.effective,
                    checked: p.checked,
                    days,
                    in_force: in_force == Some(p.effective),
                });
            }
        }
    }

    let unused_known = known
        .iter()
        .enumerate()
        .flat_map(|(r, rule)| rule.ids.iter().map(move |p| (r, p.clone())))
        .filter(|used_key| !used.contains(used_key))
        .collect();

    Report {
        shared: shared.len(),
        disagreements,
        image_fees,
        images_compared,
        same_meter,
        missing: missing.into_values().collect(),
        stale,
        known_rules: known.to_vec(),
        known: hits.into_values().collect(),
        unused_known,
    }
}

/// An id without the `models/` or provider prefix some databases write (`gemini/…`).
fn bare_id(id: &str) -> String {
    let id = id.trim();
    let id = id.strip_prefix("models/").unwrap_or(id);
    match id.split_once('/') {
        Some(("gemini" | "google" | "openai" | "anthropic", rest)) => rest.to_string(),
        _ => id.to_string(),
    }
}

/// What `crosscheck.py` printed: the database versions, their models and the known list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dump {
    /// Package name → installed version.
    pub versions: BTreeMap<String, String>,
    /// Every first-party model (and per-image key) of both databases.
    pub models: Vec<TheirModel>,
    /// The `[[known]]` tables of [`KNOWN_FILE`], validated.
    pub known: Vec<KnownRule>,
}

/// Reads the script's JSON: the database versions, their models and the known list.
pub fn parse_dump(text: &str) -> Result<Dump> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("crosscheck.py printed bad JSON: {e}"))?;
    let versions = doc["versions"]
        .as_object()
        .ok_or("crosscheck.py: no `versions`")?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect()
    };
    let mut models = Vec::new();
    for m in doc["models"]
        .as_array()
        .ok_or("crosscheck.py: no `models`")?
    {
        let text = |k: &str| m[k].as_str().map(str::to_string);
        let id = text("id").ok_or("crosscheck.py: a model without `id`")?;
        let decimal = |v: &Value, what: &str| -> Result<Decimal> {
            v.as_str()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("crosscheck.py: {id}: `{what}` is not a decimal string"))
        };
        let mut rates = Vec::new();
        for (key, value) in m["rates"].as_object().into_iter().flatten() {
            let meter = Meter::from_key(key)
                .ok_or_else(|| format!("crosscheck.py: {id}: unknown rate `{key}`"))?;
            rates.push((meter, decimal(value, key)?));
        }
        rates.sort_by_key(|&(m, _)| m);
        let image = match &m["image"] {
            Value::Null => None,
            img => Some(TheirImage {
                model: img["model"]
                    .as_str()
                    .ok_or_else(|| format!("crosscheck.py: {id}: image without `model`"))?
                    .to_string(),
                size: img["size"]
                    .as_str()
                    .ok_or_else(|| format!("crosscheck.py: {id}: image without `size`"))?
                    .to_string(),
                quality: img["quality"].as_str().map(str::to_string),
                price: decimal(&img["price"], "image.price")?,
            }),
        };
        models.push(TheirModel {
            source: text("source").unwrap_or_default(),
            provider: text("provider").unwrap_or_default(),
            id: id.clone(),
            also: strings(&m["also"]),
            prefixes: strings(&m["prefixes"]),
            rates,
            deprecated: m["deprecated"].as_bool().unwrap_or(false),
            mode: text("mode"),
            image,
        });
    }
    let mut known = Vec::new();
    for (n, k) in doc["known"].as_array().into_iter().flatten().enumerate() {
        let at = format!("{KNOWN_FILE}: [[known]] #{}", n + 1);
        let table = k.as_object().ok_or_else(|| format!("{at}: not a table"))?;
        if let Some(extra) = table
            .keys()
            .find(|key| !["provider", "ids", "reason"].contains(&key.as_str()))
        {
            return Err(format!(
                "{at}: unknown key `{extra}` (expected provider, ids, reason)"
            ));
        }
        let provider = match table.get("provider") {
            None => None,
            Some(p) => {
                let p = p.as_str().unwrap_or_default();
                if !PROVIDERS.contains(&p) {
                    return Err(format!(
                        "{at}: provider `{p}` is not one of {}",
                        PROVIDERS.join(", ")
                    ));
                }
                Some(p.to_string())
            }
        };
        let ids = table.get("ids").map(&strings).unwrap_or_default();
        let listed = table
            .get("ids")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if ids.is_empty() || ids.len() != listed || ids.iter().any(|i| i.trim().is_empty()) {
            return Err(format!(
                "{at}: `ids` must be a non-empty list of ids or patterns"
            ));
        }
        let reason = table
            .get("reason")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("{at}: every entry needs a `reason`"))?
            .to_string();
        known.push(KnownRule {
            provider,
            ids,
            reason,
        });
    }
    Ok(Dump {
        versions,
        models,
        known,
    })
}

/// `cargo xtask crosscheck [--json] [--date YYYY-MM-DD]`.
pub fn crosscheck(args: &[String]) -> Result {
    let mut as_json = false;
    let mut date = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => as_json = true,
            "--date" => {
                let v = it.next().ok_or("--date needs YYYY-MM-DD")?;
                date = Some(parse_date(v)?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => match other.strip_prefix("--date=") {
                Some(v) => date = Some(parse_date(v)?),
                None => return Err(format!("crosscheck: unknown argument `{other}`\n\n{USAGE}")),
            },
        }
    }
    let date = match date {
        Some(d) => d,
        None => today()?,
    };

    let book = load_book()?;
    let genai = version_from_env("CROSSCHECK_GENAI_PRICES", GENAI_PRICES);
    let litellm = version_from_env("CROSSCHECK_LITELLM", LITELLM);
    let python = ensure_venv(&genai, &litellm)?;

    step("reading genai-prices and LiteLLM");
    let script = root().join("xtask").join("crosscheck.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script).arg(date.to_string());
    let known = root().join(KNOWN_FILE);
    if known.is_file() {
        cmd.arg(&known);
    } else {
        eprintln!(
            "warning: {} not found; every id they list and we lack counts as missing",
            known.display()
        );
    }
    cmd.stdin(Stdio::null()).stderr(Stdio::inherit());
    eprintln!("  $ {}", describe(&cmd));
    let out = cmd
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}); see its output above",
            describe(&cmd),
            out.status
        ));
    }
    let Dump {
        versions,
        models: theirs,
        known,
    } = parse_dump(&String::from_utf8_lossy(&out.stdout))?;
    for (name, want) in [("genai-prices", &genai), ("litellm", &litellm)] {
        let got = versions.get(name).map(String::as_str).unwrap_or("?");
        if got != want {
            return Err(format!(
                "{name} {got} is installed in {}, not {want}; delete that directory and rerun",
                venv_dir().display()
            ));
        }
    }

    let report = compare(&book, date, &theirs, &known);
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&report, date, &versions))
                .map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", render(&report, date, &versions));
    }
    Ok(())
}

fn parse_date(s: &str) -> Result<Date> {
    s.parse().map_err(|e: ratebook::Error| e.to_string())
}

fn today() -> Result<Date> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| format!("the clock is before 1970: {e}"))?
        .as_secs();
    i64::try_from(secs)
        .ok()
        .and_then(Date::from_unix_seconds)
        .ok_or_else(|| "the clock is out of range".to_string())
}

fn version_from_env(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Our book from `pricing/*.toml` as it is on disk now (not the copy compiled into ratebook).
fn load_book() -> Result<RateBook> {
    let dir = root().join("pricing");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for p in &paths {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        files.push(SourceFile::new(format!("pricing/{name}"), text));
    }
    let loaded = ratebook::load(&files);
    for e in &loaded.errors {
        eprintln!("warning: {e}");
    }
    if !loaded.rejected_files.is_empty() {
        eprintln!(
            "warning: left out of the comparison (errors above): {}",
            loaded.rejected_files.join(", ")
        );
    }
    Ok(loaded.book)
}

fn venv_dir() -> PathBuf {
    target_dir().join("crosscheck-venv")
}

/// Creates (or reuses) the virtual environment with the pinned versions; returns its Python.
fn ensure_venv(genai: &str, litellm: &str) -> Result<PathBuf> {
    tools::python_venv(
        &venv_dir(),
        &[
            format!("genai-prices=={genai}"),
            format!("litellm=={litellm}"),
        ],
    )
}

fn label(source: &str, ids: &[String]) -> String {
    format!("{source} [{}]", ids.join(", "))
}

/// The report as text.
pub fn render(report: &Report, date: Date, versions: &BTreeMap<String, String>) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let v = |k: &str| versions.get(k).cloned().unwrap_or_else(|| "?".into());
    let _ = writeln!(
        s,
        "Rate book vs genai-prices {} and LiteLLM {}, prices in force on {date}",
        v("genai-prices"),
        v("litellm")
    );

    let _ = writeln!(
        s,
        "\n(a) Shared models whose rates or per-image prices disagree: {} of {} shared",
        report.models_disagreeing(),
        report.shared
    );
    let mut last = "";
    for d in &report.disagreements {
        if d.model != last {
            let _ = writeln!(s, "  {} ({})", d.model, d.provider);
            last = &d.model;
        }
        let ours = d.ours.map_or_else(|| "—".to_string(), |r| r.to_string());
        let _ = writeln!(s, "    {:<15} ours {ours}", d.meter.key());
        for t in &d.theirs {
            let mark = if d.agrees(t.value) { "=" } else { "≠" };
            let _ = writeln!(
                s,
                "    {:<15} {mark}    {} {}",
                "",
                t.value,
                label(&t.source, &t.ids)
            );
        }
    }
    if !report.image_fees.is_empty() {
        let _ = writeln!(
            s,
            "  per-image prices (USD per image; {} compared, {} disagree):",
            report.images_compared,
            report.image_fees.len()
        );
    }
    let mut last = "";
    for f in &report.image_fees {
        if f.model != last {
            let _ = writeln!(s, "  {} ({})", f.model, f.provider);
            last = &f.model;
        }
        let ours = match (f.ours, f.from_tokens) {
            (Some(o), Some((tokens, rate))) => format!("{o} ({tokens} tokens x {rate}/M)"),
            (Some(o), None) => o.to_string(),
            (None, _) => "—".to_string(),
        };
        let _ = writeln!(s, "    {:<17} ours {ours}", f.key);
        for t in &f.theirs {
            let mark = if f.agrees(t.value) { "=" } else { "≠" };
            let _ = writeln!(
                s,
                "    {:<17} {mark}    {} {}",
                "",
                t.value,
                label(&t.source, &t.ids)
            );
        }
    }

    let _ = writeln!(
        s,
        "\nSame price, different meter (agrees; not counted above): {}",
        report.same_meter.len()
    );
    for m in &report.same_meter {
        let _ = writeln!(
            s,
            "  {} ({}): their {} {} = our {} — {}",
            m.model,
            m.provider,
            m.theirs.key(),
            m.value,
            m.ours.key(),
            label(&m.source, &m.ids)
        );
    }

    let _ = writeln!(
        s,
        "\n(b) Their first-party models we lack: {}",
        report.missing.len()
    );
    let mut provider = "";
    for m in &report.missing {
        if m.provider != provider {
            let n = report
                .missing
                .iter()
                .filter(|x| x.provider == m.provider)
                .count();
            let _ = writeln!(s, "  {} ({n})", m.provider);
            provider = &m.provider;
        }
        let mut notes = vec![m.sources.join(", ")];
        if let Some(mode) = m.mode.as_deref().filter(|&x| x != "chat") {
            notes.push(mode.to_string());
        }
        if m.deprecated {
            notes.push("retired".into());
        }
        let _ = writeln!(s, "    {:<44} {}", m.id, notes.join("; "));
    }

    let _ = writeln!(
        s,
        "\n(c) Our price entries checked more than {STALE_AFTER_DAYS} days ago: {}",
        report.stale.len()
    );
    for st in &report.stale {
        let _ = writeln!(
            s,
            "  {} ({}) entry of {}: checked {}, {} days ago{}",
            st.model,
            st.provider,
            st.effective,
            st.checked,
            st.days,
            if st.in_force { " (in force)" } else { "" }
        );
    }

    let _ = writeln!(
        s,
        "\n(d) Deliberately not in the book: {}, reasons in {KNOWN_FILE}",
        report.known.len()
    );
    for (r, rule) in report.known_rules.iter().enumerate() {
        let ids: Vec<&str> = report
            .known
            .iter()
            .filter(|h| h.rule == r)
            .map(|h| h.id.as_str())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let provider = rule.provider.as_deref().unwrap_or("any");
        let _ = writeln!(
            s,
            "  {provider:<9} {:>3}  {}",
            ids.len(),
            rule.ids.join(", ")
        );
    }
    if !report.unused_known.is_empty() {
        let unused: Vec<&str> = report
            .unused_known
            .iter()
            .map(|(_, p)| p.as_str())
            .collect();
        let _ = writeln!(
            s,
            "  warning: known ids that matched nothing (remove them from {KNOWN_FILE}): {}",
            unused.join(", ")
        );
    }

    let _ = writeln!(
        s,
        "\nsummary: {} shared models, {} with disagreeing rates ({} rates, {} per-image prices); {} same price under another meter; {} of their models missing; {} deliberately not in the book; {} stale entries",
        report.shared,
        report.models_disagreeing(),
        report.disagreements.len(),
        report.image_fees.len(),
        report.same_meter.len(),
        report.missing.len(),
        report.known.len(),
        report.stale.len()
    );
    s
}

/// The report as JSON (decimals as strings, exactly as compared).
pub fn to_json(report: &Report, date: Date, versions: &BTreeMap<String, String>) -> Value {
    let theirs = |values: &[TheirValue], agrees: &dyn Fn(Decimal) -> bool| -> Vec<Value> {
        values
            .iter()
            .map(|t| {
                json!({
                    "source": t.source,
                    "value": t.value.to_string(),
                    "ids": t.ids,
                    "agrees": agrees(t.value),
                })
            })
            .collect()
    };
    json!({
        "date": date.to_string(),
        "versions": versions,
        "stale_after_days": STALE_AFTER_DAYS,
        "disagreements": report.disagreements.iter().map(|d| json!({
            "provider": d.provider,
            "model": d.model,
            "rate": d.meter.key(),
            "ours": d.ours.map(|r| r.to_string()),
            "theirs": theirs(&d.theirs, &|v| d.agrees(v)),
        })).collect::<Vec<_>>(),
        "image_fees": report.image_fees.iter().map(|f| json!({
            "provider": f.provider,
            "model": f.model,
            "key": f.key,
            "ours": f.ours.map(|r| r.to_string()),
            "ours_tokens": f.from_tokens.map(|(tokens, _)| tokens),
            "ours_output_image_rate": f.from_tokens.map(|(_, rate)| rate.to_string()),
            "theirs": theirs(&f.theirs, &|v| f.agrees(v)),
        })).collect::<Vec<_>>(),
        "same_meter": report.same_meter.iter().map(|m| json!({
            "provider": m.provider,
            "model": m.model,
            "their_rate": m.theirs.key(),
            "our_rate": m.ours.key(),
            "value": m.value.to_string(),
            "source": m.source,
            "ids": m.ids,
        })).collect::<Vec<_>>(),
        "missing": report.missing.iter().map(|m| json!({
            "provider": m.provider,
            "id": m.id,
            "sources": m.sources,
            "deprecated": m.deprecated,
            "mode": m.mode,
        })).collect::<Vec<_>>(),
        "stale": report.stale.iter().map(|st| json!({
            "provider": st.provider,
            "model": st.model,
            "effective": st.effective.to_string(),
            "checked": st.checked.to_string(),
            "days": st.days,
            "in_force": st.in_force,
        })).collect::<Vec<_>>(),
        "known": report.known.iter().map(|h| json!({
            "provider": h.provider,
            "id": h.id,
            "sources": h.sources,
            "reason": report.known_rules.get(h.rule).map(|r| r.reason.as_str()),
        })).collect::<Vec<_>>(),
        "unused_known": report.unused_known.iter().map(|(_, p)| p).collect::<Vec<_>>(),
        "summary": {
            "shared": report.shared,
            "models_disagreeing": report.models_disagreeing(),
            "disagreeing_rates": report.disagreements.len(),
            "disagreeing_image_prices": report.image_fees.len(),
            "image_prices_compared": report.images_compared,
            "same_price_other_meter": report.same_meter.len(),
            "missing": report.missing.len(),
            "known": report.known.len(),
            "stale": report.stale.len(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"
[provider]
id = "anthropic"
name = "Anthropic"

[models."claude-x-1"]
name = "Claude X 1"
aliases = ["claude-x-1-20260101"]

[[models."claude-x-1".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-01-02"
input = "3.00"
output = "15.00"
cache_read = "0.30"

[[models."claude-x-1".prices]]
effective = "2026-06-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "2.00"
cache_read = "0.20"
"#;

    fn theirs(source: &str, id: &str, rates: &[(Meter, &str)]) -> TheirModel {
        TheirModel {
            source: source.into(),
            provider: "anthropic".into(),
            id: id.into(),
            also: Vec::new(),
            prefixes: Vec::new(),
            rates: rates
                .iter()
                .map(|&(m, v)| (m, v.parse().expect("decimal")))
                .collect(),
            deprecated: false,
            mode: None,
            image: None,
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn rates_are_compared_exactly_at_the_date() {
        let book = RateBook::from_sources(&[SourceFile::new("a.toml", BOOK)]).expect("book");
        let date = parse_date("2026-11-26").expect("date");
        let data = [
            // Agrees (2 == 2.00); states a 5-minute write we do not price.
            theirs(
                "genai-prices",
                "claude-x-1",
                &[
                    (Meter::InputText, "2"),
                    (Meter::OutputText, "15"),
                    (Meter::CacheWrite5m, "2.5"),
                ],
            ),
            // An alias of our model, still at the old input price.
            theirs(
                "litellm",
                "claude-x-1-20260101",
                &[(Meter::InputText, "3"), (Meter::OutputText, "15.000")],
            ),
            theirs(
                "litellm",
                "claude-x-1",
                &[(Meter::InputText, "2.0"), (Meter::CacheWrite1h, "0")],
            ),
            theirs("litellm", "claude-y-2", &[(Meter::InputText, "1")]),
            theirs("genai-prices", "anthropic/claude-y-2", &[]),
            // Unknown by its id, known by one its match rule lists.
            TheirModel {
                also: vec!["claude-x".into(), "claude-x-1".into()],
                ..theirs("genai-prices", "claude-x-one", &[(Meter::OutputText, "15")])
            },
        ];
        let report = compare(&book, date, &data, &[]);

        assert_eq!(report.shared, 1);
        assert_eq!(report.models_disagreeing(), 1);
        assert_eq!(
            report.disagreements,
            vec![
                Disagreement {
                    provider: "anthropic".into(),
                    model: "claude-x-1".into(),
                    meter: Meter::InputText,
                    ours: Some(dec("2.00")),
                    theirs: vec![
                        TheirValue {
                            source: "genai-prices".into(),
                            value: dec("2"),
                            ids: vec!["claude-x-1".into()],
                        },
                        TheirValue {
                            source: "litellm".into(),
                            value: dec("3"),
                            ids: vec!["claude-x-1-20260101".into()],
                        },
                        TheirValue {
                            source: "litellm".into(),
                            value: dec("2.0"),
                            ids: vec!["claude-x-1".into()],
                        },
                    ],
                },
                Disagreement {
                    provider: "anthropic".into(),
                    model: "claude-x-1".into(),
                    meter: Meter::CacheWrite5m,
                    ours: None,
                    theirs: vec![TheirValue {
                        source: "genai-prices".into(),
                        value: dec("2.5"),
                        ids: vec!["claude-x-1".into()],
                    }],
                },
            ]
        );

        assert_eq!(report.missing.len(), 1);
        assert_eq!(report.missing[0].id, "claude-y-2");
        assert_eq!(report.missing[0].sources, ["litellm", "genai-prices"]);

        // The first entry was checked 328 days before; the one in force 25 days before.
        assert_eq!(report.stale.len(), 1);
        assert_eq!(report.stale[0].days, 328);
        assert!(!report.stale[0].in_force);

        let text = render(&report, date, &BTreeMap::new());
        assert!(text.contains("summary: 1 shared models, 1 with disagreeing rates (2 rates, 0 per-image prices); 0 same price under another meter; 1 of their models missing; 0 deliberately not in the book; 1 stale entries"), "{text}");
    }

    #[test]
    fn the_script_output_is_read_as_exact_decimals() {
        let Dump {
            versions,
            models,
            known,
        } = parse_dump(
            r#"{"versions": {"litellm": "1.0"}, "models": [
                {"source": "litellm", "provider": "google", "id": "gemini/g-1",
                 "rates": {"input": "0.075", "cache_write_1h": "10"}, "deprecated": true, "mode": "chat"}]}"#,
        )
        .expect("parses");
        assert_eq!(versions["litellm"], "1.0");
        assert_eq!(
            models[0].rates,
            [
                (Meter::InputText, dec("0.075")),
                (Meter::CacheWrite1h, dec("10"))
            ]
        );
        assert_eq!(bare_id(&models[0].id), "g-1");
        assert_eq!(models[0].image, None);
        assert!(known.is_empty(), "no `known` key: an empty list");
        assert!(
            parse_dump(r#"{"versions": {}, "models": [{"id": "x", "rates": {"input": 0.1}}]}"#)
                .is_err()
        );
    }

    #[test]
    fn per_image_keys_and_the_known_list_are_read_and_checked() {
        let dump = parse_dump(
            r#"{"versions": {}, "models": [
                {"source": "litellm", "provider": "openai", "id": "high/1024-x-1536/img-1",
                 "also": [], "prefixes": [], "rates": {}, "deprecated": false,
                 "mode": "image_generation",
                 "image": {"model": "img-1", "size": "1024x1536", "quality": "high", "price": "0.25"}},
                {"source": "genai-prices", "provider": "openai", "id": "computer-use",
                 "also": [], "prefixes": ["computer-use"], "rates": {}, "image": null}],
              "known": [{"provider": "openai", "ids": ["ft:*", "gpt-oss-*"], "reason": "out of scope"},
                        {"ids": ["container"], "reason": "a tool fee, not a model"}]}"#,
        )
        .expect("parses");
        assert_eq!(
            dump.models[0].image,
            Some(TheirImage {
                model: "img-1".into(),
                size: "1024x1536".into(),
                quality: Some("high".into()),
                price: dec("0.25"),
            })
        );
        assert_eq!(
            dump.models[0]
                .image
                .as_ref()
                .map(TheirImage::key)
                .as_deref(),
            Some("1024x1536:high")
        );
        assert_eq!(dump.models[1].prefixes, ["computer-use"]);
        assert_eq!(dump.known.len(), 2);
        assert_eq!(dump.known[0].provider.as_deref(), Some("openai"));
        assert_eq!(dump.known[1].provider, None);
        assert_eq!(dump.known[1].reason, "a tool fee, not a model");

        let bad = |known: &str| {
            parse_dump(&format!(
                r#"{{"versions": {{}}, "models": [], "known": [{known}]}}"#
            ))
            .expect_err(known)
        };
        assert!(bad(r#"{"ids": ["x"]}"#).contains("needs a `reason`"));
        assert!(bad(r#"{"ids": ["x"], "reason": "  "}"#).contains("needs a `reason`"));
        assert!(bad(r#"{"ids": [], "reason": "r"}"#).contains("`ids`"));
        assert!(bad(r#"{"ids": ["x", 3], "reason": "r"}"#).contains("`ids`"));
        assert!(bad(r#"{"id": ["x"], "reason": "r"}"#).contains("unknown key `id`"));
        assert!(
            bad(r#"{"provider": "mistral", "ids": ["x"], "reason": "r"}"#).contains("provider")
        );
    }

    #[test]
    fn patterns_match_whole_ids_without_case() {
        assert!(glob("ft:*", "ft:gpt-4o-2024-08-06"));
        assert!(glob("FT:*", "ft:gpt-4o"));
        assert!(glob("gpt-oss-*", "gpt-oss-120b"));
        assert!(!glob("gpt-oss-*", "openai/gpt-oss-120b"));
        assert!(glob(
            "*-x-*/gpt-image-1.5*",
            "1024-x-1536/gpt-image-1.5-2025-12-16"
        ));
        assert!(glob(
            "standard/*/gpt-image-1.5*",
            "standard/1024-x-1024/gpt-image-1.5"
        ));
        assert!(!glob(
            "standard/*/gpt-image-1.5*",
            "low/1024-x-1024/gpt-image-1.5"
        ));
        assert!(glob("container", "container"));
        assert!(!glob("container", "containers"));
        assert!(!glob("ab*ba", "aba"), "prefix and suffix may not overlap");
        assert!(glob("*", ""));
        let rule = KnownRule {
            provider: Some("openai".into()),
            ids: vec!["container".into()],
            reason: "r".into(),
        };
        // The provider prefix LiteLLM writes is not part of the id.
        assert_eq!(
            rule.matching("openai", "openai/container"),
            Some("container")
        );
        assert_eq!(rule.matching("google", "container"), None);
    }

    #[test]
    fn prices_derived_from_tokens_round_to_the_quoted_decimals() {
        assert_eq!(round_half_up(dec("0.2496"), 2), dec("0.25"));
        assert_eq!(round_half_up(dec("0.1664"), 3), dec("0.166"));
        assert_eq!(
            round_half_up(dec("0.0125"), 3),
            dec("0.013"),
            "half rounds away from zero"
        );
        assert_eq!(round_half_up(dec("0.198656"), 1), dec("0.2"));
        let fee = |ours: &str, from_tokens: Option<(u64, Decimal)>| ImageFee {
            provider: "openai".into(),
            model: "m".into(),
            key: "1024x1024:high".into(),
            ours: Some(dec(ours)),
            from_tokens,
            theirs: Vec::new(),
        };
        let tokens = Some((4160, dec("40")));
        assert!(fee("0.1664", tokens).agrees(dec("0.166")));
        assert!(!fee("0.1664", tokens).agrees(dec("0.167")));
        // A flat fee is compared exactly.
        assert!(fee("0.25", None).agrees(dec("0.250")));
        assert!(!fee("0.2496", None).agrees(dec("0.25")));
    }

    const MEDIA: &str = r#"
[provider]
id = "openai"
name = "OpenAI"

[models."img-1"]
name = "Image 1"

[[models."img-1".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "5.00"
output_image = "40.00"
output_image_tokens = { "1024x1024:high" = 4160, "1024x1536:high" = 6240 }

[models."img-mini"]
name = "Image mini"

[[models."img-mini".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "2.00"
output_image = "8.00"
output_image_fees = { "1024x1024:low" = "0.005", "1024x1024:high" = "0.036" }

[models."speech-1"]
name = "Speech 1"

[[models."speech-1".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "0.60"
output_audio = "12.00"

[models."computer-use-preview"]
name = "Computer use"
aliases = ["computer-use-preview-2025-03-11"]

[[models."computer-use-preview".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "3.00"
output = "12.00"

[models."gpt-x"]
name = "GPT X"
aliases = ["gpt-x-mini"]

[[models."gpt-x".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "1.00"
output = "2.00"

[models."gpt-xl"]
name = "GPT XL"

[[models."gpt-xl".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "1.00"
output = "2.00"
"#;

    fn openai(source: &str, id: &str, rates: &[(Meter, &str)]) -> TheirModel {
        TheirModel {
            provider: "openai".into(),
            ..theirs(source, id, rates)
        }
    }

    fn image(id: &str, model: &str, size: &str, quality: Option<&str>, price: &str) -> TheirModel {
        TheirModel {
            mode: Some("image_generation".into()),
            image: Some(TheirImage {
                model: model.into(),
                size: size.into(),
                quality: quality.map(Into::into),
                price: dec(price),
            }),
            ..openai("litellm", id, &[])
        }
    }

    #[test]
    fn other_meters_per_image_prices_prefixes_and_known_ids() {
        let book = RateBook::from_sources(&[SourceFile::new("m.toml", MEDIA)]).expect("book");
        let date = parse_date("2026-11-26").expect("date");
        let known = [
            KnownRule {
                provider: Some("openai".into()),
                ids: vec!["ft:*".into(), "gpt-oss-*".into()],
                reason: "fine-tuned models are priced per fine-tune".into(),
            },
            KnownRule {
                provider: Some("openai".into()),
                ids: vec!["standard/*/img-1".into()],
                reason: "their default quality".into(),
            },
            KnownRule {
                provider: Some("google".into()),
                ids: vec!["ft:*".into()],
                reason: "listed for the wrong provider".into(),
            },
        ];
        let data = [
            // Image output stated as `output`: ours under `output_image`.
            openai(
                "genai-prices",
                "img-1",
                &[(Meter::InputText, "5"), (Meter::OutputText, "40")],
            ),
            // Speech: one source has our audio rate as `output`, the other a rate we do not have.
            openai("genai-prices", "speech-1", &[(Meter::OutputText, "12")]),
            openai("litellm", "speech-1", &[(Meter::OutputText, "10")]),
            // Per-image prices: from tokens, rounded to their decimals (4160 x 40 = 0.1664,
            // 6240 x 40 = 0.2496).
            image(
                "high/1024-x-1536/img-1",
                "img-1",
                "1024x1536",
                Some("high"),
                "0.25",
            ),
            image(
                "high/1024-x-1024/img-1",
                "img-1",
                "1024x1024",
                Some("high"),
                "0.167",
            ),
            // A quality we do not price: known, or else a disagreement.
            image(
                "standard/1024-x-1024/img-1",
                "img-1",
                "1024x1024",
                Some("standard"),
                "0.04",
            ),
            image("1024-x-1024/img-1", "img-1", "1024x1024", None, "0.011"),
            // Flat fees are compared exactly.
            image(
                "low/1024-x-1024/img-mini",
                "img-mini",
                "1024x1024",
                Some("low"),
                "0.005",
            ),
            image(
                "high/1024-x-1024/img-mini",
                "img-mini",
                "1024x1024",
                Some("high"),
                "0.036",
            ),
            // A per-image key of a model we lack stands for the model.
            image(
                "low/1024-x-1024/img-9",
                "img-9",
                "1024x1024",
                Some("low"),
                "0.01",
            ),
            image(
                "high/1024-x-1024/img-9",
                "img-9",
                "1024x1024",
                Some("high"),
                "0.1",
            ),
            // A `starts_with` rule: one model of ours starts with it.
            TheirModel {
                prefixes: vec!["computer-use".into()],
                ..openai("genai-prices", "computer-use", &[(Meter::InputText, "3")])
            },
            // Two models of ours start with `gpt-x`: not a match.
            TheirModel {
                prefixes: vec!["gpt-x".into()],
                ..openai("genai-prices", "gpt-x-all", &[(Meter::InputText, "1")])
            },
            // Known ids.
            openai(
                "litellm",
                "ft:gpt-4o-2024-08-06",
                &[(Meter::InputText, "3.75")],
            ),
            openai("genai-prices", "ft:gpt-4o", &[(Meter::InputText, "3.75")]),
            openai("litellm", "ft:gpt-4o", &[(Meter::InputText, "3.75")]),
        ];
        let report = compare(&book, date, &data, &known);

        // img-1, speech-1, computer-use-preview, img-mini.
        assert_eq!(report.shared, 4);
        assert_eq!(
            report.same_meter,
            vec![
                SameMeter {
                    provider: "openai".into(),
                    model: "img-1".into(),
                    theirs: Meter::OutputText,
                    ours: Meter::OutputImage,
                    value: dec("40"),
                    source: "genai-prices".into(),
                    ids: vec!["img-1".into()],
                },
                SameMeter {
                    provider: "openai".into(),
                    model: "speech-1".into(),
                    theirs: Meter::OutputText,
                    ours: Meter::OutputAudio,
                    value: dec("12"),
                    source: "genai-prices".into(),
                    ids: vec!["speech-1".into()],
                },
            ]
        );
        // Only LiteLLM's $10 stays a disagreement on speech-1.
        assert_eq!(
            report.disagreements,
            vec![Disagreement {
                provider: "openai".into(),
                model: "speech-1".into(),
                meter: Meter::OutputText,
                ours: None,
                theirs: vec![TheirValue {
                    source: "litellm".into(),
                    value: dec("10"),
                    ids: vec!["speech-1".into()],
                }],
            }]
        );

        // img-1 1024x1024:high, 1024x1024:standard (known), 1024x1024 (unpriced),
        // 1024x1536:high; img-mini low and high.
        assert_eq!(report.images_compared, 5);
        let fees: Vec<(&str, &str, Option<Decimal>)> = report
            .image_fees
            .iter()
            .map(|f| (f.model.as_str(), f.key.as_str(), f.ours))
            .collect();
        assert_eq!(
            fees,
            [
                ("img-1", "1024x1024", None),
                ("img-1", "1024x1024:high", Some(dec("0.1664"))),
            ]
        );
        assert_eq!(report.image_fees[1].from_tokens, Some((4160, dec("40.00"))));
        assert_eq!(report.models_disagreeing(), 2);

        // The per-image keys of img-9 are one missing model; the `gpt-x` prefix is ambiguous.
        let missing: Vec<(&str, &[String], Option<&str>)> = report
            .missing
            .iter()
            .map(|m| (m.id.as_str(), m.sources.as_slice(), m.mode.as_deref()))
            .collect();
        assert_eq!(
            missing,
            [
                ("gpt-x-all", &["genai-prices".to_string()][..], None),
                (
                    "img-9",
                    &["litellm".to_string()][..],
                    Some("image_generation")
                ),
            ]
        );

        // Known: the fine-tunes (one id listed by both databases) and the `standard` key.
        let known_ids: Vec<(&str, usize, &[String])> = report
            .known
            .iter()
            .map(|h| (h.id.as_str(), h.rule, h.sources.as_slice()))
            .collect();
        assert_eq!(
            known_ids,
            [
                (
                    "ft:gpt-4o",
                    0,
                    &["genai-prices".to_string(), "litellm".to_string()][..]
                ),
                ("ft:gpt-4o-2024-08-06", 0, &["litellm".to_string()][..]),
                (
                    "standard/1024-x-1024/img-1",
                    1,
                    &["litellm".to_string()][..]
                ),
            ]
        );
        // Patterns that covered nothing are reported, so the list stays current.
        assert_eq!(
            report.unused_known,
            [(0, "gpt-oss-*".to_string()), (2, "ft:*".to_string())]
        );

        let text = render(&report, date, &BTreeMap::new());
        assert!(
            text.contains(
                "(d) Deliberately not in the book: 3, reasons in xtask/crosscheck-known.toml"
            ),
            "{text}"
        );
        assert!(
            text.contains("img-1 (openai): their output 40 = our output_image"),
            "{text}"
        );
        assert!(text.contains("0.1664 (4160 tokens x 40.00/M)"), "{text}");
        assert!(text.contains("matched nothing"), "{text}");
        assert!(text.contains("summary: 4 shared models, 2 with disagreeing rates (1 rates, 2 per-image prices); 2 same price under another meter; 2 of their models missing; 3 deliberately not in the book; 0 stale entries"), "{text}");
        let json = to_json(&report, date, &BTreeMap::new());
        assert_eq!(json["summary"]["known"], 3);
        assert_eq!(json["summary"]["image_prices_compared"], 5);
        assert_eq!(json["image_fees"][1]["theirs"][0]["agrees"], false);
        assert_eq!(
            json["known"][0]["reason"],
            "fine-tuned models are priced per fine-tune"
        );
        assert_eq!(json["same_meter"][1]["our_rate"], "output_audio");
    }
}
