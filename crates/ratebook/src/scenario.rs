//! Scenarios: a steady workload priced as a day and a month of spend, with the practices that
//! change it — batching, prompt caching, escalation to a fallback model — and the number that
//! compares models fairly, the cost per accepted result.
//!
//! A [`Scenario`] is `requests_per_day` requests of `input_tokens` in and `output_tokens` out
//! (plus generated images) on one model, where:
//! - `batch_share` of the requests go through batch mode, the rest standard;
//! - `cached_share` of each request's input tokens are read from cache;
//! - the primary's output passes validation with probability `pass_rate`; a failed one is
//!   retried on the same model up to `max_retries` times (each attempt passing with
//!   `pass_rate`), and after the last failure sent once to the fallback model (same request),
//!   which passes with `fallback_pass_rate`. Every call is paid. Without a fallback an output
//!   that failed every attempt is simply not accepted.
//!
//! Expected values, exactly: pricing is linear in token counts, so a fractional share is priced
//! as a weighted mix of whole requests — standard and batch, uncached and fully cached — and
//! the weights are exact decimals. Per task, with `p` the pass rate, `q` the fallback's and `n`
//! the retries:
//!
//! ```text
//! attempts  = 1 + (1 − p) + (1 − p)² + … + (1 − p)ⁿ     expected calls of the primary
//! f         = (1 − p)ⁿ⁺¹                                 every primary attempt failed
//! spend     = attempts × mix(primary) + f × mix(fallback)
//! accepted  = (1 − f) + f × q
//! cost per accepted result = (requests × spend) / (requests × accepted)
//! ```
//!
//! With no retries (`n = 0`) this is one call and an escalation with probability `1 − p`. The
//! powers of `1 − p` are exact while they fit the decimal type (28 digits after the point;
//! `max_retries` is at most [`MAX_RETRIES`]); a power with more digits is rounded half to even
//! at the 28th, which moves a cost by less than 10⁻²⁰ of a dollar per request.
//!
//! Every amount is an exact decimal except `cost_per_accepted`, the one quotient: it is rounded
//! half to even to the decimal type's precision (at most 28 digits after the point, within a
//! 96-bit mantissa), e.g. $3.55 / 9,800 = 0.0003622448979591836734693878. The baseline is the
//! same requests all standard, uncached and without escalation; `saving` is baseline −
//! scenario (negative when escalation costs more than batching and caching save).
//!
//! The mix decides a long-context tier per whole request of each kind (a tier that counts only
//! uncached input is reached by the uncached requests, not the cached ones). Scenario files are
//! TOML with the same fields ([`ScenarioSpec::from_toml`]).

use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::book::{Mode, RateBook};
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::estimate::{EstimateOptions, estimate_model};
use crate::money::parse_decimal;
use crate::usage::{ImageCount, Usage};

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, msg)
}

fn overflow() -> Error {
    Error::new(
        ErrorKind::Overflow,
        "scenario spend is too large to compute exactly",
    )
}

/// Parses a fraction: an exact decimal from 0 to 1 (`0.25`), or a percentage (`25%`).
pub fn parse_share(s: &str) -> Result<Decimal, Error> {
    let t = s.trim();
    let value = match t.strip_suffix('%') {
        // Saturating: |d / 100| ≤ |d|, so the division does not overflow; were it to, the
        // maximum is refused below as out of range.
        Some(p) => {
            parse_decimal(p).map(|d| d.checked_div(Decimal::ONE_HUNDRED).unwrap_or(Decimal::MAX))
        }
        None => parse_decimal(t),
    }
    .map_err(|e| invalid(format!("`{s}` is not a fraction: {e}")))?;
    check_share(value, s)
}

fn check_share(value: Decimal, shown: &str) -> Result<Decimal, Error> {
    if value < Decimal::ZERO || value > Decimal::ONE {
        return Err(invalid(format!(
            "`{shown}` is not a fraction between 0 and 1"
        )));
    }
    Ok(value.normalize())
}

/// The most retries a scenario takes ([`Scenario::max_retries`]).
pub const MAX_RETRIES: u32 = 20;

/// The escalation target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub model: String,
    /// Probability that the fallback's output passes validation.
    pub pass_rate: Decimal,
}

/// A workload to price. Build one directly or from a [`ScenarioSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub model: String,
    pub requests_per_day: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub output_images: Vec<ImageCount>,
    /// Fraction of each request's input tokens read from cache.
    pub cached_share: Decimal,
    /// Fraction of requests sent through batch mode.
    pub batch_share: Decimal,
    /// Days in the month the monthly figure covers.
    pub days: u32,
    /// Probability that the primary's output passes validation (1 without escalation).
    pub pass_rate: Decimal,
    /// How many times a failed output is retried on the primary before escalating (0: none).
    pub max_retries: u32,
    pub fallback: Option<Fallback>,
    pub date: Date,
}

impl Scenario {
    /// `requests_per_day` text requests on `model`, all standard, priced at `date`.
    pub fn new(
        model: impl Into<String>,
        requests_per_day: u64,
        input_tokens: u64,
        output_tokens: u64,
        date: Date,
    ) -> Scenario {
        Scenario {
            model: model.into(),
            requests_per_day,
            input_tokens,
            output_tokens,
            output_images: Vec::new(),
            cached_share: Decimal::ZERO,
            batch_share: Decimal::ZERO,
            days: 30,
            pass_rate: Decimal::ONE,
            max_retries: 0,
            fallback: None,
            date,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        check_share(
            self.cached_share,
            &format!("cached_share = {}", self.cached_share),
        )?;
        check_share(
            self.batch_share,
            &format!("batch_share = {}", self.batch_share),
        )?;
        check_share(self.pass_rate, &format!("pass_rate = {}", self.pass_rate))?;
        if let Some(f) = &self.fallback {
            check_share(
                f.pass_rate,
                &format!("fallback_pass_rate = {}", f.pass_rate),
            )?;
        }
        if self.days == 0 {
            return Err(invalid("days must be at least 1"));
        }
        if self.max_retries > MAX_RETRIES {
            return Err(invalid(format!(
                "max_retries = {} is more than {MAX_RETRIES}",
                self.max_retries
            )));
        }
        Ok(())
    }
}

/// Which call a part of the mix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Primary,
    Fallback,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Fallback => "fallback",
        }
    }
}

/// One kind of request in the mix: its weight (expected calls of this kind per scenario
/// request) and what one such call costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub role: Role,
    pub model: String,
    pub mode: Mode,
    /// Input read entirely from cache.
    pub cached: bool,
    pub weight: Decimal,
    pub request_cost: Decimal,
    /// `requests_per_day × weight × request_cost`.
    pub daily: Decimal,
}

/// The all-standard, uncached, no-escalation reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub per_request: Decimal,
    pub daily: Decimal,
    pub monthly: Decimal,
    pub cost_per_accepted: Option<Decimal>,
}

/// A scenario, priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioCost {
    /// The primary model's canonical id.
    pub model: String,
    pub provider: String,
    pub fallback_model: Option<String>,
    pub date: Date,
    pub requests_per_day: u64,
    pub days: u32,
    /// Expected spend per scenario request, escalations included.
    pub per_request: Decimal,
    pub daily: Decimal,
    pub monthly: Decimal,
    /// Expected accepted results a day.
    pub accepted_per_day: Decimal,
    /// Expected calls per task: the primary's attempts (retries included) and the fallback's.
    pub expected_attempts: Decimal,
    /// The share of tasks finally accepted (by the primary on some attempt, or the fallback).
    pub accepted_share: Decimal,
    /// `daily / accepted_per_day`, rounded half to even to at most 28 decimal places; `None`
    /// when nothing is ever accepted.
    pub cost_per_accepted: Option<Decimal>,
    pub baseline: Baseline,
    pub saving_daily: Decimal,
    pub saving_monthly: Decimal,
    pub parts: Vec<Part>,
}

fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    a.checked_mul(b).ok_or_else(overflow)
}

fn sum(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    a.checked_add(b).ok_or_else(overflow)
}

fn minus(a: Decimal, b: Decimal) -> Result<Decimal, Error> {
    a.checked_sub(b).ok_or_else(overflow)
}

fn quotient(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        None
    } else {
        a.checked_div(b).map(|q| q.normalize())
    }
}

/// The expected cost of one call of `model_id` under the scenario's batch and cache shares,
/// weighted by `weight` calls per scenario request.
fn mix(
    book: &RateBook,
    s: &Scenario,
    model_id: &str,
    role: Role,
    weight: Decimal,
    parts: &mut Vec<Part>,
) -> Result<Decimal, Error> {
    let model = book.resolve(model_id)?;
    let uncached = Usage {
        input_text: s.input_tokens,
        output_text: s.output_tokens,
        output_images: s.output_images.clone(),
        ..Usage::default()
    };
    let cached = Usage {
        cached: s.input_tokens,
        ..uncached.clone()
    };
    let mut expected = Decimal::ZERO;
    for (mode, wm) in [
        (Mode::Standard, minus(Decimal::ONE, s.batch_share)?),
        (Mode::Batch, s.batch_share),
    ] {
        for (usage, wc, is_cached) in [
            (&uncached, minus(Decimal::ONE, s.cached_share)?, false),
            (&cached, s.cached_share, true),
        ] {
            let w = mul(mul(wm, wc)?, weight)?;
            if w.is_zero() {
                continue;
            }
            let est = estimate_model(book, model, usage, EstimateOptions::at(s.date).mode(mode))?;
            let part_cost = mul(w, est.total)?;
            expected = sum(expected, part_cost)?;
            parts.push(Part {
                role,
                model: model.id.clone(),
                mode,
                cached: is_cached,
                weight: w.normalize(),
                request_cost: est.total,
                daily: mul(part_cost, Decimal::from(s.requests_per_day))?.normalize(),
            });
        }
    }
    Ok(expected)
}

/// Prices a scenario.
pub fn run(book: &RateBook, s: &Scenario) -> Result<ScenarioCost, Error> {
    s.validate()?;
    let primary = book.resolve(&s.model)?;
    let n = Decimal::from(s.requests_per_day);
    let days = Decimal::from(s.days);
    let mut parts = Vec::new();
    // Expected primary attempts, 1 + (1 − p) + … + (1 − p)ⁿ, and the chance all of them
    // failed, (1 − p)ⁿ⁺¹.
    let fails = minus(Decimal::ONE, s.pass_rate)?;
    let mut attempts = Decimal::ZERO;
    let mut escalated = Decimal::ONE;
    for _ in 0..=s.max_retries {
        attempts = sum(attempts, escalated)?;
        escalated = mul(escalated, fails)?;
    }
    let mut per_request = mix(book, s, &primary.id, Role::Primary, attempts, &mut parts)?;
    let mut accepted = minus(Decimal::ONE, escalated)?;
    let mut expected_attempts = attempts;
    let mut fallback_model = None;
    if let Some(f) = &s.fallback {
        let fb = book.resolve(&f.model)?;
        fallback_model = Some(fb.id.clone());
        if !escalated.is_zero() {
            per_request = sum(
                per_request,
                mix(book, s, &fb.id, Role::Fallback, escalated, &mut parts)?,
            )?;
            expected_attempts = sum(expected_attempts, escalated)?;
        }
        accepted = sum(accepted, mul(escalated, f.pass_rate)?)?;
    }
    let daily = mul(per_request, n)?;
    let monthly = mul(daily, days)?;
    let accepted_per_day = mul(accepted, n)?;

    let base_est = estimate_model(
        book,
        primary,
        &Usage {
            input_text: s.input_tokens,
            output_text: s.output_tokens,
            output_images: s.output_images.clone(),
            ..Usage::default()
        },
        EstimateOptions::at(s.date),
    )?;
    let base_daily = mul(base_est.total, n)?;
    let base_monthly = mul(base_daily, days)?;
    let baseline = Baseline {
        per_request: base_est.total.normalize(),
        daily: base_daily.normalize(),
        monthly: base_monthly.normalize(),
        cost_per_accepted: quotient(base_daily, mul(s.pass_rate, n)?),
    };
    Ok(ScenarioCost {
        model: primary.id.clone(),
        provider: primary.provider.clone(),
        fallback_model,
        date: s.date,
        requests_per_day: s.requests_per_day,
        days: s.days,
        per_request: per_request.normalize(),
        daily: daily.normalize(),
        monthly: monthly.normalize(),
        accepted_per_day: accepted_per_day.normalize(),
        expected_attempts: expected_attempts.normalize(),
        accepted_share: accepted.normalize(),
        cost_per_accepted: quotient(daily, accepted_per_day),
        saving_daily: minus(base_daily, daily)?.normalize(),
        saving_monthly: minus(base_monthly, monthly)?.normalize(),
        baseline,
        parts,
    })
}

/// One scenario run with each of `models` as the primary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Cheapest per accepted result first (then cheapest a day, then by id).
    pub ranked: Vec<ScenarioCost>,
    /// Models that cannot run the scenario, with the reason (no batch mode, no cache rate,
    /// no image output, no price at the date, unknown id, …).
    pub cannot_run: Vec<(String, Error)>,
}

/// Runs `s` with each model of `models` as its primary (the fallback stays the same).
pub fn compare(book: &RateBook, s: &Scenario, models: &[String]) -> Comparison {
    let mut ranked = Vec::new();
    let mut cannot_run = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for m in models {
        let id = book
            .resolve(m)
            .map(|m| m.id.clone())
            .unwrap_or_else(|_| m.clone());
        if seen.contains(&id) {
            continue;
        }
        seen.push(id.clone());
        let one = Scenario {
            model: m.clone(),
            ..s.clone()
        };
        match run(book, &one) {
            Ok(c) => ranked.push(c),
            Err(e) => cannot_run.push((id, e)),
        }
    }
    crate::order::sort_by(&mut ranked, |a, b| {
        let key = |c: &ScenarioCost| {
            (
                c.cost_per_accepted.is_none(),
                c.cost_per_accepted.unwrap_or(Decimal::ZERO),
            )
        };
        key(a)
            .cmp(&key(b))
            .then(a.daily.cmp(&b.daily))
            .then_with(|| a.model.cmp(&b.model))
    });
    Comparison { ranked, cannot_run }
}

// ---------------------------------------------------------------------------------------------
// Scenario files
// ---------------------------------------------------------------------------------------------

/// A fraction in a scenario file: a quoted exact decimal (`"0.25"`, `"25%"`) or the integers
/// 0 and 1. Bare floats are refused, as in pricing files, because TOML reads them as binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share(pub Decimal);

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Share, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Share;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fraction in quotes, like \"0.25\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Share, E> {
                parse_share(s).map(Share).map_err(|e| E::custom(e.message))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Share, E> {
                check_share(Decimal::from(v), &v.to_string())
                    .map(Share)
                    .map_err(|e| E::custom(e.message))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Share, E> {
                check_share(Decimal::from(v), &v.to_string())
                    .map(Share)
                    .map_err(|e| E::custom(e.message))
            }
            #[allow(
                clippy::disallowed_types,
                reason = "serde's visitor signature; the page never reads scenario files"
            )]
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Share, E> {
                Err(E::custom(format!(
                    "bare float {v} is not exact; write the fraction in quotes: \"{v}\""
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// `compare = "all"`, `compare = "a,b"` or `compare = ["a", "b"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareSet {
    All,
    Models(Vec<String>),
}

impl CompareSet {
    /// Parses the `--compare` value: `all` or a comma-separated list.
    pub fn parse(s: &str) -> CompareSet {
        if s.trim().eq_ignore_ascii_case("all") {
            CompareSet::All
        } else {
            CompareSet::Models(
                s.split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect(),
            )
        }
    }

    /// The model ids to run, in order.
    pub fn models(&self, book: &RateBook) -> Vec<String> {
        match self {
            CompareSet::All => book.models().iter().map(|m| m.id.clone()).collect(),
            CompareSet::Models(v) => v.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for CompareSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CompareSet, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::One(s) => CompareSet::parse(&s),
            Raw::Many(v) => CompareSet::Models(v),
        })
    }
}

/// A scenario with every field optional: what a file or a command line gives. Later layers
/// override earlier ones ([`ScenarioSpec::overlay`]); [`ScenarioSpec::build`] checks that the
/// required fields are there.
///
/// ```toml
/// model = "gemini-3.1-flash-lite"
/// requests_per_day = 10000
/// input_tokens = 500
/// output_tokens = 100
/// cached_share = "0.6"         # fractions are quoted exact decimals (or "60%")
/// batch_share = "0.5"
/// days = 30
/// pass_rate = "0.9"
/// max_retries = 2              # retries on the primary before the fallback
/// fallback_model = "gemini-2.5-flash"
/// fallback_pass_rate = "1"
/// output_images = ["1@1K"]     # N@RESOLUTION
/// date = "2026-11-23"
/// compare = "all"              # or ["gpt-5", "claude-haiku-4-5"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub model: Option<String>,
    pub requests_per_day: Option<u64>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub output_images: Option<Vec<String>>,
    pub cached_share: Option<Share>,
    pub batch_share: Option<Share>,
    pub days: Option<u32>,
    pub pass_rate: Option<Share>,
    pub max_retries: Option<u32>,
    pub fallback_model: Option<String>,
    pub fallback_pass_rate: Option<Share>,
    pub date: Option<String>,
    pub compare: Option<CompareSet>,
}

impl ScenarioSpec {
    /// Reads a scenario file. `name` is used in messages.
    #[cfg(feature = "scenario-files")]
    pub fn from_toml(name: &str, text: &str) -> Result<ScenarioSpec, Error> {
        toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let mut err = invalid(format!("{name}: {msg}"));
            if let Some(span) = e.span() {
                let loc = crate::error::Location::from_offset(name, text, span.start, None);
                err = invalid(msg).at(loc);
            }
            err
        })
    }

    /// `self` with every field `top` sets replaced by `top`'s.
    pub fn overlay(self, top: ScenarioSpec) -> ScenarioSpec {
        ScenarioSpec {
            model: top.model.or(self.model),
            requests_per_day: top.requests_per_day.or(self.requests_per_day),
            input_tokens: top.input_tokens.or(self.input_tokens),
            output_tokens: top.output_tokens.or(self.output_tokens),
            output_images: top.output_images.or(self.output_images),
            cached_share: top.cached_share.or(self.cached_share),
            batch_share: top.batch_share.or(self.batch_share),
            days: top.days.or(self.days),
            pass_rate: top.pass_rate.or(self.pass_rate),
            max_retries: top.max_retries.or(self.max_retries),
            fallback_model: top.fallback_model.or(self.fallback_model),
            fallback_pass_rate: top.fallback_pass_rate.or(self.fallback_pass_rate),
            date: top.date.or(self.date),
            compare: top.compare.or(self.compare),
        }
    }

    /// The scenario, priced at the spec's date or `default_date`. With `compare` set the model
    /// may be left out (each compared model takes its place).
    pub fn build(&self, default_date: Date) -> Result<Scenario, Error> {
        let mut missing = Vec::new();
        if self.model.is_none() && self.compare.is_none() {
            missing.push("model");
        }
        if self.requests_per_day.is_none() {
            missing.push("requests_per_day");
        }
        if self.input_tokens.is_none() {
            missing.push("input_tokens");
        }
        if self.output_tokens.is_none() {
            missing.push("output_tokens");
        }
        if !missing.is_empty() {
            return Err(invalid(format!(
                "the scenario needs {}",
                missing.join(", ")
            )));
        }
        if self.fallback_pass_rate.is_some() && self.fallback_model.is_none() {
            return Err(invalid("fallback_pass_rate needs fallback_model"));
        }
        if self.max_retries.is_some_and(|n| n > 0) && self.pass_rate.is_none() {
            return Err(invalid(
                "max_retries needs pass_rate (how often an attempt's output passes)",
            ));
        }
        if self.fallback_model.is_some() && self.pass_rate.is_none() {
            return Err(invalid(
                "fallback_model needs pass_rate (how often the primary's output passes)",
            ));
        }
        let date = match &self.date {
            Some(d) => d.parse()?,
            None => default_date,
        };
        let mut output_images = Vec::new();
        for s in self.output_images.iter().flatten() {
            output_images.push(ImageCount::parse(s)?);
        }
        let share = |s: Option<Share>, default: Decimal| s.map_or(default, |s| s.0);
        let s = Scenario {
            model: self.model.clone().unwrap_or_default(),
            requests_per_day: self.requests_per_day.unwrap_or(0),
            input_tokens: self.input_tokens.unwrap_or(0),
            output_tokens: self.output_tokens.unwrap_or(0),
            output_images,
            cached_share: share(self.cached_share, Decimal::ZERO),
            batch_share: share(self.batch_share, Decimal::ZERO),
            days: self.days.unwrap_or(30),
            pass_rate: share(self.pass_rate, Decimal::ONE),
            max_retries: self.max_retries.unwrap_or(0),
            fallback: self.fallback_model.clone().map(|model| Fallback {
                model,
                pass_rate: share(self.fallback_pass_rate, Decimal::ONE),
            }),
            date,
        };
        s.validate()?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares() {
        assert_eq!(parse_share("0.25").unwrap(), Decimal::new(25, 2));
        assert_eq!(parse_share("25%").unwrap(), Decimal::new(25, 2));
        assert_eq!(parse_share("1").unwrap(), Decimal::ONE);
        for bad in [
            "1.5",
            "-0.1",
            "abc",
            "",
            "101%",
            "0.1234567890123456789012345678901",
        ] {
            assert!(parse_share(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spec_files() {
        let spec = ScenarioSpec::from_toml("s.toml", "model = \"x\"\nrequests_per_day = 5\ninput_tokens = 1\noutput_tokens = 2\ncached_share = \"0.5\"\ncompare = \"a, b\"\n").unwrap();
        assert_eq!(spec.cached_share, Some(Share(Decimal::new(5, 1))));
        assert_eq!(
            spec.compare,
            Some(CompareSet::Models(vec!["a".into(), "b".into()]))
        );
        let err = ScenarioSpec::from_toml("s.toml", "cached_share = 0.5\n").unwrap_err();
        assert!(err.to_string().contains("quotes"), "{err}");
        let err = ScenarioSpec::from_toml("s.toml", "\nmodle = \"x\"\n").unwrap_err();
        assert!(err.to_string().starts_with("s.toml:2:"), "{err}");
        let date = Date::new(2026, 11, 23).unwrap();
        assert!(
            ScenarioSpec::default()
                .build(date)
                .unwrap_err()
                .message
                .contains("requests_per_day")
        );
    }
}
