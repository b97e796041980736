//! The rate book's rules that are not prices: how an id resolves (exact, alias, snapshot,
//! cloud deployment), lifecycle (shutdown and rerouting), the unit meters (per minute, per
//! character, per second of video, cached image input), withdrawn modes, and a provider card
//! split over files. Each runs on a small inline card so the rule, not the data, is under test;
//! the rates are the providers' published ones named in each test.

use ratebook::resolve::ResolvedBy;
use ratebook::usage::VideoSeconds;
use ratebook::{ErrorKind, EstimateOptions, Mode, RateBook, SourceFile, Usage, load};
use ratebook_tests::date;

const OPENAI: &str = r#"
[provider]
id = "openai"
name = "OpenAI API"

# gpt-4o: $2.50 / $10 from 2024-10-02; the 2024-05-13 snapshot kept $5 / $15.
# Source: https://developers.openai.com/api/docs/pricing
[models."gpt-4o"]
name = "GPT-4o"
aliases = ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20"]

[[models."gpt-4o".prices]]
effective = "2024-05-13"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "5.00"
output = "15.00"

[[models."gpt-4o".prices]]
effective = "2024-10-02"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "2.50"
cache_read = "1.25"
output = "10.00"

[models."gpt-4o-2024-05-13"]
name = "GPT-4o (2024-05-13)"

[[models."gpt-4o-2024-05-13".prices]]
effective = "2024-05-13"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "5.00"
output = "15.00"

# A family whose snapshots all bill one price.
[models."gpt-4.1"]
name = "GPT-4.1"
snapshots = true

[[models."gpt-4.1".prices]]
effective = "2025-04-14"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "2.00"
cache_read = "0.50"
output = "8.00"
batch = { multiplier = "0.5", cache_read = false }
priority = { multiplier = "1.75", cache_read = true }

[[models."gpt-4.1".prices]]
effective = "2026-01-01"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
note = "Priority processing no longer offered (test card)."
withdraw = ["priority"]

# Retired and rerouted (test card): from 2026-06-01 calls bill as gpt-4.1.
[models."gpt-4.5-preview"]
name = "GPT-4.5 Preview"
deprecated = "2025-04-14"
shutdown = "2026-06-01"
replaced_by = "gpt-4.1"

[[models."gpt-4.5-preview".prices]]
effective = "2025-02-27"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "75.00"
output = "150.00"

# Retired without rerouting.
[models."gpt-4-32k"]
name = "GPT-4 32K"
shutdown = "2025-06-06"

[[models."gpt-4-32k".prices]]
effective = "2024-01-01"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "60.00"
output = "120.00"
"#;

/// The media half of the same provider's card, in a second file.
const OPENAI_MEDIA: &str = r#"
[provider]
id = "openai"
name = "OpenAI API"

# whisper-1: $0.006 per minute. tts-1: $15 per 1M characters. sora-2: $0.10 per second at
# 720x1280. gpt-image-1: cached image input $2.50/M, cached text $1.25/M.
# Source: https://developers.openai.com/api/docs/pricing
[models."whisper-1"]
name = "Whisper"

[[models."whisper-1".prices]]
effective = "2024-01-01"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "0"
input_audio_minute = "0.006"

[models."tts-1"]
name = "TTS"

[[models."tts-1".prices]]
effective = "2024-01-01"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "0"
input_characters = "15.00"

[models."sora-2"]
name = "Sora 2"

[[models."sora-2".prices]]
effective = "2025-10-06"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "0"
output_video_seconds = { "720x1280" = "0.10", "1280x720" = "0.10" }

[models."gpt-image-1"]
name = "GPT Image 1"

[[models."gpt-image-1".prices]]
effective = "2025-04-23"
source = "https://developers.openai.com/api/docs/pricing"
checked = "2026-11-26"
input = "5.00"
input_image = "10.00"
cache_read = "1.25"
cache_read_image = "2.50"
output_image = "40.00"
"#;

const ANTHROPIC: &str = r#"
[provider]
id = "anthropic"
name = "Anthropic API"

# Claude Sonnet 4.5: $3 / $15. Source: https://platform.claude.com/docs/en/about-claude/pricing
[models."claude-sonnet-4-5"]
name = "Claude Sonnet 4.5"
aliases = ["claude-sonnet-4-5-20250929"]
snapshots = true

[[models."claude-sonnet-4-5".prices]]
effective = "2025-09-29"
source = "https://platform.claude.com/docs/en/about-claude/pricing"
checked = "2026-11-26"
input = "3.00"
output = "15.00"

[models."claude-3-haiku"]
name = "Claude Haiku 3"
aliases = ["claude-3-haiku-20240307"]

[[models."claude-3-haiku".prices]]
effective = "2024-03-07"
source = "https://platform.claude.com/docs/en/about-claude/pricing"
checked = "2026-11-26"
input = "0.25"
output = "1.25"
"#;

/// A Bedrock card: global at list price, geographic and in-region at a 10% premium, except
/// an older model that carries none (as the card can say per offer).
const BEDROCK: &str = r#"
[provider]
id = "aws-bedrock"
name = "Amazon Bedrock"

[[scopes]]
id = "global"
prefixes = ["global."]
multiplier = "1"
source = "https://aws.amazon.com/bedrock/pricing/"
checked = "2026-11-26"

[[scopes]]
id = "geographic"
prefixes = ["us.", "eu.", "apac.", "jp."]
multiplier = "1.1"
source = "https://aws.amazon.com/bedrock/pricing/"
checked = "2026-11-26"

[[scopes]]
id = "in-region"
prefixes = [""]
multiplier = "1.1"
source = "https://aws.amazon.com/bedrock/pricing/"
checked = "2026-11-26"

[offers."anthropic.claude-sonnet-4-5-20250929-v1:0"]
model = "claude-sonnet-4-5"

[offers."anthropic.claude-3-haiku-20240307-v1:0"]
model = "claude-3-haiku"
multipliers = { "in-region" = "1", geographic = "1" }
"#;

fn files() -> Vec<SourceFile> {
    vec![
        SourceFile::new("anthropic.toml", ANTHROPIC),
        SourceFile::new("aws-bedrock.toml", BEDROCK),
        SourceFile::new("openai.toml", OPENAI),
        SourceFile::new("openai-media.toml", OPENAI_MEDIA),
    ]
}

fn book() -> RateBook {
    RateBook::from_sources(&files()).expect("test cards load")
}

#[track_caller]
fn total(book: &RateBook, id: &str, usage: &Usage, day: &str) -> String {
    book.estimate(id, usage, EstimateOptions::at(date(day)))
        .unwrap_or_else(|e| panic!("{id} on {day}: {e}"))
        .total
        .normalize()
        .to_string()
}

#[test]
fn a_snapshot_that_billed_differently_is_its_own_model() {
    let b = book();
    let u = Usage::text(1_000_000, 1_000_000);
    // gpt-4o-2024-05-13 kept $5 / $15: 5 + 15 = 20, while gpt-4o bills $2.50 / $10 = 12.5.
    assert_eq!(total(&b, "gpt-4o-2024-05-13", &u, "2025-01-01"), "20");
    assert_eq!(total(&b, "gpt-4o", &u, "2025-01-01"), "12.5");
    let est = b
        .estimate(
            "gpt-4o-2024-05-13",
            &u,
            EstimateOptions::at(date("2025-01-01")),
        )
        .unwrap();
    assert_eq!(est.resolution.by, ResolvedBy::Exact);
    // A listed snapshot is an alias of the model whose price it billed.
    let est = b
        .estimate(
            "gpt-4o-2024-08-06",
            &u,
            EstimateOptions::at(date("2025-01-01")),
        )
        .unwrap();
    assert_eq!(
        (est.model.as_str(), est.resolution.by),
        ("gpt-4o", ResolvedBy::Alias)
    );
}

#[test]
fn an_unknown_snapshot_is_an_error_unless_the_family_has_one_price() {
    let b = book();
    let u = Usage::text(1_000, 0);
    // gpt-4o does not say its snapshots share a price: an unlisted one is not guessed.
    let e = b
        .estimate(
            "gpt-4o-2099-01-01",
            &u,
            EstimateOptions::at(date("2025-01-01")),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownModel);
    assert!(e.message.contains("not guessed"), "{}", e.message);
    assert!(e.message.contains("gpt-4o-2024-08-06"), "{}", e.message);
    assert_eq!(e.suggestions.first().map(String::as_str), Some("gpt-4o"));
    // gpt-4.1 says they do: the suffix is stripped and the estimate says so.
    // 1,000 × $2/M = 0.002.
    let est = b
        .estimate(
            "gpt-4.1-2025-04-14",
            &u,
            EstimateOptions::at(date("2025-05-01")),
        )
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "0.002");
    assert_eq!(est.resolution.by, ResolvedBy::SnapshotStripped);
    assert_eq!(est.resolution.stripped.as_deref(), Some("-2025-04-14"));
    assert!(
        est.resolution
            .describe()
            .contains("snapshot suffix `-2025-04-14` removed")
    );
    // Anthropic's dated ids: listed alias, and an unlisted date into a one-price family.
    assert_eq!(
        total(&b, "claude-sonnet-4-5-20250929", &u, "2026-01-01"),
        "0.003"
    );
    assert_eq!(
        total(&b, "claude-sonnet-4-5-20991231", &u, "2026-01-01"),
        "0.003"
    );
    // A provider prefix is dropped and recorded.
    let est = b
        .estimate("openai/gpt-4o", &u, EstimateOptions::at(date("2025-01-01")))
        .unwrap();
    assert_eq!(est.resolution.prefix.as_deref(), Some("openai/"));
}

#[test]
fn cloud_deployment_ids_bill_the_first_party_rates_times_the_scope() {
    let b = book();
    let u = Usage::text(1_000_000, 0);
    let on = "2026-01-01";
    // Sonnet 4.5 input $3/M: global at list = 3; geographic and in-region ×1.1 = 3.3.
    assert_eq!(
        total(
            &b,
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            &u,
            on
        ),
        "3"
    );
    assert_eq!(
        total(&b, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", &u, on),
        "3.3"
    );
    assert_eq!(
        total(&b, "anthropic.claude-sonnet-4-5-20250929-v1:0", &u, on),
        "3.3"
    );
    // Haiku 3 ($0.25/M) carries no premium in any scope on this card.
    assert_eq!(
        total(&b, "eu.anthropic.claude-3-haiku-20240307-v1:0", &u, on),
        "0.25"
    );
    let est = b
        .estimate(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            &u,
            EstimateOptions::at(date(on)),
        )
        .unwrap();
    assert_eq!(est.model, "claude-sonnet-4-5");
    assert_eq!(est.resolution.by, ResolvedBy::DeploymentPrefix);
    let d = est.resolution.deployment.as_ref().expect("a deployment");
    assert_eq!(
        (d.cloud.as_str(), d.scope.as_str(), d.prefix.as_str()),
        ("aws-bedrock", "geographic", "us.")
    );
    assert!(est.line_items[0].rule().contains("cloud deployment ×1.1"));
    assert!(
        est.resolution
            .describe()
            .contains("Amazon Bedrock deployment id, scope geographic by prefix `us.`")
    );
    // An unknown offer is not guessed.
    let e = b
        .estimate(
            "us.anthropic.claude-9-20990101-v1:0",
            &u,
            EstimateOptions::at(date(on)),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownModel);
}

#[test]
fn an_offer_of_a_missing_model_rejects_its_card_with_a_location() {
    let broken = BEDROCK.replace("model = \"claude-3-haiku\"", "model = \"claude-3-haikoo\"");
    let mut fs = files();
    fs[1] = SourceFile::new("aws-bedrock.toml", broken);
    let loaded = load(&fs);
    assert_eq!(loaded.rejected_files, vec!["aws-bedrock.toml".to_string()]);
    let e = &loaded.errors[0];
    let loc = e.location.as_ref().expect("located");
    assert_eq!((loc.file.as_str(), loc.line), ("aws-bedrock.toml", 31));
    assert!(e.message.contains("claude-3-haikoo"), "{}", e.message);
    assert_eq!(
        e.suggestions.first().map(String::as_str),
        Some("claude-3-haiku")
    );
    // The first-party cards still load, and cloud ids no longer resolve.
    assert!(loaded.book.get("claude-3-haiku").is_some());
    assert!(
        loaded
            .book
            .resolve("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
            .is_err()
    );
}

#[test]
fn a_retired_model_is_rerouted_or_flagged() {
    let b = book();
    let u = Usage::text(1_000_000, 1_000_000);
    // Before shutdown: GPT-4.5 Preview's own $75 / $150, flagged as deprecated.
    let est = b
        .estimate(
            "gpt-4.5-preview",
            &u,
            EstimateOptions::at(date("2025-05-01")),
        )
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "225");
    let note = est.lifecycle.expect("a deprecation note");
    assert_eq!(note.status, ratebook::book::ModelStatus::Deprecated);
    // From the shutdown on, calls bill as gpt-4.1 ($2 / $8 = 10), and the estimate says so.
    let est = b
        .estimate(
            "gpt-4.5-preview",
            &u,
            EstimateOptions::at(date("2026-06-01")),
        )
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "10");
    assert_eq!(est.model, "gpt-4.1");
    let note = est.lifecycle.expect("a retirement note");
    assert_eq!(note.rerouted_to.as_deref(), Some("gpt-4.1"));
    assert!(
        note.message.contains("retired on 2026-06-01"),
        "{}",
        note.message
    );
    // Retired without rerouting: priced at its last rates, and said.
    let est = b
        .estimate("gpt-4-32k", &u, EstimateOptions::at(date("2025-07-01")))
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "180");
    let note = est.lifecycle.expect("a retirement note");
    assert_eq!(note.status, ratebook::book::ModelStatus::Retired);
    assert!(
        note.message.contains("no longer serves it"),
        "{}",
        note.message
    );
}

#[test]
fn duration_character_video_and_cached_image_meters() {
    let b = book();
    let on = "2026-01-01";
    // whisper-1: 90 seconds × $0.006/min = 0.009.
    let u = Usage {
        input_audio_seconds: 90,
        ..Usage::default()
    };
    let est = b
        .estimate("whisper-1", &u, EstimateOptions::at(date(on)))
        .unwrap();
    assert_eq!(est.total.normalize().to_string(), "0.009");
    assert_eq!(
        est.line_items[0].sentence(),
        "audio input (by duration): 90 seconds × $0.006/min = $0.009"
    );
    // tts-1: 2,000 characters × $15/M = 0.03.
    let u = Usage {
        input_characters: 2_000,
        ..Usage::default()
    };
    assert_eq!(total(&b, "tts-1", &u, on), "0.03");
    // sora-2: 8 s at 720x1280 × $0.10/s = 0.8; batch is not offered.
    let u = Usage {
        output_video: vec![VideoSeconds::parse("8@720x1280").unwrap()],
        ..Usage::default()
    };
    assert_eq!(total(&b, "sora-2", &u, on), "0.8");
    let bad = Usage {
        output_video: vec![VideoSeconds::parse("8@4k").unwrap()],
        ..Usage::default()
    };
    let e = b
        .estimate("sora-2", &bad, EstimateOptions::at(date(on)))
        .unwrap_err();
    assert!(e.message.contains("1280x720, 720x1280"), "{}", e.message);
    // gpt-image-1: 1,000 image tokens of which 400 cached, 100 text tokens of which 50 cached:
    // 600 × $10/M + 400 × $2.50/M + 50 × $5/M + 50 × $1.25/M
    // = 0.006 + 0.001 + 0.00025 + 0.0000625 = 0.0073125.
    let u = Usage {
        input_text: 100,
        input_image: 1_000,
        cached: 450,
        cached_image: 400,
        ..Usage::default()
    };
    assert_eq!(total(&b, "gpt-image-1", &u, on), "0.0073125");
    // More cached image tokens than image input is an error, not a price.
    let u = Usage {
        input_image: 10,
        cached: 20,
        cached_image: 20,
        ..Usage::default()
    };
    assert!(
        b.estimate("gpt-image-1", &u, EstimateOptions::at(date(on)))
            .is_err()
    );
}

#[test]
fn a_mode_withdrawn_in_a_later_entry_is_no_longer_offered() {
    let b = book();
    let u = Usage::text(1_000_000, 0);
    // Priority at 1.75 × $2 = 3.5 while offered.
    let opts = EstimateOptions::at(date("2025-06-01")).mode(Mode::Priority);
    assert_eq!(
        b.estimate("gpt-4.1", &u, opts)
            .unwrap()
            .total
            .normalize()
            .to_string(),
        "3.5"
    );
    let opts = EstimateOptions::at(date("2026-01-01")).mode(Mode::Priority);
    let e = b.estimate("gpt-4.1", &u, opts).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ModeNotOffered);
    // Batch is still inherited.
    let opts = EstimateOptions::at(date("2026-01-01")).mode(Mode::Batch);
    assert_eq!(
        b.estimate("gpt-4.1", &u, opts)
            .unwrap()
            .total
            .normalize()
            .to_string(),
        "1"
    );
}

#[test]
fn withdrawing_a_mode_that_was_never_offered_is_an_error() {
    let bad = OPENAI.replace("withdraw = [\"priority\"]", "withdraw = [\"flex\"]");
    let loaded = load(&[SourceFile::new("openai.toml", bad)]);
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert!(
        loaded.errors[0]
            .to_string()
            .contains("flex mode is not offered before this entry")
    );
}

#[test]
fn a_card_split_over_files_must_repeat_its_provider_table() {
    // Same provider table: both halves load under one provider.
    let b = book();
    assert_eq!(b.providers().iter().filter(|p| p.id == "openai").count(), 1);
    assert_eq!(b.resolve("whisper-1").unwrap().provider, "openai");
    // A different name for the same id is an error.
    let other = OPENAI_MEDIA.replace("name = \"OpenAI API\"", "name = \"OpenAI\"");
    let mut fs = files();
    fs[3] = SourceFile::new("openai-media.toml", other);
    let loaded = load(&fs);
    assert_eq!(loaded.rejected_files, vec!["openai-media.toml".to_string()]);
}

#[test]
fn replaced_by_must_name_a_final_model() {
    let bad = OPENAI.replace("replaced_by = \"gpt-4.1\"", "replaced_by = \"gpt-9\"");
    let loaded = load(&[SourceFile::new("openai.toml", bad)]);
    assert_eq!(loaded.rejected_files, vec!["openai.toml".to_string()]);
    assert!(loaded.errors[0].message.contains("`gpt-9`"));
}

#[test]
fn id_prefixes_of_logs_and_gateways_are_data() {
    // No card declares `models/`: it is not a prefix, and not a provider either.
    let b = book();
    let e = b.resolve("models/gpt-4o").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownModel);
    // A card that lists it makes it one, for every model of the book, longest first.
    let with = OPENAI.replace(
        "name = \"OpenAI API\"\n",
        "name = \"OpenAI API\"\nprefixes = [\"models/\", \"Models/Latest/\"]\n",
    );
    let media = OPENAI_MEDIA.replace(
        "name = \"OpenAI API\"\n",
        "name = \"OpenAI API\"\nprefixes = [\"models/\", \"Models/Latest/\"]\n",
    );
    let mut fs = files();
    fs[2] = SourceFile::new("openai.toml", with);
    fs[3] = SourceFile::new("openai-media.toml", media.clone());
    let b = RateBook::from_sources(&fs).expect("cards with prefixes load");
    let r = b.resolve_with("models/gpt-4o-2024-08-06").unwrap();
    assert_eq!(
        (r.model.id.as_str(), r.resolution.prefix.as_deref()),
        ("gpt-4o", Some("models/"))
    );
    let r = b.resolve_with("MODELS/LATEST/claude-3-haiku").unwrap();
    assert_eq!(
        (r.model.id.as_str(), r.resolution.prefix.as_deref()),
        ("claude-3-haiku", Some("models/latest/"))
    );
    assert_eq!(
        total(
            &b,
            "models/gpt-4o",
            &Usage::text(1_000_000, 0),
            "2026-11-26"
        ),
        "2.5"
    );

    // A prefix must end in `/`, and is listed once; a split card repeats the same list.
    for (bad, message) in [
        (
            "[\"models\"]",
            "id prefix `models` must be a word followed by `/`",
        ),
        ("[\"/\"]", "id prefix `/` must be a word followed by `/`"),
        ("[\"a/\", \"A/\"]", "id prefix `a/` is listed twice"),
    ] {
        let text = OPENAI.replace(
            "name = \"OpenAI API\"\n",
            &format!("name = \"OpenAI API\"\nprefixes = {bad}\n"),
        );
        let loaded = load(&[SourceFile::new("openai.toml", text)]);
        assert_eq!(loaded.rejected_files, ["openai.toml"], "{bad}");
        let e = &loaded.errors[0];
        assert!(e.message.starts_with(message), "{bad}: {e}");
        assert_eq!(
            e.location.as_ref().and_then(|l| l.key.as_deref()),
            Some("provider.prefixes")
        );
    }
    let mut fs = files();
    fs[3] = SourceFile::new("openai-media.toml", media);
    let loaded = load(&fs);
    assert_eq!(loaded.rejected_files, ["openai-media.toml"]);
}
