//! The calculator's form: what the person typed, kept as text, and the checks that turn it into
//! numbers.
//!
//! Fields stay strings so a half-typed or invalid value is shown back as typed, with a message
//! next to it, instead of being silently replaced. [`normalize`] reconciles a form with the
//! loaded book (unknown model, a mode or image resolution the model does not offer) and says
//! what it changed, so a stale or hand-edited link degrades into notices, never into a panic.

use ratebook::map::Map;

use ratebook::{Date, Mode, Model, RateBook, format_count};

/// Models tried, in order, as the default selection; the first model in the book otherwise.
pub const DEFAULT_MODELS: [&str; 3] = ["claude-sonnet-4-5", "gpt-4o", "gemini-2.5-pro"];

/// No request meters a trillion tokens; anything above is a typo or a hostile link.
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// Requests per day when a link does not say.
pub const DEFAULT_REQUESTS_PER_DAY: &str = "1000";

/// A month, for the monthly figure: 30 days, said so on the page.
pub const DAYS_PER_MONTH: u64 = 30;

/// The longest free-text value (a model id) accepted from a link.
pub const MAX_TEXT: usize = 120;

/// Cache-write time to live: Anthropic prices 5-minute and 1-hour writes differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheTtl {
    #[default]
    FiveMinutes,
    OneHour,
}

impl CacheTtl {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheTtl::FiveMinutes => "5m",
            CacheTtl::OneHour => "1h",
        }
    }

    pub fn parse(s: &str) -> Option<CacheTtl> {
        match s.trim().to_ascii_lowercase().as_str() {
            "5m" | "5min" | "5" => Some(CacheTtl::FiveMinutes),
            "1h" | "60m" | "1" => Some(CacheTtl::OneHour),
            _ => None,
        }
    }
}

/// The numeric text fields. Each has one URL parameter name, which is also its element id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    InputTokens,
    CachedTokens,
    CacheWriteTokens,
    CacheStorage,
    OutputTokens,
    RequestsPerDay,
    MaxTokens,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::InputTokens,
        Field::CachedTokens,
        Field::CacheWriteTokens,
        Field::CacheStorage,
        Field::OutputTokens,
        Field::RequestsPerDay,
        Field::MaxTokens,
    ];

    /// The URL parameter and the input's id.
    pub fn param(self) -> &'static str {
        match self {
            Field::InputTokens => "input-tokens",
            Field::CachedTokens => "cached-tokens",
            Field::CacheWriteTokens => "cache-write-tokens",
            Field::CacheStorage => "cache-storage-token-hours",
            Field::OutputTokens => "output-tokens",
            Field::RequestsPerDay => "requests-per-day",
            Field::MaxTokens => "max-tokens",
        }
    }

    pub fn from_param(p: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.param() == p)
    }

    /// The label people read.
    pub fn label(self) -> &'static str {
        match self {
            Field::InputTokens => "Input tokens",
            Field::CachedTokens => "Cached tokens (cache reads)",
            Field::CacheWriteTokens => "Cache-write tokens",
            Field::CacheStorage => "Cache storage (token-hours)",
            Field::OutputTokens => "Output tokens (text and reasoning)",
            Field::RequestsPerDay => "Requests per day",
            Field::MaxTokens => "max_tokens cap",
        }
    }

    /// The unit shown after a formatted value.
    pub fn unit(self) -> &'static str {
        match self {
            Field::CacheStorage => "token-hours",
            Field::RequestsPerDay => "requests",
            _ => "tokens",
        }
    }
}

/// One input image: width × height in pixels and an optional detail level.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageRow {
    pub width: String,
    pub height: String,
    pub detail: String,
}

impl ImageRow {
    pub fn is_blank(&self) -> bool {
        self.width.trim().is_empty() && self.height.trim().is_empty()
    }

    /// `1024x768` or `1024x768:low`, as in links and the CLI.
    pub fn spec(&self) -> String {
        let mut s = format!("{}x{}", self.width.trim(), self.height.trim());
        if !self.detail.trim().is_empty() {
            s.push(':');
            s.push_str(self.detail.trim());
        }
        s
    }
}

/// Everything the person can set, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub model: String,
    pub date: String,
    pub mode: Mode,
    pub input_tokens: String,
    pub cached_tokens: String,
    pub cache_write_tokens: String,
    pub cache_ttl: CacheTtl,
    pub cache_storage: String,
    pub output_tokens: String,
    /// Generated images: resolution → count, as typed.
    pub output_images: Map<String, String>,
    pub input_images: Vec<ImageRow>,
    pub requests_per_day: String,
    /// Empty means "the model's own output limit".
    pub max_tokens: String,
    /// `discount=PROVIDER_OR_MODEL:PERCENT` rules (the CLI's `--discount`), as written.
    pub discounts: Vec<String>,
}

impl Form {
    /// A form with nothing metered: the base a link's parameters are applied to.
    pub fn blank(today: Date) -> Form {
        Form {
            model: DEFAULT_MODELS[0].to_string(),
            date: today.to_string(),
            mode: Mode::Standard,
            input_tokens: String::new(),
            cached_tokens: String::new(),
            cache_write_tokens: String::new(),
            cache_ttl: CacheTtl::FiveMinutes,
            cache_storage: String::new(),
            output_tokens: String::new(),
            output_images: Map::new(),
            input_images: Vec::new(),
            requests_per_day: DEFAULT_REQUESTS_PER_DAY.to_string(),
            max_tokens: String::new(),
            discounts: Vec::new(),
        }
    }

    /// What a bare URL opens with: a typical chat request.
    pub fn example(today: Date) -> Form {
        Form {
            input_tokens: "10000".into(),
            output_tokens: "1000".into(),
            ..Form::blank(today)
        }
    }

    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::InputTokens => &self.input_tokens,
            Field::CachedTokens => &self.cached_tokens,
            Field::CacheWriteTokens => &self.cache_write_tokens,
            Field::CacheStorage => &self.cache_storage,
            Field::OutputTokens => &self.output_tokens,
            Field::RequestsPerDay => &self.requests_per_day,
            Field::MaxTokens => &self.max_tokens,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::InputTokens => &mut self.input_tokens,
            Field::CachedTokens => &mut self.cached_tokens,
            Field::CacheWriteTokens => &mut self.cache_write_tokens,
            Field::CacheStorage => &mut self.cache_storage,
            Field::OutputTokens => &mut self.output_tokens,
            Field::RequestsPerDay => &mut self.requests_per_day,
            Field::MaxTokens => &mut self.max_tokens,
        };
        *slot = value;
    }
}

pub use crate::urlcodec::shorten;

/// Formats `x` with `places` decimals using integer arithmetic: the page draws and times with
/// floats, and this keeps Rust's float-formatting machinery out of the download.
#[allow(
    clippy::disallowed_types,
    reason = "the one place a float becomes text, by integer arithmetic"
)]
pub fn fixed(x: f64, places: u32) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let scale = 10u64.pow(places.min(9));
    let n = (x.abs() * scale as f64).round() as u64;
    let sign = if x < 0.0 && n > 0 { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{n}");
    }
    format!(
        "{sign}{}.{:0width$}",
        n / scale,
        n % scale,
        width = places as usize
    )
}

/// Parses a count typed by a person: `1000`, `1,000`, `1 000`, `1_000`; empty is zero.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if cleaned.is_empty() {
        return Ok(0);
    }
    if !cleaned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("“{}” is not a whole number", shorten(s.trim())));
    }
    match cleaned.parse::<u64>() {
        Ok(n) if n <= MAX_COUNT => Ok(n),
        _ => Err(format!(
            "“{}” is more than {}",
            shorten(s.trim()),
            format_count(MAX_COUNT)
        )),
    }
}

/// The model shown when none (or an unknown one) is asked for.
pub fn default_model(book: &RateBook) -> Option<&Model> {
    DEFAULT_MODELS
        .iter()
        .find_map(|id| book.get(id))
        .or_else(|| book.models().first())
}

/// Image resolutions `model` can generate at `date` (token-priced and fee-priced).
pub fn resolutions(model: &Model, date: Date) -> Vec<String> {
    match model.price_at(date) {
        Ok(entry) => {
            let mut r: Vec<String> = entry.output_image_tokens.keys().cloned().collect();
            r.extend(
                entry
                    .output_image_fees
                    .keys()
                    .filter(|k| !entry.output_image_tokens.contains_key(*k))
                    .cloned(),
            );
            r
        }
        Err(_) => Vec::new(),
    }
}

/// Modes `model` offers at `date`; just standard when it has no price then.
pub fn modes(model: &Model, date: Date) -> Vec<Mode> {
    model
        .price_at(date)
        .map(|e| e.offered_modes())
        .unwrap_or_else(|_| vec![Mode::Standard])
}

/// Reconciles `form` with the book: an unknown model becomes the default, an alias becomes the
/// canonical id (a cloud deployment id is kept, since it bills a premium), a mode, image resolution or detail level the model lacks is dropped. Returns
/// a sentence for each change.
pub fn normalize(form: &mut Form, book: &RateBook, today: Date) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(fallback) = default_model(book) else {
        return notes;
    };
    // A cloud deployment id (`us.anthropic.…`, `azure/eu/gpt-4.1`) is kept as written: it
    // bills the first-party model times the deployment's multiplier, which the canonical id
    // would lose. Aliases and snapshot ids become the canonical id.
    let mut keep_as_written = false;
    let model = match book.resolve_with(&form.model) {
        Ok(r) => {
            keep_as_written = r.resolution.deployment.is_some();
            r.model
        }
        Err(e) => {
            let hint = if e.suggestions.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", e.suggestions.join(", "))
            };
            notes.push(format!(
                "Unknown model “{}”{hint}; showing {} instead.",
                shorten(&form.model),
                fallback.name
            ));
            fallback
        }
    };
    form.model = if keep_as_written {
        form.model.trim().to_string()
    } else {
        model.id.clone()
    };
    let date = match form.date.parse::<Date>() {
        Ok(d) => d,
        Err(_) => {
            notes.push(format!(
                "“{}” is not a date (YYYY-MM-DD); using today.",
                shorten(&form.date)
            ));
            form.date = today.to_string();
            today
        }
    };
    if model.price_at(date).is_err() {
        // No price on that date: the estimate says so; nothing else can be checked.
        return notes;
    }
    let offered = modes(model, date);
    if !offered.contains(&form.mode) {
        notes.push(format!(
            "{} does not offer {} mode on {date}; using standard.",
            model.name, form.mode
        ));
        form.mode = Mode::Standard;
    }
    let known = resolutions(model, date);
    let dropped: Vec<String> = form
        .output_images
        .iter()
        .filter(|(res, count)| !known.contains(res) && parse_count(count).is_ok_and(|n| n > 0))
        .map(|(res, _)| res.clone())
        .collect();
    if !dropped.is_empty() {
        let has = if known.is_empty() {
            "it does not generate images".to_string()
        } else {
            format!("it generates {}", known.join(", "))
        };
        let dropped: Vec<String> = dropped.iter().map(|d| shorten(d)).collect();
        notes.push(format!(
            "{} has no image resolution {}: {has}; left out.",
            model.name,
            dropped.join(", ")
        ));
    }
    form.output_images.retain(|res, _| known.contains(res));
    let rows = form.input_images.iter().filter(|r| !r.is_blank()).count();
    match &model.image_scheme {
        None if rows > 0 => {
            notes.push(format!(
                "{} does not take image input here; input images left out.",
                model.name
            ));
            form.input_images.clear();
        }
        Some((_, scheme)) => {
            let levels = scheme.levels();
            for row in &mut form.input_images {
                let d = row.detail.trim().to_ascii_lowercase();
                if !d.is_empty() && !levels.contains(&d) {
                    notes.push(format!(
                        "{} has no image detail level “{}”; using its default.",
                        model.name,
                        shorten(&row.detail)
                    ));
                    row.detail.clear();
                } else {
                    row.detail = d;
                }
            }
        }
        None => {}
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count(""), Ok(0));
        assert_eq!(parse_count(" 1,000 "), Ok(1000));
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert!(parse_count("abc").is_err());
        assert!(parse_count("-5").is_err());
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("99999999999999999999999999").is_err());
        assert!(parse_count("1000000000001").is_err());
        assert_eq!(parse_count("1000000000000"), Ok(MAX_COUNT));
    }

    #[test]
    #[allow(clippy::disallowed_types, reason = "the float formatter's own test")]
    fn fixed_point() {
        assert_eq!(fixed(1.23456, 3), "1.235");
        assert_eq!(fixed(0.05, 1), "0.1");
        assert_eq!(fixed(-2.5, 0), "-3");
        assert_eq!(fixed(15.915494, 5), "15.91549");
        assert_eq!(fixed(f64::NAN, 2), "0");
        assert_eq!(fixed(-0.0001, 2), "0.00");
    }

    /// A cloud deployment id survives normalisation (its premium is part of the price); an
    /// alias becomes the canonical id.
    #[test]
    fn cloud_ids_are_kept_aliases_become_canonical() {
        let card = "[provider]\nid = \"anthropic\"\nname = \"Anthropic\"\n\
            [models.\"claude-sonnet-4-5\"]\nname = \"Claude Sonnet 4.5\"\n\
            aliases = [\"claude-sonnet-4-5-20250929\"]\n\
            [[models.\"claude-sonnet-4-5\".prices]]\neffective = \"2025-09-29\"\n\
            source = \"https://platform.claude.com/docs/en/about-claude/pricing\"\n\
            checked = \"2026-11-26\"\ninput = \"3.00\"\noutput = \"15.00\"\n";
        let cloud = "[provider]\nid = \"aws-bedrock\"\nname = \"Amazon Bedrock\"\n\
            [[scopes]]\nid = \"geographic\"\nprefixes = [\"us.\"]\nmultiplier = \"1.1\"\n\
            source = \"https://aws.amazon.com/bedrock/pricing/\"\nchecked = \"2026-11-26\"\n\
            [offers.\"anthropic.claude-sonnet-4-5-20250929-v1:0\"]\nmodel = \"claude-sonnet-4-5\"\n";
        let book = RateBook::from_sources(&[
            ratebook::SourceFile::new("anthropic.toml", card),
            ratebook::SourceFile::new("aws-bedrock.toml", cloud),
        ])
        .unwrap();
        let today: Date = "2026-11-26".parse().unwrap();
        let mut form = Form::blank(today);
        form.model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0".into();
        normalize(&mut form, &book, today);
        assert_eq!(form.model, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        form.model = "claude-sonnet-4-5-20250929".into();
        normalize(&mut form, &book, today);
        assert_eq!(form.model, "claude-sonnet-4-5");
    }

    #[test]
    fn shortening() {
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 41);
    }

    #[test]
    fn ttl() {
        assert_eq!(CacheTtl::parse("1h"), Some(CacheTtl::OneHour));
        assert_eq!(CacheTtl::parse("5M"), Some(CacheTtl::FiveMinutes));
        assert_eq!(CacheTtl::parse("2h"), None);
    }
}
