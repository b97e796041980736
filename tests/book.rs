//! The rate book as users meet it: the ids users send (this year's flagships, old snapshot ids,
//! media models, cloud ids) price at today's date and at their history dates, with the rules
//! that keep the book from being silently wrong. Each number is computed by hand in the comment
//! beside it from the provider's published rate (sources named in `pricing/*.toml` next to each
//! price; USD per 1M tokens unless stated).

use ratebook::resolve::ResolvedBy;
use ratebook::{ErrorKind, EstimateOptions, ImageCount, Mode, Usage, VideoSeconds};
use ratebook_tests::{book, date};

/// The exact total of `usage` on `model` at `day`. The usages are rates' worth of tokens (a
/// million at once), not single requests, so the model's per-request limits are waived.
#[track_caller]
fn total(model: &str, usage: &Usage, day: &str) -> String {
    book()
        .estimate(
            model,
            usage,
            EstimateOptions::at(date(day)).allow_over_limits(true),
        )
        .unwrap_or_else(|e| panic!("{model} on {day}: {e}"))
        .total
        .normalize()
        .to_string()
}

/// One million input and one million output tokens: the total is input rate + output rate.
fn million_each() -> Usage {
    Usage::text(1_000_000, 1_000_000)
}

#[test]
fn this_years_flagships_price_today() {
    // 100,000 in + 100,000 out, below every long-context threshold: 0.1 × (input + output).
    let u = Usage::text(100_000, 100_000);
    let today = "2026-11-26";
    // Claude Sonnet 5.5: $2 / $10 (platform.claude.com pricing): 0.2 + 1 = 1.2.
    assert_eq!(total("claude-sonnet-5-5", &u, today), "1.2");
    // GPT-6.1 Sol: $2 / $10 (developers.openai.com pricing).
    assert_eq!(total("gpt-6.1-sol", &u, today), "1.2");
    // Past 272,000 input tokens GPT-6.1 Sol bills 2× input and 1.5× output for the whole
    // request: 1M × $4 + 1M × $15 = 19.
    assert_eq!(total("gpt-6.1-sol", &million_each(), today), "19");
    // Gemini 4 Argon: $2 / $10 until its 2026-12-01 change (ai.google.dev pricing).
    assert_eq!(total("gemini-4-argon", &u, today), "1.2");
    // The bare gpt-5.6 id is OpenAI's alias of gpt-5.6-sol: $4 / $20 promotional price:
    // 0.4 + 2 = 2.4.
    let est = book()
        .estimate("gpt-5.6", &u, EstimateOptions::at(date(today)))
        .unwrap();
    assert_eq!(
        (est.model.as_str(), est.resolution.by),
        ("gpt-5.6-sol", ResolvedBy::Alias)
    );
    assert_eq!(est.total.normalize().to_string(), "2.4");
}

#[test]
fn old_snapshot_ids_price_at_their_own_rates() {
    let u = million_each();
    // gpt-4o-2024-05-13 kept $5 / $15; gpt-4o-2024-08-06 billed $2.50 / $10 from its release
    // while the bare gpt-4o alias still billed $5 / $15 (until 2024-10-02).
    assert_eq!(total("gpt-4o-2024-05-13", &u, "2025-03-01"), "20");
    assert_eq!(total("gpt-4o-2024-08-06", &u, "2024-09-01"), "12.5");
    assert_eq!(total("gpt-4o", &u, "2024-09-01"), "20");
    assert_eq!(total("gpt-4o", &u, "2025-03-01"), "12.5");
    // gemini-2.5-flash-preview-05-20 billed thinking output at $3.50 with $0.15 input, not GA
    // 2.5 Flash's $0.30 / $2.50: 0.15 + 3.50 = 3.65.
    assert_eq!(
        total("gemini-2.5-flash-preview-05-20", &u, "2025-06-01"),
        "3.65"
    );
    assert_eq!(total("gemini-2.5-flash", &u, "2025-07-01"), "2.8");
    // gpt-3.5-turbo-1106: $1 / $2.
    assert_eq!(total("gpt-3.5-turbo-1106", &u, "2024-02-01"), "3");
    // claude-3-7-sonnet-latest is an alias of Claude Sonnet 3.7: $3 / $15.
    assert_eq!(total("claude-3-7-sonnet-latest", &u, "2025-06-01"), "18");
    // An unknown snapshot of a model priced per snapshot is an error with suggestions.
    let e = book()
        .estimate(
            "gpt-4o-2031-01-01",
            &u,
            EstimateOptions::at(date("2026-01-01")),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownModel);
    assert_eq!(e.suggestions.first().map(String::as_str), Some("gpt-4o"));
}

#[test]
fn history_dates_price_at_that_days_rates() {
    let u = million_each();
    // Claude Haiku 3.5 launched at $1 / $5 (2024-11-04) and was cut to $0.80 / $4 on 2024-12-03.
    assert_eq!(total("claude-3-5-haiku-20241022", &u, "2024-11-10"), "6");
    assert_eq!(total("claude-3-5-haiku-20241022", &u, "2024-12-10"), "4.8");
    // Gemini 1.5 Pro (≤128k prompts): $3.50 / $10.50 in mid-2024, $1.25 / $5 after the
    // 2024-10 cut. 100k in + 100k out: 0.35 + 1.05 = 1.4, then 0.125 + 0.5 = 0.625.
    let small = Usage::text(100_000, 100_000);
    assert_eq!(total("gemini-1.5-pro-002", &small, "2024-06-01"), "1.4");
    assert_eq!(total("gemini-1.5-pro-002", &small, "2024-11-01"), "0.625");
}

#[test]
fn media_models_bill_by_their_own_meters() {
    let today = "2026-11-26";
    // text-embedding-3-small: $0.02 per 1M input tokens, no output.
    assert_eq!(
        total("text-embedding-3-small", &Usage::text(1_000_000, 0), today),
        "0.02"
    );
    // whisper-1: 10 minutes × $0.006 = 0.06.
    let audio = Usage {
        input_audio_seconds: 600,
        ..Usage::default()
    };
    assert_eq!(total("whisper-1", &audio, today), "0.06");
    // tts-1: 1M characters × $15 = 15.
    let speech = Usage {
        input_characters: 1_000_000,
        ..Usage::default()
    };
    assert_eq!(total("tts-1", &speech, today), "15");
    // omni-moderation-latest is free, explicitly.
    assert_eq!(
        total("omni-moderation-latest", &Usage::text(1_000_000, 0), today),
        "0"
    );
    // dall-e-3, one 1024x1024 standard image: $0.04 (priced on a day it was served).
    let image = Usage {
        output_images: vec![ImageCount::parse("1@1024x1024:standard").unwrap()],
        ..Usage::default()
    };
    assert_eq!(total("dall-e-3", &image, "2025-06-01"), "0.04");
    // sora-2: 8 seconds at 720x1280 × $0.10 = 0.8.
    let video = Usage {
        output_video: vec![VideoSeconds::parse("8@720x1280").unwrap()],
        ..Usage::default()
    };
    assert_eq!(total("sora-2", &video, "2026-01-01"), "0.8");
    // Veo 3 with audio, 8 seconds at 720p × $0.40 = 3.2 (after the 2025-09-09 cut).
    let veo = Usage {
        output_video: vec![VideoSeconds::parse("8@720p:audio").unwrap()],
        ..Usage::default()
    };
    assert_eq!(total("veo-3.0-generate-001", &veo, "2026-01-01"), "3.2");
    // Imagen 4: $0.04 per image; two images = 0.08.
    let imagen = Usage {
        output_images: vec![ImageCount::parse("2@image").unwrap()],
        ..Usage::default()
    };
    assert_eq!(
        total("imagen-4.0-generate-001", &imagen, "2026-01-01"),
        "0.08"
    );
}

#[test]
fn cloud_ids_resolve_with_their_deployment_premium() {
    // 100,000 input tokens (below Sonnet 4.5's 200k tier).
    let u = Usage::text(100_000, 0);
    let today = "2026-11-26";
    // Claude Sonnet 4.5 input $3/M. Bedrock: global at list (0.3), geographic and in-region
    // +10% (0.33).
    for (id, want) in [
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "0.3"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "0.33"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "0.33"),
        // Vertex: the global endpoint at list, a regional endpoint +10%.
        ("claude-sonnet-4-5@20250929", "0.3"),
        ("us-east5/claude-sonnet-4-5@20250929", "0.33"),
    ] {
        assert_eq!(total(id, &u, today), want, "{id}");
    }
    // Claude Haiku 3 on Bedrock carries no regional premium: 100k × $0.25/M = 0.025.
    let est = book()
        .estimate(
            "anthropic.claude-3-haiku-20240307-v1:0",
            &u,
            EstimateOptions::at(date("2025-06-01")),
        )
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "0.025");
    assert_eq!(est.resolution.by, ResolvedBy::DeploymentPrefix);
    // Azure: a global deployment at OpenAI's list price; an EU data zone +10%. gpt-4.1 $2/M.
    assert_eq!(total("azure/gpt-4.1", &u, today), "0.2");
    assert_eq!(total("azure/eu/gpt-4.1", &u, today), "0.22");
    // Batch on Bedrock halves the geographic rate: 100k × $3 × 1.1 × 0.5 = 0.165.
    let est = book()
        .estimate(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            &u,
            EstimateOptions::at(date(today)).mode(Mode::Batch),
        )
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "0.165");
    let d = est.resolution.deployment.expect("a deployment");
    assert_eq!(
        (d.cloud.as_str(), d.scope.as_str()),
        ("aws-bedrock", "geographic")
    );
}

#[test]
fn retired_models_say_so_and_rerouted_ones_bill_the_target() {
    let u = Usage::text(100_000, 0);
    // Gemini 2.5 Pro: Google reroutes its calls to Gemini 3.8 Flash from 2026-12-01, billed at
    // 3.8 Flash's $0.75 input (0.075); the day before, 2.5 Pro's own $1.25 (0.125).
    assert_eq!(total("gemini-2.5-pro", &u, "2026-11-30"), "0.125");
    let est = book()
        .estimate(
            "gemini-2.5-pro",
            &u,
            EstimateOptions::at(date("2026-12-02")),
        )
        .unwrap();
    assert_eq!(est.model, "gemini-3.8-flash");
    assert_eq!(est.total.normalize().to_string(), "0.075");
    let note = est.lifecycle.expect("a rerouting note");
    assert_eq!(note.rerouted_to.as_deref(), Some("gemini-3.8-flash"));
    assert_eq!(est.resolution.model, "gemini-2.5-pro");
    // Claude Sonnet 3.7 was retired on 2026-02-19 and is not rerouted: priced at its last
    // rates ($3/M: 0.3) with the retirement said.
    let est = book()
        .estimate(
            "claude-3-7-sonnet-20250219",
            &u,
            EstimateOptions::at(date("2026-03-01")),
        )
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "0.3");
    let note = est.lifecycle.expect("a retirement note");
    assert_eq!(note.status, ratebook::book::ModelStatus::Retired);
    assert_eq!(note.rerouted_to, None);
}

#[test]
fn the_book_covers_every_provider_and_cloud() {
    let b = book();
    let count = |p: &str| b.models().iter().filter(|m| m.provider == p).count();
    assert!(count("anthropic") >= 30, "anthropic {}", count("anthropic"));
    assert!(count("openai") >= 130, "openai {}", count("openai"));
    assert!(count("google") >= 70, "google {}", count("google"));
    let offers = |c: &str| {
        b.clouds()
            .iter()
            .find(|x| x.provider == c)
            .map_or(0, |x| x.offers.len())
    };
    assert!(offers("aws-bedrock") >= 40);
    assert!(offers("google-vertex") >= 55);
    assert!(offers("azure-openai") >= 70);
}
