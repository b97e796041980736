//! Reports: a priced log divided by day, month, model, provider or service mode, and a
//! month-end projection from the daily run rate.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::book::Mode;
use crate::date::Date;
use crate::error::{Error, ErrorKind};

/// One dimension to divide a log by (`ratebook cost --group-by`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupBy {
    /// The response's date (or the run's, without a timestamp), `YYYY-MM-DD`.
    Day,
    /// Its month, `YYYY-MM`.
    Month,
    /// The model its id resolved to.
    Model,
    /// That model's provider.
    Provider,
    /// The service mode it was priced in.
    Mode,
    /// `tag:KEY`: the value of `KEY` on the response's line — a top-level field, or one of its
    /// `metadata` (OpenAI's request metadata, echoed on Responses objects; a logger's own
    /// `metadata`). `(none)` when the line has none, or the record came without a line.
    Tag(String),
}

/// The group of records whose line has no value for a `tag:KEY` grouping.
pub const NO_TAG: &str = "(none)";

impl GroupBy {
    /// `day`, `month`, `model`, `provider`, `mode` or `tag:KEY`.
    pub fn name(&self) -> String {
        match self {
            GroupBy::Day => "day".into(),
            GroupBy::Month => "month".into(),
            GroupBy::Model => "model".into(),
            GroupBy::Provider => "provider".into(),
            GroupBy::Mode => "mode".into(),
            GroupBy::Tag(key) => format!("tag:{key}"),
        }
    }

    /// The group of a record priced at `date` in `mode` on `model` of `provider`, whose line
    /// had `tag` for this grouping's key.
    pub(crate) fn key(
        &self,
        date: Date,
        mode: Mode,
        model: &str,
        provider: &str,
        tag: Option<&str>,
    ) -> String {
        match self {
            GroupBy::Day => date.to_string(),
            GroupBy::Month => format!("{:04}-{:02}", date.year(), date.month()),
            GroupBy::Model => model.to_string(),
            GroupBy::Provider => provider.to_string(),
            GroupBy::Mode => mode.as_str().to_string(),
            GroupBy::Tag(_) => tag.unwrap_or(NO_TAG).to_string(),
        }
    }
}

/// The value of `key` on a log line: a top-level field, else a field of its top-level
/// `metadata` object. Strings as they are; numbers and booleans as JSON writes them; `null` or
/// absent is `None`. The line is read again for this (only when a tag grouping is asked for).
pub(crate) fn tag_value(line: &str, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let found = v
        .get(key)
        .or_else(|| v.get("metadata").and_then(|m| m.get(key)))?;
    match found {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for GroupBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<GroupBy, Error> {
        if let Some(key) = s.trim().strip_prefix("tag:") {
            return match key.trim() {
                "" => Err(Error::new(
                    ErrorKind::InvalidValue,
                    "grouping `tag:` needs a key (tag:team, tag:user_id)",
                )),
                k => Ok(GroupBy::Tag(k.to_string())),
            };
        }
        match s.trim().to_ascii_lowercase().as_str() {
            "day" => Ok(GroupBy::Day),
            "month" => Ok(GroupBy::Month),
            "model" => Ok(GroupBy::Model),
            "provider" => Ok(GroupBy::Provider),
            "mode" => Ok(GroupBy::Mode),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "unknown grouping `{s}`; expected day, month, model, provider, mode or tag:KEY"
                ),
            )),
        }
    }
}

/// One group of a divided log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSummary {
    /// The group's value for each grouping, in the order given (`["2026-11", "gpt-5"]`).
    pub key: Vec<String>,
    /// Records priced in the group.
    pub records: u64,
    /// Their price.
    pub total: Decimal,
    /// The earliest date priced in the group.
    pub first: Date,
    /// The latest date priced in the group.
    pub last: Date,
}

/// A month's total so far, run on to its end at the daily rate of the days the log covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// `YYYY-MM`: the latest month the log has records in.
    pub month: String,
    /// Its first day with records.
    pub first: Date,
    /// Its last day with records.
    pub last: Date,
    /// Days from the month's first day to `last`, inclusive (the run rate's divisor: days
    /// without requests count, as they would on the bill).
    pub days_covered: u32,
    /// Days in the month (28–31).
    pub days_in_month: u32,
    /// The month's price so far.
    pub so_far: Decimal,
    /// `so_far / days_covered × days_in_month`, rounded to the millionth of a dollar (a
    /// forecast, not a price: the quotient may not end).
    pub projected: Decimal,
}

/// Days in `date`'s month.
pub(crate) fn days_in_month(date: Date) -> u32 {
    match date.month() {
        2 => {
            let y = date.year();
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The projection of the month of `last` from its total `so_far` and first priced day.
/// `None` when the month is complete (its last day has records).
pub(crate) fn project(so_far: Decimal, first: Date, last: Date) -> Option<Projection> {
    let days_in = days_in_month(last);
    let covered = u32::from(last.day());
    if covered >= days_in {
        return None;
    }
    let projected = so_far
        .checked_mul(Decimal::from(days_in))?
        .checked_div(Decimal::from(covered))?
        .round_dp(6);
    Some(Projection {
        month: format!("{:04}-{:02}", last.year(), last.month()),
        first,
        last,
        days_covered: covered,
        days_in_month: days_in,
        so_far,
        projected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_their_days() {
        let d = |y, m| days_in_month(Date::new(y, m, 1).unwrap());
        assert_eq!(
            [
                d(2026, 1),
                d(2026, 2),
                d(2028, 2),
                d(2100, 2),
                d(2000, 2),
                d(2026, 11)
            ],
            [31, 28, 29, 28, 29, 30]
        );
    }

    #[test]
    fn a_part_month_runs_on_at_its_daily_rate() {
        // $30 over November 1–10 (10 days): $3 a day × 30 days = $90.
        let p = project(
            Decimal::from(30),
            Date::new(2026, 11, 3).unwrap(),
            Date::new(2026, 11, 10).unwrap(),
        )
        .unwrap();
        assert_eq!((p.days_covered, p.days_in_month), (10, 30));
        assert_eq!(p.projected, Decimal::from(90));
        assert_eq!(p.month, "2026-11");
        // A month whose last day has records is complete: nothing to project.
        assert!(
            project(
                Decimal::ONE,
                Date::new(2026, 11, 1).unwrap(),
                Date::new(2026, 11, 30).unwrap()
            )
            .is_none()
        );
    }
}
