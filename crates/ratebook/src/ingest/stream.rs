//! Streamed responses, logged one event per line: which lines are stream events, and what each
//! says about its stream.
//!
//! | provider | events | stream id | final usage |
//! |---|---|---|---|
//! | OpenAI Chat Completions | `object: "chat.completion.chunk"` | `id` | the chunk with a `usage` object (`stream_options.include_usage`) |
//! | OpenAI Responses | `type: "response.*"` | `response.id` | `response.completed` / `response.incomplete` / `response.failed` |
//! | Anthropic Messages | `message_start`, `content_block_*`, `ping`, `message_delta`, `message_stop` | `message_start`'s `message.id`; the others belong to the most recently started open stream | `message_stop`, at `message_start`'s prompt counts and the last cumulative `message_delta` usage |
//! | Gemini `streamGenerateContent` | a response with `responseId` and `usageMetadata` or `candidates` | `responseId` | the chunk whose candidate has a `finishReason` (a whole `generateContent` response is a stream of that one chunk) |
//!
//! The events are read from the same serde derives as whole responses (`Line`), and their
//! usage through the same per-provider functions. A stream is billed once, at its final usage;
//! the [`Ledger`](super::Ledger) keeps the streams still open (in memory bounded by its cap)
//! and prices one whose final usage never came as a lower bound from what did, counted as an
//! incomplete stream.

use std::borrow::Cow;

use super::{
    Line, LineError, Parsed, Provider, Record, RejectKind, Shape, Tag, anthropic, date_of, google,
    mismatch, model_of, openai, read_usage_block,
};
use crate::book::Mode;
use crate::usage::Usage;

/// Whose stream an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamKind {
    /// OpenAI Chat Completions chunks (`chat.completion.chunk`).
    OpenAiChat,
    /// OpenAI Responses events (`response.*`).
    OpenAiResponses,
    /// Anthropic Messages events (`message_*`, `content_block_*`, `ping`).
    Anthropic,
    /// Gemini `streamGenerateContent` chunks.
    Gemini,
}

impl StreamKind {
    /// Every stream kind.
    pub const ALL: [StreamKind; 4] = [
        StreamKind::OpenAiChat,
        StreamKind::OpenAiResponses,
        StreamKind::Anthropic,
        StreamKind::Gemini,
    ];

    /// The shape its records are priced as.
    pub fn shape(self) -> Shape {
        match self {
            StreamKind::OpenAiChat => Shape::OpenAiChat,
            StreamKind::OpenAiResponses => Shape::OpenAiResponses,
            StreamKind::Anthropic => Shape::AnthropicMessage,
            StreamKind::Gemini => Shape::Gemini,
        }
    }

    /// Whether its provider bills by service tier, so a stream that reports none is assumed
    /// to be standard.
    pub(crate) fn tiered(self) -> bool {
        !matches!(self, StreamKind::Gemini)
    }

    fn provider(self) -> Provider {
        match self {
            StreamKind::OpenAiChat | StreamKind::OpenAiResponses => Provider::OpenAi,
            StreamKind::Anthropic => Provider::Anthropic,
            StreamKind::Gemini => Provider::Google,
        }
    }
}

/// One stream event read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent<'a> {
    /// Whose stream the event belongs to.
    pub kind: StreamKind,
    /// The stream's id, when the event carries one (Anthropic's only `message_start`; a
    /// Responses event without `response`). Without it, the event belongs to the most recently
    /// started open stream of its kind.
    pub id: Option<Cow<'a, str>>,
    /// What the event says about its stream.
    pub step: StreamStep<'a>,
}

/// What a stream event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStep<'a> {
    /// Nothing billable (text deltas, content blocks, pings).
    Nothing,
    /// What the stream has measured so far; opens the stream if it is new.
    Progress(Partial<'a>),
    /// The final usage: the stream ends and this is billed (or, `Err`, a failed request not
    /// billed, with its reason).
    End(Result<Record<'a>, Cow<'static, str>>),
    /// Anthropic's `message_stop`: the stream ends at what it measured.
    Stop,
}

/// What a stream event tells of its stream before the end. Counts are cumulative: a later
/// event's replace an earlier one's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial<'a> {
    /// The model id, when the event names it.
    pub model: Option<Cow<'a, str>>,
    /// The date of the event's timestamp, when it has one.
    pub date: Option<crate::date::Date>,
    /// The mode the stream bills in, from the event's service tier (standard when it names none).
    pub mode: Mode,
    /// The usage measured so far, if the event carries any.
    pub usage: Option<Usage>,
    /// `false` when `usage` gives only the output side (an Anthropic `message_delta` without
    /// prompt counts): its prompt counts are not a measurement and must not replace earlier
    /// ones.
    pub prompt_counts: bool,
    /// The event reports a service tier (any, even the standard one). A stream of a provider
    /// with tiers (OpenAI, Anthropic) none of whose events reports one is priced at the
    /// standard tier with the `standard_tier` assumption, as a whole response would be.
    pub tier_said: bool,
}

fn billable(p: Parsed<'_>) -> Result<Record<'_>, Cow<'static, str>> {
    match p {
        Parsed::Billable(r) => Ok(r),
        Parsed::Failed { reason, .. } => Err(reason),
        // Not produced by the readers called here.
        Parsed::Stream(_) => Err(Cow::Borrowed("stream event inside a stream event")),
    }
}

fn no_usage(msg: &'static str) -> LineError {
    LineError::new(RejectKind::NoUsage, msg)
}

/// Reads `line` as a stream event, if it is one.
pub(crate) fn event<'a>(
    line: &Line<'a>,
    force: Option<Provider>,
) -> Option<Result<StreamEvent<'a>, LineError>> {
    let kind = if matches!(
        line.kind,
        Some(Tag::MessageStart | Tag::MessageDelta | Tag::MessageStop | Tag::StreamNoise)
    ) {
        StreamKind::Anthropic
    } else if matches!(
        line.kind,
        Some(
            Tag::ResponseOpen
                | Tag::ResponseCompleted
                | Tag::ResponseIncomplete
                | Tag::ResponseFailed
                | Tag::ResponseOther
        )
    ) {
        StreamKind::OpenAiResponses
    } else if line.object == Some(Tag::ChatCompletionChunk) {
        StreamKind::OpenAiChat
    } else if (line.usage_metadata.is_some() || line.candidates.is_some())
        && line.response_id.is_some()
        && line.response.is_none()
        && !line.key.0
        && !line.request.0
        && !line.custom_id.0
    {
        StreamKind::Gemini
    } else {
        return None;
    };
    if let Some(f) = force.filter(|&f| f != kind.provider()) {
        return Some(Err(mismatch(f, kind.shape())));
    }
    Some(read(line, kind))
}

fn read<'a>(line: &Line<'a>, kind: StreamKind) -> Result<StreamEvent<'a>, LineError> {
    let id_of = |l: &Line<'a>| l.id.as_ref().map(|s| s.0.clone());
    let (id, step) = match kind {
        StreamKind::Anthropic => match line.kind {
            Some(Tag::MessageStart) => {
                let msg = line
                    .message
                    .as_ref()
                    .ok_or_else(|| no_usage("message_start without a message"))?;
                let usage = match &msg.usage {
                    Some(u) => Some(anthropic::usage_of(u)?),
                    None => None,
                };
                let partial = Partial {
                    model: model_of(msg),
                    date: date_of(msg),
                    mode: Mode::Standard,
                    tier_said: msg.service_tier.is_some()
                        || msg.usage.as_ref().is_some_and(|u| u.service_tier.is_some()),
                    usage,
                    prompt_counts: true,
                };
                (id_of(msg), StreamStep::Progress(partial))
            }
            Some(Tag::MessageDelta) => {
                let step = match &line.usage {
                    Some(u) => StreamStep::Progress(Partial {
                        model: None,
                        date: None,
                        mode: Mode::Standard,
                        usage: Some(anthropic::usage_of(u)?),
                        prompt_counts: anthropic::has_prompt_counts(u),
                        tier_said: u.service_tier.is_some(),
                    }),
                    None => StreamStep::Nothing,
                };
                (None, step)
            }
            Some(Tag::MessageStop) => (None, StreamStep::Stop),
            _ => (None, StreamStep::Nothing),
        },
        StreamKind::OpenAiResponses => {
            let resp = line.response.as_deref();
            let id = resp.and_then(id_of);
            let step = match (line.kind, resp) {
                (Some(Tag::ResponseOpen), Some(r)) => StreamStep::Progress(Partial {
                    model: model_of(r),
                    date: date_of(r),
                    mode: openai::tier_mode(r, Mode::Standard),
                    usage: None,
                    prompt_counts: true,
                    tier_said: r.service_tier.is_some(),
                }),
                (
                    Some(
                        t
                        @ (Tag::ResponseCompleted | Tag::ResponseIncomplete | Tag::ResponseFailed),
                    ),
                    Some(r),
                ) => match &r.usage {
                    // Usage on a final event is what the provider billed, even on a failure.
                    Some(u) => StreamStep::End(Ok(billable(read_usage_block(
                        r,
                        u,
                        Some(Provider::OpenAi),
                        Mode::Standard,
                        None,
                    )?)
                    .map_err(|_| no_usage("a final Responses event without usage"))?)),
                    None if t == Tag::ResponseFailed => {
                        StreamStep::End(Err(Cow::Borrowed("openai responses: failed")))
                    }
                    None if t == Tag::ResponseIncomplete => StreamStep::End(Err(Cow::Borrowed(
                        "openai responses: incomplete without usage",
                    ))),
                    None => {
                        return Err(no_usage(
                            "response.completed without response.usage: nothing to bill",
                        ));
                    }
                },
                (Some(Tag::ResponseOther), _) => StreamStep::Nothing,
                _ => return Err(no_usage("a Responses stream event without its `response`")),
            };
            (id, step)
        }
        StreamKind::OpenAiChat => {
            let step = match &line.usage {
                Some(u) => StreamStep::End(Ok(billable(openai::response(
                    line,
                    u,
                    Mode::Standard,
                    None,
                )?)
                .map_err(|_| no_usage("a chunk's usage was not billable"))?)),
                None => StreamStep::Progress(Partial {
                    model: model_of(line),
                    date: date_of(line),
                    mode: openai::tier_mode(line, Mode::Standard),
                    usage: None,
                    prompt_counts: true,
                    tier_said: line.service_tier.is_some(),
                }),
            };
            (id_of(line), step)
        }
        StreamKind::Gemini => {
            let id = line.response_id.as_ref().map(|s| s.0.clone());
            // A chunk without usageMetadata measures nothing (the stream keeps what it had).
            let Some(meta) = line.usage_metadata.as_deref() else {
                return Ok(StreamEvent {
                    kind,
                    id,
                    step: StreamStep::Nothing,
                });
            };
            let read = google::response(line, meta, Shape::Gemini, Mode::Standard)?;
            let step = if line.candidates.is_some_and(|c| c.0) {
                StreamStep::End(billable(read))
            } else {
                let r =
                    billable(read).map_err(|_| no_usage("a Gemini chunk's usage was not read"))?;
                StreamStep::Progress(Partial {
                    model: Some(r.model),
                    date: r.date,
                    mode: r.mode,
                    usage: Some(r.usage),
                    prompt_counts: true,
                    // Gemini has no service tiers to assume.
                    tier_said: true,
                })
            };
            (id, step)
        }
    };
    Ok(StreamEvent { kind, id, step })
}
