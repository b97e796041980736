//! Helpers shared by the fuzz targets: the bundled book loaded once, the ids it answers to,
//! generators of numbers that hit the edges of the domain, and the invariants every target
//! checks on an estimate.

use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use ratebook::{
    Date, Decimal, ErrorKind, Estimate, ImageScheme, InputImage, Mode, RateBook, Usage,
};

/// The largest token count the ingest path accepts per field; estimates of usages whose every
/// count is at most this never overflow on a book that loaded (see [`check_estimate`]).
pub const BOUNDED: u64 = 1_000_000_000_000;

/// The repository's rate book, loaded once per process.
pub fn book() -> &'static RateBook {
    static BOOK: OnceLock<RateBook> = OnceLock::new();
    BOOK.get_or_init(ratebook::bundled::book)
}

/// Every id the bundled book answers to: model ids, aliases, and each cloud offer under each
/// of its cloud's scope prefixes.
pub fn ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let book = book();
        let mut ids = Vec::new();
        for m in book.models() {
            ids.push(m.id.clone());
            ids.extend(m.aliases.iter().cloned());
        }
        for c in book.clouds() {
            for o in &c.offers {
                for s in &c.scopes {
                    for p in &s.prefixes {
                        ids.push(format!("{p}{}", o.id));
                    }
                }
            }
        }
        ids
    })
}

/// Every image scheme of the bundled book (each validated by the loader).
pub fn schemes() -> &'static [ImageScheme] {
    static SCHEMES: OnceLock<Vec<ImageScheme>> = OnceLock::new();
    SCHEMES.get_or_init(|| {
        let mut out: Vec<ImageScheme> = Vec::new();
        for m in book().models() {
            if let Some((_, s)) = &m.image_scheme {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
        }
        out
    })
}

/// Resolution keys of generated images and video the bundled book prices, plus a few it does
/// not.
pub fn resolutions() -> &'static [String] {
    static RES: OnceLock<Vec<String>> = OnceLock::new();
    RES.get_or_init(|| {
        let mut out: Vec<String> = ["1K", "4K", "nope", "", "1024x1024:high"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for m in book().models() {
            for e in &m.prices {
                for k in e
                    .output_image_tokens
                    .keys()
                    .chain(e.output_image_fees.keys())
                    .chain(e.output_video_seconds.keys())
                {
                    if !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
        }
        out
    })
}

/// A count biased to the edges: mostly small, sometimes around the domain's limits, sometimes
/// anything.
pub fn count(u: &mut Unstructured<'_>) -> Result<u64> {
    const EDGES: [u64; 14] = [
        0,
        1,
        2,
        127_999,
        128_000,
        200_000,
        200_001,
        1_000_000,
        BOUNDED,
        BOUNDED + 1,
        u32::MAX as u64,
        i64::MAX as u64,
        u64::MAX - 1,
        u64::MAX,
    ];
    Ok(match u.int_in_range(0u8..=9)? {
        0..=3 => u.int_in_range(0..=2_000)?,
        4..=5 => u.int_in_range(0..=10_000_000)?,
        6 => u.int_in_range(0..=BOUNDED)?,
        7..=8 => EDGES[u.choose_index(EDGES.len())?],
        _ => u.arbitrary()?,
    })
}

/// A pixel size biased to the edges of `1..=MAX_IMAGE_SIDE`.
pub fn side(u: &mut Unstructured<'_>) -> Result<u32> {
    const EDGES: [u32; 10] = [0, 1, 2, 383, 384, 385, 2048, 99_999, 100_000, 100_001];
    Ok(match u.int_in_range(0u8..=5)? {
        0..=2 => u.int_in_range(1..=5_000)?,
        3 => u.int_in_range(1..=100_000)?,
        4 => EDGES[u.choose_index(EDGES.len())?],
        _ => u.arbitrary()?,
    })
}

/// A short string: one of `known`, or arbitrary text.
pub fn word(u: &mut Unstructured<'_>, known: &[String]) -> Result<String> {
    if !known.is_empty() && u.ratio(3u8, 4u8)? {
        Ok(known[u.choose_index(known.len())?].clone())
    } else {
        let s: &str = u.arbitrary()?;
        Ok(s.chars().take(24).collect())
    }
}

/// A date between 1969 and 2101, often near one of `near`.
pub fn date(u: &mut Unstructured<'_>, near: &[Date]) -> Result<Date> {
    let days = if !near.is_empty() && u.ratio(2u8, 3u8)? {
        near[u.choose_index(near.len())?].unix_days() + i64::from(u.int_in_range(-3i8..=3)?)
    } else {
        u.int_in_range(-400i64..=48_000)?
    };
    Ok(Date::from_unix_days(days).unwrap_or_else(|| Date::new(2026, 1, 1).expect("a date")))
}

/// Any service mode.
pub fn mode(u: &mut Unstructured<'_>) -> Result<Mode> {
    Ok([Mode::Standard, Mode::Batch, Mode::Flex, Mode::Priority][u.choose_index(4)?])
}

/// A usage with every meter drawn from [`count`], and a few generated images, videos, input
/// images and fee calls keyed from `resolutions` and `levels`.
pub fn usage(u: &mut Unstructured<'_>, resolutions: &[String], levels: &[String]) -> Result<Usage> {
    let mut usage = Usage::default();
    for field in [
        &mut usage.input_text,
        &mut usage.input_image,
        &mut usage.input_audio,
        &mut usage.input_video,
        &mut usage.cached,
        &mut usage.cached_audio,
        &mut usage.cached_image,
        &mut usage.cache_write_5m,
        &mut usage.cache_write_1h,
        &mut usage.cache_storage_token_hours,
        &mut usage.output_text,
        &mut usage.output_image,
        &mut usage.output_audio,
        &mut usage.output_video_tokens,
        &mut usage.input_audio_seconds,
        &mut usage.input_characters,
    ] {
        if u.ratio(1u8, 2u8)? {
            *field = count(u)?;
        }
    }
    for _ in 0..u.int_in_range(0..=3)? {
        usage.output_images.push(ratebook::ImageCount {
            resolution: word(u, resolutions)?,
            count: count(u)?,
        });
    }
    for _ in 0..u.int_in_range(0..=2)? {
        usage.output_video.push(ratebook::VideoSeconds {
            resolution: word(u, resolutions)?,
            seconds: count(u)?,
        });
    }
    for _ in 0..u.int_in_range(0..=3)? {
        let detail = if u.ratio(1u8, 3u8)? {
            Some(word(u, levels)?)
        } else {
            None
        };
        usage.input_images.push(InputImage {
            width: side(u)?,
            height: side(u)?,
            detail,
        });
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let id = word(u, &["search".to_string(), "code".to_string()])?;
        let n = count(u)?;
        usage.calls.insert(id, n);
    }
    Ok(usage)
}

/// Is every quantity of `usage` at most [`BOUNDED`] (and are there at most 4 images)?
pub fn is_bounded(usage: &Usage) -> bool {
    let counts = [
        usage.input_text,
        usage.input_image,
        usage.input_audio,
        usage.input_video,
        usage.cached,
        usage.cached_audio,
        usage.cached_image,
        usage.cache_write_5m,
        usage.cache_write_1h,
        usage.cache_storage_token_hours,
        usage.output_text,
        usage.output_image,
        usage.output_audio,
        usage.output_video_tokens,
        usage.input_audio_seconds,
        usage.input_characters,
    ];
    counts.iter().all(|&n| n <= BOUNDED)
        && usage.output_images.iter().all(|i| i.count <= BOUNDED)
        && usage.output_video.iter().all(|v| v.seconds <= BOUNDED)
        && usage.calls.values().all(|&n| n <= BOUNDED)
        && usage.output_images.len() <= 4
        && usage.input_images.len() <= 4
}

/// The invariants of an estimate: its line items add up exactly to its total; one image token
/// count per input image; and a usage within the domain's bounds never overflows. `context`
/// (the pricing files, say) is written out with a failure.
pub fn check_estimate(
    result: &std::result::Result<Estimate, ratebook::Error>,
    usage: &Usage,
    context: &dyn Fn() -> String,
) {
    match result {
        Ok(est) => {
            let mut sum = Decimal::ZERO;
            for item in &est.line_items {
                sum = sum
                    .checked_add(item.amount)
                    .expect("a total that fits has line items that fit");
            }
            assert_eq!(
                sum,
                est.total,
                "line items must add up to the total: {est:#?}\n{}",
                context()
            );
            assert_eq!(est.image_tokens.len(), usage.input_images.len());
        }
        Err(e) => {
            assert!(
                !(e.kind == ErrorKind::Overflow && is_bounded(usage)),
                "a bounded usage overflowed: {e}\n{usage:#?}\n{}",
                context()
            );
        }
    }
}

/// `line` with the first character of every plain string (keys and values) written as a
/// `\u00XX` escape: the same JSON value, which no reader may treat differently.
pub fn escape_strings(line: &str) -> String {
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
