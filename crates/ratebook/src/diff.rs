//! What changed between two dates of one book, or between two books (a pull request's
//! before and after): every rate, multiplier, tier, image token count and fee, old → new.
//!
//! Fields are named with the pricing-file keys (`input`, `batch.multiplier`,
//! `long_context[>200,000].output`, `output_image_tokens.1K`, `fees.search.price`), so a reviewer
//! can find the line in the TOML. Values are exact decimals as strings. Each change carries the
//! date it takes effect, the unit of its values and, for numbers, the relative change.
//!
//! Between two books, a model's undated facts (`aliases`, `context_window`,
//! `max_output_tokens`) are compared too, and added or removed models and price entries are
//! listed as changes of the pseudo-fields `model` (its name) and `entry` (its effective date).

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::map::Map;

use crate::book::{Meter, Model, PriceEntry, RateBook};
use crate::date::Date;
use crate::money::{format_count, format_rate};

/// One changed value of one model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RateChange {
    /// The id of the model's provider.
    pub provider: String,
    /// The model's id.
    pub model: String,
    /// The date at which the change is seen (the `to` date, or the entry date in a book diff;
    /// for an undated model fact, the model's first entry date).
    pub at: Date,
    /// The first day the new value is in force: the effective date of the price entry that
    /// brings the change (in a date diff, the entry in force at `to`). `None` for undated
    /// model facts (`aliases`, `context_window`, `max_output_tokens`) and removed models.
    pub effective: Option<Date>,
    /// The changed value's pricing-file key path (`input`, `batch.multiplier`, `fees.search.price`),
    /// or the pseudo-field `model` or `entry` for an added or removed model or price entry.
    pub field: String,
    /// `None` when the field (or model) did not exist before.
    pub old: Option<String>,
    /// `None` when the field (or model) no longer exists.
    pub new: Option<String>,
    /// The unit of `old` and `new`, when they are quantities (see [`Unit`]).
    pub unit: Option<Unit>,
    /// `(new − old) / old` as an exact decimal string rounded to 6 places (`"-0.2"` for a 20%
    /// cut), when both values are numbers and `old` is not zero.
    pub relative_change: Option<String>,
}

/// The unit of a changed value. Serialized as its [`Unit::as_str`] name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unit {
    /// USD per 1M tokens: token rates, tier rates, explicit mode rates.
    UsdPerMTokens,
    /// USD per 1M tokens per hour: cache storage.
    UsdPerMTokensPerHour,
    /// A factor: mode and residency multipliers.
    Multiplier,
    /// USD per generated image.
    UsdPerImage,
    /// Tokens per generated image.
    TokensPerImage,
    /// USD per `n` calls: a fee's price.
    UsdPerCalls(u64),
    /// A number of calls: a fee's `per` and free allowance.
    Calls,
    /// A number of tokens: context window, maximum output.
    Tokens,
}

impl Unit {
    /// The stable name tools read in JSON: `usd_per_1m_tokens`, `usd_per_1m_tokens_per_hour`,
    /// `multiplier`, `usd_per_image`, `tokens_per_image`, `usd_per_1000_calls` (`usd_per_call`
    /// for one), `calls`, `tokens`.
    pub fn as_str(self) -> String {
        match self {
            Unit::UsdPerMTokens => "usd_per_1m_tokens".into(),
            Unit::UsdPerMTokensPerHour => "usd_per_1m_tokens_per_hour".into(),
            Unit::Multiplier => "multiplier".into(),
            Unit::UsdPerImage => "usd_per_image".into(),
            Unit::TokensPerImage => "tokens_per_image".into(),
            Unit::UsdPerCalls(1) => "usd_per_call".into(),
            Unit::UsdPerCalls(n) => format!("usd_per_{n}_calls"),
            Unit::Calls => "calls".into(),
            Unit::Tokens => "tokens".into(),
        }
    }

    /// `value` in this unit for people: `$0.25/M`, `$1.00/M/h`, `×0.5`, `$0.039/image`,
    /// `1,120 tokens/image`, `$14.00/1,000 calls`, `5,000 calls`, `1,048,576 tokens`.
    pub fn show(self, value: &str) -> String {
        let Ok(d) = value.parse::<Decimal>() else {
            return value.to_string();
        };
        match self {
            Unit::UsdPerMTokens => format!("{}/M", format_rate(d)),
            Unit::UsdPerMTokensPerHour => format!("{}/M/h", format_rate(d)),
            Unit::Multiplier => format!("×{}", d.normalize()),
            Unit::UsdPerImage => format!("{}/image", format_rate(d)),
            Unit::TokensPerImage => format!("{} tokens/image", format_count(d)),
            Unit::UsdPerCalls(1) => format!("{}/call", format_rate(d)),
            Unit::UsdPerCalls(n) => format!("{}/{} calls", format_rate(d), format_count(n)),
            Unit::Calls => format!("{} calls", format_count(d)),
            Unit::Tokens => format!("{} tokens", format_count(d)),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A unit is its [`Unit::as_str`] name in JSON (`usd_per_1000_calls` takes any count).
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Unit {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Unit".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(usd_per_1m_tokens|usd_per_1m_tokens_per_hour|multiplier|usd_per_image|tokens_per_image|usd_per_call|usd_per_[0-9]+_calls|calls|tokens)$"
        })
    }
}

impl RateChange {
    /// A value of this change for people, with its unit (`$0.25/M`); `—` when absent.
    pub fn show(&self, value: Option<&str>) -> String {
        match (value, self.unit) {
            (None, _) => "—".into(),
            (Some(v), Some(unit)) => unit.show(v),
            (Some(v), None) => v.to_string(),
        }
    }

    /// The relative change as a percentage for people: `−20%`, `+150%`, `+33.3%` (one
    /// decimal place at most, a real minus sign).
    pub fn percent(&self) -> Option<String> {
        let r: Decimal = self.relative_change.as_deref()?.parse().ok()?;
        let pct = r
            .checked_mul(Decimal::ONE_HUNDRED)?
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        Some(if pct.is_sign_negative() && !pct.is_zero() {
            format!("\u{2212}{}%", pct.abs())
        } else {
            format!("+{pct}%")
        })
    }
}

/// The unit of `field`'s values. `fields` holds the same side's other values (a fee's price is
/// per its `per` calls).
fn unit_of(field: &str, fields: &Map<String, String>) -> Option<Unit> {
    let last = field.rsplit('.').next().unwrap_or(field);
    if field.starts_with("output_image_tokens.") {
        return Some(Unit::TokensPerImage);
    }
    if field.starts_with("output_image_fees.") {
        return Some(Unit::UsdPerImage);
    }
    if let Some(fee) = field.strip_prefix("fees.") {
        let (id, what) = fee.rsplit_once('.')?;
        return match what {
            "price" => {
                let per = fields.get(&format!("fees.{id}.per"))?.parse().ok()?;
                Some(Unit::UsdPerCalls(per))
            }
            "per" | "free" => Some(Unit::Calls),
            _ => None,
        };
    }
    match last {
        "multiplier" | "residency_multiplier" => Some(Unit::Multiplier),
        "context_window" | "max_output_tokens" => Some(Unit::Tokens),
        // `batch.cache_read` is a flag; the rate `cache_read` stands alone or after a tier or
        // `rates.`.
        _ if field.contains('.')
            && !field.contains(".rates.")
            && !field.starts_with("long_context[") =>
        {
            None
        }
        "cache_storage" => Some(Unit::UsdPerMTokensPerHour),
        key => Meter::from_key(key).map(|_| Unit::UsdPerMTokens),
    }
}

/// `(new − old) / old`, rounded to 6 places, when both are numbers and `old` is not zero.
fn relative(old: Option<&str>, new: Option<&str>) -> Option<String> {
    let (old, new): (Decimal, Decimal) = (old?.parse().ok()?, new?.parse().ok()?);
    if old.is_zero() {
        return None;
    }
    let r = new.checked_sub(old)?.checked_div(old)?;
    Some(
        r.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .to_string(),
    )
}

/// Where changes are collected: which model, seen at which date, in force from when.
struct Scope<'a> {
    provider: &'a str,
    model: &'a str,
    at: Date,
    effective: Option<Date>,
}

impl Scope<'_> {
    fn change(
        &self,
        field: &str,
        old: Option<String>,
        new: Option<String>,
        unit: Option<Unit>,
    ) -> RateChange {
        let relative_change = unit.and_then(|_| relative(old.as_deref(), new.as_deref()));
        RateChange {
            provider: self.provider.to_string(),
            model: self.model.to_string(),
            at: self.at,
            effective: self.effective,
            field: field.to_string(),
            old,
            new,
            unit,
            relative_change,
        }
    }
}

/// Flattens a price entry into `field → value` pairs named after the file's keys.
pub fn fields(entry: &PriceEntry) -> Map<String, String> {
    let mut f = Map::new();
    for (m, r) in entry.rates.iter() {
        f.insert(m.key().to_string(), r.normalize().to_string());
    }
    for (mode, rule) in &entry.modes {
        f.insert(
            format!("{mode}.multiplier"),
            rule.multiplier.normalize().to_string(),
        );
        f.insert(
            format!("{mode}.cache_read"),
            rule.applies_to_cache_read.to_string(),
        );
        f.insert(
            format!("{mode}.cache_write"),
            rule.applies_to_cache_write.to_string(),
        );
        f.insert(
            format!("{mode}.cache_storage"),
            rule.applies_to_cache_storage.to_string(),
        );
        for (m, r) in rule.explicit.iter() {
            f.insert(
                format!("{mode}.rates.{}", m.key()),
                r.normalize().to_string(),
            );
        }
    }
    for t in &entry.tiers {
        let name = format!(
            "long_context[{}{}]",
            if t.inclusive { ">=" } else { ">" },
            crate::money::format_count(t.threshold)
        );
        f.insert(format!("{name}.counts"), t.describe());
        f.insert(
            format!("{name}.application"),
            t.application.as_str().to_string(),
        );
        for (m, r) in t.rates.iter() {
            f.insert(format!("{name}.{}", m.key()), r.normalize().to_string());
        }
    }
    for (res, n) in &entry.output_image_tokens {
        f.insert(format!("output_image_tokens.{res}"), n.to_string());
    }
    for (res, fee) in &entry.output_image_fees {
        f.insert(
            format!("output_image_fees.{res}"),
            fee.normalize().to_string(),
        );
    }
    if let Some(r) = entry.residency_multiplier {
        f.insert("residency_multiplier".into(), r.normalize().to_string());
    }
    for (id, fee) in &entry.fees {
        f.insert(
            format!("fees.{id}.price"),
            fee.price.normalize().to_string(),
        );
        f.insert(format!("fees.{id}.per"), fee.per.to_string());
        f.insert(format!("fees.{id}.free"), fee.free.to_string());
    }
    f
}

/// Every field that differs between two flattened value sets, in the book's field order.
fn compare(
    scope: &Scope<'_>,
    a: &Map<String, String>,
    b: &Map<String, String>,
    out: &mut Vec<RateChange>,
) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    crate::order::sort_by_key(&mut keys, |k| field_order(k));
    keys.dedup();
    for k in keys {
        let (o, n) = (a.get(k), b.get(k));
        if o != n {
            let unit = unit_of(k, if n.is_some() { b } else { a });
            out.push(scope.change(k, o.cloned(), n.cloned(), unit));
        }
    }
}

fn compare_entries(
    scope: &Scope<'_>,
    old: Option<&PriceEntry>,
    new: Option<&PriceEntry>,
    out: &mut Vec<RateChange>,
) {
    let (a, b) = (
        old.map(fields).unwrap_or_default(),
        new.map(fields).unwrap_or_default(),
    );
    compare(scope, &a, &b, out);
}

/// A model's undated facts, flattened like a price entry's fields.
fn facts(m: &Model) -> Map<String, String> {
    let mut f = Map::new();
    if !m.aliases.is_empty() {
        f.insert("aliases".to_string(), m.aliases.join(", "));
    }
    if let Some(n) = m.context_window {
        f.insert("context_window".to_string(), n.to_string());
    }
    if let Some(n) = m.max_output_tokens {
        f.insert("max_output_tokens".to_string(), n.to_string());
    }
    f
}

/// Sorts rate fields in the book's meter order, then everything else by name.
fn field_order(k: &str) -> (usize, String) {
    let rank = Meter::ALL
        .iter()
        .position(|m| m.key() == k)
        .unwrap_or(Meter::ALL.len());
    (rank, k.to_string())
}

/// Every value that differs between the prices in force at `from` and at `to`, per model.
/// A model priced at one date and not the other shows all its fields as added or removed.
pub fn diff_dates(book: &RateBook, from: Date, to: Date) -> Vec<RateChange> {
    let mut out = Vec::new();
    for m in book.models() {
        let (a, b) = (m.price_at(from).ok(), m.price_at(to).ok());
        // The same entry (or none) at both dates: nothing changed. Entries of a model differ
        // at least in their dates, so identity is equality here.
        let same = match (a, b) {
            (Some(x), Some(y)) => std::ptr::eq(x, y),
            (x, y) => x.is_none() && y.is_none(),
        };
        if !same {
            let scope = Scope {
                provider: &m.provider,
                model: &m.id,
                at: to,
                effective: b.map(|p| p.effective).or(a.and_then(|p| p.until)),
            };
            compare_entries(&scope, a, b, &mut out);
        }
    }
    out
}

fn entry_dates(m: Option<&Model>) -> impl Iterator<Item = Date> + '_ {
    m.into_iter()
        .flat_map(|m| m.prices.iter().map(|p| p.effective))
}

/// Every value that differs between two books, checked at each date on which either book's
/// entries for a model start (so a new future-dated entry shows up too), each labelled with
/// that date. Models are matched by canonical id. Per model, in order: `model` when it was
/// added or removed, its undated facts, then per date an `entry` change when an entry with
/// that date was added or removed, and the values that changed from that date. A model only
/// in the new book is shown entry by entry against its own previous entry; a model only in
/// the old book by its `model` and `entry` lines alone.
pub fn diff_books(old: &RateBook, new: &RateBook) -> Vec<RateChange> {
    let mut ids: Vec<(&str, &str)> = old
        .models()
        .iter()
        .chain(new.models())
        .map(|m| (m.provider.as_str(), m.id.as_str()))
        .collect();
    crate::order::sort(&mut ids);
    ids.dedup_by(|a, b| a.1 == b.1);
    let mut out = Vec::new();
    for (provider, id) in ids {
        let (a, b) = (
            old.get(id).filter(|m| m.id == id),
            new.get(id).filter(|m| m.id == id),
        );
        let first = |m: Option<&Model>| m.and_then(|m| m.prices.first()).map(|p| p.effective);
        let Some(start) = first(b).or(first(a)) else {
            continue;
        };
        let model_scope = Scope {
            provider,
            model: id,
            at: start,
            effective: None,
        };
        match (a, b) {
            (None, Some(m)) => out.push(
                Scope {
                    effective: Some(start),
                    ..model_scope
                }
                .change("model", None, Some(m.name.clone()), None),
            ),
            (Some(m), None) => {
                out.push(model_scope.change("model", Some(m.name.clone()), None, None))
            }
            _ => {}
        }
        compare(
            &model_scope,
            &a.map(facts).unwrap_or_default(),
            &b.map(facts).unwrap_or_default(),
            &mut out,
        );
        let mut dates: Vec<Date> = entry_dates(a).chain(entry_dates(b)).collect();
        crate::order::sort(&mut dates);
        dates.dedup();
        for d in dates {
            let scope = Scope {
                provider,
                model: id,
                at: d,
                effective: Some(d),
            };
            let has =
                |m: Option<&Model>| m.is_some_and(|m| m.prices.iter().any(|p| p.effective == d));
            let date = Some(d.to_string());
            match (has(a), has(b)) {
                (false, true) => out.push(scope.change("entry", None, date, None)),
                (true, false) => out.push(scope.change("entry", date, None, None)),
                _ => {}
            }
            let (x, y) = match (a, b) {
                // Removed: the `model` and `entry` lines say it all.
                (_, None) => continue,
                // Added: each entry against the model's own previous entry.
                (None, Some(m)) => (
                    m.prices.iter().take_while(|p| p.effective < d).last(),
                    m.price_at(d).ok(),
                ),
                (Some(a), Some(b)) => (a.price_at(d).ok(), b.price_at(d).ok()),
            };
            let before = out.len();
            compare_entries(&scope, x, y, &mut out);
            // Report each value change once: at the first date it appears.
            let new_items: Vec<RateChange> = out.drain(before..).collect();
            for c in new_items {
                let dup = out.iter().rev().any(|p| {
                    p.model == c.model && p.field == c.field && p.old == c.old && p.new == c.new
                });
                if !dup {
                    out.push(c);
                }
            }
        }
    }
    out
}
