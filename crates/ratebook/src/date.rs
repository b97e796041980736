//! Calendar dates without a clock.
//!
//! The core never reads the time: callers pass the date to price at. [`Date`] is a plain
//! proleptic-Gregorian `YYYY-MM-DD` with the conversions the shells need (days since the Unix
//! epoch, so a CLI or browser can turn "now" into a date).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

/// A calendar date. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 1970-01-01, day 0 of [`Date::unix_days`].
    pub const UNIX_EPOCH: Date = Date {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// Builds a date, checking that the day exists in that month.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The year, 1–9999.
    pub fn year(self) -> u16 {
        self.year
    }
    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date `days` days after 1970-01-01 (negative before). `None` outside years 1..=9999.
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "`doe` is in 0..146_097 (a Euclidean remainder), so every value derived from it \
                  is below 10^6; |era| ≤ i64::MAX / 146_097, so `era * 400` and the year fit"
    )]
    pub fn from_unix_days(days: i64) -> Option<Date> {
        // Howard Hinnant's civil_from_days.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))?;
        Date::new(year, month as u8, day as u8)
    }

    /// Days since 1970-01-01 (negative before).
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "year ≤ u16::MAX, month ≤ 12 and day ≤ 31, so every value is below 3 × 10^7"
    )]
    pub fn unix_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date from seconds since the Unix epoch (a response's `created` field).
    pub fn from_unix_seconds(secs: i64) -> Option<Date> {
        Date::from_unix_days(secs.div_euclid(86_400))
    }

    /// The day before, if there is one.
    pub fn previous_day(self) -> Option<Date> {
        Date::from_unix_days(self.unix_days().checked_sub(1)?)
    }
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl FromStr for Date {
    type Err = Error;

    fn from_str(s: &str) -> Result<Date, Error> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidValue,
                format!("`{s}` is not a date; expected YYYY-MM-DD"),
            )
        };
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u16, Error> {
            let part = s.get(r).ok_or_else(bad)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::new(y, m as u8, d as u8).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("`{s}` is not a valid calendar date"),
            )
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A date is a `YYYY-MM-DD` string in JSON.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            "2026-03-13".parse::<Date>().unwrap(),
            Date::new(2026, 3, 13).unwrap()
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-01-01",
            "2026/01/01",
            "2026-1-01",
            "２０２６-01-01",
            "",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert!("2028-02-29".parse::<Date>().is_ok());
        assert!("2100-02-29".parse::<Date>().is_err());
    }

    #[test]
    fn unix_days_round_trip() {
        assert_eq!(Date::from_unix_days(0).unwrap().to_string(), "1970-01-01");
        // 2026-11-23 is day 20,780 since the epoch (computed with Python's datetime).
        assert_eq!(
            Date::from_unix_days(20_780).unwrap().to_string(),
            "2026-11-23"
        );
        for d in [-719_000, -1, 0, 59, 10_000, 20_780, 2_000_000] {
            let date = Date::from_unix_days(d).unwrap();
            assert_eq!(date.unix_days(), d);
        }
        assert_eq!(Date::from_unix_days(i64::MAX), None);
    }
}
