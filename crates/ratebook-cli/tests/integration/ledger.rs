//! One rule set: generated provider responses (OpenAI Chat Completions and Responses,
//! Anthropic Messages, Gemini `generateContent`, each also as a batch line) priced by the
//! ledger `ratebook cost` runs and by `estimate` of each response's extracted usage must give
//! exactly the same totals — overall, per model and per line outcome.
//!
//! The generator covers what the two paths could disagree on: cache reads and 5-minute and
//! 1-hour writes, prompts on both sides of the long-context thresholds (200K on Gemini 2.5 Pro
//! and Claude Sonnet 4.5, 272K on GPT-5.4 and GPT-5.5), batch, flex and priority modes
//! (including a mode a model does not offer), per-call search fees, response dates across
//! price changes and before a model's first price, a model past its shutdown, and Bedrock ids
//! whose scope bills a premium (`us.` ×1.1) or none (`global.`).

use std::collections::BTreeMap;

use crate::support::{book, date, root, run_json};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use ratebook::ingest::{Ledger, LineOutcome, Parsed, parse_line};
use ratebook::{Decimal, EstimateOptions, RateBook};
use serde_json::{Value, json};

const TODAY: &str = "2026-11-23";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Chat,
    Responses,
    Anthropic,
    Gemini,
}

const OPENAI: [&str; 6] = [
    "gpt-4o-2024-08-06",
    "gpt-5.5",
    "gpt-5.4",
    "gpt-5-mini",
    "gpt-5.6-terra",
    // No flex mode: a flex response is rejected by both paths.
    "gpt-5.3-codex",
];

const ANTHROPIC: [&str; 6] = [
    "claude-sonnet-4-5-20250929",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    // Retired on the Claude API on 2026-08-05: priced at its last rates with a note.
    "claude-opus-4-1-20250805",
    "claude-haiku-4-5",
    "claude-sonnet-4-6",
];

const GEMINI: [&str; 4] = [
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-3-pro-preview",
    "gemini-3.1-flash-lite-preview",
];

/// One generated response, before it is written as JSON.
#[derive(Debug, Clone)]
struct Response {
    api: Api,
    model: usize,
    /// Written as a batch output line (batch mode).
    batch: bool,
    /// OpenAI `service_tier`: default, flex or priority.
    tier: usize,
    prompt: u64,
    /// Percent of the prompt read from the cache, and written to it (Anthropic).
    cached_pct: u64,
    write_pct: u64,
    /// Percent of the writes with a 1-hour time to live.
    write_1h_pct: u64,
    output: u64,
    reasoning_pct: u64,
    searches: u64,
    /// Unix seconds, between 2025-06-01 and 2026-11-22, or no timestamp.
    created: Option<u64>,
}

fn response() -> impl Strategy<Value = Response> {
    (
        prop_oneof![
            Just(Api::Chat),
            Just(Api::Responses),
            Just(Api::Anthropic),
            Just(Api::Gemini)
        ],
        0usize..6,
        any::<bool>(),
        0usize..3,
        // Prompts on both sides of the 200K and 272K thresholds.
        prop_oneof![0u64..6_000, 150_000u64..420_000],
        (0u64..101, 0u64..60, 0u64..101),
        0u64..30_000,
        0u64..101,
        prop_oneof![3 => Just(0u64), 1 => 1u64..4],
        proptest::option::weighted(0.7, 1_748_736_000u64..1_795_305_600),
    )
        .prop_map(
            |(
                api,
                model,
                batch,
                tier,
                prompt,
                (cached, write, w1h),
                output,
                reasoning,
                searches,
                created,
            )| {
                let models = match api {
                    Api::Chat | Api::Responses => OPENAI.len(),
                    Api::Anthropic => ANTHROPIC.len(),
                    Api::Gemini => GEMINI.len(),
                };
                Response {
                    api,
                    model: model % models,
                    batch,
                    tier,
                    prompt,
                    cached_pct: cached,
                    write_pct: write,
                    write_1h_pct: w1h,
                    output,
                    reasoning_pct: reasoning,
                    searches,
                    created,
                }
            },
        )
}

impl Response {
    /// The response as the provider returns it, on one line.
    fn line(&self) -> String {
        let service_tier = ["default", "flex", "priority"][self.tier];
        let reasoning = self.output * self.reasoning_pct / 100;
        let v = match self.api {
            Api::Chat => {
                let cached = self.prompt * self.cached_pct / 100;
                let mut body = json!({
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": OPENAI[self.model],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": self.prompt,
                        "completion_tokens": self.output,
                        "total_tokens": self.prompt + self.output,
                        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                        "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0}
                    },
                    "service_tier": service_tier
                });
                if let Some(c) = self.created {
                    body["created"] = json!(c);
                }
                if self.batch {
                    json!({"id": "batch_req_1", "custom_id": "request-1", "response": {"status_code": 200, "request_id": "req_1", "body": body}, "error": null})
                } else {
                    body
                }
            }
            Api::Responses => {
                let cached = self.prompt * self.cached_pct / 100;
                let mut body = json!({
                    "id": "resp_1",
                    "object": "response",
                    "status": "completed",
                    "model": OPENAI[self.model],
                    "output": [],
                    "usage": {
                        "input_tokens": self.prompt,
                        "input_tokens_details": {"cached_tokens": cached},
                        "output_tokens": self.output,
                        "output_tokens_details": {"reasoning_tokens": reasoning},
                        "total_tokens": self.prompt + self.output
                    },
                    "service_tier": service_tier
                });
                if let Some(c) = self.created {
                    body["created_at"] = json!(c);
                }
                if self.batch {
                    json!({"id": "batch_req_2", "custom_id": "request-2", "response": {"status_code": 200, "request_id": "req_2", "body": body}, "error": null})
                } else {
                    body
                }
            }
            Api::Anthropic => {
                // Anthropic's `input_tokens` excludes cache reads and writes.
                let read = self.prompt * self.cached_pct / 200;
                let writes = self.prompt * self.write_pct / 200;
                let w1h = writes * self.write_1h_pct / 100;
                let mut usage = json!({
                    "input_tokens": self.prompt - read - writes,
                    "cache_creation_input_tokens": writes,
                    "cache_read_input_tokens": read,
                    "cache_creation": {"ephemeral_5m_input_tokens": writes - w1h, "ephemeral_1h_input_tokens": w1h},
                    "output_tokens": self.output,
                    "service_tier": "standard"
                });
                if self.searches > 0 {
                    usage["server_tool_use"] = json!({"web_search_requests": self.searches});
                }
                let message = json!({
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": ANTHROPIC[self.model],
                    "content": [{"type": "text", "text": "ok"}],
                    "stop_reason": "end_turn",
                    "usage": usage
                });
                if self.batch {
                    json!({"custom_id": "req-1", "result": {"type": "succeeded", "message": message}})
                } else {
                    message
                }
            }
            Api::Gemini => {
                let cached = self.prompt * self.cached_pct / 100;
                let mut meta = json!({
                    "promptTokenCount": self.prompt,
                    "candidatesTokenCount": self.output - reasoning,
                    "thoughtsTokenCount": reasoning,
                    "totalTokenCount": self.prompt + self.output,
                    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.prompt}]
                });
                if cached > 0 {
                    meta["cachedContentTokenCount"] = json!(cached);
                }
                let body = json!({
                    "candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP", "index": 0}],
                    "usageMetadata": meta,
                    "modelVersion": GEMINI[self.model],
                    "responseId": "r1"
                });
                if self.batch {
                    json!({"key": "request-1", "response": body})
                } else {
                    body
                }
            }
        };
        v.to_string()
    }
}

/// What `estimate` makes of each line's extracted usage: the total, the total per model (as the
/// id resolved) and, per line, whether it is priced.
struct Expected {
    total: Decimal,
    by_model: BTreeMap<String, Decimal>,
    priced: Vec<bool>,
    /// Lines whose prompt reached a long-context tier, and lines priced in a non-standard mode.
    tiered: usize,
    moded: usize,
}

fn expected(book: &RateBook, lines: &[String]) -> Expected {
    let mut e = Expected {
        total: Decimal::ZERO,
        by_model: BTreeMap::new(),
        priced: Vec::new(),
        tiered: 0,
        moded: 0,
    };
    for line in lines {
        let priced = match parse_line(line, None) {
            Ok(Parsed::Billable(r)) => {
                let opts = EstimateOptions::at(r.date.unwrap_or(date(TODAY))).mode(r.mode);
                match book.estimate(&r.model, &r.usage, opts) {
                    Ok(est) => {
                        e.total += est.total;
                        *e.by_model
                            .entry(est.resolution.model.clone())
                            .or_insert(Decimal::ZERO) += est.total;
                        e.tiered += usize::from(est.tier.is_some());
                        e.moded += usize::from(est.mode != ratebook::Mode::Standard);
                        true
                    }
                    Err(_) => false,
                }
            }
            _ => false,
        };
        e.priced.push(priced);
    }
    e
}

/// The repository's book, loaded once for every generated case.
fn shared_book() -> &'static RateBook {
    static BOOK: std::sync::OnceLock<RateBook> = std::sync::OnceLock::new();
    BOOK.get_or_init(book)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The ledger's total, per-model totals and line outcomes equal `estimate`'s, exactly.
    #[test]
    fn the_ledger_prices_every_response_as_estimate_does(
        responses in proptest::collection::vec(response(), 1..60)
    ) {
        let book = shared_book();
        let lines: Vec<String> = responses.iter().map(Response::line).collect();
        let want = expected(book, &lines);
        let mut ledger = Ledger::new(book, date(TODAY));
        for (line, priced) in lines.iter().zip(&want.priced) {
            let outcome = ledger.add_line(line);
            prop_assert_eq!(
                matches!(outcome, LineOutcome::Priced),
                *priced,
                "{} → {:?}",
                line,
                outcome
            );
        }
        let summary = ledger.summary().unwrap();
        prop_assert_eq!(summary.total, want.total);
        let by_model: BTreeMap<String, Decimal> = summary
            .by_model
            .iter()
            .map(|m| (m.model.clone(), m.total))
            .collect();
        prop_assert_eq!(by_model, want.by_model);
        prop_assert_eq!(summary.records, want.priced.iter().filter(|p| **p).count() as u64);
    }
}

/// A fixed sample of the generator, as lines.
fn sample(n: usize) -> Vec<String> {
    let mut runner = TestRunner::deterministic();
    let tree = proptest::collection::vec(response(), n)
        .new_tree(&mut runner)
        .expect("a sample");
    tree.current().iter().map(Response::line).collect()
}

#[test]
fn the_generator_reaches_tiers_modes_clouds_and_rejections() {
    // The property above is only as strong as what it generates: check a sample meets every
    // case it is meant to.
    let lines = sample(2_000);
    let want = expected(&book(), &lines);
    assert!(want.tiered > 50, "{} tiered", want.tiered);
    assert!(want.moded > 200, "{} non-standard", want.moded);
    let rejected = want.priced.iter().filter(|p| !**p).count();
    assert!(rejected > 20 && rejected < 1_000, "{rejected} rejected");
    for id in [
        "claude-sonnet-4-5",
        "claude-opus-4-1",
        "gemini-2.5-pro",
        "gpt-5.5",
    ] {
        assert!(want.by_model.contains_key(id), "{id} priced");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("us.anthropic.claude-sonnet-4-5"))
    );
}

/// `ratebook cost` itself (the binary, sequential and on four threads) prices a generated log
/// to the same total as `estimate`, with identical JSON output.
#[test]
fn ratebook_cost_on_any_thread_count_equals_the_sum_of_estimates() {
    // 12,000 responses (about 5 MB: several of the reader's chunks), with the bad lines of
    // the fixture spread through them so rejections fall in different chunks.
    let mut lines = sample(12_000);
    let bad =
        std::fs::read_to_string(root().join("tests/data/usage/bad_lines.jsonl")).expect("fixture");
    for (i, b) in bad.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        lines.insert(i * 400 + 7, b.to_string());
    }
    let want = expected(&book(), &lines);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("ledger-generated.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write the log");
    let file = path.to_str().expect("utf-8 path");
    let run = |threads: &str| {
        run_json(&[
            "cost",
            file,
            "--json",
            "--date",
            TODAY,
            "--threads",
            threads,
        ])
    };
    let one: Value = run("1");
    let four: Value = run("4");
    assert_eq!(one, four);
    // The committed fixtures, mixed providers and bad lines, all in one run.
    let fixtures = ["mixed.jsonl", "bad_lines.jsonl", "anthropic_batch.jsonl"]
        .map(|f| format!("tests/data/usage/{f}"));
    let on = |threads: &str| {
        let mut args = vec!["cost"];
        args.extend(fixtures.iter().map(String::as_str));
        args.extend(["--json", "--date", TODAY, "--threads", threads]);
        run_json(&args)
    };
    let fixture_one = on("1");
    assert!(fixture_one["rejected"].as_u64().unwrap() > 20);
    assert_eq!(fixture_one, on("4"));
    assert_eq!(
        one["total_usd"].as_str().unwrap(),
        want.total.normalize().to_string()
    );
    // The rejected lines are listed in file order: the first 20 that `estimate` rejects too.
    let listed: Vec<u64> = one["rejected_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    let first_rejected: Vec<u64> = (1..)
        .zip(&want.priced)
        .filter(|(_, priced)| !**priced)
        .map(|(n, _)| n)
        .take(20)
        .collect();
    assert_eq!(listed, first_rejected);
    let rejected = want.priced.iter().filter(|p| !**p).count() as u64;
    assert_eq!(one["rejected"].as_u64().unwrap(), rejected);
}
