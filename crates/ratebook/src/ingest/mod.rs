//! Real usage: the `usage` blocks of providers' responses, one JSON object per line, turned
//! into priced [`Usage`] with every token billed exactly once.
//!
//! Each provider counts differently (the table below), and this module is where those
//! conventions are undone, once, into the crate's own: `input_*` includes cache reads and cache
//! writes, `cached` and the writes are subsets of it, and text output includes reasoning.
//!
//! | shape | detected by | file |
//! |---|---|---|
//! | OpenAI Chat Completions | `object: "chat.completion"` or `usage.prompt_tokens` | [`openai`] |
//! | OpenAI Responses | `object: "response"` or `usage.input_tokens_details` | [`openai`] |
//! | OpenAI Batch output line | `custom_id` with `response` or `error` | [`openai`] |
//! | Gemini `generateContent` | `usageMetadata` | [`google`] |
//! | Gemini batch result line | `key` (or Vertex's `request`) with `response` or `error`, or `response.usageMetadata` | [`google`] |
//! | Anthropic Messages | `type: "message"` or Anthropic-only usage fields | [`anthropic`] |
//! | Anthropic Message Batches result line | `result` (with `custom_id`) | [`anthropic`] |
//! | a streamed response's events, one per line | `chat.completion.chunk`, `type: "response.*"`, Anthropic `message_*` / `content_block_*` / `ping`, Gemini `responseId` | [`stream`] |
//!
//! A usage block with only `input_tokens` / `output_tokens` (OpenAI Responses and Anthropic
//! share those names) means the same under both conventions, so it is read as OpenAI Responses
//! unless the model id starts with `claude`. `--provider` ([`Provider`]) forces one convention.
//!
//! What a line becomes:
//! - a billable [`Record`]: the model id as the response gives it (resolved later through
//!   [`RateBook::resolve`](crate::RateBook::resolve), so dated snapshots work), its usage, its
//!   service mode (batch lines price in batch mode; OpenAI's `service_tier` `flex` and
//!   `priority` price in those modes) and its date if it carries a timestamp (`created`
//!   seconds, `created_at` seconds or RFC 3339, `createTime`);
//! - a failed request ([`Parsed::Failed`]): an error object, a batch line with an error or a
//!   non-200 status, an Anthropic batch result that `errored`, `expired` or was `canceled`, a
//!   Responses object with status `failed` or `cancelled` — none of them billed;
//! - a stream event ([`Parsed::Stream`]): one line of a streamed response, which the
//!   [`Ledger`] groups by stream (by id; Anthropic's events without one join the most recently
//!   started open message) and bills once, at the stream's final usage; a stream whose final
//!   usage never came is priced as a lower bound from what did and counted as incomplete
//!   ([`Ledger::finish`], [`IncompleteStream`]). A final event read alone by [`parse_line`] is
//!   the whole response it bills;
//! - or a [`LineError`]: the line cannot be read or priced, with the reason.
//!
//! Each shape is described once, by the serde derives of `Line` and the structs it nests
//! (everything else in a line is skipped unread), and read two ways from that one description:
//! a small serde deserializer for plain JSON (the `plain` module: borrowed strings, skipped
//! values stepped over 16 bytes at a time) reads the common case, and `serde_json` reads every
//! line that one refuses, accepting it or explaining the error with the path of the failing
//! field. The two are checked against each other line by line. The [`Ledger`] sums usages that
//! share a model, price entry, mode and long-context tier before pricing them once, which is
//! exact because every line item is quantity × rate.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};

use crate::book::Mode;
use crate::date::Date;
use crate::error::{Error, ErrorKind};
use crate::usage::Usage;
use rust_decimal::Decimal;

pub mod anthropic;
pub mod google;
mod groups;
mod ledger;
pub mod openai;
mod plain;
pub mod stream;
mod whatif;

pub use groups::{GroupBy, GroupSummary, NO_TAG, Projection};
pub use ledger::{
    CliffSummary, IncompleteStream, Ledger, LineOutcome, MAX_GROUPS, MAX_OPEN_STREAMS, MeterTotal,
    ModelRestatement, ModelSummary, MonthRestatement, OTHER, RecordCost, ReportedSummary,
    Restatement, StreamKey, Summary, UnpricedModel, WhatIfSummary, WorkerStep,
};
pub use stream::{Partial, StreamEvent, StreamKind, StreamStep};
pub(crate) use whatif::Applied;
pub use whatif::WhatIf;

/// The largest token count one field of one response may report. No real response comes near
/// it (the largest context windows are a few million tokens); larger values are rejected as
/// corrupt rather than priced.
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// Whose usage convention a line follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// Gemini (`usageMetadata`): prompt counts include cached tokens; thinking is reported apart.
    Google,
    /// OpenAI (Chat Completions and Responses): input counts include cached tokens.
    OpenAi,
    /// Anthropic Messages: `input_tokens` excludes cache reads and cache writes, reported apart.
    Anthropic,
}

impl Provider {
    /// `google`, `openai` or `anthropic` (what `--provider` takes).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = Error;
    fn from_str(s: &str) -> Result<Provider, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "google" | "gemini" => Ok(Provider::Google),
            "openai" => Ok(Provider::OpenAi),
            "anthropic" | "claude" => Ok(Provider::Anthropic),
            _ => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("unknown provider `{s}`; expected google, openai or anthropic"),
            )),
        }
    }
}

/// The response shape a line was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Shape {
    /// An OpenAI Chat Completions response.
    OpenAiChat,
    /// An OpenAI Responses object.
    OpenAiResponses,
    /// A line of an OpenAI Batch output file (billed in batch mode).
    OpenAiBatch,
    /// A Gemini `generateContent` response.
    Gemini,
    /// A line of a Gemini (or Vertex) batch result file (billed in batch mode).
    GeminiBatch,
    /// An Anthropic Messages response.
    AnthropicMessage,
    /// A line of an Anthropic Message Batches result file (billed in batch mode).
    AnthropicBatch,
    /// A bare error object (`{"error": …}`, `{"type": "error", …}`).
    Error,
}

impl Shape {
    /// The stable snake_case name tools read: `openai_chat`, `gemini_batch`, `error`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::OpenAiChat => "openai_chat",
            Shape::OpenAiResponses => "openai_responses",
            Shape::OpenAiBatch => "openai_batch",
            Shape::Gemini => "gemini",
            Shape::GeminiBatch => "gemini_batch",
            Shape::AnthropicMessage => "anthropic_message",
            Shape::AnthropicBatch => "anthropic_batch",
            Shape::Error => "error",
        }
    }

    /// Whose usage convention the shape follows; `None` for a bare error object.
    pub fn provider(self) -> Option<Provider> {
        match self {
            Shape::OpenAiChat | Shape::OpenAiResponses | Shape::OpenAiBatch => {
                Some(Provider::OpenAi)
            }
            Shape::Gemini | Shape::GeminiBatch => Some(Provider::Google),
            Shape::AnthropicMessage | Shape::AnthropicBatch => Some(Provider::Anthropic),
            Shape::Error => None,
        }
    }
}

/// A billable response read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The response shape the line was read as.
    pub shape: Shape,
    /// The model id exactly as the response gives it (`gpt-4o-2024-08-06`, `models/…`).
    pub model: Cow<'a, str>,
    /// What the response consumed, in the crate's convention (every token counted once).
    pub usage: Usage,
    /// The mode it bills in: batch for a batch result line, flex or priority where the response's
    /// service tier says so, standard otherwise.
    pub mode: Mode,
    /// The date of the response's own timestamp, if it has one.
    pub date: Option<Date>,
    /// What a gateway reported it charged for the response, in US dollars (OpenRouter's
    /// `usage.cost`, plus `usage.cost_details.upstream_inference_cost` when `usage.is_byok`), if
    /// the line says. Kept beside ratebook's own price, never instead of it.
    pub reported_cost: Option<Decimal>,
    /// What pricing it must assume because the line does not say.
    pub assumptions: Assumptions,
}

/// Something a record's price rests on that its line did not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Assumption {
    /// Anthropic cache writes without their TTL split (`cache_creation`): five minutes assumed.
    CacheTtl5m,
    /// No timestamp on the response: priced at the run's date (`--date`).
    NoTimestamp,
    /// No service tier on an OpenAI or Anthropic response: the standard tier assumed.
    StandardTier,
    /// A dated snapshot id the book does not list, priced as its model (suffix stripped; only
    /// for models whose snapshots all bill one price).
    SnapshotStripped,
    /// A stream whose final usage never came: priced as a lower bound from what arrived.
    IncompleteStream,
    /// A call through a cloud whose id names no deployment scope (no region or inference
    /// profile): priced at the scope the cloud's card bills such ids at (Bedrock in-region,
    /// Vertex and Azure global).
    RegionUnknown,
}

impl Assumption {
    /// Every assumption, in the order they are reported.
    pub const ALL: [Assumption; 6] = [
        Assumption::CacheTtl5m,
        Assumption::NoTimestamp,
        Assumption::StandardTier,
        Assumption::SnapshotStripped,
        Assumption::IncompleteStream,
        Assumption::RegionUnknown,
    ];

    /// `cache_ttl_5m`, `no_timestamp`, `standard_tier`, `snapshot_stripped`,
    /// `incomplete_stream` or `region_unknown`: the keys of `assumptions` in
    /// `ratebook cost --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Assumption::CacheTtl5m => "cache_ttl_5m",
            Assumption::NoTimestamp => "no_timestamp",
            Assumption::StandardTier => "standard_tier",
            Assumption::SnapshotStripped => "snapshot_stripped",
            Assumption::IncompleteStream => "incomplete_stream",
            Assumption::RegionUnknown => "region_unknown",
        }
    }

    /// What was assumed, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Assumption::CacheTtl5m => "cache-write TTL not reported (5 minutes assumed)",
            Assumption::NoTimestamp => "no timestamp (priced at --date)",
            Assumption::StandardTier => "service tier not reported (standard assumed)",
            Assumption::SnapshotStripped => "unlisted snapshot id (priced as its model)",
            Assumption::IncompleteStream => "incomplete stream (a lower bound)",
            Assumption::RegionUnknown => "cloud id names no region (the card's default scope)",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Assumption::CacheTtl5m => 1,
            Assumption::NoTimestamp => 2,
            Assumption::StandardTier => 4,
            Assumption::SnapshotStripped => 8,
            Assumption::IncompleteStream => 16,
            Assumption::RegionUnknown => 32,
        }
    }
}

/// A set of [`Assumption`]s (empty: the record is priced exactly as its line says).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Assumptions(u8);

impl Assumptions {
    /// No assumption.
    pub const NONE: Assumptions = Assumptions(0);

    /// Adds `a`.
    pub fn insert(&mut self, a: Assumption) {
        self.0 |= a.bit();
    }

    /// Whether `a` is in the set.
    pub fn contains(self, a: Assumption) -> bool {
        self.0 & a.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The assumptions in the set, in [`Assumption::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Assumption> {
        Assumption::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

/// What one line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "a record per line is the hot path; boxing it would allocate once per line"
)]
pub enum Parsed<'a> {
    /// A response to bill.
    Billable(Record<'a>),
    /// A request that failed, errored, expired or was cancelled: counted, not billed.
    Failed {
        /// The shape the line was read as.
        shape: Shape,
        /// Why it is not billed (the error message, the status, the batch result).
        reason: Cow<'static, str>,
    },
    /// One event of a streamed response (see [`stream`]).
    Stream(StreamEvent<'a>),
}

/// Why a line was rejected. Stable snake_case names for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RejectKind {
    /// Not valid JSON, or a field of the wrong type.
    Json,
    /// Valid JSON but no usage block of a known shape.
    NoUsage,
    /// A usage block without a model id.
    NoModel,
    /// Counts that contradict each other or are out of range.
    InvalidUsage,
    /// The book has no model for the line's id.
    UnknownModel,
    /// The model has no price entry in force at the line's date.
    NoPriceAtDate,
    /// The model does not offer the line's service mode.
    ModeNotOffered,
    /// The usage needs a rate the model's card does not have.
    UnsupportedMeter,
    /// A count or amount too large to compute exactly.
    Overflow,
    /// The line is not UTF-8 text.
    Encoding,
    /// The line is longer than the reader accepts.
    TooLong,
}

impl RejectKind {
    /// The stable snake_case name tools read: `invalid_json`, `unknown_model`, `not_utf8`, …
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::Json => "invalid_json",
            RejectKind::NoUsage => "no_usage",
            RejectKind::NoModel => "no_model",
            RejectKind::InvalidUsage => "invalid_usage",
            RejectKind::UnknownModel => "unknown_model",
            RejectKind::NoPriceAtDate => "no_price_at_date",
            RejectKind::ModeNotOffered => "mode_not_offered",
            RejectKind::UnsupportedMeter => "unsupported_meter",
            RejectKind::Overflow => "overflow",
            RejectKind::Encoding => "not_utf8",
            RejectKind::TooLong => "too_long",
        }
    }

    /// The kind for an error of the core met while pricing a line.
    pub fn from_error(e: &Error) -> RejectKind {
        match e.kind {
            ErrorKind::UnknownModel => RejectKind::UnknownModel,
            ErrorKind::NoPriceAtDate => RejectKind::NoPriceAtDate,
            ErrorKind::ModeNotOffered => RejectKind::ModeNotOffered,
            ErrorKind::UnsupportedMeter => RejectKind::UnsupportedMeter,
            ErrorKind::Overflow => RejectKind::Overflow,
            _ => RejectKind::InvalidUsage,
        }
    }
}

impl fmt::Display for RejectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A line that could not be read or priced, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// Why the line was rejected.
    pub kind: RejectKind,
    /// The reason in words.
    pub message: String,
}

impl LineError {
    /// A rejection of `kind` saying `message`.
    pub fn new(kind: RejectKind, message: impl Into<String>) -> LineError {
        LineError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> LineError {
        LineError::new(RejectKind::InvalidUsage, message)
    }

    /// From an error of the core (unknown model, no price at the date, …).
    pub fn from_error(e: &Error) -> LineError {
        LineError::new(RejectKind::from_error(e), e.to_string())
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LineError {}

// ---------------------------------------------------------------------------------------------
// Borrowed building blocks
// ---------------------------------------------------------------------------------------------

/// A string borrowed from the line when it has no escapes, owned otherwise. (serde's `Cow`
/// only borrows as a bare field, not inside `Option`.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl Str<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A response's timestamp as a date: Unix seconds (an integer, a decimal number of seconds or
/// a string of digits) or an RFC 3339 date-time (`2026-03-14T09:30:00Z`, offsets honoured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp(pub Date);

fn from_seconds<E: de::Error>(secs: i64) -> Result<Stamp, E> {
    Date::from_unix_seconds(secs).map(Stamp).ok_or_else(|| {
        E::custom(format!(
            "timestamp {secs} is not a plausible time in seconds since 1970"
        ))
    })
}

/// Parses an RFC 3339 date-time (or a bare `YYYY-MM-DD`) into its UTC date.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "indices: `i + 2` with i < n, `n - 1` with n ≥ 6 and `n - 6`, `n - 3` only when \
              n ≥ 12; hours and minutes are two digits, so the offset and the day shift are a \
              few thousand minutes and a day on a date of years 1..=9999"
)]
pub fn parse_timestamp(s: &str) -> Option<Date> {
    let s = s.trim();
    if !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok().and_then(Date::from_unix_seconds);
    }
    let date: Date = s.get(..10)?.parse().ok()?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(date);
    }
    let b = rest.as_bytes();
    if !(b[0] == b'T' || b[0] == b't' || b[0] == b' ') || rest.len() < 6 {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let p = rest.get(i..i + 2)?;
        if p.bytes().all(|c| c.is_ascii_digit()) {
            p.parse().ok()
        } else {
            None
        }
    };
    let (hh, mm) = (two(1)?, two(4)?);
    if hh > 23 || mm > 59 || b[3] != b':' {
        return None;
    }
    // Offset: `Z`, `+HH:MM`, `-HH:MM`, or none (taken as UTC).
    let n = b.len();
    let offset_min = if matches!(b[n - 1], b'Z' | b'z') {
        0
    } else if n >= 12 && matches!(b[n - 6], b'+' | b'-') && b[n - 3] == b':' {
        let sign = if b[n - 6] == b'-' { -1 } else { 1 };
        let (oh, om) = (two(n - 5)?, two(n - 2)?);
        sign * (oh * 60 + om)
    } else {
        0
    };
    let minutes = hh * 60 + mm - offset_min;
    Date::from_unix_days(date.unix_days() + minutes.div_euclid(1440))
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Stamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Unix time in seconds or an RFC 3339 date-time")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Stamp, E> {
                from_seconds(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Stamp, E> {
                from_seconds(
                    i64::try_from(v)
                        .map_err(|_| E::custom(format!("timestamp {v} is out of range")))?,
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Stamp, E> {
                // Seconds with a fraction (1711652795.123): only the day matters.
                if v.is_finite() && v.abs() < 1e15 {
                    from_seconds(v.floor() as i64)
                } else {
                    Err(E::custom(format!("timestamp {v} is out of range")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Stamp, E> {
                parse_timestamp(v).map(Stamp).ok_or_else(|| {
                    E::custom(format!("`{v}` is not a Unix time or an RFC 3339 date-time"))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A token count: an unsigned integer up to [`MAX_COUNT`]; absent or `null` is `None`. Eight
/// bytes instead of `Option<u64>`'s sixteen (u64::MAX marks absence), which keeps the parsed
/// line small: it is built and moved once per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Count(u64);

impl Default for Count {
    fn default() -> Count {
        Count(u64::MAX)
    }
}

impl Count {
    pub(crate) fn get(self) -> Option<u64> {
        (self.0 != u64::MAX).then_some(self.0)
    }
    pub(crate) fn or0(self) -> u64 {
        self.get().unwrap_or(0)
    }
    pub(crate) fn is_some(self) -> bool {
        self.0 != u64::MAX
    }
    pub(crate) fn is_none(self) -> bool {
        self.0 == u64::MAX
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        // One dispatch (`deserialize_any`) instead of `Option<u64>`'s two.
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("u64 (a token count)")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Count, E> {
                if n > MAX_COUNT {
                    return Err(E::custom(format!(
                        "token count {n} is larger than any response reports (limit {MAX_COUNT})"
                    )));
                }
                Ok(Count(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Count, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(n), &self)),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Count, E> {
                Ok(Count::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Count, E> {
                Ok(Count::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A string field that is only ever compared with a few known values (`object`, `type`,
/// `status`, `service_tier`, a batch result's `type`): read as a one-byte tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Tag {
    /// A value none of the shapes branch on.
    #[default]
    Other,
    /// `""` (Vertex AI batch lines: an empty status is success).
    Empty,
    ChatCompletion,
    ChatCompletionChunk,
    Response,
    Message,
    Error,
    Flex,
    Priority,
    Batch,
    Failed,
    Cancelled,
    Succeeded,
    Errored,
    Expired,
    Canceled,
    // Stream events (`type`).
    /// Anthropic `message_start`.
    MessageStart,
    /// Anthropic `message_delta`.
    MessageDelta,
    /// Anthropic `message_stop`.
    MessageStop,
    /// Anthropic `content_block_start` / `_delta` / `_stop` and `ping`: nothing to bill.
    StreamNoise,
    /// OpenAI Responses `response.created`, `response.in_progress`, `response.queued`.
    ResponseOpen,
    /// OpenAI Responses `response.completed`.
    ResponseCompleted,
    /// OpenAI Responses `response.incomplete`.
    ResponseIncomplete,
    /// OpenAI Responses `response.failed`.
    ResponseFailed,
    /// Any other `response.*` event (`response.output_text.delta`, …): no usage.
    ResponseOther,
}

impl Tag {
    pub(crate) fn from_name(v: &str) -> Tag {
        match v {
            "" => Tag::Empty,
            "chat.completion" => Tag::ChatCompletion,
            "chat.completion.chunk" => Tag::ChatCompletionChunk,
            "response" => Tag::Response,
            "message" => Tag::Message,
            "error" => Tag::Error,
            "flex" => Tag::Flex,
            "priority" => Tag::Priority,
            "batch" => Tag::Batch,
            "failed" => Tag::Failed,
            "cancelled" => Tag::Cancelled,
            "succeeded" => Tag::Succeeded,
            "errored" => Tag::Errored,
            "expired" => Tag::Expired,
            "canceled" => Tag::Canceled,
            "message_start" => Tag::MessageStart,
            "message_delta" => Tag::MessageDelta,
            "message_stop" => Tag::MessageStop,
            "content_block_start" | "content_block_delta" | "content_block_stop" | "ping" => {
                Tag::StreamNoise
            }
            "response.created" | "response.in_progress" | "response.queued" => Tag::ResponseOpen,
            "response.completed" => Tag::ResponseCompleted,
            "response.incomplete" => Tag::ResponseIncomplete,
            "response.failed" => Tag::ResponseFailed,
            v if v.starts_with("response.") => Tag::ResponseOther,
            _ => Tag::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Tag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tag, E> {
                Ok(Tag::from_name(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// `true` when the field is present with any value other than `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Present(pub bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Present, D::Error> {
        let v: Option<IgnoredAny> = Option::deserialize(d)?;
        Ok(Present(v.is_some()))
    }
}

// ---------------------------------------------------------------------------------------------
// The union of every shape's top-level fields
// ---------------------------------------------------------------------------------------------

/// Every top-level field any supported shape uses; all else in a line is skipped unread. Batch
/// lines nest a response (`response`, `response.body`, `result.message`) of this same type.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Line<'a> {
    pub object: Option<Tag>,
    #[serde(rename = "type")]
    pub kind: Option<Tag>,
    #[serde(borrow)]
    pub model: Option<Str<'a>>,
    #[serde(rename = "modelVersion", borrow)]
    pub model_version: Option<Str<'a>>,
    pub created: Option<Stamp>,
    pub created_at: Option<Stamp>,
    #[serde(rename = "createTime")]
    pub create_time: Option<Stamp>,
    pub usage: Option<Box<UsageBlock>>,
    #[serde(rename = "usageMetadata")]
    pub usage_metadata: Option<Box<google::UsageMetadata>>,
    #[serde(default)]
    pub custom_id: Present,
    #[serde(default)]
    pub key: Present,
    /// Vertex AI batch prediction output lines carry the request beside the response.
    #[serde(default)]
    pub request: Present,
    #[serde(borrow)]
    pub response: Option<Box<Line<'a>>>,
    #[serde(default)]
    pub status_code: Count,
    #[serde(borrow)]
    pub body: Option<Box<Line<'a>>>,
    #[serde(borrow)]
    pub result: Option<Box<anthropic::BatchResult<'a>>>,
    #[serde(default)]
    pub error: Present,
    pub service_tier: Option<Tag>,
    pub status: Option<Tag>,
    /// OpenAI Responses output items, read only for web-search calls.
    #[serde(default)]
    pub output: openai::SearchCalls,
    /// The response's id: groups the events of a stream (OpenAI chunks and Responses objects,
    /// an Anthropic `message_start`'s message).
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    /// Gemini's response id, shared by the chunks of one `streamGenerateContent` stream.
    #[serde(rename = "responseId", borrow)]
    pub response_id: Option<Str<'a>>,
    /// An Anthropic `message_start` event's message.
    #[serde(borrow)]
    pub message: Option<Box<Line<'a>>>,
    /// Gemini candidates, read only for whether one has a `finishReason` (the last chunk of a
    /// stream, or a whole response).
    pub candidates: Option<google::Finished>,
}

/// The `usage` object of OpenAI (Chat Completions and Responses) and Anthropic: the union of
/// their fields, read by [`openai`] and [`anthropic`].
#[derive(Debug, Default, Deserialize)]
pub(crate) struct UsageBlock {
    // OpenAI Chat Completions.
    #[serde(default)]
    pub prompt_tokens: Count,
    #[serde(default)]
    pub completion_tokens: Count,
    pub prompt_tokens_details: Option<openai::InputDetails>,
    pub completion_tokens_details: Option<openai::OutputDetails>,
    // OpenAI Responses and Anthropic.
    #[serde(default)]
    pub input_tokens: Count,
    #[serde(default)]
    pub output_tokens: Count,
    // OpenAI Responses.
    pub input_tokens_details: Option<openai::InputDetails>,
    pub output_tokens_details: Option<openai::OutputDetails>,
    // Anthropic.
    #[serde(default)]
    pub cache_creation_input_tokens: Count,
    #[serde(default)]
    pub cache_read_input_tokens: Count,
    pub cache_creation: Option<anthropic::CacheCreation>,
    pub server_tool_use: Option<anthropic::ServerToolUse>,
    pub service_tier: Option<Tag>,
    // OpenRouter (an OpenAI-compatible gateway): what it charged, in credits of one US dollar.
    pub cost: Option<Charged>,
    pub is_byok: Option<bool>,
    pub cost_details: Option<CostDetails>,
}

/// OpenRouter's `usage.cost_details`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CostDetails {
    /// What the upstream provider charged a bring-your-own-key request (billed by that provider,
    /// not by the gateway's `cost`).
    pub upstream_inference_cost: Option<Charged>,
}

/// A JSON number that serde handed over as an `f64`, as the shortest decimal that reads back
/// as the same `f64` (what JavaScript's and Python's JSON writers print: `0.00014` is exactly
/// 0.00014); `None` when it is not finite or does not fit a `Decimal`. The one place money
/// read from a JSON number leaves `f64`: the reported charges here and billing exports'
/// amounts (`reconcile`).
pub(crate) fn json_decimal(v: f64) -> Option<Decimal> {
    if !v.is_finite() {
        return None;
    }
    // `Display` of an `f64` is its shortest round-trip decimal, never an exponent.
    Decimal::from_str_exact(&v.to_string())
        .ok()
        .map(|d| d.normalize())
}

/// A reported charge in US dollars: a non-negative JSON number (or a decimal string).
///
/// JSON numbers reach serde as `f64`; the amount is the shortest decimal that reads back as the
/// same `f64` (what JavaScript's and Python's JSON writers print), so `0.00014` is exactly
/// 0.00014. An amount written with more than 17 significant digits keeps only those 17.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Charged(pub Decimal);

impl<'de> Deserialize<'de> for Charged {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Charged, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Charged;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative amount in US dollars")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Charged, E> {
                Ok(Charged(Decimal::from(n)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Charged, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(n), &self)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Charged, E> {
                if v.is_nan() || v < 0.0 {
                    return Err(E::invalid_value(de::Unexpected::Float(v), &self));
                }
                json_decimal(v)
                    .map(Charged)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Charged, E> {
                match Decimal::from_str_exact(v.trim()) {
                    Ok(d) if d >= Decimal::ZERO => Ok(Charged(d.normalize())),
                    Ok(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                    Err(e) => Err(E::custom(format!("cost `{v}`: {e}"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl UsageBlock {
    /// The reported charge: `cost`, plus the upstream provider's for a bring-your-own-key
    /// request. `None` when the line reports none (or the sum does not fit).
    fn reported_cost(&self) -> Option<Decimal> {
        let cost = self.cost?.0;
        let upstream = match (self.is_byok, &self.cost_details) {
            (Some(true), Some(d)) => d.upstream_inference_cost.map_or(Decimal::ZERO, |c| c.0),
            _ => Decimal::ZERO,
        };
        cost.checked_add(upstream)
    }

    fn has_anthropic_fields(&self) -> bool {
        self.cache_creation_input_tokens.is_some()
            || self.cache_read_input_tokens.is_some()
            || self.cache_creation.is_some()
            || self.server_tool_use.is_some()
    }
    fn has_responses_fields(&self) -> bool {
        self.input_tokens_details.is_some() || self.output_tokens_details.is_some()
    }
}

fn overflows(what: &str) -> LineError {
    LineError::new(RejectKind::Overflow, format!("{what} overflows"))
}

pub(crate) fn add(a: u64, b: u64, what: &str) -> Result<u64, LineError> {
    a.checked_add(b).ok_or_else(|| overflows(what))
}

/// `a − b` of counts whose order was checked before (so this never fails in practice).
pub(crate) fn sub(a: u64, b: u64, what: &str) -> Result<u64, LineError> {
    a.checked_sub(b).ok_or_else(|| overflows(what))
}

// ---------------------------------------------------------------------------------------------
// Reading one line
// ---------------------------------------------------------------------------------------------

/// Reads one line (one response, without its newline). `force` imposes a provider's usage
/// convention instead of detecting it from the shape.
///
/// A stream event that carries its stream's final usage (an OpenAI chunk with `usage`,
/// `response.completed`, a Gemini chunk with a `finishReason`) reads as the whole response it
/// bills, [`Parsed::Billable`] (or [`Parsed::Failed`]); the other stream events read as
/// [`Parsed::Stream`]. [`parse_event`] keeps the final ones as stream events too.
pub fn parse_line(text: &str, force: Option<Provider>) -> Result<Parsed<'_>, LineError> {
    Ok(match parse_event(text, force)? {
        Parsed::Stream(StreamEvent {
            kind,
            step: StreamStep::End(end),
            ..
        }) => match end {
            Ok(r) => Parsed::Billable(r),
            Err(reason) => Parsed::Failed {
                shape: kind.shape(),
                reason,
            },
        },
        other => other,
    })
}

/// Reads one line like [`parse_line`], but every stream event, final ones included, as
/// [`Parsed::Stream`] (the final usage with the id of the stream it ends).
pub fn parse_event(text: &str, force: Option<Provider>) -> Result<Parsed<'_>, LineError> {
    // The fast path reads plain lines; anything else (and every error) is serde_json's to
    // judge, from the same derives.
    let line: Line<'_> = match plain::from_str(text) {
        Some(l) => l,
        None => match serde_json::from_str(text) {
            Ok(l) => l,
            Err(e) => return Err(json_error(text, e)),
        },
    };
    classify(&line, force)
}

/// A located, readable message for a line serde could not read: re-reads it (errors are rare)
/// tracking the path of the failing field.
fn json_error(text: &str, e: serde_json::Error) -> LineError {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        let what = match trimmed.as_bytes().first() {
            Some(b'[') => "a JSON array",
            Some(b'"') => "a JSON string",
            Some(b'-' | b'0'..=b'9') => "a number",
            _ => "JSON",
        };
        let msg = if what == "JSON" {
            format!("not JSON: {e}")
        } else {
            format!("{what}, not a JSON object (one response per line)")
        };
        return LineError::new(RejectKind::Json, msg);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let path = match serde_path_to_error::deserialize::<_, Line<'_>>(&mut de) {
        Err(pe) => pe.path().to_string(),
        Ok(_) => String::new(),
    };
    let msg = if e.is_eof() {
        format!("truncated JSON: {e}")
    } else if path.is_empty() || path == "." {
        format!("invalid JSON: {e}")
    } else {
        format!("`{path}`: {e}")
    };
    LineError::new(RejectKind::Json, msg)
}

fn is(s: Option<Tag>, v: Tag) -> bool {
    s == Some(v)
}

pub(crate) fn model_of<'a>(line: &Line<'a>) -> Option<Cow<'a, str>> {
    line.model
        .as_ref()
        .or(line.model_version.as_ref())
        .map(|s| s.0.clone())
}

pub(crate) fn date_of(line: &Line<'_>) -> Option<Date> {
    line.created
        .or(line.created_at)
        .or(line.create_time)
        .map(|s| s.0)
}

fn failed<'a>(shape: Shape, reason: &'static str) -> Result<Parsed<'a>, LineError> {
    Ok(Parsed::Failed {
        shape,
        reason: Cow::Borrowed(reason),
    })
}

pub(crate) fn mismatch(force: Provider, found: Shape) -> LineError {
    LineError::new(
        RejectKind::NoUsage,
        format!(
            "--provider {force} was given but the line is a {} line",
            found.as_str()
        ),
    )
}

/// Decides the shape of a parsed line and reads its usage.
fn classify<'a>(line: &Line<'a>, force: Option<Provider>) -> Result<Parsed<'a>, LineError> {
    let allow = |p: Provider, shape: Shape| -> Result<(), LineError> {
        match force {
            Some(f) if f != p => Err(mismatch(f, shape)),
            _ => Ok(()),
        }
    };
    // Stream events first: a Gemini chunk looks like a whole response.
    if let Some(ev) = stream::event(line, force) {
        return ev.map(Parsed::Stream);
    }
    // Batch result lines: they wrap a response.
    if let Some(result) = &line.result {
        allow(Provider::Anthropic, Shape::AnthropicBatch)?;
        return anthropic::batch(result, line);
    }
    if line.custom_id.0
        && line
            .response
            .as_ref()
            .is_none_or(|r| r.usage_metadata.is_none())
        && (line.response.is_some() || line.error.0)
    {
        allow(Provider::OpenAi, Shape::OpenAiBatch)?;
        return openai::batch(line);
    }
    let gemini_batch = line
        .response
        .as_ref()
        .is_some_and(|r| r.usage_metadata.is_some())
        || ((line.key.0 || line.request.0)
            && (line.response.is_some() || line.error.0 || line.status.is_some()));
    if gemini_batch {
        allow(Provider::Google, Shape::GeminiBatch)?;
        return google::batch(line);
    }
    if let Some(meta) = &line.usage_metadata {
        allow(Provider::Google, Shape::Gemini)?;
        return google::response(line, meta, Shape::Gemini, Mode::Standard);
    }
    // A Responses object that failed is not billed, whatever usage it reports.
    if is(line.object, Tag::Response) && force.is_none_or(|f| f == Provider::OpenAi) {
        if is(line.status, Tag::Failed) {
            return failed(Shape::OpenAiResponses, "openai responses: failed");
        }
        if line.usage.is_none() && is(line.status, Tag::Cancelled) {
            return failed(Shape::OpenAiResponses, "openai responses: cancelled");
        }
    }
    if let Some(usage) = &line.usage {
        return read_usage_block(line, usage, force, Mode::Standard, None);
    }
    // No usage: a failed request, or not a response at all.
    if line.error.0 || is(line.kind, Tag::Error) {
        return failed(Shape::Error, "error response");
    }
    Err(LineError::new(
        RejectKind::NoUsage,
        "no usage block: expected an OpenAI, Gemini or Anthropic response (`usage` or `usageMetadata`) or a batch result line",
    ))
}

/// Reads a line's `usage` object under the convention its shape (or `force`) says. `batch` is
/// the wrapping batch shape, if any.
pub(crate) fn read_usage_block<'a>(
    line: &Line<'a>,
    usage: &UsageBlock,
    force: Option<Provider>,
    mode: Mode,
    batch: Option<Shape>,
) -> Result<Parsed<'a>, LineError> {
    let provider = match force {
        Some(p) => p,
        None if is(line.object, Tag::ChatCompletion) || usage.prompt_tokens.is_some() => {
            Provider::OpenAi
        }
        None if is(line.object, Tag::Response) || usage.has_responses_fields() => Provider::OpenAi,
        None if is(line.kind, Tag::Message) || usage.has_anthropic_fields() => Provider::Anthropic,
        // Only input_tokens/output_tokens: both conventions agree; label by the model.
        None if line
            .model
            .as_ref()
            .is_some_and(|m| m.as_str().starts_with("claude")) =>
        {
            Provider::Anthropic
        }
        None => Provider::OpenAi,
    };
    match provider {
        Provider::OpenAi => openai::response(line, usage, mode, batch),
        Provider::Anthropic => anthropic::response(line, usage, mode, batch),
        Provider::Google => Err(LineError::new(
            RejectKind::NoUsage,
            "--provider google was given but the line has no `usageMetadata`",
        )),
    }
}

/// Builds the record common to every shape once the usage is read.
pub(crate) fn record<'a>(
    line: &Line<'a>,
    shape: Shape,
    usage: Usage,
    mode: Mode,
    outer_date: Option<Date>,
) -> Result<Parsed<'a>, LineError> {
    let model = model_of(line).ok_or_else(|| {
        LineError::new(
            RejectKind::NoModel,
            format!("{} line without a model id", shape.as_str()),
        )
    })?;
    let date = date_of(line).or(outer_date);
    let mut assumptions = Assumptions::NONE;
    if date.is_none() {
        assumptions.insert(Assumption::NoTimestamp);
    }
    let block = line.usage.as_deref();
    let tier_said = line.service_tier.is_some() || block.is_some_and(|u| u.service_tier.is_some());
    let tiered = matches!(
        shape,
        Shape::OpenAiChat | Shape::OpenAiResponses | Shape::AnthropicMessage
    );
    if tiered && mode == Mode::Standard && !tier_said {
        assumptions.insert(Assumption::StandardTier);
    }
    let anthropic = matches!(shape, Shape::AnthropicMessage | Shape::AnthropicBatch);
    // Writes beyond the TTL split (or with none) are priced as five-minute writes.
    let unsplit_writes = block.is_some_and(|u| {
        let split = u.cache_creation.as_ref().map_or(0, |c| {
            c.ephemeral_5m_input_tokens
                .or0()
                .saturating_add(c.ephemeral_1h_input_tokens.or0())
        });
        u.cache_creation_input_tokens.or0() > split
    });
    if anthropic && unsplit_writes {
        assumptions.insert(Assumption::CacheTtl5m);
    }
    Ok(Parsed::Billable(Record {
        shape,
        model,
        usage,
        mode,
        date,
        reported_cost: block.and_then(|u| u.reported_cost()),
        assumptions,
    }))
}

impl crate::book::RateBook {
    /// Prices one provider response — a JSON object as the API returned it (OpenAI, Gemini,
    /// Anthropic, a batch result line, a gateway's response) — exactly as `ratebook cost`
    /// prices it: at its own timestamp, or `default_date` when it has none, in the service
    /// mode it reports.
    ///
    /// Fails with the line's error for what is not one billable response: unreadable JSON, a
    /// failed request (not billed), or a stream event without its stream's final usage (price
    /// streams with a [`Ledger`], which groups their events).
    ///
    /// ```
    /// # #[cfg(feature = "bundled")] {
    /// let book = ratebook::bundled::book();
    /// let response = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1763800000,
    ///   "model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":100,
    ///   "total_tokens":1100}}"#;
    /// let est = book.price_response(response, "2026-11-01".parse()?)?;
    /// // 1,000 × $0.15/M + 100 × $0.60/M, at the response's own date (2025-11-22).
    /// assert_eq!(est.total.to_string(), "0.00021");
    /// assert_eq!(est.date.to_string(), "2025-11-22");
    /// # }
    /// # Ok::<(), ratebook::Error>(())
    /// ```
    pub fn price_response(
        &self,
        json: &str,
        default_date: crate::date::Date,
    ) -> Result<crate::estimate::Estimate, Error> {
        let not_billable = |m: String| Error::new(ErrorKind::InvalidUsage, m);
        let parsed = parse_line(json, None).map_err(|e| not_billable(e.message))?;
        match parsed {
            Parsed::Billable(rec) => {
                let date = rec.date.unwrap_or(default_date);
                let options = crate::estimate::EstimateOptions::at(date).mode(rec.mode);
                let resolved = self.resolve_with(&rec.model)?;
                crate::estimate::estimate_resolved(self, &resolved, &rec.usage, options)
            }
            Parsed::Failed { shape, reason } => Err(not_billable(format!(
                "{} response of a failed request, not billed: {reason}",
                shape.as_str()
            ))),
            _ => Err(not_billable(
                "a stream event without its stream's final usage: price the stream's events with a Ledger".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let d = |s: &str| parse_timestamp(s).map(|d| d.to_string());
        assert_eq!(d("2026-03-14T09:30:00Z").as_deref(), Some("2026-03-14"));
        assert_eq!(
            d("2026-03-14T23:30:00-02:00").as_deref(),
            Some("2026-03-15")
        );
        assert_eq!(
            d("2026-03-14T01:30:00.123+05:30").as_deref(),
            Some("2026-03-13")
        );
        assert_eq!(d("2026-03-14").as_deref(), Some("2026-03-14"));
        assert_eq!(d("1711652795").as_deref(), Some("2024-03-28"));
        assert_eq!(d("2026-03-14T25:00:00Z"), None);
        assert_eq!(d("yesterday"), None);
        assert_eq!(d(""), None);
        assert_eq!(d("2026-03-14Té"), None);
    }

    #[test]
    fn a_line_reads_the_same_whichever_reader_takes_it() {
        // The same line, once plain and once with an escaped key (which only serde_json
        // reads): one outcome. `1e400` in a read field is out of range for both; a finite
        // number there is an output item that is not a web search, for both.
        let usage = r#""usage":{"input_tokens":10,"output_tokens":5}"#;
        let escape = |s: &str| s.replace(r#""output""#, r#""outp\u0075t""#);
        let huge = format!(r#"{{"object":"response","model":"gpt-4o",{usage},"output":[1e400]}}"#);
        for text in [huge.clone(), escape(&huge)] {
            let e = parse_line(&text, None).expect_err(&text);
            assert_eq!(e.kind, RejectKind::Json, "{text}");
            assert!(
                e.message.starts_with("`output[0]`: number out of range"),
                "{}",
                e.message
            );
        }
        let finite = huge.replace("1e400", "1.5");
        let read = parse_line(&finite, None).unwrap();
        assert_eq!(parse_line(&escape(&finite), None).unwrap(), read);
        match read {
            Parsed::Billable(r) => {
                assert_eq!(
                    (r.usage.input_text, r.usage.output_text, r.usage.calls.len()),
                    (10, 5, 0)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn providers_parse() {
        assert_eq!("Gemini".parse::<Provider>().unwrap(), Provider::Google);
        assert!("mistral".parse::<Provider>().is_err());
    }
}
