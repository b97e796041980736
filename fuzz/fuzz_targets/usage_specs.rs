//! The usage specs people type — `N@RES` (`ImageCount`), `WxH[:LEVEL]` (`InputImage`),
//! `SECONDS@RES` (`VideoSeconds`) — and image-token estimation at any size on a scheme of the
//! book (each input picks one) and on a generated scheme with any parameters.
//!
//! Parsed values print back to text that parses to the same value. A scheme the loader would
//! accept (`problems()` empty) gives a token count for every size in range with no detail level,
//! and the count is far from overflow; any other scheme or size is an error, never a panic.
#![no_main]

use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ratebook::image::MAX_IMAGE_SIDE;
use ratebook::{Decimal, ImageCount, ImageScheme, InputImage, VideoSeconds};
use ratebook_fuzz::{count, schemes, side};

/// A decimal biased to the edges of the scheme bounds.
fn decimal(u: &mut Unstructured<'_>) -> Result<Decimal> {
    const EDGES: [&str; 12] = [
        "0",
        "-1",
        "0.5",
        "1",
        "1.5",
        "1.62",
        "2.5",
        "99.99",
        "100",
        "100.0000001",
        "1e26",
        "0.0000000000000000000000000001",
    ];
    Ok(match u.int_in_range(0u8..=3)? {
        0..=1 => {
            Decimal::from_scientific(EDGES[u.choose_index(EDGES.len())?]).unwrap_or(Decimal::ONE)
        }
        2 => Decimal::try_new(u.int_in_range(-10_000..=10_000)?, u.int_in_range(0..=4)?)
            .unwrap_or(Decimal::ONE),
        _ => Decimal::try_from_i128_with_scale(u.arbitrary()?, u.int_in_range(0..=28)?)
            .unwrap_or(Decimal::MAX),
    })
}

fn scheme(u: &mut Unstructured<'_>) -> Result<ImageScheme> {
    let px = |u: &mut Unstructured<'_>| side(u);
    Ok(match u.int_in_range(0u8..=4)? {
        0 => ImageScheme::GeminiTiles {
            small_max: px(u)?,
            small_tokens: count(u)?,
            crop_divisor: decimal(u)?,
            tile_tokens: count(u)?,
        },
        1 => {
            let mut pairs: Vec<(String, u64)> = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                pairs.push((u.arbitrary()?, count(u)?));
            }
            let default = match pairs.first() {
                Some((k, _)) if u.ratio(3u8, 4u8)? => k.clone(),
                _ => u.arbitrary()?,
            };
            ImageScheme::FixedLevels {
                levels: pairs.into_iter().collect(),
                default,
            }
        }
        2 => ImageScheme::OpenaiTiles {
            base: count(u)?,
            per_tile: count(u)?,
            fit: px(u)?,
            short_side: px(u)?,
            tile: px(u)?,
        },
        3 => ImageScheme::OpenaiPatches {
            patch: px(u)?,
            max_patches: count(u)?,
            multiplier: decimal(u)?,
        },
        _ => ImageScheme::AnthropicPatches {
            patch: px(u)?,
            max_long_edge: px(u)?,
            max_tokens: count(u)?,
        },
    })
}

#[derive(Debug, Arbitrary)]
struct Specs<'a> {
    image_count: &'a str,
    input_image: &'a str,
    video: &'a str,
}

fn check_specs(s: &Specs<'_>) {
    if let Ok(v) = ImageCount::parse(s.image_count) {
        assert_eq!(ImageCount::parse(&v.to_string()), Ok(v.clone()), "{v}");
    }
    if let Ok(v) = InputImage::parse(s.input_image) {
        assert!(v.width > 0 && v.height > 0);
        assert_eq!(InputImage::parse(&v.to_string()), Ok(v.clone()), "{v}");
    }
    if let Ok(v) = VideoSeconds::parse(s.video) {
        assert_eq!(VideoSeconds::parse(&v.to_string()), Ok(v.clone()), "{v}");
    }
}

fn check_tokens(scheme: &ImageScheme, w: u32, h: u32, detail: Option<&str>) {
    let r = scheme.tokens(w, h, detail);
    let in_range = (1..=MAX_IMAGE_SIDE).contains(&w) && (1..=MAX_IMAGE_SIDE).contains(&h);
    if !in_range {
        assert!(r.is_err(), "{w}x{h} is out of range");
    }
    if in_range && detail.is_none() && scheme.problems().is_empty() {
        let t = r.unwrap_or_else(|e| panic!("{scheme:?} at {w}x{h}: {e}"));
        assert!(t <= 100_000_000_000_000_000, "{scheme:?} at {w}x{h}: {t}");
    }
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let specs: Specs<'_> = u.arbitrary()?;
    check_specs(&specs);
    let (w, h) = (side(u)?, side(u)?);
    let detail = if u.ratio(1u8, 3u8)? {
        Some(["low", "high", "auto", "medium", " HIGH ", "", "ultra_high"][u.choose_index(7)?])
    } else {
        None
    };
    // One scheme of the book per input (all of them, over a run).
    let book_scheme = &schemes()[u.choose_index(schemes().len())?];
    check_tokens(book_scheme, w, h, detail);
    if let Ok(img) = InputImage::parse(specs.input_image) {
        check_tokens(book_scheme, img.width, img.height, img.detail.as_deref());
    }
    let generated = scheme(u)?;
    check_tokens(&generated, w, h, detail);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
