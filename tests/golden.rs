//! Providers' worked examples and published rates, priced end to end on the repository's rate
//! book. Every expected number is computed by hand in the comment beside it, from the rate
//! source named there (USD per 1M tokens unless stated).
//!
//! Sources: Google — ai.google.dev/gemini-api/docs/pricing and …/docs/tokens; OpenAI —
//! developers.openai.com/api/docs/pricing and …/guides/images-vision; Anthropic —
//! platform.claude.com/docs/en/about-claude/pricing and …/build-with-claude/vision.

use ratebook::{Date, ErrorKind, EstimateOptions, ImageCount, InputImage, Mode, Usage};
use ratebook_tests::{book, date};

const TODAY: &str = "2026-11-23";

fn opts(mode: Mode) -> EstimateOptions {
    EstimateOptions {
        date: date(TODAY),
        mode,
        residency: false,
        allow_over_limits: false,
    }
}

/// Prices `usage` on `model` and compares the exact total with `expect`; also checks that the
/// line items add up to the total.
#[track_caller]
fn check(model: &str, usage: &Usage, options: EstimateOptions, expect: &str) {
    let est = book()
        .estimate(model, usage, options)
        .unwrap_or_else(|e| panic!("{model}: {e}"));
    let sum: ratebook::Decimal = est.line_items.iter().map(|l| l.amount).sum();
    assert_eq!(
        sum, est.total,
        "{model}: line items must add up to the total"
    );
    assert_eq!(
        est.total.normalize().to_string(),
        expect,
        "{model} {usage:?} {options:?}"
    );
}

fn images(res: &str, count: u64) -> Vec<ImageCount> {
    vec![ImageCount {
        resolution: res.into(),
        count,
    }]
}

// --- Generated images (Google pricing page: tokens per image × image-output rate) ---

#[test]
fn gemini_31_flash_image_per_image_output() {
    // 1K image: 1,120 tokens × $60/M = $0.0672 (Google pricing page).
    let u = Usage {
        output_images: images("1K", 1),
        ..Usage::default()
    };
    check("gemini-3.1-flash-image", &u, opts(Mode::Standard), "0.0672");
    // 4K: 2,520 × $60/M = $0.1512. 512px: 747 × $60/M = $0.04482.
    check(
        "gemini-3.1-flash-image",
        &Usage {
            output_images: images("4K", 1),
            ..Usage::default()
        },
        opts(Mode::Standard),
        "0.1512",
    );
    check(
        "gemini-3.1-flash-image",
        &Usage {
            output_images: images("512px", 1),
            ..Usage::default()
        },
        opts(Mode::Standard),
        "0.04482",
    );
    // The preview id resolves; 1,000 text in ($0.50/M) + 200 text out ($3/M) + two 2K images
    // (2 × 1,680 × $60/M): 0.0005 + 0.0006 + 0.2016 = 0.2027.
    let u = Usage {
        input_text: 1_000,
        output_text: 200,
        output_images: images("2K", 2),
        ..Usage::default()
    };
    check(
        "gemini-3.1-flash-image-preview",
        &u,
        opts(Mode::Standard),
        "0.2027",
    );
    // Batch halves every rate: 0.2027 / 2 = 0.10135.
    check(
        "gemini-3.1-flash-image-preview",
        &u,
        opts(Mode::Batch),
        "0.10135",
    );
}

#[test]
fn text_output_and_image_output_are_priced_apart() {
    // The asymmetry: 1,120 text-output tokens at $3/M = $0.00336, the same count as image output
    // at $60/M = $0.0672.
    check(
        "gemini-3.1-flash-image",
        &Usage::text(0, 1_120),
        opts(Mode::Standard),
        "0.00336",
    );
    let u = Usage {
        output_image: 1_120,
        ..Usage::default()
    };
    check("gemini-3.1-flash-image", &u, opts(Mode::Standard), "0.0672");
}

#[test]
fn gemini_3_pro_image_and_25_flash_image() {
    // 3 Pro Image: 1K and 2K = 1,120 tokens, 4K = 2,000 tokens, at $120/M:
    // 1,120 × 120 / 1M = 0.1344; 2,000 × 120 / 1M = 0.24.
    check(
        "gemini-3-pro-image",
        &Usage {
            output_images: images("2K", 1),
            ..Usage::default()
        },
        opts(Mode::Standard),
        "0.1344",
    );
    check(
        "gemini-3-pro-image",
        &Usage {
            output_images: images("4K", 1),
            ..Usage::default()
        },
        opts(Mode::Standard),
        "0.24",
    );
    // 2.5 Flash Image: 1,290 tokens × $30/M = $0.0387 (Google lists "$0.039 per image").
    check(
        "gemini-2.5-flash-image",
        &Usage {
            output_images: images("1K", 1),
            ..Usage::default()
        },
        opts(Mode::Standard),
        "0.0387",
    );
}

#[test]
fn unknown_resolution_names_the_known_ones() {
    let u = Usage {
        output_images: images("8K", 1),
        ..Usage::default()
    };
    let e = book()
        .estimate("gemini-3.1-flash-image", &u, opts(Mode::Standard))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage);
    assert!(e.message.contains("1K") && e.message.contains("4K"), "{e}");
}

// --- Long-context cliff: Gemini 2.5 Pro, prompt > 200,000 → $2.50 / $15 for the whole request ---

#[test]
fn gemini_25_pro_cliff_at_n_minus_1_n_n_plus_1() {
    // N − 1 = 199,999 in × $1.25 = 0.24999875; 1,000 out × $10 = 0.01 → 0.25999875.
    check(
        "gemini-2.5-pro",
        &Usage::text(199_999, 1_000),
        opts(Mode::Standard),
        "0.25999875",
    );
    // N = 200,000 is not "> 200,000": 0.25 + 0.01 = 0.26.
    check(
        "gemini-2.5-pro",
        &Usage::text(200_000, 1_000),
        opts(Mode::Standard),
        "0.26",
    );
    // N + 1 = 200,001 reprices everything: 200,001 × $2.50 = 0.5000025; 1,000 × $15 = 0.015
    // → 0.5150025.
    check(
        "gemini-2.5-pro",
        &Usage::text(200_001, 1_000),
        opts(Mode::Standard),
        "0.5150025",
    );
}

#[test]
fn gemini_25_pro_cached_tokens_count_toward_the_cliff() {
    // 250,000 prompt tokens of which 60,000 cached: the prompt is > 200k, so uncached 190,000
    // × $2.50 = 0.475, cached 60,000 × $0.25 (long-context cache rate) = 0.015, output 2,000
    // × $15 = 0.03 → 0.52.
    let u = Usage {
        input_text: 250_000,
        cached: 60_000,
        output_text: 2_000,
        ..Usage::default()
    };
    check("gemini-2.5-pro", &u, opts(Mode::Standard), "0.52");
    let est = book()
        .estimate("gemini-2.5-pro", &u, opts(Mode::Standard))
        .unwrap();
    assert!(
        est.tier.as_deref().unwrap_or("").contains("200,000"),
        "{:?}",
        est.tier
    );
}

// --- Batch × cache stacking is data, per model ---

#[test]
fn gemini_25_pro_batch_does_not_discount_cache_reads() {
    // 100,000 prompt incl. 40,000 cached, 1,000 out, batch: uncached 60,000 × $0.625 = 0.0375;
    // cached 40,000 × $0.125 (batch cache price = standard, no stacking) = 0.005; output 1,000
    // × $5 = 0.005 → 0.0475.
    let u = Usage {
        input_text: 100_000,
        cached: 40_000,
        output_text: 1_000,
        ..Usage::default()
    };
    check("gemini-2.5-pro", &u, opts(Mode::Batch), "0.0475");
    // Standard: 60,000 × 1.25 = 0.075; 40,000 × 0.125 = 0.005; 1,000 × 10 = 0.01 → 0.09.
    check("gemini-2.5-pro", &u, opts(Mode::Standard), "0.09");
}

#[test]
fn gemini_31_flash_lite_batch_halves_cache_reads_too() {
    // The exception: batch cache $0.0125 vs $0.025. 100,000 incl. 40,000 cached, 1,000 out:
    // 60,000 × $0.125 = 0.0075; 40,000 × $0.0125 = 0.0005; 1,000 × $0.75 = 0.00075 → 0.00875.
    let u = Usage {
        input_text: 100_000,
        cached: 40_000,
        output_text: 1_000,
        ..Usage::default()
    };
    check("gemini-3.1-flash-lite", &u, opts(Mode::Batch), "0.00875");
}

#[test]
fn flash_lite_reference_workload() {
    // 10,000 requests × (500 in × $0.25 + 100 out × $1.50) / 1M = $2.75 a day (not $2.30, a
    // figure seen quoted for this workload, which does not follow from the rates).
    // The day's requests summed into one usage: an aggregate, so the per-request limits are
    // waived (5,000,000 prompt tokens is more than the model's 1,048,576-token window).
    let u = Usage::text(500 * 10_000, 100 * 10_000);
    let day = opts(Mode::Standard).allow_over_limits(true);
    check("gemini-3.1-flash-lite", &u, day, "2.75");
    let e = book()
        .estimate("gemini-3.1-flash-lite", &u, opts(Mode::Standard))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage, "{e}");
    assert!(e.message.contains("context window of 1,048,576"), "{e}");
}

#[test]
fn gemini_25_flash_audio_input_is_priced_apart() {
    // Text/image/video $0.30, audio $1.00: 10,000 text + 10,000 audio = 0.003 + 0.01 = 0.013.
    let u = Usage {
        input_text: 10_000,
        input_audio: 10_000,
        ..Usage::default()
    };
    check("gemini-2.5-flash", &u, opts(Mode::Standard), "0.013");
}

// --- Anthropic: cache reads and writes by TTL, batch stacks with both ---

#[test]
fn claude_sonnet_45_cache_reads_and_writes() {
    // 10,000 prompt tokens: 6,000 cache reads, 2,000 5-minute writes, 2,000 plain; 500 out.
    // 2,000 × $3 = 0.006; 6,000 × $0.30 = 0.0018; 2,000 × $3.75 = 0.0075; 500 × $15 = 0.0075
    // → 0.0228.
    let u = Usage {
        input_text: 10_000,
        cached: 6_000,
        cache_write_5m: 2_000,
        output_text: 500,
        ..Usage::default()
    };
    check("claude-sonnet-4-5", &u, opts(Mode::Standard), "0.0228");
    // Batch stacks with the cache multipliers (0.5 × 0.1 = 0.05× input for reads; 0.625× for
    // 5-minute writes): everything halves → 0.0114.
    check("claude-sonnet-4-5", &u, opts(Mode::Batch), "0.0114");
    // The dated snapshot id resolves to the same model.
    check(
        "claude-sonnet-4-5-20250929",
        &u,
        opts(Mode::Standard),
        "0.0228",
    );
}

#[test]
fn claude_one_hour_cache_writes() {
    // 1-hour writes are 2× input: 1,000 × $6 = 0.006 (Sonnet 4.5); Haiku 4.5: 1,000 × $2 = 0.002.
    let u = Usage {
        input_text: 1_000,
        cache_write_1h: 1_000,
        ..Usage::default()
    };
    check("claude-sonnet-4-5", &u, opts(Mode::Standard), "0.006");
    check("claude-haiku-4-5", &u, opts(Mode::Standard), "0.002");
}

#[test]
fn claude_sonnet_45_long_context_counts_cache_reads_and_writes() {
    // Threshold: input + cache reads + cache writes > 200,000.
    // N − 1: 199,999 plain input × $3 = 0.599997.
    check(
        "claude-sonnet-4-5",
        &Usage::text(199_999, 0),
        opts(Mode::Standard),
        "0.599997",
    );
    // N: 150,000 plain + 50,000 cache reads = 200,000, not above: 0.45 + 0.015 = 0.465.
    let at = Usage {
        input_text: 200_000,
        cached: 50_000,
        ..Usage::default()
    };
    check("claude-sonnet-4-5", &at, opts(Mode::Standard), "0.465");
    // N + 1: 150,000 plain + 50,001 cache reads: 150,000 × $6 = 0.9; 50,001 × $0.60 = 0.0300006;
    // → 0.9300006. Plus 1,000 out at $22.50 = 0.0225 → 0.9525006.
    let over = Usage {
        input_text: 200_001,
        cached: 50_001,
        output_text: 1_000,
        ..Usage::default()
    };
    check(
        "claude-sonnet-4-5",
        &over,
        opts(Mode::Standard),
        "0.9525006",
    );
}

// --- OpenAI: cached share per model, batch, image tiles ---

#[test]
fn gpt_4o_cached_input_is_half_price() {
    // 10,000 prompt incl. 4,000 cached; 1,000 out: 6,000 × $2.50 = 0.015; 4,000 × $1.25 = 0.005;
    // 1,000 × $10 = 0.01 → 0.03.
    let u = Usage {
        input_text: 10_000,
        cached: 4_000,
        output_text: 1_000,
        ..Usage::default()
    };
    check("gpt-4o", &u, opts(Mode::Standard), "0.03");
    check("gpt-4o-2024-08-06", &u, opts(Mode::Standard), "0.03");
}

#[test]
fn gpt_5_batch_halves_cached_rate_too() {
    // Batch $0.625 in / $0.0625 cached / $5 out: 6,000 × 0.625 = 0.00375; 4,000 × 0.0625
    // = 0.00025; 1,000 × 5 = 0.005 → 0.009.
    let u = Usage {
        input_text: 10_000,
        cached: 4_000,
        output_text: 1_000,
        ..Usage::default()
    };
    check("gpt-5", &u, opts(Mode::Batch), "0.009");
    // Standard: 6,000 × 1.25 = 0.0075; 4,000 × 0.125 = 0.0005; 1,000 × 10 = 0.01 → 0.018.
    check("gpt-5", &u, opts(Mode::Standard), "0.018");
}

#[test]
fn input_image_tokens_are_estimated_and_billed() {
    // gpt-4o, 1024×1024 high detail: 85 + 4 × 170 = 765 tokens × $2.50 = 0.0019125.
    let u = Usage {
        input_images: vec![InputImage {
            width: 1024,
            height: 1024,
            detail: None,
        }],
        ..Usage::default()
    };
    check("gpt-4o", &u, opts(Mode::Standard), "0.0019125");
    // gemini-2.5-flash, 960×540: 6 tiles × 258 = 1,548 tokens × $0.30 = 0.0004644.
    let u = Usage {
        input_images: vec![InputImage {
            width: 960,
            height: 540,
            detail: None,
        }],
        ..Usage::default()
    };
    check("gemini-2.5-flash", &u, opts(Mode::Standard), "0.0004644");
    // claude-haiku-4-5, 1000×1000: 36 × 36 = 1,296 tokens × $1 = 0.001296.
    let u = Usage {
        input_images: vec![InputImage {
            width: 1000,
            height: 1000,
            detail: None,
        }],
        ..Usage::default()
    };
    check("claude-haiku-4-5", &u, opts(Mode::Standard), "0.001296");
}

// --- Ids, dates and bad usage ---

#[test]
fn unknown_model_suggests_close_ids() {
    let e = book()
        .estimate("gpt4o", &Usage::text(1, 1), opts(Mode::Standard))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownModel);
    assert_eq!(
        e.suggestions.first().map(String::as_str),
        Some("gpt-4o"),
        "{e}"
    );
}

#[test]
fn a_date_before_the_first_price_is_an_error() {
    let e = book()
        .estimate(
            "gemini-3.1-flash-image",
            &Usage::text(1, 1),
            EstimateOptions::at(date("2020-01-01")),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoPriceAtDate);
}

#[test]
fn a_mode_the_model_does_not_offer_is_an_error() {
    let e = book()
        .estimate("claude-haiku-4-5", &Usage::text(1, 1), opts(Mode::Flex))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::ModeNotOffered);
    assert!(e.message.contains("batch"), "lists the offered modes: {e}");
}

#[test]
fn more_cached_than_input_is_an_error() {
    let u = Usage {
        input_text: 10,
        cached: 11,
        ..Usage::default()
    };
    let e = book()
        .estimate("gpt-4o", &u, opts(Mode::Standard))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage);
}

#[test]
fn u64_max_tokens_is_exact_or_an_error_never_a_panic() {
    // A count above ratebook::MAX_QUANTITY (10^12) is not priced: u64::MAX output tokens (what
    // a negative count read as unsigned looks like) is an InvalidUsage error naming the field,
    // even when the caller allows requests over the model's limits.
    let opts_any = opts(Mode::Standard).allow_over_limits(true);
    let e = book()
        .estimate("claude-sonnet-4-5", &Usage::text(0, u64::MAX), opts_any)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage, "{e}");
    assert!(e.message.contains("output_text"), "{e}");
    // (-1i64) as u64 input tokens: rejected the same way, naming input_text.
    #[allow(clippy::cast_sign_loss)]
    let wrapped = (-1i64) as u64;
    let e = book()
        .estimate("gpt-4o", &Usage::text(wrapped, 1), opts_any)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage, "{e}");
    assert!(e.message.contains("input_text"), "{e}");
    // Exactly the maximum is priced (aggregates opt in): 10^12 × $15 / 1M = $15,000,000.
    check(
        "claude-sonnet-4-5",
        &Usage::text(0, ratebook::MAX_QUANTITY),
        opts_any,
        "15000000",
    );
    // Every meter at u64::MAX at once, generated images included: an error, not a panic.
    let all = Usage {
        input_text: u64::MAX,
        output_text: u64::MAX,
        output_image: u64::MAX,
        output_images: images("4K", u64::MAX),
        ..Usage::default()
    };
    let e = book()
        .estimate("gemini-3.1-flash-image", &all, opts(Mode::Batch))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidUsage, "{e}");
    let img = Usage {
        input_images: vec![InputImage {
            width: u32::MAX,
            height: u32::MAX,
            detail: None,
        }],
        ..Usage::default()
    };
    assert!(
        book()
            .estimate("gpt-4o", &img, opts(Mode::Standard))
            .is_err()
    );
}

#[test]
fn each_line_explains_itself() {
    let u = Usage {
        output_images: images("1K", 1),
        ..Usage::default()
    };
    let est = book()
        .estimate("gemini-3.1-flash-image", &u, opts(Mode::Standard))
        .unwrap();
    let line = &est.line_items[0];
    assert_eq!(line.meter(), "output_image");
    assert_eq!(
        line.sentence(),
        "image output: 1 image at 1K: 1 × 1,120 tokens = 1,120 tokens × $60.00/M = $0.0672"
    );
    assert!(
        line.rule().contains("standard rate")
            && line.rule().contains(&est.price.effective.to_string())
    );
    let d: Date = date(TODAY);
    assert_eq!(est.date, d);
}
