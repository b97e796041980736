//! What changed between two dates of one book, or between two books (a pull request's
//! before and after): every rate, multiplier, tier, image token count and fee, old → new.
//!
//! Fields are named with the pricing-file keys (`input`, `batch.multiplier`,
//! `long_context[>200,000].output`, `output_image_tokens.1K`, `fees.search.price`), so a reviewer
//! can find the line in the TOML. Values are exact decimals as strings.

use crate::map::Map;

use crate::book::{Meter, Model, PriceEntry, RateBook};
use crate::date::Date;

/// One changed value of one model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RateChange {
    pub provider: String,
    pub model: String,
    /// The date at which the change is seen (the `to` date, or the entry date in a book diff).
    pub at: Date,
    pub field: String,
    /// `None` when the field (or model) did not exist before.
    pub old: Option<String>,
    /// `None` when the field (or model) no longer exists.
    pub new: Option<String>,
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

fn compare(
    provider: &str,
    model: &str,
    at: Date,
    old: Option<&PriceEntry>,
    new: Option<&PriceEntry>,
    out: &mut Vec<RateChange>,
) {
    let (a, b) = (
        old.map(fields).unwrap_or_default(),
        new.map(fields).unwrap_or_default(),
    );
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort_by_key(|k| field_order(k));
    keys.dedup();
    for k in keys {
        let (o, n) = (a.get(k), b.get(k));
        if o != n {
            out.push(RateChange {
                provider: provider.to_string(),
                model: model.to_string(),
                at,
                field: k.clone(),
                old: o.cloned(),
                new: n.cloned(),
            });
        }
    }
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
        if a != b {
            compare(&m.provider, &m.id, to, a, b, &mut out);
        }
    }
    out
}

fn entry_dates(m: Option<&Model>) -> impl Iterator<Item = Date> + '_ {
    m.into_iter()
        .flat_map(|m| m.prices.iter().map(|p| p.effective))
}

/// Every value that differs between two books, checked at each date on which either book's
/// entries for a model start (so a new future-dated entry shows up too). Models are matched
/// by canonical id.
pub fn diff_books(old: &RateBook, new: &RateBook) -> Vec<RateChange> {
    let mut ids: Vec<(&str, &str)> = old
        .models()
        .iter()
        .chain(new.models())
        .map(|m| (m.provider.as_str(), m.id.as_str()))
        .collect();
    ids.sort();
    ids.dedup_by(|a, b| a.1 == b.1);
    let mut out = Vec::new();
    for (provider, id) in ids {
        let (a, b) = (
            old.get(id).filter(|m| m.id == id),
            new.get(id).filter(|m| m.id == id),
        );
        let mut dates: Vec<Date> = entry_dates(a).chain(entry_dates(b)).collect();
        dates.sort();
        dates.dedup();
        for d in dates {
            let (x, y) = (
                a.and_then(|m| m.price_at(d).ok()),
                b.and_then(|m| m.price_at(d).ok()),
            );
            let before = out.len();
            compare(provider, id, d, x, y, &mut out);
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
