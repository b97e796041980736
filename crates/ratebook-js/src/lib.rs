//! The ratebook core for JavaScript: the npm package `ratebook` (Node.js), built with
//! wasm-bindgen by `cargo xtask package`.
//!
//! Everything crosses the boundary as JSON text: a request in, an estimate out, with money as
//! exact decimal strings (`"0.0677"`), never JavaScript numbers. The package's `index.js`
//! wraps these functions in the documented API (`estimate`, `costLines`, `loadBook`, …) and
//! turns an `Err` into a thrown `Error` carrying the core's message.
//!
//! The pricing is the core's, unchanged: [`RateBook::estimate`] for a request,
//! [`ratebook::ingest::Ledger`] (the ledger `ratebook cost` uses) for a log of responses, and
//! [`RateBook::price_response`] for one response. This crate only reads requests and writes
//! results; it has no rule of its own.

use ratebook::ingest::{LineOutcome, Provider, Summary};
use ratebook::{
    Date, Decimal, Estimate, EstimateOptions, ImageCount, InputImage, Mode, Overlay, RateBook,
    SourceFile, Usage, VideoSeconds, format_usd,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// How many rejected lines a cost summary lists (all are counted).
pub const LISTED_REJECTIONS: usize = 100;

/// Money for JavaScript: the exact amount, normalized (`"0.0677"`, `"0"`).
pub fn money(d: Decimal) -> String {
    d.normalize().to_string()
}

fn json_error(what: &str, e: serde_json::Error) -> String {
    format!("{what}: {e}")
}

fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| json_error("writing the result", e))
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|e| format!("date `{s}`: {e}"))
}

// --- books -------------------------------------------------------------------------------------

/// A pricing file given as text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// The name errors are reported under (`google.toml`).
    pub name: String,
    /// The TOML text.
    pub text: String,
}

/// What book to price with: pricing files, the bundled ones, and your own prices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookSpec {
    /// Pricing files (the format of `pricing/*.toml`).
    #[serde(default)]
    pub files: Vec<FileSpec>,
    /// Start from the pricing files bundled in the package (before `files`).
    #[serde(default)]
    pub bundled: bool,
    /// Overlay files of your own prices, applied in order.
    #[serde(default)]
    pub overlays: Vec<FileSpec>,
    /// Discounts such as `openai:20%`, applied after the overlays.
    #[serde(default)]
    pub discounts: Vec<String>,
}

/// A rate book, ready to price.
#[derive(Debug, Clone)]
pub struct Book {
    book: RateBook,
}

fn sources(files: &[FileSpec]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|f| SourceFile::new(f.name.clone(), f.text.clone()))
        .collect()
}

fn all_errors(errors: &[ratebook::Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Book {
    /// The pricing files bundled at build time (this repository's `pricing/`).
    pub fn bundled() -> Book {
        Book {
            book: ratebook::bundled::book(),
        }
    }

    /// The book `spec` describes; every error of every file (`file:line:column: message`, one
    /// a line) when any file has one.
    pub fn load(spec: &BookSpec) -> Result<Book, String> {
        let mut files = if spec.bundled {
            ratebook::bundled::sources()
        } else {
            Vec::new()
        };
        files.extend(sources(&spec.files));
        if files.is_empty() {
            return Err("no pricing files: give `files`, or `bundled: true`".into());
        }
        let loaded = ratebook::load(&files);
        if !loaded.errors.is_empty() {
            return Err(all_errors(&loaded.errors));
        }
        Book { book: loaded.book }.with_own_prices(&spec.overlays, &spec.discounts)
    }

    /// The book described by `spec_json`, a JSON [`BookSpec`].
    pub fn load_json(spec_json: &str) -> Result<Book, String> {
        let spec: BookSpec =
            serde_json::from_str(spec_json).map_err(|e| json_error("book options", e))?;
        Book::load(&spec)
    }

    /// This book with overlay files and discounts applied, as `--overlay` and `--discount` do.
    pub fn with_own_prices(
        self,
        overlays: &[FileSpec],
        discounts: &[String],
    ) -> Result<Book, String> {
        if overlays.is_empty() && discounts.is_empty() {
            return Ok(self);
        }
        let mut list = Vec::new();
        let mut errors = Vec::new();
        for file in sources(overlays) {
            match Overlay::parse(&file) {
                Ok(o) => list.push(o),
                Err(es) => errors.extend(es.iter().map(ToString::to_string)),
            }
        }
        for spec in discounts {
            match Overlay::discount(spec, &self.book) {
                Ok(o) => list.push(o),
                Err(e) => errors.push(format!("discount {spec}: {}", e.message)),
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("\n"));
        }
        match self.book.with_overlays(&list) {
            Ok(book) => Ok(Book { book }),
            Err(es) => Err(all_errors(&es)),
        }
    }

    /// The core's book.
    pub fn rate_book(&self) -> &RateBook {
        &self.book
    }

    /// Prices one request ([`Request`] as JSON) and returns its [`EstimateOutput`] as JSON.
    pub fn estimate_json(&self, request_json: &str) -> Result<String, String> {
        let request: Request =
            serde_json::from_str(request_json).map_err(|e| json_error("estimate request", e))?;
        to_json(&self.estimate(&request)?)
    }

    /// Prices one request.
    pub fn estimate(&self, request: &Request) -> Result<EstimateOutput, String> {
        let usage = request.usage()?;
        let options = request.options()?;
        let est = self
            .book
            .estimate(&request.model, &usage, options)
            .map_err(|e| e.to_string())?;
        Ok(EstimateOutput::new(&est))
    }

    /// Prices one provider response (JSON text) as `ratebook cost` prices it, at its own date
    /// or else `default_date`.
    pub fn price_response(&self, response: &str, default_date: &str) -> Result<String, String> {
        let date = parse_date(default_date)?;
        let est = self
            .book
            .price_response(response, date)
            .map_err(|e| e.to_string())?;
        to_json(&EstimateOutput::new(&est))
    }

    /// Prices a log of responses, one JSON document a line (JSON Lines), as
    /// `ratebook cost FILE --json` does; `options_json` is a JSON [`CostOptions`].
    pub fn cost_text(&self, text: &str, options_json: &str) -> Result<String, String> {
        let options = CostOptions::parse(options_json)?;
        to_json(&self.cost(text.split('\n'), &options)?)
    }

    /// Prices responses given as a JSON array of strings, each one line of a log.
    pub fn cost_array(&self, lines_json: &str, options_json: &str) -> Result<String, String> {
        let options = CostOptions::parse(options_json)?;
        let lines: Vec<String> =
            serde_json::from_str(lines_json).map_err(|e| json_error("lines", e))?;
        to_json(&self.cost(lines.iter().map(String::as_str), &options)?)
    }

    /// Prices `lines` with the core's ledger: the same rules, grouping and streams as
    /// `ratebook cost`. A trailing `\r` is dropped from each line and a byte-order mark from
    /// the first, as the command does for a file.
    pub fn cost<'l>(
        &self,
        lines: impl Iterator<Item = &'l str>,
        options: &CostOptions,
    ) -> Result<CostOutput, String> {
        let date = parse_date(&options.date)?;
        let provider: Option<Provider> = options
            .provider
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: ratebook::Error| e.to_string())?;
        let mut ledger = ratebook::ingest::Ledger::new(&self.book, date).force_provider(provider);
        let mut out = CostOutput::default();
        let mut number = 0u64;
        // A text ending in a newline has no line after it.
        let mut lines = lines.peekable();
        while let Some(raw) = lines.next() {
            if raw.is_empty() && lines.peek().is_none() {
                break;
            }
            number = number.saturating_add(1);
            let mut line = raw.strip_suffix('\r').unwrap_or(raw);
            if number == 1 {
                line = line.strip_prefix('\u{feff}').unwrap_or(line);
            }
            match ledger.add_line_at(line, number) {
                LineOutcome::Blank => out.blank_lines = out.blank_lines.saturating_add(1),
                LineOutcome::Priced | LineOutcome::Failed | LineOutcome::Streamed => {
                    out.lines = out.lines.saturating_add(1)
                }
                LineOutcome::Rejected(e) => {
                    out.lines = out.lines.saturating_add(1);
                    if out.rejected_lines.len() < LISTED_REJECTIONS {
                        out.rejected_lines.push(RejectedLine {
                            line: number,
                            kind: e.kind.as_str().to_string(),
                            reason: e.message,
                        });
                    }
                }
            }
        }
        ledger.finish();
        out.incomplete_stream_lines = ledger
            .take_incomplete()
            .into_iter()
            .map(|i| IncompleteStreamLine {
                line: i.line,
                shape: i.shape.as_str().to_string(),
                id: i.id,
                reason: i.reason,
            })
            .collect();
        let summary = ledger.summary().map_err(|e| e.to_string())?;
        out.fill(&summary, date);
        Ok(out)
    }

    /// The models of the book, as JSON [`ModelInfo`]s.
    pub fn models_json(&self) -> Result<String, String> {
        let models: Vec<ModelInfo> = self
            .book
            .models()
            .iter()
            .map(|m| ModelInfo {
                id: m.id.clone(),
                provider: m.provider.clone(),
                name: m.name.clone(),
                aliases: m.aliases.clone(),
            })
            .collect();
        to_json(&models)
    }
}

/// One model of a book.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub aliases: Vec<String>,
}

// --- estimate ----------------------------------------------------------------------------------

/// A count that JSON may give as a number or as a string of digits (for counts past 2^53).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count(pub u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Number(n)) => Ok(Count(n)),
            Ok(Raw::Text(s)) => s
                .trim()
                .replace([',', '_'], "")
                .parse::<u64>()
                .map(Count)
                .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a whole number"))),
            Err(_) => Err(serde::de::Error::custom(
                "expected a whole number of 0 or more",
            )),
        }
    }
}

/// One item or a list of them (`outputImages: "1@1K"` or `["1@1K", "2@4K"]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    fn items(&self) -> &[T] {
        match self {
            OneOrMany::One(t) => std::slice::from_ref(t),
            OneOrMany::Many(v) => v,
        }
    }
}

/// Generated images: `"2@4K"`, or `{ resolution: "4K", count: 2 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImagesSpec {
    Text(String),
    Parts { resolution: String, count: Count },
}

/// An input image: `"1024x768:high"`, or `{ width, height, detail }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImageSpec {
    Text(String),
    Parts {
        width: u32,
        height: u32,
        #[serde(default)]
        detail: Option<String>,
    },
}

/// Generated video: `"8@720p"`, or `{ resolution: "720p", seconds: 8 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum VideoSpec {
    Text(String),
    Parts { resolution: String, seconds: Count },
}

/// One request to price: the options of `ratebook estimate`, in camelCase.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Model id, alias or dated snapshot id.
    pub model: String,
    /// The date to price at (`YYYY-MM-DD`).
    pub date: String,
    /// `standard` (default), `batch`, `flex` or `priority`.
    #[serde(default)]
    pub mode: Option<String>,
    /// All prompt tokens, including cache reads and cache writes.
    #[serde(default)]
    pub input_tokens: Count,
    /// Of those, tokens read from cache.
    #[serde(default)]
    pub cached_tokens: Count,
    /// Of the input tokens, tokens written to cache.
    #[serde(default)]
    pub cache_write_tokens: Count,
    /// `5m` (default) or `1h`: the time to live of the cache writes.
    #[serde(default)]
    pub cache_ttl: Option<String>,
    #[serde(default)]
    pub cache_storage_token_hours: Count,
    /// Text output tokens, including reasoning.
    #[serde(default)]
    pub output_tokens: Count,
    #[serde(default)]
    pub output_images: OneOrMany<ImagesSpec>,
    /// Input images whose tokens are estimated with the model's scheme.
    #[serde(default)]
    pub images: OneOrMany<ImageSpec>,
    #[serde(default)]
    pub input_audio_tokens: Count,
    #[serde(default)]
    pub input_video_tokens: Count,
    #[serde(default)]
    pub output_audio_tokens: Count,
    #[serde(default)]
    pub cached_image_tokens: Count,
    #[serde(default)]
    pub audio_seconds: Count,
    #[serde(default)]
    pub input_characters: Count,
    #[serde(default)]
    pub output_video_tokens: Count,
    #[serde(default)]
    pub output_video: OneOrMany<VideoSpec>,
    #[serde(default)]
    pub search_calls: Count,
    /// Calls of per-call fees by fee id (`{ song: 3 }`).
    #[serde(default)]
    pub calls: std::collections::BTreeMap<String, Count>,
    /// Apply the data-residency uplift.
    #[serde(default)]
    pub residency: bool,
    /// Price usage past the model's context window or maximum output instead of failing.
    #[serde(default)]
    pub allow_over_limits: bool,
}

impl Request {
    /// The usage, built as `ratebook estimate` builds it from its options.
    pub fn usage(&self) -> Result<Usage, String> {
        let err = |what: &str, e: ratebook::Error| format!("{what}: {e}");
        let mut u = Usage {
            input_text: self.input_tokens.0,
            input_audio: self.input_audio_tokens.0,
            input_video: self.input_video_tokens.0,
            cached: self.cached_tokens.0,
            cache_storage_token_hours: self.cache_storage_token_hours.0,
            output_text: self.output_tokens.0,
            output_audio: self.output_audio_tokens.0,
            cached_image: self.cached_image_tokens.0,
            input_audio_seconds: self.audio_seconds.0,
            input_characters: self.input_characters.0,
            output_video_tokens: self.output_video_tokens.0,
            ..Usage::default()
        };
        match self.cache_ttl.as_deref().unwrap_or("5m") {
            "5m" => u.cache_write_5m = self.cache_write_tokens.0,
            "1h" => u.cache_write_1h = self.cache_write_tokens.0,
            other => return Err(format!("cacheTtl `{other}`: expected \"5m\" or \"1h\"")),
        }
        for i in self.output_images.items() {
            u.output_images.push(match i {
                ImagesSpec::Text(s) => ImageCount::parse(s).map_err(|e| err("outputImages", e))?,
                ImagesSpec::Parts { resolution, count } => ImageCount {
                    resolution: resolution.clone(),
                    count: count.0,
                },
            });
        }
        for i in self.images.items() {
            u.input_images.push(match i {
                ImageSpec::Text(s) => InputImage::parse(s).map_err(|e| err("images", e))?,
                ImageSpec::Parts {
                    width,
                    height,
                    detail,
                } => InputImage {
                    width: *width,
                    height: *height,
                    detail: detail.clone(),
                },
            });
        }
        for v in self.output_video.items() {
            u.output_video.push(match v {
                VideoSpec::Text(s) => VideoSeconds::parse(s).map_err(|e| err("outputVideo", e))?,
                VideoSpec::Parts {
                    resolution,
                    seconds,
                } => VideoSeconds {
                    resolution: resolution.clone(),
                    seconds: seconds.0,
                },
            });
        }
        if self.search_calls.0 > 0 {
            u.calls.insert("search".into(), self.search_calls.0);
        }
        for (id, n) in &self.calls {
            let id = id.trim().to_string();
            let total = u.calls.get(&id).copied().unwrap_or(0).saturating_add(n.0);
            u.calls.insert(id, total);
        }
        Ok(u)
    }

    /// The date, mode and switches to price at.
    pub fn options(&self) -> Result<EstimateOptions, String> {
        let mode = match self.mode.as_deref() {
            None => Mode::Standard,
            Some(m) => m.parse::<Mode>().map_err(|e| format!("mode: {e}"))?,
        };
        let mut options = EstimateOptions::at(parse_date(&self.date)?)
            .mode(mode)
            .allow_over_limits(self.allow_over_limits);
        options.residency = self.residency;
        Ok(options)
    }
}

/// A priced request, for JavaScript.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateOutput {
    /// The exact total in USD.
    pub total: String,
    /// The total rounded for people (`$0.07`).
    pub total_display: String,
    /// The model billed (after resolution and any rerouting).
    pub model: String,
    pub provider: String,
    pub date: String,
    pub mode: String,
    /// The long-context tier reached, if any.
    pub tier: Option<String>,
    /// How the requested id became the model, in words.
    pub resolution: String,
    pub lifecycle: Option<LifecycleOutput>,
    pub price: PriceOutput,
    /// Estimated tokens of each input image, in order.
    pub image_tokens: Vec<u64>,
    pub line_items: Vec<LineItemOutput>,
}

/// The model's retirement status, when it has one at the date.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleOutput {
    pub status: String,
    pub model: String,
    pub deprecated: Option<String>,
    pub shutdown: Option<String>,
    pub rerouted_to: Option<String>,
    pub message: String,
}

/// The price entry an estimate used.
#[derive(Debug, Clone, Serialize)]
pub struct PriceOutput {
    pub effective: String,
    pub until: Option<String>,
    pub source: String,
    pub checked: String,
}

/// One line of an estimate.
#[derive(Debug, Clone, Serialize)]
pub struct LineItemOutput {
    /// `input_text`, `cache_read`, `output_image`, `fee:search`, …
    pub meter: String,
    pub label: String,
    pub quantity: u64,
    /// The rate applied, in USD per the meter's unit.
    pub rate: String,
    pub amount: String,
    /// The rule that produced the line.
    pub rule: String,
    /// The line in words.
    pub sentence: String,
    /// Your own prices that changed this line's rate, described.
    pub overlays: Vec<String>,
}

impl EstimateOutput {
    /// The estimate in JavaScript's terms.
    pub fn new(e: &Estimate) -> EstimateOutput {
        EstimateOutput {
            total: money(e.total),
            total_display: format_usd(e.total),
            model: e.model.clone(),
            provider: e.provider.clone(),
            date: e.date.to_string(),
            mode: e.mode.as_str().to_string(),
            tier: e.tier.clone(),
            resolution: e.resolution.describe(),
            lifecycle: e.lifecycle.as_ref().map(|l| LifecycleOutput {
                status: l.status.as_str().to_string(),
                model: l.model.clone(),
                deprecated: l.deprecated.map(|d| d.to_string()),
                shutdown: l.shutdown.map(|d| d.to_string()),
                rerouted_to: l.rerouted_to.clone(),
                message: l.message.clone(),
            }),
            price: PriceOutput {
                effective: e.price.effective.to_string(),
                until: e.price.until.map(|d| d.to_string()),
                source: e.price.source.clone(),
                checked: e.price.checked.to_string(),
            },
            image_tokens: e.image_tokens.clone(),
            line_items: e
                .line_items
                .iter()
                .map(|l| LineItemOutput {
                    meter: l.meter(),
                    label: l.label(),
                    quantity: l.quantity,
                    rate: money(l.rate),
                    amount: money(l.amount),
                    rule: l.rule(),
                    sentence: l.sentence(),
                    overlays: l.overlays.clone(),
                })
                .collect(),
        }
    }
}

// --- cost --------------------------------------------------------------------------------------

/// How to price a log.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CostOptions {
    /// The date for responses that carry none (`YYYY-MM-DD`).
    pub date: String,
    /// Read every line as this provider's (`openai`, `anthropic`, `google`, …).
    #[serde(default)]
    pub provider: Option<String>,
}

impl CostOptions {
    fn parse(json: &str) -> Result<CostOptions, String> {
        serde_json::from_str(json).map_err(|e| json_error("cost options", e))
    }
}

/// A priced log: the fields of `ratebook cost --json`, in camelCase.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostOutput {
    /// The exact total in USD.
    pub total: String,
    pub total_display: String,
    /// The date for responses without one.
    pub date: String,
    /// Lines read (blank ones apart).
    pub lines: u64,
    pub blank_lines: u64,
    /// Responses priced.
    pub records: u64,
    /// Failed requests (not billed).
    pub failed: u64,
    /// Lines that could not be read or priced.
    pub rejected: u64,
    pub priced_exactly: u64,
    /// Records by each assumption they needed.
    pub assumptions: std::collections::BTreeMap<String, u64>,
    pub failed_reasons: std::collections::BTreeMap<String, u64>,
    pub rejected_kinds: std::collections::BTreeMap<String, u64>,
    /// The first rejected lines, with why.
    pub rejected_lines: Vec<RejectedLine>,
    pub incomplete_streams: u64,
    pub incomplete_stream_lines: Vec<IncompleteStreamLine>,
    /// Dearest first.
    pub by_model: Vec<ModelCost>,
}

/// A line that was not priced.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedLine {
    pub line: u64,
    pub kind: String,
    pub reason: String,
}

/// A stream whose final usage never came (priced as a lower bound).
#[derive(Debug, Clone, Serialize)]
pub struct IncompleteStreamLine {
    pub line: u64,
    pub shape: String,
    pub id: String,
    pub reason: String,
}

/// One model's share of a log.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelCost {
    pub model: String,
    pub provider: String,
    pub records: u64,
    pub modes: std::collections::BTreeMap<String, u64>,
    pub input_tokens: u128,
    pub cached_tokens: u128,
    pub cache_write_tokens: u128,
    pub output_tokens: u128,
    pub total: String,
    pub meters: Vec<MeterCost>,
    pub overlays: Vec<String>,
}

/// One meter of a model's share.
#[derive(Debug, Clone, Serialize)]
pub struct MeterCost {
    pub meter: String,
    pub quantity: u128,
    pub amount: String,
}

impl CostOutput {
    fn fill(&mut self, s: &Summary, date: Date) {
        self.total = money(s.total);
        self.total_display = format_usd(s.total);
        self.date = date.to_string();
        self.records = s.records;
        self.failed = s.failed;
        self.rejected = s.rejected;
        self.priced_exactly = s.priced_exactly;
        self.assumptions = s
            .assumptions
            .iter()
            .map(|(a, n)| (a.as_str().to_string(), *n))
            .collect();
        self.failed_reasons = s.failed_reasons.iter().cloned().collect();
        self.rejected_kinds = s
            .rejected_kinds
            .iter()
            .map(|(k, n)| (k.as_str().to_string(), *n))
            .collect();
        self.incomplete_streams = s.incomplete_streams;
        self.by_model = s
            .by_model
            .iter()
            .map(|m| ModelCost {
                model: m.model.clone(),
                provider: m.provider.clone(),
                records: m.records,
                modes: m
                    .modes
                    .iter()
                    .map(|(mode, n)| (mode.as_str().to_string(), *n))
                    .collect(),
                input_tokens: m.input_tokens,
                cached_tokens: m.cached_tokens,
                cache_write_tokens: m.cache_write_tokens,
                output_tokens: m.output_tokens,
                total: money(m.total),
                meters: m
                    .meters
                    .iter()
                    .map(|t| MeterCost {
                        meter: t.meter.clone(),
                        quantity: t.quantity,
                        amount: money(t.amount),
                    })
                    .collect(),
                overlays: m.overlays.clone(),
            })
            .collect();
    }
}

// --- the JavaScript boundary -------------------------------------------------------------------

fn js<T>(r: Result<T, String>) -> Result<T, JsError> {
    r.map_err(|e| JsError::new(&e))
}

/// A rate book in JavaScript (wrapped by the package's `RateBook` class).
#[wasm_bindgen]
pub struct WasmBook {
    inner: Book,
}

#[wasm_bindgen]
impl WasmBook {
    /// The bundled pricing files.
    pub fn bundled() -> WasmBook {
        WasmBook {
            inner: Book::bundled(),
        }
    }

    /// A book from a JSON [`BookSpec`]; throws with every error of the files.
    pub fn load(spec_json: &str) -> Result<WasmBook, JsError> {
        Ok(WasmBook {
            inner: js(Book::load_json(spec_json))?,
        })
    }

    /// [`Book::estimate_json`].
    pub fn estimate(&self, request_json: &str) -> Result<String, JsError> {
        js(self.inner.estimate_json(request_json))
    }

    /// [`Book::price_response`].
    #[wasm_bindgen(js_name = priceResponse)]
    pub fn price_response(&self, response: &str, default_date: &str) -> Result<String, JsError> {
        js(self.inner.price_response(response, default_date))
    }

    /// [`Book::cost_text`].
    #[wasm_bindgen(js_name = costText)]
    pub fn cost_text(&self, text: &str, options_json: &str) -> Result<String, JsError> {
        js(self.inner.cost_text(text, options_json))
    }

    /// [`Book::cost_array`].
    #[wasm_bindgen(js_name = costArray)]
    pub fn cost_array(&self, lines_json: &str, options_json: &str) -> Result<String, JsError> {
        js(self.inner.cost_array(lines_json, options_json))
    }

    /// [`Book::models_json`].
    pub fn models(&self) -> Result<String, JsError> {
        js(self.inner.models_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> serde_json::Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn estimates_an_image_request_exactly() {
        // pricing/google.toml, gemini-3.1-flash-image: input $0.50/M, image output $60/M,
        // 1,120 tokens per 1K image: 1,000 × 0.50/M + 1,120 × 60/M = 0.0005 + 0.0672.
        let out = Book::bundled()
            .estimate_json(
                r#"{"model":"gemini-3.1-flash-image","inputTokens":1000,"outputImages":"1@1K","date":"2026-11-23"}"#,
            )
            .unwrap();
        let v = value(&out);
        assert_eq!(v["total"], "0.0677");
        assert_eq!(v["lineItems"][0]["amount"], "0.0005");
        assert_eq!(v["lineItems"][1]["amount"], "0.0672");
        assert_eq!(v["lineItems"][1]["quantity"], 1120);
    }

    #[test]
    fn unknown_fields_and_models_are_errors() {
        let book = Book::bundled();
        let err = book
            .estimate_json(r#"{"model":"gpt-4o","inputTokenz":1,"date":"2026-11-23"}"#)
            .unwrap_err();
        assert!(err.contains("unknown field `inputTokenz`"), "{err}");
        let err = book
            .estimate_json(r#"{"model":"gpt-4oo","date":"2026-11-23"}"#)
            .unwrap_err();
        assert!(err.contains("did you mean"), "{err}");
        let err = book
            .estimate_json(r#"{"model":"gpt-4o","inputTokens":1.5,"date":"2026-11-23"}"#)
            .unwrap_err();
        assert!(err.contains("whole number"), "{err}");
    }

    #[test]
    fn counts_may_be_strings() {
        let r: Request = serde_json::from_str(
            r#"{"model":"m","date":"2026-01-01","inputTokens":"1,000","outputTokens":2}"#,
        )
        .unwrap();
        assert_eq!((r.input_tokens.0, r.output_tokens.0), (1000, 2));
    }

    #[test]
    fn a_broken_file_is_reported_at_its_line_and_column() {
        let spec = BookSpec {
            files: vec![FileSpec {
                name: "broken.toml".into(),
                text: "[provider]\nid = \"x\"\nname = \n".into(),
            }],
            ..BookSpec::default()
        };
        let err = Book::load(&spec).unwrap_err();
        assert!(err.starts_with("broken.toml:3:"), "{err}");
    }

    #[test]
    fn cost_skips_the_newline_at_the_end_and_a_byte_order_mark() {
        let line = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1763800000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}"#;
        let text = format!("\u{feff}{line}\r\n\n{line}\n");
        let out = Book::bundled()
            .cost_text(&text, r#"{"date":"2026-11-01"}"#)
            .unwrap();
        let v = value(&out);
        // gpt-4o-mini (pricing/openai.toml): 2 × (1,000 × $0.15/M + 100 × $0.60/M).
        assert_eq!(v["total"], "0.00042");
        assert_eq!(
            (v["lines"].as_u64(), v["blankLines"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(v["records"], 2);
    }
}
