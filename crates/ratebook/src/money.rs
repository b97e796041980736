//! Exact money: quoted decimal prices in, exact decimals through, rounding only for display.
//!
//! Prices in pricing files are quoted strings (`input = "0.50"`) because a bare TOML `0.1` is a
//! binary float and cannot hold most decimal prices exactly. [`Amount`] is the serde type that
//! enforces that; [`format_usd`] and [`format_rate`] are the only places that round, and they
//! round copies for people to read.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// A decimal read from a quoted string in a pricing file (see [`crate::read`], which refuses a
/// bare float or integer with a message that shows the quoted form to write instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(pub Decimal);

/// Parses an exact decimal from text: plain or scientific notation, no more than 28 fractional
/// digits (more would silently round, so it is an error).
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty string is not a number".into());
    }
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).map_err(|e| e.to_string())
    } else {
        Decimal::from_str_exact(t).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| format!("`{s}` is not an exact decimal number ({e})"))
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Amount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)?$",
            "description": "An exact decimal in quotes, e.g. \"0.50\". Bare TOML floats are rejected."
        })
    }
}

/// Inserts thousands separators into the integer part of a plain decimal string.
pub fn group_thousands(plain: &str) -> String {
    let (sign, rest) = plain.strip_prefix('-').map_or(("", plain), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    // Saturating: a capacity hint, and `i` numbers a character of `int`, so it is below
    // `int.len()`; neither bound is reached.
    let mut out = String::with_capacity(plain.len().saturating_add(int.len() / 3));
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && int.len().saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Formats an integer count with thousands separators: `1120` → `1,120`.
pub fn format_count(n: impl Into<Decimal>) -> String {
    group_thousands(&n.into().normalize().to_string())
}

/// Formats a dollar amount for people: at least two decimals, and for amounts under a dollar
/// enough decimals to show four significant digits (`$0.0672`, `$0.6525`), up to eight.
/// This rounds a copy (half away from zero); the exact value is never changed, and
/// [`usd_rounds`] says whether the text is rounded.
pub fn format_usd(amount: Decimal) -> String {
    let mut s = display_rounded(amount).normalize().to_string();
    // Keep at least two decimals so money looks like money.
    let frac_len = s.split_once('.').map_or(0, |(_, f)| f.len());
    if frac_len < 2 {
        if frac_len == 0 {
            s.push('.');
        }
        for _ in frac_len..2 {
            s.push('0');
        }
    }
    let grouped = group_thousands(&s);
    match grouped.strip_prefix('-') {
        Some(rest) => format!("-${rest}"),
        None => format!("${grouped}"),
    }
}

/// Whether [`format_usd`] shows `amount` rounded (it has more digits than are shown).
pub fn usd_rounds(amount: Decimal) -> bool {
    display_rounded(amount) != amount
}

/// `amount` rounded as [`format_usd`] shows it.
fn display_rounded(amount: Decimal) -> Decimal {
    let abs = amount.abs();
    let mut places = 2u32;
    if !abs.is_zero() && abs < Decimal::ONE {
        // Leading zeros after the point, then four significant digits. Saturating: in the
        // loop `probe` is below 0.1 and `zeros` below 8, so no bound is reached.
        let mut probe = abs;
        let mut zeros = 0u32;
        while probe < Decimal::new(1, 1) && zeros < 8 {
            probe = probe.saturating_mul(Decimal::TEN);
            zeros = zeros.saturating_add(1);
        }
        places = zeros.saturating_add(4).clamp(2, 8);
    }
    amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Formats a per-million rate exactly, with at least two decimals: `$60.00`, `$0.0125`.
pub fn format_rate(rate: Decimal) -> String {
    let s = rate.normalize().to_string();
    let frac_len = s.split_once('.').map_or(0, |(_, f)| f.len());
    let padded = match frac_len {
        0 => format!("{s}.00"),
        1 => format!("{s}0"),
        _ => s,
    };
    format!("${}", group_thousands(&padded))
}

/// Parses a decimal typed by a person (a CLI flag or a form field): `1,000`, `0.5`, ` 3 `.
pub fn parse_user_decimal(s: &str) -> Result<Decimal, String> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    let cleaned = cleaned.strip_prefix('$').unwrap_or(&cleaned);
    Decimal::from_str(cleaned).map_err(|_| format!("`{s}` is not a number"))
}

/// Serializes a decimal as its exact normalized string (`"1.1"`), for JSON output.
pub fn serialize_decimal<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.normalize().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn usd_display() {
        assert_eq!(format_usd(d("0.0672")), "$0.0672");
        assert_eq!(format_usd(d("2.75")), "$2.75");
        assert_eq!(format_usd(d("1234.5")), "$1,234.50");
        assert_eq!(format_usd(d("0.000125")), "$0.000125");
        assert_eq!(format_usd(d("0.5")), "$0.50");
        assert_eq!(format_usd(d("0.6525")), "$0.6525");
        assert_eq!(format_usd(d("0.0019125")), "$0.001913");
        assert_eq!(format_usd(Decimal::ZERO), "$0.00");
        assert_eq!(format_usd(d("1234567.891")), "$1,234,567.89");
        assert_eq!(format_usd(d("-0.0672")), "-$0.0672");
        assert_eq!(format_usd(d("0.00000000001")), "$0.00");
    }

    #[test]
    fn rate_display() {
        assert_eq!(format_rate(d("60")), "$60.00");
        assert_eq!(format_rate(d("0.0125")), "$0.0125");
        assert_eq!(format_rate(d("2.5")), "$2.50");
    }

    #[test]
    fn exact_parse() {
        assert_eq!(parse_decimal("0.50").unwrap(), d("0.50"));
        assert_eq!(parse_decimal("1.5e-1").unwrap(), d("0.15"));
        assert!(parse_decimal("0.1234567890123456789012345678901").is_err());
        assert!(parse_decimal("abc").is_err());
        assert_eq!(parse_user_decimal("1,000").unwrap(), d("1000"));
    }
}
