//! Budgets: a spending limit per request, per day or per month, and checks against it.
//!
//! A [`Budget`] answers for three kinds of spend, always with the exact amount over (or left):
//! - one request's [`Estimate`] ([`Budget::check_estimate`]);
//! - a workload, a per-request cost × requests per day (× days per month)
//!   ([`Budget::check_workload`]);
//! - an amount already costed, such as a log's total from `ratebook cost` or
//!   `ingest::Ledger` ([`Budget::check_spend`]).
//!
//! The worst case of a request is its input plus output up to its `max_tokens` cap: a streamed
//! response that the client abandons is still billed for what was generated, so a per-request
//! limit is only safe if the worst case passes ([`worst_case`], [`Budget::check_worst_case`]).
//!
//! A project checking its budget with the rate book built into the crate (feature `bundled`):
//!
//! ```
//! # fn main() -> Result<(), ratebook::Error> {
//! # #[cfg(feature = "bundled")] {
//! use ratebook::budget::{Budget, Workload};
//! use ratebook::{Decimal, EstimateOptions, Usage};
//!
//! let book = ratebook::bundled::book();
//! let options = EstimateOptions::at("2026-11-23".parse()?);
//!
//! // A classifier: 500 input and 100 output tokens a request on Gemini 3.1 Flash-Lite.
//! let request = book.estimate("gemini-3.1-flash-lite", &Usage::text(500, 100), options)?;
//! // 500 × $0.25/M + 100 × $1.50/M = $0.000125 + $0.00015.
//! assert_eq!(request.total, Decimal::new(275, 6));
//!
//! // 10,000 requests a day against a $2.50 daily budget: $2.75 a day, $0.25 over.
//! let daily = Budget::usd_per_day(Decimal::new(250, 2))?;
//! let check = daily.check_workload(request.total, &Workload::requests_per_day(10_000))?;
//! assert!(check.over);
//! assert_eq!(check.spend, Decimal::new(275, 2));
//! assert_eq!(check.over_by, Decimal::new(25, 2));
//! assert_eq!(check.to_string(), "over the daily budget of $2.50 by $0.25 (spend $2.75)");
//!
//! // The same workload fits $90 a month (30 days × $2.75 = $82.50).
//! let monthly = Budget::usd_per_month(Decimal::from(90))?;
//! let check = monthly.check_workload(request.total, &Workload::requests_per_day(10_000))?;
//! assert!(!check.over);
//! assert_eq!(check.headroom, Decimal::new(750, 2));
//!
//! // A request capped at max_tokens = 8,192 can cost at most
//! // 500 × $0.25/M + 8,192 × $1.50/M = $0.000125 + $0.012288 = $0.012413.
//! let per_request = Budget::usd_per_request(Decimal::new(1, 2))?;
//! let worst = per_request.check_worst_case(&book, "gemini-3.1-flash-lite", &Usage::text(500, 0), Some(8_192), options)?;
//! assert_eq!(worst.spend, Decimal::new(12_413, 6));
//! assert!(worst.over); // over $0.01 by $0.002413
//! # }
//! # Ok(()) }
//! ```

use std::fmt;

use rust_decimal::Decimal;

use crate::book::RateBook;
use crate::error::{Error, ErrorKind};
use crate::estimate::{Estimate, EstimateOptions};
use crate::money::format_usd;
use crate::usage::Usage;

/// The period a limit covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Request,
    Day,
    Month,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Request => "request",
            Period::Day => "day",
            Period::Month => "month",
        }
    }

    fn adjective(self) -> &'static str {
        match self {
            Period::Request => "per-request",
            Period::Day => "daily",
            Period::Month => "monthly",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A spending limit in USD for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: Decimal,
    pub period: Period,
}

/// A steady workload: requests a day, and the days a month is taken to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    pub requests_per_day: u64,
    pub days_per_month: u32,
}

impl Workload {
    /// `n` requests a day, 30 days a month.
    pub fn requests_per_day(n: u64) -> Workload {
        Workload {
            requests_per_day: n,
            days_per_month: 30,
        }
    }

    pub fn days_per_month(mut self, days: u32) -> Workload {
        self.days_per_month = days;
        self
    }

    /// What the workload spends in `period` at `per_request` a request.
    pub fn spend(&self, per_request: Decimal, period: Period) -> Result<Decimal, Error> {
        let overflow = || {
            Error::new(
                ErrorKind::Overflow,
                "workload spend is too large to compute exactly",
            )
        };
        match period {
            Period::Request => Ok(per_request),
            Period::Day => per_request
                .checked_mul(Decimal::from(self.requests_per_day))
                .ok_or_else(overflow),
            Period::Month => per_request
                .checked_mul(Decimal::from(self.requests_per_day))
                .and_then(|d| d.checked_mul(Decimal::from(self.days_per_month)))
                .ok_or_else(overflow),
        }
    }
}

/// The answer of a check: the spend, whether it is over the limit (equal is within), and by
/// how much over or under, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub period: Period,
    pub limit: Decimal,
    pub spend: Decimal,
    pub over: bool,
    /// `spend − limit` when over, else zero.
    pub over_by: Decimal,
    /// `limit − spend` when within, else zero.
    pub headroom: Decimal,
}

impl Check {
    pub fn passes(&self) -> bool {
        !self.over
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (adj, limit, spend) = (
            self.period.adjective(),
            format_usd(self.limit),
            format_usd(self.spend),
        );
        if self.over {
            write!(
                f,
                "over the {adj} budget of {limit} by {} (spend {spend})",
                format_usd(self.over_by)
            )
        } else {
            write!(
                f,
                "within the {adj} budget of {limit}: spend {spend}, {} left",
                format_usd(self.headroom)
            )
        }
    }
}

impl Budget {
    /// A limit for `period`; negative limits are refused.
    pub fn new(limit: Decimal, period: Period) -> Result<Budget, Error> {
        if limit.is_sign_negative() && !limit.is_zero() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("a budget cannot be negative ({limit})"),
            ));
        }
        Ok(Budget { limit, period })
    }
    /// A limit of `limit` US dollars on each request.
    pub fn usd_per_request(limit: Decimal) -> Result<Budget, Error> {
        Budget::new(limit, Period::Request)
    }
    /// A limit of `limit` US dollars a day (see [`Workload`] for requests a day).
    pub fn usd_per_day(limit: Decimal) -> Result<Budget, Error> {
        Budget::new(limit, Period::Day)
    }
    /// A limit of `limit` US dollars a month.
    pub fn usd_per_month(limit: Decimal) -> Result<Budget, Error> {
        Budget::new(limit, Period::Month)
    }

    /// Checks an amount already spent (or costed) in this budget's period.
    pub fn check_spend(&self, spend: Decimal) -> Check {
        let over = spend > self.limit;
        // Saturating: `Budget::new` refuses a negative limit, so `spend − limit` of a spend over
        // it lies between zero and the spend; only a negative spend near `Decimal::MIN` (which
        // no estimate produces) against a limit near `Decimal::MAX` would saturate the headroom.
        Check {
            period: self.period,
            limit: self.limit,
            spend,
            over,
            over_by: if over {
                spend.saturating_sub(self.limit)
            } else {
                Decimal::ZERO
            },
            headroom: if over {
                Decimal::ZERO
            } else {
                self.limit.saturating_sub(spend)
            },
        }
    }

    /// Checks one request. Against a daily or monthly limit this asks whether the request
    /// alone fits; for a stream of them use [`Budget::check_workload`].
    pub fn check_estimate(&self, estimate: &Estimate) -> Check {
        self.check_spend(estimate.total)
    }

    /// Checks a workload at `per_request` a request: the spend of this budget's period.
    pub fn check_workload(
        &self,
        per_request: Decimal,
        workload: &Workload,
    ) -> Result<Check, Error> {
        Ok(self.check_spend(workload.spend(per_request, self.period)?))
    }

    /// Checks the worst case of one request (see [`worst_case`]).
    pub fn check_worst_case(
        &self,
        book: &RateBook,
        model_id: &str,
        input: &Usage,
        max_tokens: Option<u64>,
        options: EstimateOptions,
    ) -> Result<Check, Error> {
        let worst = worst_case(book, model_id, input, max_tokens, options)?;
        Ok(self.check_estimate(&worst.estimate))
    }
}

/// `usage` with its text output (reasoning included) raised to `max_tokens`: what a request
/// capped at `max_tokens` can be billed at most. Generated images keep their fixed counts.
pub fn worst_case_usage(usage: &Usage, max_tokens: u64) -> Usage {
    let mut u = usage.clone();
    u.output_text = u.output_text.max(max_tokens);
    u
}

/// A request's worst case: the estimate at the output cap, and which cap that was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorstCase {
    /// The estimate of the input plus `max_tokens` of output.
    pub estimate: Estimate,
    /// The output cap priced: the `max_tokens` asked for, or the model's maximum output when
    /// none was asked for or the one asked for is above it.
    pub max_tokens: u64,
    /// The `max_tokens` asked for when it was above the model's maximum output and was
    /// clamped to it (the model cannot generate more, so it cannot bill more).
    pub clamped_from: Option<u64>,
}

impl WorstCase {
    /// Whether the `max_tokens` asked for was clamped to the model's maximum output.
    pub fn clamped(&self) -> bool {
        self.clamped_from.is_some()
    }
}

/// The worst case of a request: its input plus `max_tokens` of output. Without a cap (`None`)
/// the model's own maximum output is the cap; a model without one is an error. A cap above
/// the model's maximum output is clamped to it, and the result says so
/// ([`WorstCase::clamped_from`]).
pub fn worst_case(
    book: &RateBook,
    model_id: &str,
    input: &Usage,
    max_tokens: Option<u64>,
    options: EstimateOptions,
) -> Result<WorstCase, Error> {
    let model = book.resolve(model_id)?;
    let (cap, clamped_from) = match (max_tokens, model.max_output_tokens) {
        (Some(asked), Some(limit)) if asked > limit => (limit, Some(asked)),
        (Some(asked), _) => (asked, None),
        (None, Some(limit)) => (limit, None),
        (None, None) => {
            return Err(Error::new(
                ErrorKind::InvalidUsage,
                format!(
                    "{} has no maximum output in the book; give max_tokens",
                    model.id
                ),
            ));
        }
    };
    let estimate =
        crate::estimate::estimate_model(book, model, &worst_case_usage(input, cap), options)?;
    Ok(WorstCase {
        estimate,
        max_tokens: cap,
        clamped_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_and_within_are_exact() {
        let b = Budget::usd_per_day(Decimal::new(5, 0)).unwrap();
        let c = b.check_spend(Decimal::new(5_000_000_000_001, 12));
        assert!(c.over);
        assert_eq!(c.over_by, Decimal::new(1, 12));
        let c = b.check_spend(Decimal::new(5, 0));
        assert!(c.passes());
        assert_eq!(c.headroom, Decimal::ZERO);
        assert!(Budget::usd_per_day(Decimal::new(-1, 0)).is_err());
    }

    #[test]
    fn workload_periods() {
        let w = Workload::requests_per_day(1_000).days_per_month(31);
        let r = Decimal::new(3, 3);
        assert_eq!(w.spend(r, Period::Request).unwrap(), r);
        assert_eq!(w.spend(r, Period::Day).unwrap(), Decimal::new(3, 0));
        assert_eq!(w.spend(r, Period::Month).unwrap(), Decimal::new(93, 0));
        assert!(
            Workload::requests_per_day(u64::MAX)
                .spend(Decimal::MAX, Period::Day)
                .is_err()
        );
    }
}
