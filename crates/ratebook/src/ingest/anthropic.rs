//! Anthropic's usage convention: Messages responses and Message Batches result lines.
//!
//! `usage` (platform.claude.com/docs/en/api/messages): `input_tokens` EXCLUDES
//! `cache_read_input_tokens` and `cache_creation_input_tokens`, so the prompt is their sum;
//! `cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens` split the cache
//! writes by time to live (without the split, writes are 5-minute writes, the default TTL);
//! `output_tokens` includes extended-thinking tokens; `server_tool_use.web_search_requests`
//! are calls of the model's `search` fee. `service_tier: "batch"` prices in batch mode
//! (`priority`, Anthropic's committed-capacity tier, has no public per-token card and prices
//! as standard).
//!
//! Batch result lines, `{"custom_id", "result": {"type", "message" | "error"}}`: only
//! `succeeded` is billed, in batch mode; `errored`, `expired` and `canceled` are failed
//! requests.

use serde::Deserialize;

use super::{Count, Line, LineError, Parsed, Present, RejectKind, Shape, Tag, UsageBlock, record};
use crate::book::Mode;
use crate::usage::Usage;

/// `usage.cache_creation`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CacheCreation {
    #[serde(default)]
    pub ephemeral_5m_input_tokens: Count,
    #[serde(default)]
    pub ephemeral_1h_input_tokens: Count,
}

/// `usage.server_tool_use`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ServerToolUse {
    #[serde(default)]
    pub web_search_requests: Count,
}

/// A Message Batches `result`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BatchResult<'a> {
    #[serde(rename = "type")]
    pub kind: Option<Tag>,
    #[serde(borrow)]
    pub message: Option<Box<Line<'a>>>,
    #[serde(default)]
    pub error: Present,
}

/// A Messages response (or a batch result's message) with its `usage`.
pub(crate) fn response<'a>(
    line: &Line<'a>,
    usage: &UsageBlock,
    mode: Mode,
    batch: Option<Shape>,
) -> Result<Parsed<'a>, LineError> {
    if usage.input_tokens.is_none() && usage.output_tokens.is_none() {
        return Err(LineError::new(
            RejectKind::NoUsage,
            "an Anthropic usage block needs input_tokens and output_tokens",
        ));
    }
    let u = usage_of(usage)?;
    let mode = if usage.service_tier == Some(Tag::Batch) {
        Mode::Batch
    } else {
        mode
    };
    record(
        line,
        batch.unwrap_or(Shape::AnthropicMessage),
        u,
        mode,
        None,
    )
}

/// Whether a stream's `message_delta` usage restates the prompt's counts (newer API versions
/// do, cumulatively); older ones carry only `output_tokens`.
pub(crate) fn has_prompt_counts(usage: &UsageBlock) -> bool {
    usage.input_tokens.is_some()
        || usage.cache_creation_input_tokens.is_some()
        || usage.cache_read_input_tokens.is_some()
        || usage.cache_creation.is_some()
}

/// An Anthropic `usage` object as the crate's [`Usage`] (absent counts are zero).
pub(crate) fn usage_of(usage: &UsageBlock) -> Result<Usage, LineError> {
    let add = super::add;
    let input = usage.input_tokens.or0();
    let read = usage.cache_read_input_tokens.or0();
    let (mut w5m, mut w1h) = (0, 0);
    if let Some(c) = &usage.cache_creation {
        w5m = c.ephemeral_5m_input_tokens.or0();
        w1h = c.ephemeral_1h_input_tokens.or0();
    }
    let split = add(w5m, w1h, "cache_creation")?;
    let writes = usage.cache_creation_input_tokens.get().unwrap_or(split);
    if split > writes {
        return Err(LineError::usage(format!(
            "cache_creation's TTL split adds up to {split}, more than cache_creation_input_tokens ({writes})"
        )));
    }
    // Writes the split does not account for have the default 5-minute TTL.
    w5m = add(
        w5m,
        super::sub(writes, split, "cache_creation")?,
        "cache_creation",
    )?;
    let prompt = add(add(input, read, "input tokens")?, writes, "input tokens")?;
    let mut u = Usage {
        input_text: prompt,
        cached: read,
        cache_write_5m: w5m,
        cache_write_1h: w1h,
        output_text: usage.output_tokens.or0(),
        ..Usage::default()
    };
    if let Some(n) = usage
        .server_tool_use
        .as_ref()
        .and_then(|s| s.web_search_requests.get())
        .filter(|&n| n > 0)
    {
        u.calls.insert("search".to_string(), n);
    }
    Ok(u)
}

/// A Message Batches result line.
pub(crate) fn batch<'a>(
    result: &BatchResult<'a>,
    outer: &Line<'a>,
) -> Result<Parsed<'a>, LineError> {
    let fail = |reason: &'static str| {
        Ok(Parsed::Failed {
            shape: Shape::AnthropicBatch,
            reason: reason.into(),
        })
    };
    match result.kind {
        Some(Tag::Succeeded) => {
            let Some(msg) = &result.message else {
                return Err(LineError::new(
                    RejectKind::NoUsage,
                    "succeeded batch result without a message",
                ));
            };
            let Some(usage) = &msg.usage else {
                return Err(LineError::new(
                    RejectKind::NoUsage,
                    "succeeded batch result without message.usage",
                ));
            };
            match response(msg, usage, Mode::Batch, Some(Shape::AnthropicBatch))? {
                Parsed::Billable(mut r) => {
                    r.date = r.date.or(outer.created_at.or(outer.created).map(|s| s.0));
                    Ok(Parsed::Billable(r))
                }
                other => Ok(other),
            }
        }
        Some(Tag::Errored) => fail("anthropic batch: errored"),
        Some(Tag::Expired) => fail("anthropic batch: expired"),
        Some(Tag::Canceled) => fail("anthropic batch: canceled"),
        Some(_) => Err(LineError::new(
            RejectKind::NoUsage,
            "unknown batch result type: expected succeeded, errored, expired or canceled",
        )),
        None if result.error.0 => fail("anthropic batch: errored"),
        None => Err(LineError::new(
            RejectKind::NoUsage,
            "batch result without a type",
        )),
    }
}
