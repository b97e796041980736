//! The 1,000,000-line benchmark log: mixed provider responses (OpenAI Chat Completions,
//! Responses and Batch lines; Gemini responses and batch lines; Anthropic Messages and Message
//! Batches lines; a few failed requests), generated from a fixed seed so every run costs the
//! same file. Response texts carry escapes (paragraph breaks, quoted words) as real ones do, so
//! the escaped-string path of the JSON reader is timed too. Shared by the `cost` bench and
//! `cargo xtask bench`, which include this file.

use std::fmt::Write as _;

/// Lines in the benchmark log.
pub const LINES: usize = 1_000_000;

/// The date responses without a timestamp are priced at.
pub const DATE: &str = "2026-11-23";

/// A small deterministic generator (PCG-style LCG), so every run costs the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: [&str; 16] = [
    "invoice", "refund", "the", "customer", "billing", "priority", "account", "upgrade", "charged",
    "twice", "summary", "contract", "clause", "renewal", "ticket", "resolved",
];

/// A response's text as it sits in the JSON line: words, with paragraph breaks (`\n\n`) and
/// now and then a quoted word (`\"…\"`), escaped as in real responses.
fn content(r: &mut Rng) -> String {
    let n = 8 + r.below(60);
    let mut s = String::with_capacity(n as usize * 9);
    for i in 0..n {
        if i > 0 {
            s.push_str(if r.below(10) == 0 { ".\\n\\n" } else { " " });
        }
        if r.below(30) == 0 {
            s.push_str("\\\"");
            s.push_str(r.pick(&WORDS));
            s.push_str("\\\"");
        } else {
            s.push_str(r.pick(&WORDS));
        }
    }
    s
}

/// A response time for `model`: between 2025-11-01 and 2026-11-22, or for the GPT-5.6 models
/// (first priced 2026-06-26) between 2026-07-01 and 2026-11-22, across their price cut.
fn created(r: &mut Rng, model: &str) -> u64 {
    if model.starts_with("gpt-5.6") {
        1_782_864_000 + r.below(144 * 86_400)
    } else {
        1_761_955_200 + r.below(386 * 86_400)
    }
}

fn chat(r: &mut Rng, out: &mut String) {
    let model = r.pick(&[
        "gpt-4o-2024-08-06",
        "gpt-4o-mini-2024-07-18",
        "gpt-5-2025-08-07",
        "gpt-4.1-2025-04-14",
        "o4-mini-2025-04-16",
        "gpt-5.6-terra",
    ]);
    let prompt = 200 + r.below(8_000);
    let cached = if r.below(2) == 0 {
        prompt / 2 / 128 * 128
    } else {
        0
    };
    let completion = 20 + r.below(1_500);
    let reasoning = if model.starts_with('o') || model.starts_with("gpt-5") {
        completion / 2
    } else {
        0
    };
    let _ = write!(
        out,
        r#"{{"id": "chatcmpl-{id}", "object": "chat.completion", "created": {c}, "model": "{model}", "choices": [{{"index": 0, "message": {{"role": "assistant", "content": "{text}", "refusal": null, "annotations": []}}, "logprobs": null, "finish_reason": "stop"}}], "usage": {{"prompt_tokens": {prompt}, "completion_tokens": {completion}, "total_tokens": {total}, "prompt_tokens_details": {{"cached_tokens": {cached}, "audio_tokens": 0}}, "completion_tokens_details": {{"reasoning_tokens": {reasoning}, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}}}, "service_tier": "default", "system_fingerprint": "fp_07871e2ad8"}}"#,
        id = r.next(),
        c = created(r, model),
        text = content(r),
        total = prompt + completion,
    );
}

fn responses(r: &mut Rng, out: &mut String) {
    let model = r.pick(&[
        "gpt-5-2025-08-07",
        "gpt-5-mini",
        "gpt-4.1-2025-04-14",
        "gpt-5.6-luna",
    ]);
    let input = 500 + r.below(20_000);
    let cached = if r.below(3) == 0 { input / 3 } else { 0 };
    let output = 50 + r.below(3_000);
    let _ = write!(
        out,
        r#"{{"id": "resp_{id}", "object": "response", "created_at": {c}, "status": "completed", "error": null, "incomplete_details": null, "model": "{model}", "output": [{{"id": "rs_{id}", "type": "reasoning", "summary": []}}, {{"id": "msg_{id}", "type": "message", "status": "completed", "role": "assistant", "content": [{{"type": "output_text", "annotations": [], "text": "{text}"}}]}}], "parallel_tool_calls": true, "service_tier": "default", "store": true, "usage": {{"input_tokens": {input}, "input_tokens_details": {{"cached_tokens": {cached}}}, "output_tokens": {output}, "output_tokens_details": {{"reasoning_tokens": {reasoning}}}, "total_tokens": {total}}}, "metadata": {{}}}}"#,
        id = r.next(),
        c = created(r, model),
        text = content(r),
        reasoning = output / 2,
        total = input + output,
    );
}

fn gemini(r: &mut Rng, out: &mut String) {
    let model = r.pick(&[
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-3.1-flash-lite-preview",
        "gemini-2.5-flash-lite",
        "gemini-3-flash-preview",
    ]);
    let prompt = 100 + r.below(12_000);
    let cached = if r.below(3) == 0 { prompt / 2 } else { 0 };
    let cands = 10 + r.below(1_000);
    let thoughts = r.below(2_000);
    let cache_part = if cached > 0 {
        format!(
            r#", "cachedContentTokenCount": {cached}, "cacheTokensDetails": [{{"modality": "TEXT", "tokenCount": {cached}}}]"#
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        r#"{{"candidates": [{{"content": {{"parts": [{{"text": "{text}"}}], "role": "model"}}, "finishReason": "STOP", "index": 0}}], "usageMetadata": {{"promptTokenCount": {prompt}, "candidatesTokenCount": {cands}, "totalTokenCount": {total}, "promptTokensDetails": [{{"modality": "TEXT", "tokenCount": {prompt}}}], "thoughtsTokenCount": {thoughts}{cache_part}}}, "modelVersion": "{model}", "responseId": "r{id}"}}"#,
        text = content(r),
        total = prompt + cands + thoughts,
        id = r.next(),
    );
}

fn gemini_image(r: &mut Rng, out: &mut String) {
    let prompt = 10 + r.below(300);
    let _ = write!(
        out,
        r#"{{"candidates": [{{"content": {{"parts": [{{"text": "Here is the image."}}, {{"inlineData": {{"mimeType": "image/png", "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}}}}], "role": "model"}}, "finishReason": "STOP", "index": 0}}], "usageMetadata": {{"promptTokenCount": {prompt}, "candidatesTokenCount": 1125, "totalTokenCount": {total}, "promptTokensDetails": [{{"modality": "TEXT", "tokenCount": {prompt}}}], "candidatesTokensDetails": [{{"modality": "TEXT", "tokenCount": 5}}, {{"modality": "IMAGE", "tokenCount": 1120}}]}}, "modelVersion": "gemini-3.1-flash-image-preview", "responseId": "i{id}"}}"#,
        total = prompt + 1125,
        id = r.next(),
    );
}

fn anthropic(r: &mut Rng, out: &mut String) {
    let model = r.pick(&[
        "claude-sonnet-4-5-20250929",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-5",
        "claude-sonnet-4-6",
    ]);
    let input = 10 + r.below(4_000);
    let read = if r.below(2) == 0 { r.below(50_000) } else { 0 };
    let write5 = if r.below(4) == 0 { r.below(5_000) } else { 0 };
    let write1 = if r.below(8) == 0 { r.below(5_000) } else { 0 };
    let output = 20 + r.below(2_000);
    let _ = write!(
        out,
        r#"{{"id": "msg_{id}", "type": "message", "role": "assistant", "model": "{model}", "content": [{{"type": "text", "text": "{text}"}}], "stop_reason": "end_turn", "stop_sequence": null, "usage": {{"input_tokens": {input}, "cache_creation_input_tokens": {w}, "cache_read_input_tokens": {read}, "cache_creation": {{"ephemeral_5m_input_tokens": {write5}, "ephemeral_1h_input_tokens": {write1}}}, "output_tokens": {output}, "service_tier": "standard"}}}}"#,
        id = r.next(),
        text = content(r),
        w = write5 + write1,
    );
}

fn openai_batch(r: &mut Rng, out: &mut String) {
    let n = r.next();
    if r.below(50) == 0 {
        let _ = write!(
            out,
            r#"{{"id": "batch_req_{n}", "custom_id": "request-{n}", "response": null, "error": {{"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}}}"#
        );
        return;
    }
    let _ = write!(
        out,
        r#"{{"id": "batch_req_{n}", "custom_id": "request-{n}", "response": {{"status_code": 200, "request_id": "req_{n}", "body": "#
    );
    chat(r, out);
    out.push_str("}, \"error\": null}");
}

fn gemini_batch(r: &mut Rng, out: &mut String) {
    let n = r.next();
    let _ = write!(out, r#"{{"key": "request-{n}", "response": "#);
    gemini(r, out);
    out.push('}');
}

fn anthropic_batch(r: &mut Rng, out: &mut String) {
    let n = r.next();
    match r.below(40) {
        0 => {
            let _ = write!(
                out,
                r#"{{"custom_id": "req-{n}", "result": {{"type": "expired"}}}}"#
            );
        }
        1 => {
            let _ = write!(
                out,
                r#"{{"custom_id": "req-{n}", "result": {{"type": "errored", "error": {{"type": "error", "error": {{"type": "invalid_request_error", "message": "Validation error"}}}}}}}}"#
            );
        }
        _ => {
            let _ = write!(
                out,
                r#"{{"custom_id": "req-{n}", "result": {{"type": "succeeded", "message": "#
            );
            anthropic(r, out);
            out.push_str("}}");
        }
    }
}

/// `lines` lines of mixed responses, newline-terminated.
pub fn generate(lines: usize) -> String {
    let mut r = Rng(0x5EED_2026_1123);
    let mut out = String::with_capacity(lines * 900);
    for _ in 0..lines {
        match r.below(100) {
            0..=24 => chat(&mut r, &mut out),
            25..=39 => responses(&mut r, &mut out),
            40..=59 => gemini(&mut r, &mut out),
            60..=61 => gemini_image(&mut r, &mut out),
            62..=81 => anthropic(&mut r, &mut out),
            82..=89 => openai_batch(&mut r, &mut out),
            90..=94 => gemini_batch(&mut r, &mut out),
            _ => anthropic_batch(&mut r, &mut out),
        }
        out.push('\n');
    }
    out
}
