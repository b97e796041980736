//! The scenario planner's form: the link's parameters (the CLI's flag names) as text fields,
//! turned into a [`Scenario`] with one message per field that cannot be read.
//!
//! Parameters: `model`, `date`, `requests-per-day`, `input-tokens`, `output-tokens`,
//! `output-images` (`1@1K`, repeatable or comma-separated), `batch-share`, `cached-share`,
//! `pass-rate`, `max-retries`, `fallback-model`, `fallback-pass-rate`, `days`, and `discount`
//! (repeatable, as everywhere on the page). Shares are exact decimals or percentages (`0.25`,
//! `25%`), as on the command line.

use ratebook::scenario::{Fallback, MAX_RETRIES, Scenario, parse_share};
use ratebook::{Date, Decimal, ImageCount};

use crate::query::{encode, pairs, shorten};

/// The fields, each with its URL parameter (which is also its element id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SField {
    Model,
    Date,
    RequestsPerDay,
    InputTokens,
    OutputTokens,
    OutputImages,
    BatchShare,
    CachedShare,
    PassRate,
    MaxRetries,
    FallbackModel,
    FallbackPassRate,
    Days,
}

impl SField {
    pub const ALL: [SField; 13] = [
        SField::Model,
        SField::Date,
        SField::RequestsPerDay,
        SField::InputTokens,
        SField::OutputTokens,
        SField::OutputImages,
        SField::BatchShare,
        SField::CachedShare,
        SField::PassRate,
        SField::MaxRetries,
        SField::FallbackModel,
        SField::FallbackPassRate,
        SField::Days,
    ];

    pub fn param(self) -> &'static str {
        match self {
            SField::Model => "model",
            SField::Date => "date",
            SField::RequestsPerDay => "requests-per-day",
            SField::InputTokens => "input-tokens",
            SField::OutputTokens => "output-tokens",
            SField::OutputImages => "output-images",
            SField::BatchShare => "batch-share",
            SField::CachedShare => "cached-share",
            SField::PassRate => "pass-rate",
            SField::MaxRetries => "max-retries",
            SField::FallbackModel => "fallback-model",
            SField::FallbackPassRate => "fallback-pass-rate",
            SField::Days => "days",
        }
    }

    pub fn from_param(p: &str) -> Option<SField> {
        SField::ALL.into_iter().find(|f| f.param() == p)
    }

    pub fn label(self) -> &'static str {
        match self {
            SField::Model => "Model",
            SField::Date => "Price date",
            SField::RequestsPerDay => "Requests per day",
            SField::InputTokens => "Input tokens per request",
            SField::OutputTokens => "Output tokens per request",
            SField::OutputImages => "Images per request (N@RES, like 1@1K)",
            SField::BatchShare => "Batch share",
            SField::CachedShare => "Cached share of input",
            SField::PassRate => "Pass rate",
            SField::MaxRetries => "Retries before escalating",
            SField::FallbackModel => "Fallback model",
            SField::FallbackPassRate => "Fallback pass rate",
            SField::Days => "Days per month",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            SField::BatchShare => "0 to 1 or a percentage: requests sent through batch mode",
            SField::CachedShare => "0 to 1 or a percentage: input tokens read from cache",
            SField::PassRate => "how often an attempt's output passes validation",
            SField::MaxRetries => "a failed output is retried on the model this many times",
            SField::FallbackModel => "optional: where an output that failed every attempt goes",
            SField::FallbackPassRate => "how often the fallback's output passes",
            _ => "",
        }
    }
}

/// The form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioForm {
    pub values: [String; 13],
    /// `discount=PROVIDER_OR_MODEL:PERCENT` rules from the link, kept and written back.
    pub discounts: Vec<String>,
}

fn index(f: SField) -> usize {
    SField::ALL.iter().position(|x| *x == f).unwrap_or(0)
}

impl ScenarioForm {
    /// The example scenario, priced today.
    pub fn example(today: Date) -> ScenarioForm {
        let mut f = ScenarioForm {
            values: Default::default(),
            discounts: Vec::new(),
        };
        f.set(SField::Model, "gemini-3.1-flash-lite");
        f.set(SField::Date, &today.to_string());
        f.set(SField::RequestsPerDay, "1000");
        f.set(SField::InputTokens, "500");
        f.set(SField::OutputTokens, "100");
        f.set(SField::BatchShare, "0");
        f.set(SField::CachedShare, "0");
        f.set(SField::PassRate, "1");
        f.set(SField::MaxRetries, "0");
        f.set(SField::FallbackPassRate, "1");
        f.set(SField::Days, "30");
        f
    }

    pub fn get(&self, f: SField) -> &str {
        &self.values[index(f)]
    }

    pub fn set(&mut self, f: SField, v: &str) {
        self.values[index(f)] = v.chars().take(120).collect();
    }

    /// Reads a link: the example scenario with the link's values over it.
    pub fn parse(search: &str, today: Date) -> ScenarioForm {
        let mut f = ScenarioForm::example(today);
        let mut images: Vec<String> = Vec::new();
        for (k, v) in pairs(search) {
            match SField::from_param(&k) {
                Some(SField::OutputImages) => images.push(v.trim().to_string()),
                Some(field) => f.set(field, v.trim()),
                None if k == "discount" && f.discounts.len() < 16 => {
                    f.discounts.push(v.trim().chars().take(120).collect())
                }
                None => {}
            }
        }
        if !images.is_empty() {
            f.set(SField::OutputImages, &images.join(","));
        }
        f
    }

    /// The link's parameters the planner does not read (sorted, once each, shortened), for a
    /// notice: a mistyped name (`batch_share`) or one of the calculator's (`mode`) would
    /// otherwise change nothing without a word.
    pub fn unknown_params(search: &str) -> Vec<String> {
        let mut unknown: Vec<String> = pairs(search)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| SField::from_param(k).is_none() && k != "discount" && k != "view")
            .map(|k| shorten(&k))
            .collect();
        ratebook::order::sort(&mut unknown);
        unknown.dedup();
        unknown
    }

    /// The link of this form (with `view=scenario` first).
    pub fn to_query(&self) -> String {
        let mut parts = vec!["view=scenario".to_string()];
        for field in SField::ALL {
            let v = self.get(field).trim();
            if !v.is_empty() {
                parts.push(format!("{}={}", field.param(), encode(v)));
            }
        }
        for d in &self.discounts {
            parts.push(format!("discount={}", encode(d)));
        }
        format!("?{}", parts.join("&"))
    }

    /// The scenario, or a message for each field that cannot be read.
    pub fn scenario(&self) -> Result<Scenario, Vec<(SField, String)>> {
        let mut errors = Vec::new();
        let count = |f: SField, errors: &mut Vec<(SField, String)>| -> u64 {
            match parse_count(self.get(f)) {
                Ok(n) => n,
                Err(e) => {
                    errors.push((f, e));
                    0
                }
            }
        };
        let share = |f: SField, errors: &mut Vec<(SField, String)>| -> Decimal {
            let v = self.get(f).trim();
            if v.is_empty() {
                return if f == SField::PassRate || f == SField::FallbackPassRate {
                    Decimal::ONE
                } else {
                    Decimal::ZERO
                };
            }
            match parse_share(v) {
                Ok(d) => d,
                Err(e) => {
                    errors.push((f, e.message));
                    Decimal::ZERO
                }
            }
        };
        let model = self.get(SField::Model).trim().to_string();
        if model.is_empty() {
            errors.push((SField::Model, "choose a model".into()));
        }
        let date = match self.get(SField::Date).trim().parse::<Date>() {
            Ok(d) => d,
            Err(_) => {
                errors.push((SField::Date, "not a date (YYYY-MM-DD)".into()));
                Date::UNIX_EPOCH
            }
        };
        let requests_per_day = count(SField::RequestsPerDay, &mut errors);
        let input_tokens = count(SField::InputTokens, &mut errors);
        let output_tokens = count(SField::OutputTokens, &mut errors);
        let mut output_images = Vec::new();
        for part in self
            .get(SField::OutputImages)
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match ImageCount::parse(part) {
                Ok(i) => output_images.push(i),
                Err(_) => errors.push((
                    SField::OutputImages,
                    format!("“{part}” is not COUNT@RESOLUTION (like 1@1K)"),
                )),
            }
        }
        let batch_share = share(SField::BatchShare, &mut errors);
        let cached_share = share(SField::CachedShare, &mut errors);
        let pass_rate = share(SField::PassRate, &mut errors);
        let fallback_pass_rate = share(SField::FallbackPassRate, &mut errors);
        let max_retries = count(SField::MaxRetries, &mut errors);
        if max_retries > u64::from(MAX_RETRIES) {
            errors.push((SField::MaxRetries, format!("at most {MAX_RETRIES} retries")));
        }
        let days = count(SField::Days, &mut errors);
        if days == 0 || days > 366 {
            errors.push((SField::Days, "from 1 to 366 days".into()));
        }
        let fallback = self.get(SField::FallbackModel).trim();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Scenario {
            model,
            requests_per_day,
            input_tokens,
            output_tokens,
            output_images,
            cached_share,
            batch_share,
            days: u32::try_from(days).unwrap_or(30),
            pass_rate,
            max_retries: u32::try_from(max_retries).unwrap_or(0),
            fallback: (!fallback.is_empty()).then(|| Fallback {
                model: fallback.to_string(),
                pass_rate: fallback_pass_rate,
            }),
            date,
        })
    }
}

/// A whole number as typed: digits with optional `,`, `_` or space separators.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(0);
    }
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("“{t}” is not a whole number"));
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= 1_000_000_000_000 => Ok(n),
        _ => Err("more than a trillion".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        "2026-11-23".parse().unwrap()
    }

    #[test]
    fn a_link_reads_into_a_scenario_and_back() {
        let q = "?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&batch-share=0&cached-share=0&pass-rate=0.5&max-retries=2&fallback-model=gemini-2.5-flash&fallback-pass-rate=1&days=30";
        let f = ScenarioForm::parse(q, today());
        let s = f.scenario().unwrap();
        assert_eq!(s.pass_rate, Decimal::new(5, 1));
        assert_eq!(s.max_retries, 2);
        assert_eq!(s.fallback.as_ref().unwrap().model, "gemini-2.5-flash");
        assert_eq!(f.to_query(), q);
        let f = ScenarioForm::parse(
            "?view=scenario&pass-rate=50%&output-images=1@1K&output-images=2@4K&discount=openai:20",
            today(),
        );
        let s = f.scenario().unwrap();
        assert_eq!(s.pass_rate, Decimal::new(5, 1));
        assert_eq!(s.output_images.len(), 2);
        assert_eq!(f.discounts, vec!["openai:20".to_string()]);
        assert!(f.to_query().ends_with("&discount=openai:20"));
    }

    #[test]
    fn unknown_parameters_are_listed_once() {
        let q = "?view=scenario&mode=warp&batch_share=0.5&mode=flex&pass-rate=1&discount=openai:20";
        assert_eq!(ScenarioForm::unknown_params(q), vec!["batch_share", "mode"]);
        let long = format!("?{}=1", "x".repeat(60));
        assert_eq!(
            ScenarioForm::unknown_params(&long),
            vec![format!("{}…", "x".repeat(40))]
        );
        let known = ScenarioForm::example(today()).to_query();
        assert!(ScenarioForm::unknown_params(&known).is_empty(), "{known}");
    }

    #[test]
    fn bad_fields_are_named() {
        let f = ScenarioForm::parse(
            "?pass-rate=2&max-retries=99&days=0&requests-per-day=x&date=nope",
            today(),
        );
        let errs = f.scenario().unwrap_err();
        let fields: Vec<SField> = errs.iter().map(|e| e.0).collect();
        for want in [
            SField::PassRate,
            SField::MaxRetries,
            SField::Days,
            SField::RequestsPerDay,
            SField::Date,
        ] {
            assert!(fields.contains(&want), "{want:?} in {errs:?}");
        }
    }
}
