//! The JSON exports: OpenAI's organization Costs API pages and Anthropic's Admin API cost
//! reports, as downloaded (one page, a JSON array of pages, or pages one after another — JSON
//! Lines or pretty-printed). Every bucket and every result is read on its own and located by
//! the line its text starts on, so one malformed result is rejected and the rest still count.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde_json::value::RawValue;

use rust_decimal::Decimal;

use super::{Bill, BillFormat, BillReject, BilledItem, Lines};
use crate::date::Date;
use crate::ingest::{Stamp, json_decimal};

/// An amount of money: a JSON number (read as the shortest decimal that is the same `f64`, as
/// ingest reads gateways' charges) or a decimal string. Negative amounts (credits, refunds)
/// are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Money(pub Decimal);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an amount (a number or a decimal string)")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Money, E> {
                Ok(Money(Decimal::from(n)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Money, E> {
                Ok(Money(Decimal::from(n)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
                json_decimal(v)
                    .map(Money)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                Decimal::from_str_exact(v.trim())
                    .map(|d| Money(d.normalize()))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A page, a bucket, or something else: what a JSON value is, read only as far as needed.
#[derive(Deserialize)]
struct Node<'a> {
    #[serde(borrow, default)]
    data: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    results: Option<Vec<&'a RawValue>>,
    /// OpenAI: the bucket's start, Unix seconds.
    #[serde(default)]
    start_time: Option<Stamp>,
    /// Anthropic: the bucket's start, RFC 3339.
    #[serde(default)]
    starting_at: Option<Stamp>,
    #[serde(default)]
    error: Option<IgnoredAny>,
}

/// A result of OpenAI's `GET /v1/organization/costs` (`organization.costs.result`).
#[derive(Deserialize)]
struct OpenAiCost {
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    amount: Option<OpenAiAmount>,
    #[serde(default)]
    line_item: Option<String>,
}

#[derive(Deserialize)]
struct OpenAiAmount {
    value: Money,
    #[serde(default)]
    currency: Option<String>,
}

/// A result of Anthropic's `GET /v1/organizations/cost_report`.
#[derive(Deserialize)]
struct AnthropicCost {
    #[serde(default)]
    amount: Option<Money>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    cost_type: Option<String>,
    #[serde(default)]
    context_window: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    service_tier: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    inference_geo: Option<String>,
    /// A usage report's field: present, the file is token counts, not costs.
    #[serde(default)]
    uncached_input_tokens: Option<IgnoredAny>,
}

/// serde_json's message without its " at line L column C" (the location is reported as the
/// file's line instead).
fn message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Reads the JSON export `text` into `bill`.
pub(super) fn read(text: &str, force: Option<BillFormat>, lines: &Lines, bill: &mut Bill) {
    let mut reader = Reader {
        text,
        lines,
        force,
        bill,
    };
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
        let mut resume = None;
        for value in stream.by_ref() {
            match value {
                Ok(raw) => reader.value(raw),
                Err(e) => {
                    // serde_json counts lines from 1 within `rest`.
                    let first = lines.line_of(pos);
                    let line = first.saturating_add(e.line().saturating_sub(1) as u64);
                    reader.reject(line, BillReject::Json, message(&e));
                    resume = lines.next_value_start(text, line);
                    break;
                }
            }
        }
        match resume {
            Some(p) if p > pos => pos = p,
            _ => break,
        }
    }
}

struct Reader<'t, 'b> {
    text: &'t str,
    lines: &'b Lines,
    force: Option<BillFormat>,
    bill: &'b mut Bill,
}

impl<'t> Reader<'t, '_> {
    fn line(&self, raw: &RawValue) -> u64 {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.lines.line_of(offset)
    }

    fn reject(&mut self, line: u64, kind: BillReject, message: String) {
        self.bill.reject(line, kind, message);
    }

    /// A top-level value: a page, an array of pages (or of buckets), or a bucket.
    fn value(&mut self, raw: &'t RawValue) {
        let line = self.line(raw);
        if raw.get().starts_with('[') {
            match serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
                Ok(items) => {
                    for item in items {
                        self.value(item);
                    }
                }
                Err(e) => self.reject(line, BillReject::Json, message(&e)),
            }
            return;
        }
        let node = match serde_json::from_str::<Node<'t>>(raw.get()) {
            Ok(n) => n,
            Err(e) => return self.reject(line, BillReject::Shape, message(&e)),
        };
        if let Some(buckets) = node.data {
            for b in buckets {
                self.bucket(b);
            }
        } else if node.results.is_some() {
            self.bucket(raw);
        } else if node.error.is_some() {
            self.reject(
                line,
                BillReject::NotABill,
                "an error response, not a page of costs".into(),
            );
        } else {
            self.reject(
                line,
                BillReject::NotABill,
                "neither a page (`data`) nor a bucket (`results`) of costs".into(),
            );
        }
    }

    fn bucket(&mut self, raw: &'t RawValue) {
        let line = self.line(raw);
        let node = match serde_json::from_str::<Node<'t>>(raw.get()) {
            Ok(n) => n,
            Err(e) => return self.reject(line, BillReject::Shape, message(&e)),
        };
        let (format, day) = match (node.start_time, node.starting_at) {
            (Some(Stamp(d)), _) => (BillFormat::OpenAi, d),
            (None, Some(Stamp(d))) => (BillFormat::Anthropic, d),
            (None, None) => {
                return self.reject(
                    line,
                    BillReject::Date,
                    "a bucket without `start_time` (OpenAI) or `starting_at` (Anthropic)".into(),
                );
            }
        };
        let format = self.force.unwrap_or(format);
        if self.bill.format.is_none() {
            self.bill.format = Some(format);
        }
        for r in node.results.unwrap_or_default() {
            let line = self.line(r);
            let item = match format {
                BillFormat::OpenAi => openai(r.get(), day),
                BillFormat::Anthropic => anthropic(r.get(), day),
                BillFormat::Gcp => Err((
                    BillReject::NotABill,
                    "a JSON bucket, but the format given is gcp (a CSV billing export)".into(),
                )),
            };
            match item {
                Ok(Some(mut item)) => {
                    item.line = line;
                    self.bill.items.push(item);
                }
                Ok(None) => {}
                Err((kind, msg)) => {
                    let usage = kind == BillReject::NotABill;
                    self.reject(line, kind, msg);
                    if usage {
                        // A usage report: every result would say the same.
                        break;
                    }
                }
            }
        }
    }
}

type Read = Result<Option<BilledItem>, (BillReject, String)>;

fn usd_only(currency: Option<&str>) -> Result<(), (BillReject, String)> {
    match currency {
        None => Ok(()),
        Some(c) if c.eq_ignore_ascii_case("usd") => Ok(()),
        Some(c) => Err((
            BillReject::Currency,
            format!("amount in {c}: only USD is compared (the book's rates are in USD)"),
        )),
    }
}

/// An OpenAI costs result. The line item, when the page was grouped by `line_item`, is the
/// text the Costs API gives (`gpt-4o-2024-08-06, input`): the model is the part before the
/// first comma when it looks like an id (no spaces), the meter the rest.
fn openai(text: &str, day: Date) -> Read {
    let r: OpenAiCost = serde_json::from_str(text).map_err(|e| (BillReject::Shape, message(&e)))?;
    if r.object
        .as_deref()
        .is_some_and(|o| o.starts_with("organization.usage."))
    {
        return Err((
            BillReject::NotABill,
            "a Usage API page (token counts), not costs: download GET /v1/organization/costs"
                .into(),
        ));
    }
    let amount = r.amount.ok_or_else(|| {
        (
            BillReject::Amount,
            "a costs result without `amount`".to_string(),
        )
    })?;
    usd_only(amount.currency.as_deref())?;
    let mut item = BilledItem::new(day, amount.value.0);
    match r.line_item {
        None => item.description = "(all line items)".into(),
        Some(li) => {
            let lower = li.to_ascii_lowercase();
            let (head, meter) = match li.split_once(',') {
                Some((h, m)) => (h.trim(), m.trim()),
                None => (li.trim(), ""),
            };
            let looks_like_id = !head.is_empty()
                && !head.contains(' ')
                && head.bytes().any(|b| b.is_ascii_digit() || b == b'-')
                && !meter.is_empty();
            if looks_like_id {
                item.model = Some(head.to_string());
            }
            item.tool = [
                "tool",
                "web search",
                "file search",
                "code interpreter",
                "container",
            ]
            .iter()
            .any(|w| lower.contains(w));
            item.batch = meter.to_ascii_lowercase().contains("batch");
            item.description = li;
        }
    }
    Ok(Some(item))
}

/// An Anthropic cost report result. `amount` is in the currency's lowest unit — cents — as a
/// decimal string ("123.45" USD is $1.23), per the Admin API reference.
fn anthropic(text: &str, day: Date) -> Read {
    let r: AnthropicCost =
        serde_json::from_str(text).map_err(|e| (BillReject::Shape, message(&e)))?;
    if r.uncached_input_tokens.is_some() && r.amount.is_none() {
        return Err((
            BillReject::NotABill,
            "a usage report (token counts), not costs: download GET /v1/organizations/cost_report"
                .into(),
        ));
    }
    let cents = r.amount.ok_or_else(|| {
        (
            BillReject::Amount,
            "a cost result without `amount`".to_string(),
        )
    })?;
    usd_only(r.currency.as_deref())?;
    let dollars = cents.0.checked_div(Decimal::ONE_HUNDRED).ok_or_else(|| {
        (
            BillReject::Amount,
            format!("amount {} cents does not fit", cents.0),
        )
    })?;
    let mut item = BilledItem::new(day, dollars);
    item.tool = r
        .cost_type
        .as_deref()
        .is_some_and(|c| c != "tokens" && !c.is_empty());
    item.batch = r.service_tier.as_deref() == Some("batch");
    item.long_context = r.context_window.as_deref() == Some("200k-1M");
    item.cache_1h = r.token_type.as_deref() == Some("cache_creation.ephemeral_1h_input_tokens");
    item.region = r
        .inference_geo
        .filter(|g| !matches!(g.as_str(), "" | "global" | "not_available"));
    item.description = r
        .description
        .or_else(|| r.token_type.clone())
        .or_else(|| r.cost_type.clone())
        .unwrap_or_else(|| "(all costs)".into());
    item.model = r.model.filter(|m| !m.is_empty());
    Ok(Some(item))
}
