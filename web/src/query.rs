//! The URL query as the calculator's whole state: parse a link into a [`Form`], and write a form
//! back as a link.
//!
//! Parameter names are a public contract (people share these links): `model`, `date`, `mode`,
//! `input-tokens`, `cached-tokens`, `cache-write-tokens`, `cache-ttl`, `output-tokens`,
//! `output-images` (`1@1K`, repeatable or comma-separated), plus `cache-storage-token-hours`,
//! `input-images` (`1024x768:low`), `requests-per-day` and `max-tokens`.
//!
//! A link with no known parameter opens the example workload; a link with any known parameter
//! describes the whole request, so a metered field it leaves out is zero. A bad value never
//! stops the page: it is replaced by that field's default and a sentence says so.

use ratebook::{Date, ImageCount, InputImage, Mode};

pub use crate::urlcodec::{decode, encode, pairs};

use crate::form::{
    CacheTtl, DEFAULT_REQUESTS_PER_DAY, Field, Form, ImageRow, MAX_COUNT, MAX_TEXT, parse_count,
    shorten,
};

/// Input images read from a link.
const MAX_IMAGES: usize = 32;

/// Discount rules read from a link.
pub const MAX_DISCOUNTS: usize = 16;

const OTHER_PARAMS: [&str; 9] = [
    "view",
    "own-prices",
    "discount",
    "model",
    "date",
    "mode",
    "cache-ttl",
    "output-images",
    "input-images",
];

fn is_known(key: &str) -> bool {
    OTHER_PARAMS.contains(&key) || Field::from_param(key).is_some()
}

fn looks_like_model_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_TEXT
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '@'))
}

/// Reads a link's query into a form, with a sentence for every value it could not use.
pub fn parse(search: &str, today: Date) -> (Form, Vec<String>) {
    let pairs = pairs(search);
    let mut notes = Vec::new();
    if !pairs.iter().any(|(k, _)| is_known(k)) {
        return (Form::example(today), notes);
    }
    let mut form = Form::blank(today);
    let mut unknown = Vec::new();
    for (key, value) in &pairs {
        let v = value.trim();
        match key.as_str() {
            "model" => {
                if looks_like_model_id(v) {
                    form.model = v.to_string();
                } else {
                    notes.push(format!("The link's model “{}” is not a model id; showing the default model.", shorten(v)));
                }
            }
            "date" => match v.parse::<Date>() {
                Ok(d) => form.date = d.to_string(),
                Err(_) => notes.push(format!("The link's date “{}” is not a date (YYYY-MM-DD); using today.", shorten(v))),
            },
            "mode" => match v.parse::<Mode>() {
                Ok(m) => form.mode = m,
                Err(_) => notes.push(format!(
                    "The link's mode “{}” is not one of standard, batch, flex, priority; using standard.",
                    shorten(v)
                )),
            },
            "cache-ttl" => match CacheTtl::parse(v) {
                Some(t) => form.cache_ttl = t,
                None => notes.push(format!("The link's cache-ttl “{}” is not 5m or 1h; using 5m.", shorten(v))),
            },
            "output-images" => {
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match ImageCount::parse(part) {
                        Ok(img) if img.count > MAX_COUNT => notes.push(format!(
                            "The link asks for {} images at {}; that is more than {}, left out.",
                            shorten(&img.count.to_string()),
                            shorten(&img.resolution),
                            ratebook::format_count(MAX_COUNT)
                        )),
                        Ok(img) => {
                            let before = form.output_images.get(&img.resolution).and_then(|c| parse_count(c).ok()).unwrap_or(0);
                            let total = before.saturating_add(img.count).min(MAX_COUNT);
                            form.output_images.insert(img.resolution, total.to_string());
                        }
                        Err(_) => notes.push(format!(
                            "The link's output-images “{}” is not COUNT@RESOLUTION (like 1@1K); left out.",
                            shorten(part)
                        )),
                    }
                }
            }
            "input-images" => {
                for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if form.input_images.len() >= MAX_IMAGES {
                        notes.push(format!("The link lists more than {MAX_IMAGES} input images; the rest are left out."));
                        break;
                    }
                    match InputImage::parse(part) {
                        Ok(img) => form.input_images.push(ImageRow {
                            width: img.width.to_string(),
                            height: img.height.to_string(),
                            detail: img.detail.unwrap_or_default(),
                        }),
                        Err(_) => notes.push(format!(
                            "The link's input-images “{}” is not WIDTHxHEIGHT (like 1024x768:low); left out.",
                            shorten(part)
                        )),
                    }
                }
            }
            // The other views are drawn by the second module; the calculator is the default.
            "view" | "own-prices" => {}
            "discount" if !v.is_empty() && form.discounts.len() < MAX_DISCOUNTS => {
                form.discounts.push(v.chars().take(MAX_TEXT).collect());
            }
            "discount" => {}
            other => match Field::from_param(other) {
                Some(field) => match parse_count(v) {
                    Ok(n) => form.set(field, if n == 0 && field == Field::MaxTokens { String::new() } else { n.to_string() }),
                    Err(why) => {
                        let fallback = match field {
                            Field::RequestsPerDay => "using 1,000",
                            Field::MaxTokens => "using the model's output limit",
                            _ => "using 0",
                        };
                        notes.push(format!("The link's {other}: {why}; {fallback}."));
                    }
                },
                None => unknown.push(shorten(other)),
            },
        }
    }
    if !unknown.is_empty() {
        ratebook::order::sort(&mut unknown);
        unknown.dedup();
        notes.push(format!(
            "Ignored unknown link parameters: {}.",
            unknown.join(", ")
        ));
    }
    (form, notes)
}

/// Writes `form` as a query string (with the leading `?`). Zero counts are left out: a link
/// describes the whole request, so a missing count reads back as zero.
pub fn to_query(form: &Form) -> String {
    let mut parts: Vec<String> = vec![
        format!("model={}", encode(&form.model)),
        format!("date={}", encode(&form.date)),
    ];
    if form.mode != Mode::Standard {
        parts.push(format!("mode={}", form.mode));
    }
    for field in Field::ALL {
        let Ok(n) = parse_count(form.get(field)) else {
            continue;
        };
        let write = match field {
            Field::RequestsPerDay => n.to_string() != DEFAULT_REQUESTS_PER_DAY,
            _ => n > 0,
        };
        if write {
            parts.push(format!("{}={n}", field.param()));
        }
        if field == Field::CacheWriteTokens && n > 0 {
            parts.push(format!("cache-ttl={}", form.cache_ttl.as_str()));
        }
    }
    let images: Vec<String> = form
        .output_images
        .iter()
        .filter_map(|(res, count)| match parse_count(count) {
            Ok(n) if n > 0 => Some(encode(&format!("{n}@{res}"))),
            _ => None,
        })
        .collect();
    if !images.is_empty() {
        parts.push(format!("output-images={}", images.join(",")));
    }
    let inputs: Vec<String> = form
        .input_images
        .iter()
        .filter(|r| {
            parse_count(&r.width).is_ok_and(|w| w > 0)
                && parse_count(&r.height).is_ok_and(|h| h > 0)
        })
        .map(|r| encode(&r.spec()))
        .collect();
    if !inputs.is_empty() {
        parts.push(format!("input-images={}", inputs.join(",")));
    }
    for d in &form.discounts {
        parts.push(format!("discount={}", encode(d)));
    }
    format!("?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        "2026-11-23".parse().unwrap()
    }

    #[test]
    fn decoding_never_fails() {
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(decode("%3Cscript%3E"), "<script>");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%FF"), "\u{fffd}");
        assert_eq!(decode("1@1K"), "1@1K");
    }

    #[test]
    fn notices_escape_control_characters_and_shorten() {
        // A NUL and an escape sequence in a link's model and in a parameter's name: shown
        // escaped, never as raw characters that could hide or rewrite the notice.
        let (_, notes) = parse("?model=gpt%00%1B%5B2J&z%07z=1", today());
        assert!(
            notes.iter().any(|n| n.contains("“gpt\\u{0}\\u{1b}[2J”")),
            "{notes:?}"
        );
        assert!(notes.iter().any(|n| n.contains("z\\u{7}z")), "{notes:?}");
        assert!(
            notes.iter().all(|n| !n.chars().any(char::is_control)),
            "{notes:?}"
        );
        // Past 40 characters, cut with an ellipsis.
        let long = "m".repeat(50);
        let (_, notes) = parse(&format!("?date={long}"), today());
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("“{}…”", "m".repeat(40)))),
            "{notes:?}"
        );
    }

    #[test]
    fn bare_link_is_the_example() {
        let (form, notes) = parse("", today());
        assert_eq!(form, Form::example(today()));
        assert!(notes.is_empty());
        let (form, _) = parse("?utm_source=x", today());
        assert_eq!(form, Form::example(today()));
    }

    #[test]
    fn deep_link() {
        let (form, notes) = parse(
            "?model=gemini-3.1-flash-image&date=2026-11-23&input-tokens=1000&output-images=1@1K",
            today(),
        );
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(form.model, "gemini-3.1-flash-image");
        assert_eq!(form.input_tokens, "1000");
        assert_eq!(form.output_tokens, "");
        assert_eq!(form.output_images.get("1K").map(String::as_str), Some("1"));
        let (form, _) = parse(
            "?model=x&output-images=1@1K&output-images=2@4K,1@1K",
            today(),
        );
        assert_eq!(form.output_images.get("1K").map(String::as_str), Some("2"));
        assert_eq!(form.output_images.get("4K").map(String::as_str), Some("2"));
    }

    #[test]
    fn hostile_link() {
        let (form, notes) = parse(
            "?model=%3Cscript%3Ealert(1)%3C/script%3E&input-tokens=abc&mode=warp&output-tokens=99999999999999999999999&date=2026-02-30&cache-ttl=3h&output-images=x@@&input-images=0x0&zzz=1",
            today(),
        );
        assert_eq!(form.model, Form::blank(today()).model);
        assert_eq!(form.input_tokens, "");
        assert_eq!(form.output_tokens, "");
        assert_eq!(form.mode, Mode::Standard);
        assert_eq!(form.date, "2026-11-23");
        assert!(form.output_images.is_empty());
        assert!(form.input_images.is_empty());
        assert_eq!(notes.len(), 9, "{notes:#?}");
        assert!(notes[0].contains("<script>"));
    }

    #[test]
    fn round_trip() {
        let mut form = Form::blank(today());
        form.model = "claude-sonnet-4-5".into();
        form.mode = Mode::Batch;
        form.input_tokens = "12,000".into();
        form.cached_tokens = "2000".into();
        form.cache_write_tokens = "5000".into();
        form.cache_ttl = CacheTtl::OneHour;
        form.output_tokens = "800".into();
        form.output_images.insert("1K".into(), "2".into());
        form.input_images.push(ImageRow {
            width: "1024".into(),
            height: "768".into(),
            detail: "low".into(),
        });
        form.requests_per_day = "250".into();
        form.max_tokens = "4096".into();
        let q = to_query(&form);
        assert_eq!(
            q,
            "?model=claude-sonnet-4-5&date=2026-11-23&mode=batch&input-tokens=12000&cached-tokens=2000&cache-write-tokens=5000&cache-ttl=1h&output-tokens=800&requests-per-day=250&max-tokens=4096&output-images=2@1K&input-images=1024x768:low"
        );
        let (back, notes) = parse(&q, today());
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(to_query(&back), q);
        assert_eq!(back.input_tokens, "12000");
    }
}
