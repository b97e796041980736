//! Inputs the fuzz targets (`fuzz/`) found, each kept as a regression test: a pricing file that
//! loaded and then panicked or wrapped when an image was priced, and a response line whose
//! outcome depended on how its keys were written.

use ratebook::ingest::{Parsed, parse_line};
use ratebook::{Date, Decimal, ErrorKind, EstimateOptions, ImageScheme, InputImage, SourceFile};
use ratebook::{Usage, load};

/// A one-model file whose model reads input images with `scheme` (the body of
/// `[image_schemes.s]`).
fn book_with_scheme(scheme: &str) -> String {
    format!(
        r#"[provider]
id = "acme"
name = "Acme"

[image_schemes.s]
{scheme}

[models."acme-1"]
name = "Acme 1"
image_input = "s"

[[models."acme-1".prices]]
effective = "2026-01-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = "1.00"
output = "4.00"
"#
    )
}

/// The messages of every error loading `text` gives.
fn load_errors(text: &str) -> Vec<String> {
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    loaded.errors.iter().map(ToString::to_string).collect()
}

/// One 1024×1024 image estimated on `acme-1`, when the file loads.
fn estimate_image(text: &str) -> Result<u64, ErrorKind> {
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    let date: Date = "2026-06-01".parse().expect("a date");
    let mut usage = Usage::default();
    usage
        .input_images
        .push(InputImage::parse("1024x1024").expect("a size"));
    loaded
        .book
        .estimate("acme-1", &usage, EstimateOptions::at(date))
        .map(|e| e.image_tokens[0])
        .map_err(|e| e.kind)
}

#[test]
fn the_scheme_file_is_valid_with_sane_parameters() {
    let text = book_with_scheme(
        "kind = \"openai_patches\"\npatch = 32\nmax_patches = 1536\nmultiplier = \"1.62\"",
    );
    assert_eq!(load_errors(&text), Vec::<String>::new());
    // 32 × 32 patches × 1.62 = 1,658.88 → 1,659.
    assert_eq!(estimate_image(&text), Ok(1659));
}

#[test]
fn openai_patches_multiplier_1e26_is_rejected_not_a_panic() {
    // Loaded as `ok`, then `Decimal::from(patches) * multiplier` panicked on 1,024 patches.
    let text = book_with_scheme(
        "kind = \"openai_patches\"\npatch = 32\nmax_patches = 1536\nmultiplier = \"1e26\"",
    );
    let errors = load_errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("acme.toml:5:1: impossible image scheme `s`: multiplier must be above 0 and at most 100, got 100000000000000000000000000"),
        "{}",
        errors[0]
    );
    // The file is left out, so the model is unknown rather than mispriced.
    assert_eq!(estimate_image(&text), Err(ErrorKind::UnknownModel));
    // The same scheme built by hand (bypassing the loader) is an error, not a panic.
    let scheme = ImageScheme::OpenaiPatches {
        patch: 32,
        max_patches: 1536,
        multiplier: Decimal::from_scientific("1e26").expect("a decimal"),
    };
    let err = scheme.tokens(1024, 1024, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Validation);
    assert!(err.message.contains("multiplier"), "{}", err.message);
}

#[test]
fn openai_tiles_base_u64_max_is_rejected_not_wrapped() {
    // `base + per_tile * tiles` overflowed: a panic in debug, 679 tokens in release.
    let text = book_with_scheme(
        "kind = \"openai_tiles\"\nbase = 18446744073709551615\nper_tile = 170\nfit = 2048\nshort_side = 768\ntile = 512",
    );
    let errors = load_errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("base 18446744073709551615 is above 1000000 tokens"),
        "{}",
        errors[0]
    );
    let scheme = ImageScheme::OpenaiTiles {
        base: u64::MAX,
        per_tile: 170,
        fit: 2048,
        short_side: 768,
        tile: 512,
    };
    assert_eq!(
        scheme.tokens(1024, 1024, None).map_err(|e| e.kind),
        Err(ErrorKind::Validation)
    );
    // At the bound the formula is exact: 1,000,000 + 4 tiles × 170.
    let at_bound = ImageScheme::OpenaiTiles {
        base: 1_000_000,
        per_tile: 170,
        fit: 2048,
        short_side: 768,
        tile: 512,
    };
    assert_eq!(at_bound.tokens(1024, 1024, None).ok(), Some(1_000_680));
}

#[test]
fn gemini_tiles_tile_tokens_u64_max_is_rejected_not_wrapped() {
    // `w.div_ceil(crop) * h.div_ceil(crop) * tile_tokens` overflowed u64.
    let text = book_with_scheme(
        "kind = \"gemini_tiles\"\nsmall_max = 384\nsmall_tokens = 258\ncrop_divisor = \"1.5\"\ntile_tokens = 18446744073709551615",
    );
    let errors = load_errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("tile_tokens 18446744073709551615 is above 1000000 tokens"),
        "{}",
        errors[0]
    );
    let scheme = ImageScheme::GeminiTiles {
        small_max: 384,
        small_tokens: 258,
        crop_divisor: Decimal::new(15, 1),
        tile_tokens: u64::MAX,
    };
    assert_eq!(
        scheme.tokens(1024, 1024, None).map_err(|e| e.kind),
        Err(ErrorKind::Validation)
    );
    // The largest image at the largest parameters still fits: 100,000 × 1 px, crop unit 1 →
    // 100,000 tiles × 1,000,000 tokens.
    let at_bound = ImageScheme::GeminiTiles {
        small_max: 1,
        small_tokens: 1_000_000,
        crop_divisor: Decimal::from(100),
        tile_tokens: 1_000_000,
    };
    assert_eq!(
        at_bound.tokens(100_000, 1, None).ok(),
        Some(100_000_000_000)
    );
    assert_eq!(
        at_bound.tokens(100_000, 100_000, None).ok(),
        Some(100 * 100 * 1_000_000)
    );
}

#[test]
fn every_scheme_parameter_has_an_upper_bound() {
    // One value past each bound, each its own error naming the parameter.
    for (scheme, needle) in [
        (
            "kind = \"gemini_tiles\"\nsmall_max = 100001\nsmall_tokens = 258\ncrop_divisor = \"1.5\"\ntile_tokens = 258",
            "small_max 100001",
        ),
        (
            "kind = \"gemini_tiles\"\nsmall_max = 384\nsmall_tokens = 1000001\ncrop_divisor = \"1.5\"\ntile_tokens = 258",
            "small_tokens 1000001",
        ),
        (
            "kind = \"gemini_tiles\"\nsmall_max = 384\nsmall_tokens = 258\ncrop_divisor = \"100.1\"\ntile_tokens = 258",
            "crop_divisor must be in 1..=100, got 100.1",
        ),
        (
            "kind = \"fixed_levels\"\ndefault = \"low\"\nlevels = { low = 1000001 }",
            "level `low` 1000001",
        ),
        (
            "kind = \"openai_tiles\"\nbase = 85\nper_tile = 1000001\nfit = 2048\nshort_side = 768\ntile = 512",
            "per_tile 1000001",
        ),
        (
            "kind = \"openai_tiles\"\nbase = 85\nper_tile = 170\nfit = 200000\nshort_side = 768\ntile = 512",
            "fit 200000",
        ),
        (
            "kind = \"openai_tiles\"\nbase = 85\nper_tile = 170\nfit = 2048\nshort_side = 768\ntile = 4294967295",
            "tile 4294967295",
        ),
        (
            "kind = \"openai_patches\"\npatch = 4294967295\nmax_patches = 1536\nmultiplier = \"1.62\"",
            "patch 4294967295",
        ),
        (
            "kind = \"openai_patches\"\npatch = 32\nmax_patches = 18446744073709551615\nmultiplier = \"1.62\"",
            "max_patches 18446744073709551615",
        ),
        (
            "kind = \"anthropic_patches\"\npatch = 28\nmax_long_edge = 100001\nmax_tokens = 1568",
            "max_long_edge 100001",
        ),
        (
            "kind = \"anthropic_patches\"\npatch = 28\nmax_long_edge = 1568\nmax_tokens = 1000001",
            "max_tokens 1000001",
        ),
    ] {
        let errors = load_errors(&book_with_scheme(scheme));
        assert!(
            errors.len() == 1 && errors[0].contains(needle),
            "{scheme}: {errors:?}"
        );
    }
}

#[test]
fn rates_fees_and_multipliers_have_upper_bounds() {
    let base = book_with_scheme("kind = \"fixed_levels\"\ndefault = \"a\"\nlevels = { a = 258 }");
    assert_eq!(load_errors(&base), Vec::<String>::new());
    let with = |extra: &str| {
        base.replace(
            "output = \"4.00\"\n",
            &format!("output = \"4.00\"\n{extra}\n"),
        )
    };
    for (extra, needle) in [
        (
            "output_audio = \"1000.01\"",
            "outside the sane range 0..=1000",
        ),
        (
            "output_image = \"30\"\noutput_image_tokens = { \"1K\" = 1000001 }",
            "tokens per image 1000001 is outside 1..=1000000",
        ),
        (
            "output_image_fees = { \"1024x1024:high\" = \"1000.5\" }",
            "fee per image 1000.5 is outside 0..=1000",
        ),
        (
            "fees.search = { description = \"Search\", price = \"35000\", per = 1000 }",
            "fee 35000 is outside 0..=1000",
        ),
        (
            "fees.search = { description = \"Search\", price = \"35\", per = 1000001 }",
            "fee `per` 1000001 is outside 1..=1000000",
        ),
        (
            "priority = { multiplier = \"11\", cache_read = true }",
            "priority multiplier 11 is above 10",
        ),
    ] {
        let errors = load_errors(&with(extra));
        assert!(
            errors.len() == 1 && errors[0].contains(needle),
            "{extra}: {errors:?}"
        );
    }
    let gateway = |unit: &str| {
        base.replace(
            "name = \"Acme\"\n",
            &format!("name = \"Acme\"\nbilling = {{ unit = \"{unit}\", rounding = \"up_per_request\" }}\n"),
        )
    };
    let errors = load_errors(&gateway("2"));
    assert!(
        errors.len() == 1 && errors[0].contains("billing unit 2 is outside 0.000000001..=1"),
        "{errors:?}"
    );
    assert_eq!(load_errors(&gateway("0.000000001")), Vec::<String>::new());
}

#[test]
fn a_billing_unit_below_a_nano_dollar_is_rejected_not_an_overflow() {
    // Found by the structured target: a gateway billing in units of 10⁻²⁸ USD loaded, then
    // rounding any request of a few dollars up to a whole unit overflowed (amount ÷ unit).
    let base = book_with_scheme("kind = \"fixed_levels\"\ndefault = \"a\"\nlevels = { a = 258 }");
    let gateway = base.replace(
        "name = \"Acme\"\n",
        "name = \"Acme\"\nbilling = { unit = \"0.0000000000000000000000000001\", rounding = \"up_per_request\" }\n",
    );
    let errors = load_errors(&gateway);
    assert!(
        errors.len() == 1
            && errors[0]
                .contains("billing unit 0.0000000000000000000000000001 is outside 0.000000001..=1"),
        "{errors:?}"
    );
    // At the smallest unit a large bounded usage still prices: 586,406,230,246 audio tokens at
    // the input rate of $1/M = $586,406.230246, already a whole number of nano-dollars.
    let nano = base.replace(
        "name = \"Acme\"\n",
        "name = \"Acme\"\nbilling = { unit = \"0.000000001\", rounding = \"up_per_request\" }\n",
    );
    let loaded = load(&[SourceFile::new("acme.toml", nano)]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let usage = Usage {
        input_audio: 586_406_230_246,
        ..Usage::default()
    };
    let date: Date = "2026-06-01".parse().expect("a date");
    let est = loaded
        .book
        .estimate("acme-1", &usage, EstimateOptions::at(date))
        .expect("prices");
    assert_eq!(est.total.to_string(), "586406.230246");
}

/// `line` with the first character of every plain string (keys and values) written as a
/// `\u00XX` escape: the same JSON value, which no reader may treat differently.
fn escape_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 64);
    let mut in_string = false;
    let mut escaped = false;
    let mut at_start = false;
    for c in line.chars() {
        if in_string {
            if at_start && c.is_ascii_alphanumeric() {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            } else {
                out.push(c);
            }
            at_start = false;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else {
            out.push(c);
            if c == '"' {
                in_string = true;
                at_start = true;
            }
        }
    }
    out
}

/// What a line becomes, with the reason's kind for a rejected line (messages name columns,
/// which the escapes move).
fn outcome(line: &str) -> Result<Parsed<'_>, ratebook::ingest::RejectKind> {
    parse_line(line, None).map_err(|e| e.kind)
}

#[test]
fn a_line_reads_the_same_whichever_way_its_keys_are_written() {
    const USAGE: &str = r#""usage":{"input_tokens":1000,"output_tokens":200,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}"#;
    let plain = format!(r#"{{"object":"response","model":"gpt-4o",{USAGE},"output":[1e400]}}"#);
    let escaped_key = plain.replace(r#""output":"#, r#""outp\u0075t":"#);
    assert_ne!(plain, escaped_key);
    // Found by fuzzing: the plain line was priced and the escaped one rejected.
    assert_eq!(outcome(&plain), outcome(&escaped_key));
    assert_eq!(outcome(&plain), outcome(&escape_strings(&plain)));

    // Numbers out of f64's range anywhere in `output`, and the ordinary lines around them.
    for output in [
        "[1e400]",
        "[-1e400]",
        "1e400",
        "[{\"type\":\"web_search_call\"},1e400]",
        "[{\"type\":\"web_search_call\",\"n\":1e400}]",
        "[[1e400]]",
        "[1e-400]",
        "[{\"type\":\"web_search_call\"}]",
        "[]",
    ] {
        let line = format!(r#"{{"object":"response","model":"gpt-4o",{USAGE},"output":{output}}}"#);
        assert_eq!(
            outcome(&line),
            outcome(&escape_strings(&line)),
            "output: {output}"
        );
    }
    // The escaped reading of an ordinary line is the plain one, search call counted.
    let line = format!(
        r#"{{"object":"response","model":"gpt-4o",{USAGE},"output":[{{"type":"web_search_call"}}]}}"#
    );
    match outcome(&escape_strings(&line)) {
        Ok(Parsed::Billable(r)) => {
            assert_eq!(r.model, "gpt-4o");
            assert_eq!((r.usage.input_text, r.usage.output_text), (1000, 200));
            assert_eq!(r.usage.calls.get("search"), Some(&1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_fixture_line_reads_the_same_with_escaped_strings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/usage");
    let mut lines = 0;
    for entry in std::fs::read_dir(dir).expect("tests/data/usage") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a fixture");
        for line in text.lines() {
            assert_eq!(
                outcome(line),
                outcome(&escape_strings(line)),
                "{}: {line}",
                path.display()
            );
            lines += 1;
        }
    }
    assert!(lines > 50, "{lines} fixture lines");
}
