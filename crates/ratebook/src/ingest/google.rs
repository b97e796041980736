//! Gemini's usage convention: `generateContent` responses and batch result lines.
//!
//! `usageMetadata` (ai.google.dev/api/generate-content#UsageMetadata):
//! - `promptTokenCount` INCLUDES `cachedContentTokenCount`; `promptTokensDetails` splits it by
//!   modality (`TEXT`, `IMAGE`, `AUDIO`, `VIDEO`, `DOCUMENT`), `cacheTokensDetails` splits
//!   the cached part (cached audio has its own rate on some models).
//! - `candidatesTokenCount` is the generated output, split by `candidatesTokensDetails`: an
//!   `IMAGE` entry is billed at the image-output rate, `AUDIO` at the audio-output rate.
//! - `thoughtsTokenCount` is NOT inside `candidatesTokenCount` and is billed as text output.
//! - `toolUsePromptTokenCount` (prompts of tool calls such as search or code execution) is
//!   NOT inside `promptTokenCount` and is billed as input.
//!
//! Parts a details array does not account for are text; details adding up to more than their
//! count contradict it and reject the line. `DOCUMENT` and unspecified modalities are text.
//!
//! Batch result lines are `{"key", "response": {…}}` or `{"key", "error": {…}}` (Gemini API),
//! or Vertex AI's `{"status", "request", "response"}` where a non-empty `status` is the error.
//! Responses are priced in batch mode; errors are failed requests, not billed.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use super::{Count, Line, LineError, Parsed, RejectKind, Shape, Str, Tag, record};
use crate::book::Mode;
use crate::usage::Usage;

/// `usageMetadata`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsageMetadata {
    #[serde(default)]
    pub prompt_token_count: Count,
    #[serde(default)]
    pub cached_content_token_count: Count,
    #[serde(default)]
    pub candidates_token_count: Count,
    #[serde(default)]
    pub thoughts_token_count: Count,
    #[serde(default)]
    pub tool_use_prompt_token_count: Count,
    #[serde(default)]
    pub prompt_tokens_details: Modalities,
    #[serde(default)]
    pub cache_tokens_details: Modalities,
    #[serde(default)]
    pub candidates_tokens_details: Modalities,
    #[serde(default)]
    pub tool_use_prompt_tokens_details: Modalities,
}

/// A `[{modality, tokenCount}]` array summed by modality (no allocation).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Modalities {
    pub text: u64,
    pub image: u64,
    pub audio: u64,
    pub video: u64,
}

impl Modalities {
    /// Adds `n` tokens of `modality` (absent = unspecified = text).
    pub(crate) fn add(&mut self, modality: Option<&str>, n: u64) -> Result<(), String> {
        let slot = match modality.unwrap_or("MODALITY_UNSPECIFIED") {
            "TEXT" | "DOCUMENT" | "MODALITY_UNSPECIFIED" => &mut self.text,
            "IMAGE" => &mut self.image,
            "AUDIO" => &mut self.audio,
            "VIDEO" => &mut self.video,
            other => return Err(format!("unknown modality `{other}`")),
        };
        *slot = slot.checked_add(n).ok_or("token counts overflow")?;
        Ok(())
    }

    fn sum(&self) -> Option<u64> {
        self.text
            .checked_add(self.image)?
            .checked_add(self.audio)?
            .checked_add(self.video)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModalityCount<'a> {
    #[serde(borrow, default)]
    modality: Option<Str<'a>>,
    #[serde(default)]
    token_count: Count,
}

impl<'de> Deserialize<'de> for Modalities {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Modalities, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Modalities;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of {modality, tokenCount}")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Modalities, E> {
                Ok(Modalities::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Modalities, A::Error> {
                let mut m = Modalities::default();
                while let Some(item) = seq.next_element::<ModalityCount<'de>>()? {
                    m.add(
                        item.modality.as_ref().map(|s| s.as_str()),
                        item.token_count.or0(),
                    )
                    .map_err(de::Error::custom)?;
                }
                Ok(m)
            }
        }
        d.deserialize_any(V)
    }
}

/// One of a response's `candidates`: only whether it says why generation stopped.
#[derive(Deserialize)]
struct Candidate<'a> {
    #[serde(rename = "finishReason", borrow, default)]
    finish_reason: Option<Str<'a>>,
}

/// Whether any of a response's `candidates` has a `finishReason` (other than
/// `FINISH_REASON_UNSPECIFIED`): the last chunk of a `streamGenerateContent` stream, or a whole
/// `generateContent` response. Any value that is not an array of candidates is `false`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finished(pub bool);

impl<'de> Deserialize<'de> for Finished {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Finished, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Finished;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of candidates")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Finished, E> {
                Ok(Finished(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Finished, A::Error> {
                let mut done = false;
                while let Some(c) = seq.next_element::<Candidate<'de>>()? {
                    done |= c
                        .finish_reason
                        .is_some_and(|r| r.as_str() != "FINISH_REASON_UNSPECIFIED");
                }
                Ok(Finished(done))
            }
        }
        d.deserialize_any(V)
    }
}

/// Splits `total` by its details; what they leave is text.
fn split(
    total: u64,
    details: &Modalities,
    what: &str,
    count_name: &str,
) -> Result<Modalities, LineError> {
    let listed = details
        .sum()
        .ok_or_else(|| LineError::new(RejectKind::Overflow, format!("{what} overflows")))?;
    if listed > total {
        return Err(LineError::usage(format!(
            "{what} add up to {listed}, more than {count_name} ({total})"
        )));
    }
    Ok(Modalities {
        text: super::add(details.text, super::sub(total, listed, what)?, what)?,
        ..*details
    })
}

/// A `generateContent` response (or a batch line's response) with its `usageMetadata`.
pub(crate) fn response<'a>(
    line: &Line<'a>,
    meta: &UsageMetadata,
    shape: Shape,
    mode: Mode,
) -> Result<Parsed<'a>, LineError> {
    let prompt = split(
        meta.prompt_token_count.or0(),
        &meta.prompt_tokens_details,
        "promptTokensDetails",
        "promptTokenCount",
    )?;
    let tool = split(
        meta.tool_use_prompt_token_count.or0(),
        &meta.tool_use_prompt_tokens_details,
        "toolUsePromptTokensDetails",
        "toolUsePromptTokenCount",
    )?;
    let add = super::add;
    let input_text = add(prompt.text, tool.text, "input tokens")?;
    let input_image = add(prompt.image, tool.image, "input tokens")?;
    let input_audio = add(prompt.audio, tool.audio, "input tokens")?;
    let input_video = add(prompt.video, tool.video, "input tokens")?;

    let prompt_total = meta.prompt_token_count.or0();
    let cached = meta.cached_content_token_count.or0();
    if cached > prompt_total {
        return Err(LineError::usage(format!(
            "cachedContentTokenCount ({cached}) exceeds promptTokenCount ({prompt_total}), which includes it"
        )));
    }
    let cache = &meta.cache_tokens_details;
    let cache_listed = cache
        .sum()
        .ok_or_else(|| LineError::new(RejectKind::Overflow, "cacheTokensDetails overflows"))?;
    if cache_listed > cached {
        return Err(LineError::usage(format!(
            "cacheTokensDetails add up to {cache_listed}, more than cachedContentTokenCount ({cached})"
        )));
    }
    if cache.audio > input_audio {
        return Err(LineError::usage(format!(
            "cached AUDIO tokens ({}) exceed the prompt's AUDIO tokens ({input_audio})",
            cache.audio
        )));
    }

    let out = split(
        meta.candidates_token_count.or0(),
        &meta.candidates_tokens_details,
        "candidatesTokensDetails",
        "candidatesTokenCount",
    )?;
    let output_text = add(
        add(out.text, out.video, "output tokens")?,
        meta.thoughts_token_count.or0(),
        "output tokens",
    )?;

    let usage = Usage {
        input_text,
        input_image,
        input_audio,
        input_video,
        cached,
        cached_audio: cache.audio,
        output_text,
        output_image: out.image,
        output_audio: out.audio,
        ..Usage::default()
    };
    record(line, shape, usage, mode, None)
}

/// A batch result line (Gemini API or Vertex AI).
pub(crate) fn batch<'a>(line: &Line<'a>) -> Result<Parsed<'a>, LineError> {
    let fail = |reason: &'static str| {
        Ok(Parsed::Failed {
            shape: Shape::GeminiBatch,
            reason: reason.into(),
        })
    };
    if let Some(resp) = &line.response {
        if resp.error.0 {
            return fail("gemini batch: error");
        }
        return match &resp.usage_metadata {
            Some(meta) => response(resp, meta, Shape::GeminiBatch, Mode::Batch),
            None => Err(LineError::new(
                RejectKind::NoUsage,
                "gemini batch response without usageMetadata",
            )),
        };
    }
    if line.error.0 {
        return fail("gemini batch: error");
    }
    if line.status.is_some_and(|s| s != Tag::Empty) {
        return fail("vertex batch: error status");
    }
    Err(LineError::new(
        RejectKind::NoUsage,
        "gemini batch line with neither response nor error",
    ))
}
