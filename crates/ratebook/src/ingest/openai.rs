//! OpenAI's usage conventions: Chat Completions, the Responses API and Batch output lines.
//!
//! - Chat Completions: `usage.prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens`
//!   (and any `audio_tokens` / `image_tokens` of the prompt); `completion_tokens` INCLUDES
//!   `completion_tokens_details.reasoning_tokens` (billed as text output, so never added a
//!   second time), its `audio_tokens` and any rejected prediction tokens.
//! - GPT-5.6 and later report prompt tokens written to the cache as
//!   `input_tokens_details.cache_write_tokens` (also read from `prompt_tokens_details`), inside
//!   the input count like `cached_tokens`; they bill at the card's cache-write rate
//!   (`cache_write_5m`, OpenAI's single write meter).
//! - Responses: the same with `input_tokens`, `input_tokens_details.cached_tokens`,
//!   `output_tokens` and `output_tokens_details.reasoning_tokens`; each `web_search_call`
//!   output item is one call of the model's `search` fee.
//! - Batch output lines, `{"id", "custom_id", "response": {"status_code", "request_id",
//!   "body"}, "error"}`: a line with an error, no response or a status other than 200 is a
//!   failed request (not billed); the body is priced in batch mode.
//! - `service_tier: "flex"` or `"priority"` on a response prices in that mode; `default`,
//!   `auto` and `scale` price as standard.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Count, Line, LineError, Parsed, RejectKind, Shape, Str, Tag, UsageBlock, record};
use crate::book::Mode;
use crate::usage::Usage;

/// `prompt_tokens_details` / `input_tokens_details`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct InputDetails {
    #[serde(default)]
    pub cached_tokens: Count,
    #[serde(default)]
    pub audio_tokens: Count,
    #[serde(default)]
    pub image_tokens: Count,
    /// GPT-5.6 and later: prompt tokens written to the cache (billed at the cache-write rate).
    #[serde(default)]
    pub cache_write_tokens: Count,
}

/// `completion_tokens_details` / `output_tokens_details`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OutputDetails {
    #[serde(default)]
    pub reasoning_tokens: Count,
    #[serde(default)]
    pub audio_tokens: Count,
    #[serde(default)]
    pub image_tokens: Count,
}

/// The number of `web_search_call` items in a Responses `output` array. Any other value of
/// `output` (it is not an OpenAI field elsewhere) counts zero.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SearchCalls(pub u64);

/// One `output` item: is it a web search call? Reads only `type`.
struct IsSearch(bool);

impl<'de> Deserialize<'de> for IsSearch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IsSearch, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IsSearch;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an output item")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsSearch, A::Error> {
                let mut search = false;
                while let Some(k) = map.next_key::<Str<'de>>()? {
                    if k.as_str() == "type" {
                        let t: Option<Str<'de>> = map.next_value()?;
                        search = t.is_some_and(|t| t.as_str() == "web_search_call");
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(IsSearch(search))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IsSearch, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(IsSearch(false))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<IsSearch, E> {
                Ok(IsSearch(false))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<IsSearch, E> {
                Ok(IsSearch(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<IsSearch, E> {
                Ok(IsSearch(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<IsSearch, E> {
                Ok(IsSearch(false))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<IsSearch, E> {
                Ok(IsSearch(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<IsSearch, E> {
                Ok(IsSearch(false))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for SearchCalls {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SearchCalls, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SearchCalls;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of output items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SearchCalls, A::Error> {
                // Saturating: one per element of an array held in memory, so below `usize::MAX`.
                let mut n = 0u64;
                while let Some(IsSearch(s)) = seq.next_element()? {
                    n = n.saturating_add(u64::from(s));
                }
                Ok(SearchCalls(n))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SearchCalls, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(SearchCalls(0))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<SearchCalls, E> {
                Ok(SearchCalls(0))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SearchCalls, E> {
                Ok(SearchCalls(0))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SearchCalls, E> {
                Ok(SearchCalls(0))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SearchCalls, E> {
                Ok(SearchCalls(0))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<SearchCalls, E> {
                Ok(SearchCalls(0))
            }
            fn visit_unit<E: de::Error>(self) -> Result<SearchCalls, E> {
                Ok(SearchCalls(0))
            }
        }
        d.deserialize_any(V)
    }
}

fn over(part: &str, n: u64, whole: &str, total: u64) -> LineError {
    LineError::usage(format!("{part} ({n}) exceed {whole} ({total})"))
}

/// The mode a response's `service_tier` asks for.
pub(crate) fn tier_mode(line: &Line<'_>, mode: Mode) -> Mode {
    if mode != Mode::Standard {
        return mode;
    }
    match line.service_tier {
        Some(Tag::Flex) => Mode::Flex,
        Some(Tag::Priority) => Mode::Priority,
        _ => Mode::Standard,
    }
}

/// A Chat Completions or Responses object (or a batch line's body) with its `usage`.
pub(crate) fn response<'a>(
    line: &Line<'a>,
    usage: &UsageBlock,
    mode: Mode,
    batch: Option<Shape>,
) -> Result<Parsed<'a>, LineError> {
    let chat = usage.prompt_tokens.is_some()
        || usage.completion_tokens.is_some()
        || usage.prompt_tokens_details.is_some();
    let (input, output, idet, odet, names) = if chat {
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            &usage.prompt_tokens_details,
            &usage.completion_tokens_details,
            [
                "prompt_tokens",
                "completion_tokens",
                "prompt_tokens_details",
                "completion_tokens_details",
            ],
        )
    } else {
        (
            usage.input_tokens,
            usage.output_tokens,
            &usage.input_tokens_details,
            &usage.output_tokens_details,
            [
                "input_tokens",
                "output_tokens",
                "input_tokens_details",
                "output_tokens_details",
            ],
        )
    };
    if input.is_none() && output.is_none() {
        return Err(LineError::new(
            RejectKind::NoUsage,
            "an OpenAI usage block needs prompt_tokens/completion_tokens or input_tokens/output_tokens",
        ));
    }
    let (prompt, completion) = (input.or0(), output.or0());
    let (mut cached, mut writes, mut audio_in, mut image_in) = (0, 0, 0, 0);
    if let Some(d) = idet {
        cached = d.cached_tokens.or0();
        writes = d.cache_write_tokens.or0();
        audio_in = d.audio_tokens.or0();
        image_in = d.image_tokens.or0();
    }
    let (mut reasoning, mut audio_out, mut image_out) = (0, 0, 0);
    if let Some(d) = odet {
        reasoning = d.reasoning_tokens.or0();
        audio_out = d.audio_tokens.or0();
        image_out = d.image_tokens.or0();
    }
    let from_cache = super::add(cached, writes, "cached tokens")?;
    if from_cache > prompt {
        return Err(over(
            &format!("{}.cached_tokens + cache_write_tokens", names[2]),
            from_cache,
            names[0],
            prompt,
        ));
    }
    let non_text_in = super::add(audio_in, image_in, "prompt token details")?;
    if non_text_in > prompt {
        return Err(over(
            &format!("{}.audio_tokens + image_tokens", names[2]),
            non_text_in,
            names[0],
            prompt,
        ));
    }
    // Reasoning is inside completion_tokens: a larger count means a different convention.
    if reasoning > completion {
        return Err(LineError::usage(format!(
            "{}.reasoning_tokens ({reasoning}) exceed {} ({completion}); OpenAI counts reasoning inside {}",
            names[3], names[1], names[1]
        )));
    }
    let non_text_out = super::add(audio_out, image_out, "completion token details")?;
    if non_text_out > completion {
        return Err(over(
            &format!("{}.audio_tokens + image_tokens", names[3]),
            non_text_out,
            names[1],
            completion,
        ));
    }
    let mut u = Usage {
        input_text: super::sub(prompt, non_text_in, "prompt token details")?,
        input_audio: audio_in,
        input_image: image_in,
        cached,
        cache_write_5m: writes,
        output_text: super::sub(completion, non_text_out, "completion token details")?,
        output_audio: audio_out,
        output_image: image_out,
        ..Usage::default()
    };
    if line.output.0 > 0 {
        u.calls.insert("search".to_string(), line.output.0);
    }
    let shape = batch.unwrap_or(if chat {
        Shape::OpenAiChat
    } else {
        Shape::OpenAiResponses
    });
    record(line, shape, u, tier_mode(line, mode), None)
}

/// A Batch API output line.
pub(crate) fn batch<'a>(line: &Line<'a>) -> Result<Parsed<'a>, LineError> {
    let fail = |reason: Cow<'static, str>| {
        Ok(Parsed::Failed {
            shape: Shape::OpenAiBatch,
            reason,
        })
    };
    if line.error.0 {
        return fail(Cow::Borrowed("openai batch: error"));
    }
    let Some(resp) = &line.response else {
        return fail(Cow::Borrowed("openai batch: no response"));
    };
    match resp.status_code.get() {
        Some(200) | None => {}
        // HTTP codes only: an arbitrary number must not grow the map of failure reasons.
        Some(code @ 100..=599) => return fail(Cow::Owned(format!("openai batch: status {code}"))),
        Some(_) => return fail(Cow::Borrowed("openai batch: status other")),
    }
    let Some(body) = &resp.body else {
        return Err(LineError::new(
            RejectKind::NoUsage,
            "openai batch line without response.body",
        ));
    };
    if body.error.0 {
        return fail(Cow::Borrowed("openai batch: error"));
    }
    if body.status == Some(Tag::Failed) {
        return fail(Cow::Borrowed("openai batch: failed"));
    }
    let Some(usage) = &body.usage else {
        return Err(LineError::new(
            RejectKind::NoUsage,
            "openai batch line without response.body.usage",
        ));
    };
    response(body, usage, Mode::Batch, Some(Shape::OpenAiBatch))
}
