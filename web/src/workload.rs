//! From a form to priced results: the [`Usage`] it describes, its estimate, the daily and
//! monthly totals, the `max_tokens` worst case, and every model's price for the comparison.
//!
//! All of it is pure and runs natively in unit tests; the components only render [`Derived`].

use std::rc::Rc;

use ratebook::map::Map;

use ratebook::{Date, Decimal, Estimate, EstimateOptions, ImageCount, InputImage, RateBook, Usage};

use crate::form::{CacheTtl, DAYS_PER_MONTH, Field, Form, parse_count};

/// A form that checks out: what to price, how, and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub model: String,
    pub options: EstimateOptions,
    pub usage: Usage,
    pub requests_per_day: u64,
    /// `None`: use the model's own output limit.
    pub max_tokens: Option<u64>,
}

/// Problems with the form, keyed by the element id of the field they belong to.
pub type FieldErrors = Map<String, String>;

/// The element id of input image `i`'s `part` (`width`, `height`, `detail`).
pub fn image_field_id(i: usize, part: &str) -> String {
    format!("input-image-{i}-{part}")
}

/// The element id of the count field for generated images at `resolution`.
pub fn output_image_field_id(resolution: &str) -> String {
    let safe: String = resolution
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("output-images-{safe}")
}

/// Checks every field and builds the workload, or says what is wrong with which field.
pub fn build(form: &Form) -> Result<Workload, FieldErrors> {
    let mut errors = FieldErrors::new();
    fn count(errors: &mut FieldErrors, id: String, text: &str) -> u64 {
        match parse_count(text) {
            Ok(n) => n,
            Err(e) => {
                errors.insert(id, e);
                0
            }
        }
    }
    let mut n = Map::new();
    for field in Field::ALL {
        n.insert(
            field,
            count(&mut errors, field.param().to_string(), form.get(field)),
        );
    }
    let mut output_images = Vec::new();
    for (res, text) in &form.output_images {
        let c = count(&mut errors, output_image_field_id(res), text);
        if c > 0 {
            output_images.push(ImageCount {
                resolution: res.clone(),
                count: c,
            });
        }
    }
    let mut input_images = Vec::new();
    for (i, row) in form.input_images.iter().enumerate() {
        if row.is_blank() {
            continue;
        }
        let w = count(&mut errors, image_field_id(i, "width"), &row.width);
        let h = count(&mut errors, image_field_id(i, "height"), &row.height);
        if w == 0 || h == 0 {
            let id = image_field_id(i, if w == 0 { "width" } else { "height" });
            if !errors.contains_key(&id) {
                errors.insert(id, "an image needs a width and a height".into());
            }
            continue;
        }
        match (u32::try_from(w), u32::try_from(h)) {
            (Ok(width), Ok(height)) => {
                let detail = Some(row.detail.trim().to_string()).filter(|d| !d.is_empty());
                input_images.push(InputImage {
                    width,
                    height,
                    detail,
                });
            }
            _ => {
                errors.insert(
                    image_field_id(i, "width"),
                    "that image is far too large".into(),
                );
            }
        }
    }
    let date = match form.date.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.insert("date".into(), "pick a date".into());
            None
        }
    };
    let get = |f: Field| n.get(&f).copied().unwrap_or(0);
    let writes = get(Field::CacheWriteTokens);
    let input = get(Field::InputTokens);
    let cached = get(Field::CachedTokens);
    if cached.saturating_add(writes) > input && !errors.contains_key(Field::InputTokens.param()) {
        errors.insert(
            Field::InputTokens.param().into(),
            "input tokens include the cached and cache-write tokens, so they cannot be fewer than those two together".into(),
        );
    }
    let Some(date) = date.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let usage = Usage {
        input_text: input,
        cached,
        cache_write_5m: if form.cache_ttl == CacheTtl::FiveMinutes {
            writes
        } else {
            0
        },
        cache_write_1h: if form.cache_ttl == CacheTtl::OneHour {
            writes
        } else {
            0
        },
        cache_storage_token_hours: get(Field::CacheStorage),
        output_text: get(Field::OutputTokens),
        output_images,
        input_images,
        ..Usage::default()
    };
    Ok(Workload {
        model: form.model.clone(),
        options: EstimateOptions {
            date,
            mode: form.mode,
            residency: false,
            allow_over_limits: false,
        },
        usage,
        requests_per_day: get(Field::RequestsPerDay),
        max_tokens: Some(get(Field::MaxTokens)).filter(|&m| m > 0),
    })
}

/// The worst case of one request: output runs to the `max_tokens` cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorstCase {
    pub max_tokens: u64,
    /// Whether the cap is the model's own limit (nothing typed).
    pub from_model: bool,
    pub estimate: Result<Estimate, String>,
}

/// One model's price for the workload, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRow {
    pub model: String,
    pub name: String,
    pub provider: String,
    pub total: Result<Decimal, String>,
    pub per_month: Option<Decimal>,
}

/// Everything the results and comparison render, computed once per change.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub workload: Result<Workload, FieldErrors>,
    pub estimate: Option<Result<Estimate, String>>,
    pub per_day: Option<Decimal>,
    pub per_month: Option<Decimal>,
    pub worst: Option<WorstCase>,
    /// Estimated tokens of each input image row (blank rows: `None`).
    pub image_tokens: Vec<Option<Result<u64, String>>>,
    pub compare: Vec<CompareRow>,
    /// Milliseconds the comparison took to compute (every model), for the benchmark.
    #[allow(
        clippy::disallowed_types,
        reason = "timing: the browser's clock in milliseconds, shown only through form::fixed"
    )]
    pub compare_ms: f64,
}

impl Derived {
    pub fn empty(form: &Form) -> Derived {
        Derived {
            workload: build(form),
            estimate: None,
            per_day: None,
            per_month: None,
            worst: None,
            image_tokens: Vec::new(),
            compare: Vec::new(),
            compare_ms: 0.0,
        }
    }
}

/// A [`Derived`] handed to the components that render it, compared by identity: every edit
/// computes a new one, so the same `Rc` means nothing to re-render. (Comparing by value would
/// put a deep comparison of estimates, and their clones, into the download for nothing.)
#[derive(Debug, Clone)]
pub struct Shared(pub Rc<Derived>);

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Shared {
    type Target = Derived;
    fn deref(&self) -> &Derived {
        &self.0
    }
}

/// `total × n`, exactly, or `None` past what a decimal holds.
pub fn times(total: Decimal, n: u64) -> Option<Decimal> {
    total.checked_mul(Decimal::from(n))
}

/// Prices the form's workload on its model and on every model of the book. `clock` reads
/// milliseconds (the browser's `performance.now()`), to time the comparison.
#[allow(
    clippy::disallowed_types,
    reason = "timing: the browser's clock in milliseconds, shown only through form::fixed"
)]
pub fn derive(form: &Form, book: &RateBook, clock: &dyn Fn() -> f64) -> Derived {
    let mut d = Derived::empty(form);
    let model = book.resolve(&form.model).ok();
    d.image_tokens = form
        .input_images
        .iter()
        .map(|row| {
            if row.is_blank() {
                return None;
            }
            let (w, h) = (
                parse_count(&row.width).ok()?,
                parse_count(&row.height).ok()?,
            );
            let (w, h) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
            let scheme = match model.and_then(|m| m.image_scheme.as_ref()) {
                Some((_, s)) => s,
                None => return Some(Err("this model has no image-input token formula".into())),
            };
            let detail = Some(row.detail.trim()).filter(|s| !s.is_empty());
            Some(scheme.tokens(w, h, detail).map_err(|e| e.message))
        })
        .collect();
    let Ok(w) = &d.workload else {
        return d;
    };
    let estimate = book
        .estimate(&w.model, &w.usage, w.options)
        .map_err(|e| e.to_string());
    if let Ok(e) = &estimate {
        d.per_day = times(e.total, w.requests_per_day);
        d.per_month = d.per_day.and_then(|t| times(t, DAYS_PER_MONTH));
    }
    d.estimate = Some(estimate);
    d.worst = worst_case(book, w);
    let start = clock();
    d.compare = compare(book, w);
    d.compare_ms = clock() - start;
    d
}

/// Prices the request as if output ran to the cap: the input as entered plus `max_tokens` of
/// text output (generated images as entered). A stream cut off early is billed for what was
/// generated, so this is what one request can cost at most.
pub fn worst_case(book: &RateBook, w: &Workload) -> Option<WorstCase> {
    let model = book.resolve(&w.model).ok()?;
    let (max_tokens, from_model) = match w.max_tokens {
        Some(m) => (m, false),
        None => (model.max_output_tokens?, true),
    };
    let mut usage = w.usage.clone();
    usage.output_text = max_tokens;
    let estimate = book
        .estimate(&w.model, &usage, w.options)
        .map_err(|e| e.to_string());
    Some(WorstCase {
        max_tokens,
        from_model,
        estimate,
    })
}

/// The workload priced on every model, in book order (the table sorts).
pub fn compare(book: &RateBook, w: &Workload) -> Vec<CompareRow> {
    book.models()
        .iter()
        .map(|m| {
            let total = ratebook::estimate::estimate_model(book, m, &w.usage, w.options)
                .map(|e| e.total)
                .map_err(|e| e.message);
            let per_month = total
                .as_ref()
                .ok()
                .and_then(|t| times(*t, w.requests_per_day))
                .and_then(|t| times(t, DAYS_PER_MONTH));
            CompareRow {
                model: m.id.clone(),
                name: m.name.clone(),
                provider: m.provider.clone(),
                total,
                per_month,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebook::{Mode, SourceFile};

    const BOOK: &str = r#"
[provider]
id = "google"
name = "Google"

[image_schemes.levels]
kind = "fixed_levels"
default = "high"
levels = { low = 280, high = 1120 }

[models."img"]
name = "Image model"
image_input = "levels"
max_output_tokens = 32768

[[models."img".prices]]
effective = "2026-02-26"
source = "https://example.com"
checked = "2026-11-20"
input = "0.50"
output = "3.00"
output_image = "60.00"
output_image_tokens = { "1K" = 1120 }
batch = { multiplier = "0.5", cache_read = false }

[models."text"]
name = "Text model"

[[models."text".prices]]
effective = "2025-01-01"
source = "https://example.com"
checked = "2026-11-20"
input = "1.00"
output = "2.00"
"#;

    fn book() -> RateBook {
        RateBook::from_sources(&[SourceFile::new("google.toml", BOOK)]).unwrap()
    }

    fn form() -> Form {
        let mut f = Form::blank("2026-11-23".parse().unwrap());
        f.model = "img".into();
        f.input_tokens = "1,000".into();
        f.output_images.insert("1K".into(), "1".into());
        f
    }

    #[test]
    fn prices_the_form() {
        let d = derive(&form(), &book(), &|| 0.0);
        let e = d.estimate.unwrap().unwrap();
        assert_eq!(e.total.to_string(), "0.0677");
        assert_eq!(d.per_day.unwrap().to_string(), "67.7000");
        assert_eq!(d.per_month.unwrap().to_string(), "2031.0000");
        let worst = d.worst.unwrap();
        assert_eq!(worst.max_tokens, 32768);
        assert!(worst.from_model);
        // 0.0677 + 32,768 × $3/M.
        assert_eq!(worst.estimate.unwrap().total.to_string(), "0.166004");
        assert_eq!(d.compare.len(), 2);
        assert_eq!(d.compare[0].total.as_ref().unwrap().to_string(), "0.0677");
        let why = d.compare[1].total.as_ref().unwrap_err();
        assert!(why.contains("no image resolution"), "{why}");
    }

    #[test]
    fn field_errors_name_the_field() {
        let mut f = form();
        f.input_tokens = "abc".into();
        f.cached_tokens = "10".into();
        f.input_images.push(crate::form::ImageRow {
            width: "100".into(),
            height: String::new(),
            detail: String::new(),
        });
        let errors = build(&f).unwrap_err();
        assert!(errors.contains_key("input-tokens"));
        assert!(errors.contains_key("input-image-0-height"));
        let d = derive(&f, &book(), &|| 0.0);
        assert!(d.estimate.is_none());
    }

    #[test]
    fn cached_cannot_exceed_input() {
        let mut f = form();
        f.cached_tokens = "800".into();
        f.cache_write_tokens = "300".into();
        assert!(build(&f).unwrap_err().contains_key("input-tokens"));
    }

    #[test]
    fn batch_and_image_tokens() {
        let mut f = form();
        f.mode = Mode::Batch;
        f.input_images.push(crate::form::ImageRow {
            width: "1024".into(),
            height: "768".into(),
            detail: "low".into(),
        });
        let d = derive(&f, &book(), &|| 0.0);
        assert_eq!(d.image_tokens, vec![Some(Ok(280))]);
        // (1,000 + 280) × $0.25/M + 1,120 × $30/M.
        assert_eq!(d.estimate.unwrap().unwrap().total.to_string(), "0.03392");
    }
}
