//! The calculator in a real browser: the built site (`$RATEBOOK_DIST`, made by
//! `cargo xtask build`) served from a loopback port, driven in headless Chromium through
//! chromedriver with fantoccini. Every test checks values against the native core loading the
//! same pricing files, so "the page shows a number" is never enough to pass.
//!
//! Run through `cargo xtask test` (it builds the site and sets `RATEBOOK_DIST`); the feature
//! `browser` switches this binary on. Chromium and chromedriver come from Debian packages;
//! `RATEBOOK_CHROME` / `RATEBOOK_CHROMEDRIVER` point elsewhere.
//!
//! Tests run one browser at a time (a shared lock): they are fast enough, and timings read for
//! the benchmark are not disturbed by a neighbour.

mod a11y;
mod harness;
mod views;

use fantoccini::Locator;
use harness::*;
use ratebook::{Date, EstimateOptions, ImageCount, Mode, RateBook, SourceFile, Usage};
use serde_json::{Value, json};

/// Deep links price exactly what the native core prices for the same inputs.
#[tokio::test]
async fn deep_links_match_the_core() {
    let book = native_book();
    let (_lock, page) = page(1280, 1000).await;
    let d = "2026-11-23";
    let cases: Vec<(&str, &str, Usage, Mode)> = vec![
        (
            "?model=gemini-3.1-flash-image&date=2026-11-23&input-tokens=1000&output-images=1@1K",
            "gemini-3.1-flash-image",
            usage(1000, 0, 0, 0, 0, &[("1K", 1)]),
            Mode::Standard,
        ),
        (
            "?model=gemini-3.1-flash-image&date=2026-11-23&mode=batch&input-tokens=1000&output-tokens=500&output-images=2@4K&output-images=1@1K",
            "gemini-3.1-flash-image",
            usage(1000, 0, 0, 0, 500, &[("1K", 1), ("4K", 2)]),
            Mode::Batch,
        ),
        (
            "?model=gpt-4o&date=2026-11-23&input-tokens=20000&cached-tokens=15000&output-tokens=800",
            "gpt-4o",
            usage(20_000, 15_000, 0, 0, 800, &[]),
            Mode::Standard,
        ),
        (
            "?model=claude-sonnet-4-5&date=2026-11-23&input-tokens=30000&cached-tokens=10000&cache-write-tokens=15000&cache-ttl=1h&output-tokens=2000",
            "claude-sonnet-4-5",
            usage(30_000, 10_000, 0, 15_000, 2000, &[]),
            Mode::Standard,
        ),
        (
            "?model=claude-sonnet-4-5&date=2026-11-23&mode=batch&input-tokens=8000&cache-write-tokens=6000&output-tokens=300",
            "claude-sonnet-4-5",
            usage(8000, 0, 6000, 0, 300, &[]),
            Mode::Batch,
        ),
        (
            "?model=gemini-2.5-pro&date=2026-11-23&input-tokens=250000&output-tokens=4000",
            "gemini-2.5-pro",
            usage(250_000, 0, 0, 0, 4000, &[]),
            Mode::Standard,
        ),
    ];
    for (query, model, u, mode) in cases {
        page.open(query).await;
        let expected = native_total(&book, model, &u, d, mode);
        page.expect_total(&expected, query).await;
        assert_eq!(page.value_of("model").await, model, "{query}");
        assert_eq!(page.value_of("mode").await, mode.as_str(), "{query}");
        assert_eq!(
            page.value_of("input-tokens").await,
            u.input_text.to_string(),
            "{query}"
        );
        // Per day is 1,000 requests unless the link says otherwise, exactly.
        let day = page
            .js(
                "return document.getElementById('total-day').dataset.totalUsd;",
                vec![],
            )
            .await;
        let expected_day = (expected.parse::<ratebook::Decimal>().unwrap()
            * ratebook::Decimal::from(1000))
        .to_string();
        assert_eq!(
            day.as_str(),
            Some(expected_day.as_str()),
            "{query}: per day"
        );
    }
    // The long-context tier is named on the page.
    assert!(
        page.text_of("#results-title + *")
            .await
            .contains("long-context"),
        "gemini-2.5-pro over 200k names its tier"
    );
    page.close().await;
}

/// Typing into the inputs re-prices, exactly; switching mode and images does too.
#[tokio::test]
async fn typing_updates_the_total() {
    let book = native_book();
    let (_lock, page) = page(1280, 1000).await;
    let d = "2026-11-23";
    page.open("?model=gpt-4o&date=2026-11-23&input-tokens=1000&output-tokens=100")
        .await;
    page.expect_total(
        &native_total(
            &book,
            "gpt-4o",
            &usage(1000, 0, 0, 0, 100, &[]),
            d,
            Mode::Standard,
        ),
        "start",
    )
    .await;

    page.type_into("input-tokens", "2,500").await;
    page.expect_total(
        &native_total(
            &book,
            "gpt-4o",
            &usage(2500, 0, 0, 0, 100, &[]),
            d,
            Mode::Standard,
        ),
        "typed 2,500",
    )
    .await;
    assert!(
        page.text_of("#input-tokens-note")
            .await
            .contains("2,500 tokens")
    );

    page.type_into("cached-tokens", "1000").await;
    page.type_into("output-tokens", "777").await;
    let u = usage(2500, 1000, 0, 0, 777, &[]);
    page.expect_total(
        &native_total(&book, "gpt-4o", &u, d, Mode::Standard),
        "cached and output",
    )
    .await;

    page.select("mode", "batch").await;
    page.expect_total(&native_total(&book, "gpt-4o", &u, d, Mode::Batch), "batch")
        .await;

    // A bad value is pointed at, not priced; fixing it prices again.
    page.type_into("output-tokens", "12x").await;
    page.wait_for(
        "return document.getElementById('form-errors') ? true : null;",
        "the form error",
    )
    .await;
    assert!(
        page.text_of("#output-tokens-note")
            .await
            .contains("not a whole number")
    );
    page.type_into("output-tokens", "777").await;
    page.expect_total(&native_total(&book, "gpt-4o", &u, d, Mode::Batch), "fixed")
        .await;

    // Switching to an image model shows its resolutions; typing a count prices images.
    page.select("model", "gemini-3.1-flash-image").await;
    page.wait_for(
        "return document.getElementById('output-images-1K') ? true : null;",
        "the 1K image field",
    )
    .await;
    page.type_into("output-images-1K", "3").await;
    let u = usage(2500, 1000, 0, 0, 777, &[("1K", 3)]);
    page.expect_total(
        &native_total(&book, "gemini-3.1-flash-image", &u, d, Mode::Batch),
        "3 images at 1K",
    )
    .await;
    page.close().await;
}

/// The URL is the state: set everything through the UI, reopen the URL, get it all back.
#[tokio::test]
async fn share_url_round_trip() {
    let book = native_book();
    let (_lock, page) = page(1280, 1000).await;
    page.open("").await;
    page.sections().await;
    page.total().await;
    page.sections().await;
    page.select("model", "claude-haiku-4-5").await;
    page.type_into("input-tokens", "40000").await;
    page.type_into("cached-tokens", "12000").await;
    page.type_into("cache-write-tokens", "9000").await;
    page.select("cache-ttl", "1h").await;
    page.type_into("output-tokens", "1500").await;
    page.type_into("requests-per-day", "250").await;
    page.select("mode", "batch").await;
    let today = page.value_of("date").await;
    let u = usage(40_000, 12_000, 0, 9000, 1500, &[]);
    let expected = native_total(&book, "claude-haiku-4-5", &u, &today, Mode::Batch);
    page.expect_total(&expected, "state set through the UI")
        .await;

    let url = page.client.current_url().await.expect("url").to_string();
    for param in [
        "model=claude-haiku-4-5",
        "mode=batch",
        "input-tokens=40000",
        "cached-tokens=12000",
        "cache-write-tokens=9000",
        "cache-ttl=1h",
        "output-tokens=1500",
        "requests-per-day=250",
    ] {
        assert!(url.contains(param), "{url} lacks {param}");
    }
    let ids = [
        "model",
        "date",
        "mode",
        "input-tokens",
        "cached-tokens",
        "cache-write-tokens",
        "cache-ttl",
        "output-tokens",
        "requests-per-day",
    ];
    let mut before = Vec::new();
    for id in ids {
        before.push(page.value_of(id).await);
    }
    let month = page
        .js(
            "return document.getElementById('total-month').dataset.totalUsd;",
            vec![],
        )
        .await;

    // A fresh load of the copied link.
    page.client.goto("about:blank").await.expect("blank");
    let query = url
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .expect("a query");
    page.open(&query).await;
    page.expect_total(&expected, "reopened link").await;
    for (id, value) in ids.iter().zip(&before) {
        assert_eq!(
            &page.value_of(id).await,
            value,
            "#{id} after reopening {url}"
        );
    }
    let month_again = page
        .js(
            "return document.getElementById('total-month').dataset.totalUsd;",
            vec![],
        )
        .await;
    assert_eq!(month, month_again);
    page.close().await;
}

/// A pricing file with an error is named with its line; the other providers still price.
#[tokio::test]
async fn broken_pricing_file_is_reported_and_others_still_price() {
    let book = native_book();
    let site = temp_dir("broken-site");
    copy_dir(&dist(), &site);
    let file = site.join("pricing").join("openai.toml");
    let text = std::fs::read_to_string(&file).expect("openai.toml in the site");
    let (index, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("input = \""))
        .expect("openai.toml has an input price");
    let broken: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == index {
                "input = 0.5".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, &broken).expect("write broken file");
    let line = index + 1;
    // The core itself must locate the error there; the page must say the same.
    let native = ratebook::load(&[SourceFile::new("openai.toml", broken.clone())]);
    let error = native
        .errors
        .first()
        .expect("a bare float is an error")
        .to_string();
    assert!(
        error.starts_with(&format!("openai.toml:{line}:")),
        "{error}"
    );

    let _lock = BROWSER.lock().await;
    let base = serve(&site);
    let page = Page::start(&base, 1280, 1000).await;
    page.open("?model=gemini-2.5-flash&date=2026-11-23&input-tokens=1000&output-tokens=100")
        .await;
    let alert = page.text_of("#load-errors").await;
    assert!(alert.contains("openai.toml"), "{alert}");
    assert!(alert.contains(&format!("line {line}")), "{alert}");
    assert!(
        alert.contains(&error),
        "the page shows the core's message {error:?}: {alert}"
    );
    let attr = page
        .js("return document.querySelector('.load-error[data-file=\"openai.toml\"]')?.dataset.line ?? null;", vec![])
        .await;
    assert_eq!(attr.as_str(), Some(line.to_string().as_str()));
    // Google still prices, exactly; OpenAI's models are gone from the picker.
    let expected = native_total(
        &book,
        "gemini-2.5-flash",
        &usage(1000, 0, 0, 0, 100, &[]),
        "2026-11-23",
        Mode::Standard,
    );
    page.expect_total(&expected, "a Google model with OpenAI's file broken")
        .await;
    let has_gpt = page
        .js(
            "return !!document.querySelector('#model option[value=\"gpt-4o\"]');",
            vec![],
        )
        .await;
    assert_eq!(has_gpt, Value::Bool(false));
    page.close().await;
    let _ = std::fs::remove_dir_all(&site);
}

/// A cloud deployment id in a link is priced with its premium and shown as written: the model
/// select offers it as its own option and the facts name the cloud.
#[tokio::test]
async fn a_cloud_deployment_id_is_priced_and_shown_as_written() {
    let book = native_book();
    let id = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let (_lock, page) = page(375, 1000).await;
    page.open(&format!(
        "?model={id}&date=2026-11-23&input-tokens=20000&output-tokens=800"
    ))
    .await;
    // Bedrock's geographic scope bills ×1.1: (20,000 × $3 + 800 × $15) / 1M × 1.1 = $0.0792.
    let want = native_total(
        &book,
        id,
        &usage(20_000, 0, 0, 0, 800, &[]),
        "2026-11-23",
        Mode::Standard,
    );
    assert_eq!(want.trim_end_matches('0'), "0.0792", "{want}");
    page.expect_total(&want, "the Bedrock id's total").await;
    page.sections().await;
    assert_eq!(page.value_of("model").await, id);
    let facts = page.text_of("#model-facts").await;
    assert!(facts.contains("Amazon Bedrock"), "{facts}");
    assert!(facts.contains("claude-sonnet-4-5"), "{facts}");
    page.close().await;
}

/// A hostile link: messages, defaults for the bad parts, no markup injected, still prices.
#[tokio::test]
async fn garbage_url_falls_back_safely() {
    let book = native_book();
    let (_lock, page) = page(1280, 1000).await;
    page.open("?model=%3Cscript%3Ealert(1)%3C/script%3E&input-tokens=abc&mode=warp&output-tokens=99999999999999999999999&date=2026-02-31&output-images=%3Cimg%20src=x%20onerror=alert(2)%3E").await;
    let notices = page.text_of("#notices").await;
    assert!(
        notices.contains("<script>alert(1)</script>"),
        "the bad model is quoted as text: {notices}"
    );
    assert!(notices.contains("input-tokens"), "{notices}");
    assert!(notices.contains("warp"), "{notices}");
    assert!(notices.contains("output-tokens"), "{notices}");
    assert!(notices.contains("2026-02-31"), "{notices}");
    // Nothing was injected: index.html's one module script, no <img>, no alert.
    let scripts = page.js("return document.scripts.length;", vec![]).await;
    assert_eq!(scripts, json!(1));
    let imgs = page
        .js("return document.querySelectorAll('img').length;", vec![])
        .await;
    assert_eq!(imgs, json!(0));
    assert!(
        page.client.get_alert_text().await.is_err(),
        "an alert is open"
    );
    // Defaults for the bad parts.
    let default_model = DEFAULT_MODELS
        .iter()
        .find(|m| book.get(m).is_some())
        .expect("a default model");
    assert_eq!(page.value_of("model").await, *default_model);
    assert_eq!(page.value_of("mode").await, "standard");
    assert_eq!(page.value_of("input-tokens").await, "");
    let today = page.value_of("date").await;
    assert!(today.parse::<Date>().is_ok(), "{today}");
    let expected = native_total(
        &book,
        default_model,
        &Usage::default(),
        &today,
        Mode::Standard,
    );
    page.expect_total(&expected, "defaults").await;
    // The address bar no longer carries the payload.
    let url = page.client.current_url().await.expect("url").to_string();
    assert!(!url.contains("script") && !url.contains("abc"), "{url}");
    // And it still prices what is typed next.
    page.type_into("input-tokens", "1000").await;
    let expected = native_total(
        &book,
        default_model,
        &usage(1000, 0, 0, 0, 0, &[]),
        &today,
        Mode::Standard,
    );
    page.expect_total(&expected, "typed after a bad link").await;
    page.close().await;
}

/// Deterministic generator of workloads: every model × dates × modes, with token counts
/// around the tiers, cache reads and writes, and images (including resolutions a model lacks).
fn parity_lines(book: &RateBook) -> Vec<(String, String)> {
    let mut seed: u64 = 0x5eed_1234_abcd_0042;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n.max(1)
    };
    let dates = [
        "2024-05-13",
        "2025-06-17",
        "2025-12-01",
        "2026-03-13",
        "2026-11-23",
    ];
    let inputs = [
        0u64, 1, 999, 1000, 12_345, 128_000, 200_000, 200_001, 272_001, 1_000_000,
    ];
    let mut out = Vec::new();
    for model in book.models() {
        for day in dates {
            let entry = model.price_at(date(day)).ok();
            let offered = entry
                .map(|e| e.offered_modes())
                .unwrap_or_else(|| vec![Mode::Standard]);
            let writes_priced = entry.is_some_and(|e| {
                e.rates.get(ratebook::Meter::CacheWrite5m).is_some()
                    && e.rates.get(ratebook::Meter::CacheWrite1h).is_some()
            });
            for variant in 0..4u64 {
                // Mostly modes the model offers; sometimes any mode, to compare the errors too.
                let mode = match variant {
                    0 => Mode::Standard,
                    3 => Mode::ALL[next(4) as usize],
                    _ => offered[next(offered.len() as u64) as usize],
                };
                // Mostly within the model's context window and output cap (over them is an
                // error unless allowed); one in ten anything, to compare those errors too.
                let any = next(10) == 0;
                let window = model.context_window.filter(|_| !any).unwrap_or(u64::MAX);
                let cap = model.max_output_tokens.filter(|_| !any).unwrap_or(u64::MAX);
                let fits: Vec<u64> = inputs.iter().copied().filter(|&i| i <= window).collect();
                let input = fits[next(fits.len() as u64) as usize];
                let mut cached = if next(3) == 0 { 0 } else { next(input + 1) };
                let room = input - cached;
                let (mut w5m, mut w1h) = (0, 0);
                if writes_priced || next(8) == 0 {
                    match next(3) {
                        0 => w5m = next(room + 1),
                        1 => w1h = next(room + 1),
                        _ => {}
                    }
                }
                if next(25) == 0 {
                    cached = input + 1; // more cached than input: an error both sides must agree on
                }
                let outputs: Vec<u64> = [0, 1, 250, 4096, 65_536]
                    .into_iter()
                    .filter(|&o| o <= cap)
                    .collect();
                let output = outputs[next(outputs.len() as u64) as usize];
                let resolutions: Vec<String> = entry
                    .map(|e| e.output_image_tokens.keys().cloned().collect())
                    .unwrap_or_default();
                let images = match next(8) {
                    0 => "1@8K".to_string(),
                    1..=4 if !resolutions.is_empty() => {
                        format!(
                            "{}@{}",
                            1 + next(3),
                            resolutions[next(resolutions.len() as u64) as usize]
                        )
                    }
                    _ => String::new(),
                };
                let line = format!(
                    "{}\t{day}\t{mode}\t{input}\t{cached}\t{w5m}\t{w1h}\t{output}\t{images}",
                    model.id
                );
                let u = Usage {
                    input_text: input,
                    cached,
                    cache_write_5m: w5m,
                    cache_write_1h: w1h,
                    output_text: output,
                    output_images: images
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(|s| ImageCount::parse(s).expect("generated image spec"))
                        .collect(),
                    ..Usage::default()
                };
                let options = EstimateOptions {
                    date: date(day),
                    mode,
                    residency: false,
                    allow_over_limits: false,
                };
                let expected = match book.estimate(&model.id, &u, options) {
                    Ok(e) => e.total.to_string(),
                    Err(e) => format!("error: {e}"),
                };
                out.push((line, expected));
            }
        }
    }
    out
}

/// The WASM build and the native build give the same exact answer (and the same errors).
#[tokio::test]
async fn native_and_wasm_agree() {
    let book = native_book();
    let cases = parity_lines(&book);
    assert!(
        cases.len() >= 300,
        "only {} generated workloads",
        cases.len()
    );
    let priced = cases
        .iter()
        .filter(|(_, e)| !e.starts_with("error"))
        .count();
    assert!(
        priced * 3 >= cases.len(),
        "too few priced workloads ({priced} of {})",
        cases.len()
    );
    let input: String = cases.iter().map(|(l, _)| format!("{l}\n")).collect();
    let (_lock, page) = page(1280, 1000).await;
    page.open("").await;
    page.sections().await;
    let check = |answer: Value, how: &str| {
        let text = answer
            .as_str()
            .unwrap_or_else(|| panic!("{how} returned {answer}"))
            .to_string();
        let got: Vec<&str> = text.lines().collect();
        assert_eq!(got.len(), cases.len(), "{how}: one answer per line");
        let mismatches: Vec<String> = cases
            .iter()
            .zip(&got)
            .filter(|((_, want), got)| want != *got)
            .take(10)
            .map(|((line, want), got)| format!("{line}\n  native: {want}\n  wasm:   {got}"))
            .collect();
        assert!(
            mismatches.is_empty(),
            "{how}: native and WASM differ:\n{}",
            mismatches.join("\n")
        );
    };
    let answer = page
        .js(
            "return window.ratebookEstimateLines(arguments[0]);",
            vec![json!(input)],
        )
        .await;
    check(answer, "estimate_lines (the page's book)");
    eprintln!(
        "{} workloads ({priced} priced, {} errors) agree",
        cases.len(),
        cases.len() - priced
    );
    page.close().await;
}

/// The comparison prices every model, says why where it can't, sorts and filters.
#[tokio::test]
async fn compare_table_prices_every_model() {
    let book = native_book();
    let (_lock, page) = page(1280, 1000).await;
    let u = usage(1000, 0, 0, 0, 200, &[("1K", 1)]);
    page.open("?model=gemini-3.1-flash-image&date=2026-11-23&input-tokens=1000&output-tokens=200&output-images=1@1K").await;
    page.total().await;
    page.sections().await;
    let rows = page
        .js(
            "return document.querySelectorAll('#compare-table tbody tr[data-model]').length;",
            vec![],
        )
        .await;
    assert_eq!(rows, json!(book.models().len()));
    for m in book.models() {
        let options = EstimateOptions::at(date("2026-11-23"));
        let cell = page
            .js(
                "const r = document.querySelector(`#compare-table tr[data-model=\"${arguments[0]}\"]`); return r ? [r.querySelector('[data-total-usd]')?.dataset.totalUsd ?? null, r.querySelector('.why')?.innerText ?? null] : null;",
                vec![json!(m.id)],
            )
            .await;
        match book.estimate(&m.id, &u, options) {
            Ok(e) => assert_eq!(
                cell[0].as_str(),
                Some(e.total.to_string().as_str()),
                "{}",
                m.id
            ),
            Err(e) => assert_eq!(
                cell[1].as_str(),
                Some(e.message.as_str()),
                "{} shows why",
                m.id
            ),
        }
    }
    // Sorted by price, cheapest first, unpriced last; clicking the header reverses.
    let totals = "return [...document.querySelectorAll('#compare-table tbody tr')].map(r => r.querySelector('[data-total-usd]')?.dataset.totalUsd ?? null);";
    let ascending = page.js(totals, vec![]).await;
    let values: Vec<Option<f64>> = ascending
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().and_then(|s| s.parse().ok()))
        .collect();
    let priced: Vec<f64> = values.iter().map_while(|v| *v).collect();
    assert!(
        priced.windows(2).all(|w| w[0] <= w[1]),
        "ascending: {values:?}"
    );
    assert!(
        values[priced.len()..].iter().all(Option::is_none),
        "unpriced rows last: {values:?}"
    );
    page.client
        .find(Locator::Css("#compare-table th.num button"))
        .await
        .expect("sort button")
        .click()
        .await
        .expect("click");
    page.wait_for(
        "return document.querySelector('#compare-table th[aria-sort=descending]') ? true : null;",
        "descending sort",
    )
    .await;
    let descending = page.js(totals, vec![]).await;
    let values: Vec<Option<f64>> = descending
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().and_then(|s| s.parse().ok()))
        .collect();
    let priced: Vec<f64> = values.iter().map_while(|v| *v).collect();
    assert!(
        priced.windows(2).all(|w| w[0] >= w[1]),
        "descending: {values:?}"
    );
    // Filtering narrows to matching models.
    page.type_into("compare-filter", "claude").await;
    let claude = book
        .models()
        .iter()
        .filter(|m| m.provider == "anthropic" || m.id.contains("claude"))
        .count();
    page.wait_for(
        &format!("return document.querySelectorAll('#compare-table tbody tr[data-model]').length === {claude} ? true : null;"),
        "the filter to apply",
    )
    .await;
    let ids = page.js("return [...document.querySelectorAll('#compare-table tbody tr[data-model]')].map(r => r.dataset.model);", vec![]).await;
    assert!(
        ids.as_array()
            .expect("array")
            .iter()
            .all(|v| v.as_str().is_some_and(|s| s.contains("claude"))),
        "{ids}"
    );
    page.close().await;
}

/// Price history between two dates matches `ratebook::diff::diff_dates`.
#[tokio::test]
async fn price_history_matches_the_core() {
    let book = native_book();
    let changed = book
        .models()
        .iter()
        .find(|m| m.prices.len() > 1)
        .expect("the book has at least one model whose price changed");
    let to = changed.prices[1].effective;
    let from = to.previous_day().expect("a day before");
    let changes = ratebook::diff::diff_dates(&book, from, to);
    assert!(!changes.is_empty());
    let (_lock, page) = page(1280, 1000).await;
    page.open("").await;
    page.sections().await;
    let set = "const el = document.getElementById(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change', {bubbles: true})); return true;";
    page.js(set, vec![json!("history-from"), json!(from.to_string())])
        .await;
    page.js(set, vec![json!("history-to"), json!(to.to_string())])
        .await;
    let rows = page
        .wait_for(
            &format!("const rows = document.querySelectorAll('#history-table tbody tr'); return rows.length === {} ? rows.length : null;", changes.len()),
            "the history table",
        )
        .await;
    assert_eq!(rows, json!(changes.len()));
    let fields = page.js("return [...document.querySelectorAll('#history-table tbody tr code')].map(c => c.innerText);", vec![]).await;
    let want: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, json!(want));
    page.close().await;
}

/// Every control has a label, and the page fits a 375 px phone without sideways scrolling.
#[tokio::test]
async fn accessible_and_fits_a_phone() {
    let (_lock, page) = page(375, 1400).await;
    page.open("?model=gemini-3.1-flash-image&date=2026-11-23&input-tokens=1200&output-tokens=300&output-images=1@1K&input-images=1024x768").await;
    page.total().await;
    page.sections().await;
    let unlabeled = page
        .js("return [...document.querySelectorAll('input, select')].filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.outerHTML);", vec![])
        .await;
    assert_eq!(unlabeled, json!([]), "every input and select has a <label>");
    let width = page.js("return window.innerWidth;", vec![]).await;
    assert_eq!(width, json!(375), "the viewport is a phone's");
    let overflow = page
        .js(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await;
    assert!(
        overflow.as_i64().is_some_and(|o| o <= 0),
        "horizontal overflow of {overflow} px at 375 px"
    );
    // The image row shows its estimated tokens.
    assert!(page.text_of(".image-tokens").await.contains("tokens"));
    page.screenshot("calculator-375.png").await;
    page.js(
        "document.getElementById('results-title').scrollIntoView(); return true;",
        vec![],
    )
    .await;
    page.screenshot("calculator-375-results.png").await;
    page.close().await;
}

/// Screenshots for people to look at (tests/artifacts/, gitignored).
#[tokio::test]
async fn screenshots() {
    let (_lock, page) = page(1280, 1700).await;
    page.open("?model=gemini-3.1-flash-image&date=2026-11-23&input-tokens=1200&output-tokens=300&output-images=1@1K,1@4K&input-images=1024x768").await;
    page.total().await;
    page.sections().await;
    let path = page.screenshot("calculator.png").await;
    assert!(std::fs::metadata(&path).expect("screenshot written").len() > 10_000);
    page.open("?model=claude-sonnet-4-5&date=2026-11-23&input-tokens=30000&cached-tokens=10000&cache-write-tokens=15000&cache-ttl=1h&output-tokens=2000").await;
    page.total().await;
    page.sections().await;
    page.screenshot("calculator-claude.png").await;
    page.js(
        "document.getElementById('compare').scrollIntoView(); return true;",
        vec![],
    )
    .await;
    page.screenshot("compare.png").await;
    page.close().await;
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The page's own timing marks, for `cargo xtask bench-web` (reported, never asserted).
#[tokio::test]
async fn bench_page_timings() {
    let (_lock, page) = page(1280, 1000).await;
    page.open("?model=claude-sonnet-4-5&date=2026-11-23&input-tokens=10000&output-tokens=1000")
        .await;
    page.total().await;
    page.sections().await;
    let first = page
        .wait_for(
            "return document.documentElement.dataset.firstTotalMs ?? null;",
            "the first-total mark",
        )
        .await;
    let first: f64 = first
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("first-total-ms is a number");
    // Where the first total's time went: the module started, the index and the files
    // arrived, the book loaded.
    let stages = page
        .js(
            "const d = document.documentElement.dataset; return [d.startMs, d.indexMs, d.fetchedMs, d.previewMs ?? '-', d.loadedMs].join(' ');",
            vec![],
        )
        .await;
    let stages = stages.as_str().unwrap_or_default().to_string();
    let models = page
        .js(
            "return document.querySelectorAll('#compare-table tbody tr').length;",
            vec![],
        )
        .await;
    let mut samples = Vec::new();
    let mut updates = Vec::new();
    for i in 0..15u64 {
        let tokens = 10_000 + i * 1_111;
        page.type_into("input-tokens", &tokens.to_string()).await;
        page.wait_for(
            &format!("return document.getElementById('input-tokens-note')?.innerText.includes('{}') ? true : null;", ratebook::format_count(tokens)),
            "the edit to render",
        )
        .await;
        // The update's mark is set once the browser has painted it.
        page.wait_for(
            &format!(
                "return document.documentElement.dataset.updateFor === '{tokens}' ? true : null;"
            ),
            "the edit to be painted",
        )
        .await;
        let ms = page
            .js(
                "return [document.getElementById('compare-table').dataset.computeMs, document.documentElement.dataset.updateMs];",
                vec![],
            )
            .await;
        let number = |v: &Value| v.as_str().and_then(|s| s.parse::<f64>().ok());
        samples.push(number(&ms[0]).expect("compute-ms is a number"));
        updates.push(number(&ms[1]).expect("update-ms is a number"));
    }
    let max = samples.iter().copied().fold(0.0, f64::max);
    let med = median(&mut samples);
    let update_max = updates.iter().copied().fold(0.0, f64::max);
    let update_med = median(&mut updates);
    let report = format!(
        "first_total_ms={first:.1}\nstages_ms(start index fetched preview loaded)={stages}\ncompare_ms_median={med:.3}\ncompare_ms_max={max:.3}\nupdate_ms_median={update_med:.2}\nupdate_ms_max={update_max:.2}\ncompare_models={models}\ncompare_samples={}\n",
        samples.len()
    );
    std::fs::write(artifacts().join("bench.txt"), &report).expect("write bench.txt");
    eprintln!("{report}");
    page.close().await;
}
