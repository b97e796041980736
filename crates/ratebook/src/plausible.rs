//! Plausibility checks that `ratebook check` runs on top of the rules of the book.
//!
//! Loading ([`crate::load()`]) checks what every pricing file must satisfy on any day. The checks
//! here need more context: today's date, which the core cannot read (the shell passes it in),
//! and judgement about what is merely suspicious.
//!
//! - A `checked` date after today is an error: it says the price was verified on a day that
//!   has not come yet (usually a typo in the year or month).
//! - A token rate that moves more than [`MAX_STEP`]× up or down from the previous entry of the
//!   same model is a warning: real price changes are rarely that large, unit mistakes (per
//!   1K or per token instead of per 1M) always are. A warning does not reject the file.
//!
//! The checks read the files themselves (through [`crate::read::read_partial`]) so that each
//! finding points at the line of the value; problems that stop a file from being read are
//! reported by [`crate::load()`], not here.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::book::Meter;
use crate::date::Date;
use crate::error::{Error, ErrorKind, Location};
use crate::raw;
use crate::source::{SourceFile, quote_key};

/// The largest factor by which a rate may move between two entries of a model without a
/// warning (5×, up or down).
pub const MAX_STEP: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

/// A finding that does not reject a file: `file:line:column: warning: message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Warning {
    /// What looks wrong, in words.
    pub message: String,
    /// Where the suspicious value is.
    pub location: Location,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.location, self.message)
    }
}

/// What [`check`] found: errors (the file should not be merged) and warnings (worth a look).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Errors: the files should not be merged as they are.
    pub errors: Vec<Error>,
    /// Warnings: worth a look, but they reject nothing.
    pub warnings: Vec<Warning>,
}

/// Runs the plausibility checks on `files`, with `today` as the current date.
pub fn check(files: &[SourceFile], today: Date) -> Findings {
    let mut out = Findings::default();
    for file in files {
        if let (Some(parsed), _) = crate::read::read_partial(file) {
            check_file(file, &parsed, today, &mut out);
        }
    }
    out
}

fn check_file(file: &SourceFile, parsed: &raw::PricingFile, today: Date, out: &mut Findings) {
    let loc = |span: std::ops::Range<usize>, key: String| {
        Location::from_offset(&file.name, &file.text, span.start, Some(key))
    };
    for (id, model) in &parsed.models {
        let model_key = format!("models.{}", quote_key(id));
        // Per meter: the rate in force after the entries read so far, and the entry's date.
        let mut previous: [Option<(Decimal, String)>; Meter::ALL.len()] = Default::default();
        for (i, entry) in model.get_ref().prices.iter().enumerate() {
            let e = entry.get_ref();
            let key = format!("{model_key}.prices[{i}]");
            if let Some(checked) = &e.checked {
                if let Ok(date) = checked.get_ref().parse::<Date>() {
                    if date > today {
                        out.errors.push(
                            Error::new(
                                ErrorKind::Validation,
                                format!(
                                    "checked date {date} is in the future (today is {today}); \
                                     `checked` is the day the prices were verified"
                                ),
                            )
                            .at(loc(checked.span(), format!("{key}.checked"))),
                        );
                    }
                }
            }
            let effective = e.effective.get_ref();
            for (slot, meter) in previous.iter_mut().zip(Meter::ALL) {
                let Some(value) = e.rates.get(meter) else {
                    continue;
                };
                let new = value.get_ref().0;
                if let Some((old, since)) = slot.as_ref() {
                    if let Some(message) = step(meter.key(), *old, since, new, effective) {
                        out.warnings.push(Warning {
                            message,
                            location: loc(value.span(), format!("{key}.{}", meter.key())),
                        });
                    }
                }
                *slot = Some((new, effective.clone()));
            }
        }
    }
}

/// The warning for a rate that moved from `old` (in force since `since`) to `new` (from
/// `effective`) by more than [`MAX_STEP`]×, if it did. Zero and negative rates are left alone:
/// a free rate that ends is a real change, and negative rates are a load error.
fn step(key: &str, old: Decimal, since: &str, new: Decimal, effective: &str) -> Option<String> {
    if old <= Decimal::ZERO || new <= Decimal::ZERO {
        return None;
    }
    let (small, large, direction) = if new > old {
        (old, new, "rises")
    } else {
        (new, old, "falls")
    };
    // When small × 5 overflows, large (at most Decimal::MAX) cannot be above it.
    if small
        .checked_mul(MAX_STEP)
        .is_none_or(|limit| large <= limit)
    {
        return None;
    }
    let factor = match large.checked_div(small) {
        Some(f) => format!(
            "{}×",
            f.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        ),
        None => format!("more than {MAX_STEP}×"),
    };
    Some(format!(
        "`{key}` {direction} {factor} from the previous entry ({old} from {since} → {new} from \
         {effective}); more than {MAX_STEP}× is more often a unit mistake (per 1K tokens, per \
         token) than a price change"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn steps_beyond_five_times_either_way_are_reported() {
        let up = step("input", d("0.25"), "2026-01-01", d("2.50"), "2026-06-01");
        assert_eq!(
            up.as_deref(),
            Some(
                "`input` rises 10× from the previous entry (0.25 from 2026-01-01 → 2.50 from \
                 2026-06-01); more than 5× is more often a unit mistake (per 1K tokens, per \
                 token) than a price change"
            )
        );
        let down = step("output", d("4"), "a", d("0.6"), "b").unwrap();
        assert!(down.starts_with("`output` falls 6.7× "), "{down}");
        // Exactly 5× is allowed; a little more is not.
        assert_eq!(step("input", d("1"), "a", d("5"), "b"), None);
        assert_eq!(step("input", d("5"), "a", d("1"), "b"), None);
        assert!(step("input", d("1"), "a", d("5.01"), "b").is_some());
        assert!(step("input", d("5.01"), "a", d("1"), "b").is_some());
        // Zero on either side is a promotion starting or ending, not a unit mistake.
        assert_eq!(step("input", d("0"), "a", d("10"), "b"), None);
        assert_eq!(step("input", d("10"), "a", d("0"), "b"), None);
        // Huge values do not overflow.
        let huge = step("input", d("0.0000001"), "a", Decimal::MAX, "b").unwrap();
        assert!(huge.starts_with("`input` rises more than 5× "), "{huge}");
        assert!(step("input", Decimal::MAX, "a", Decimal::MAX, "b").is_none());
    }
}
