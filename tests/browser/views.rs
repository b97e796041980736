//! The views of the second module: the scenario planner (`?view=scenario`) and pricing a log
//! (`?view=log`), checked against hand-computed numbers and the native core.

use serde_json::json;

use crate::harness::*;

/// Deep links into the scenario planner price what the rates say, by hand.
///
/// Rates (pricing/google.toml, entries in force on 2026-11-23):
/// - gemini-3.1-flash-lite: input $0.25/M, output $1.50/M, cache_read $0.025/M,
///   batch ×0.5 stacking with cache reads;
/// - gemini-2.5-flash: input $0.30/M, output $2.50/M.
#[tokio::test]
async fn scenario_deep_links_match_hand_computed_numbers() {
    let (_lock, page) = page(1280, 1200).await;

    // 500 in / 100 out on flash-lite: 500 × 0.25/M + 100 × 1.50/M = $0.000275 a call; on
    // 2.5-flash: 500 × 0.30/M + 100 × 2.50/M = $0.0004. Pass rate 0.5 with 2 retries: attempts
    // 1 + 0.5 + 0.25 = 1.75, all three fail with 0.125 and go to the fallback (which passes):
    // 1.75 × 0.000275 + 0.125 × 0.0004 = $0.00053125 a task, 1.875 attempts, every task
    // accepted; 1,000 a day → $0.53125, 30 days → $15.9375.
    page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&pass-rate=0.5&max-retries=2&fallback-model=gemini-2.5-flash&fallback-pass-rate=1&days=30").await;
    let r = "#scenario-result";
    page.expect_attr(r, "data-per-request-usd", "0.00053125")
        .await;
    page.expect_attr(r, "data-daily-usd", "0.53125").await;
    page.expect_attr(r, "data-monthly-usd", "15.9375").await;
    page.expect_attr(r, "data-cost-per-accepted-usd", "0.00053125")
        .await;
    page.expect_attr(r, "data-expected-attempts", "1.875").await;
    assert_eq!(page.value_of("pass-rate").await, "0.5");
    assert_eq!(page.value_of("fallback-model").await, "gemini-2.5-flash");
    let no_notice = "return document.getElementById('notices') === null;";
    assert_eq!(page.js(no_notice, vec![]).await, json!(true));

    // Parameters the planner does not read are named in a notice, not silently dropped: the
    // calculator's `mode` and a mistyped `batch_share` change nothing ($0.000275 × 1,000).
    page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&mode=warp&batch_share=1&days=30").await;
    page.expect_attr(r, "data-daily-usd", "0.275").await;
    assert_eq!(
        page.text_of("#notices .notice").await,
        "Ignored unknown link parameters: batch_share, mode."
    );

    // Pass rate 0.8, no retries, no fallback, 2,000 a day over 31 days: $0.000275 × 2,000 =
    // $0.55 a day, $17.05 a month; 1,600 accepted a day → $0.55 / 1,600 = $0.00034375 each.
    page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=2000&input-tokens=500&output-tokens=100&pass-rate=80%25&days=31").await;
    page.expect_attr(r, "data-daily-usd", "0.55").await;
    page.expect_attr(r, "data-monthly-usd", "17.05").await;
    page.expect_attr(r, "data-cost-per-accepted-usd", "0.00034375")
        .await;
    page.expect_attr(r, "data-expected-attempts", "1").await;

    // All batch, half the input cached: an uncached request is 500 × 0.125/M + 100 × 0.75/M =
    // $0.0001375, a cached one 500 × 0.0125/M + 100 × 0.75/M = $0.00008125; half each:
    // $0.000109375 a request, $0.109375 a day.
    page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&batch-share=1&cached-share=0.5&days=30").await;
    page.expect_attr(r, "data-per-request-usd", "0.000109375")
        .await;
    page.expect_attr(r, "data-daily-usd", "0.109375").await;
    page.expect_attr(r, "data-cost-per-accepted-usd", "0.000109375")
        .await;

    // Typing re-prices and rewrites the link with the CLI's flag names.
    page.type_into("requests-per-day", "4000").await;
    page.expect_attr(r, "data-daily-usd", "0.4375").await;
    let url = page.client.current_url().await.expect("url").to_string();
    for p in [
        "view=scenario",
        "requests-per-day=4000",
        "batch-share=1",
        "cached-share=0.5",
        "days=30",
    ] {
        assert!(url.contains(p), "{p} in {url}");
    }

    // A bad share is pointed at, not priced.
    page.type_into("pass-rate", "1.5").await;
    page.wait_for(
        "return document.getElementById('scenario-error') ? true : null;",
        "the scenario error",
    )
    .await;
    assert!(
        page.text_of("#pass-rate-note")
            .await
            .contains("between 0 and 1")
    );
    page.close().await;
}

/// Every model is ranked on cost per accepted result, as `ratebook scenario --compare all`
/// ranks them, and the ranking is recomputed within a frame.
#[tokio::test]
async fn scenario_ranks_every_model_like_the_core() {
    let book = native_book();
    let (_lock, page) = page(1280, 1200).await;
    page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&pass-rate=0.9&max-retries=1&fallback-model=gemini-2.5-flash&days=30").await;
    page.attr("#scenario-result", "data-daily-usd").await;
    let s = ratebook::scenario::Scenario {
        pass_rate: "0.9".parse().unwrap(),
        max_retries: 1,
        fallback: Some(ratebook::scenario::Fallback {
            model: "gemini-2.5-flash".into(),
            pass_rate: ratebook::Decimal::ONE,
        }),
        ..ratebook::scenario::Scenario::new(
            "gemini-3.1-flash-lite",
            1000,
            500,
            100,
            date("2026-11-23"),
        )
    };
    let models: Vec<String> = book.models().iter().map(|m| m.id.clone()).collect();
    let want = ratebook::scenario::compare(&book, &s, &models);
    let rows = page
        .js(
            "return [...document.querySelectorAll('#scenario-ranking tbody tr')].map(r => [r.dataset.model, r.dataset.costPerAcceptedUsd ?? null, r.dataset.dailyUsd]);",
            vec![],
        )
        .await;
    let want_rows: Vec<serde_json::Value> = want
        .ranked
        .iter()
        .map(|c| {
            json!([
                c.model,
                c.cost_per_accepted.map(|d| d.normalize().to_string()),
                c.daily.normalize().to_string()
            ])
        })
        .collect();
    assert_eq!(rows, json!(want_rows));
    assert!(want.ranked.len() > 20, "most models run the scenario");
    // Re-ranking every model after an edit stays inside one 16 ms frame (median of 9 edits).
    let mut ms = Vec::new();
    for i in 0..9 {
        page.type_into("input-tokens", &(600 + i).to_string()).await;
        page.wait_for(
            &format!("return document.querySelector('#scenario-result')?.dataset.perRequestUsd && document.getElementById('input-tokens').value === '{}' ? true : null;", 600 + i),
            "the edit",
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let v = page
            .js("return document.documentElement.dataset.rankingMs;", vec![])
            .await;
        ms.push(
            v.as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .expect("ranking-ms"),
        );
    }
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    std::fs::write(
        artifacts().join("scenario-ranking.txt"),
        format!(
            "ranking_models={}\nranking_ms_median={median:.2}\nranking_ms_all={ms:?}\n",
            want.ranked.len() + want.cannot_run.len()
        ),
    )
    .expect("write scenario-ranking.txt");
    assert!(
        median < 16.0,
        "ranking every model took {median} ms (median)"
    );
    page.screenshot("scenario.png").await;
    page.close().await;
}

/// The book with `overlays` applied, natively.
fn custom_book(book: &ratebook::RateBook, overlays: &[ratebook::Overlay]) -> ratebook::RateBook {
    book.with_overlays(overlays)
        .unwrap_or_else(|e| panic!("overlays apply natively: {e:?}"))
}

/// `discount=openai:20` in a link prices every OpenAI rate 20% lower, as the CLI's
/// `--discount openai:20` does, and the total and each line item say so.
#[tokio::test]
async fn a_discount_deep_link_prices_custom_rates() {
    let book = native_book();
    let (_lock, page) = page(1280, 1200).await;
    // gpt-4o (pricing/openai.toml, entry of 2024-08-06): input $2.50/M, output $10.00/M:
    // 1,000 × 2.50/M + 100 × 10.00/M = $0.0035 at list price; 20% off: $0.0028.
    page.open(
        "?model=gpt-4o&date=2026-11-23&input-tokens=1000&output-tokens=100&discount=openai:20",
    )
    .await;
    page.expect_total("0.0028", "gpt-4o with 20% off").await;
    let discounted = custom_book(
        &book,
        &[ratebook::Overlay::discount("openai:20", &book).expect("the CLI's discount")],
    );
    let u = usage(1000, 0, 0, 0, 100, &[]);
    assert_eq!(
        native_total(
            &discounted,
            "gpt-4o",
            &u,
            "2026-11-23",
            ratebook::Mode::Standard
        ),
        "0.0028"
    );
    page.expect_attr("#total", "data-custom-prices", "true")
        .await;
    assert!(page.text_of("#custom-prices").await.contains("openai:20"));
    let marked = page
        .js(
            "return [...document.querySelectorAll('#line-items tbody tr')].map(r => r.dataset.customPrice ?? null);",
            vec![],
        )
        .await;
    assert_eq!(
        marked,
        json!(["true", "true"]),
        "both line items are marked"
    );
    assert_eq!(page.value_of("discount").await, "openai:20");
    // The comparison prices with the discount too, and says so.
    page.sections().await;
    assert!(
        page.text_of("#compare-custom-prices")
            .await
            .contains("openai:20")
    );
    // A model the discount does not name is at list price, unmarked.
    page.select("model", "claude-sonnet-4-5").await;
    page.wait_for(
        "return document.getElementById('total')?.dataset.customPrices === undefined ? true : null;",
        "an unmarked total",
    )
    .await;
    // Typing a discount that names nothing is reported, not applied.
    page.type_into("discount", "nobody:20\u{E007}").await;
    page.wait_for(
        "return document.getElementById('custom-problems')?.innerText.includes('nobody') ? true : null;",
        "the bad discount reported",
    )
    .await;
    page.screenshot("discount.png").await;
    page.close().await;
}

/// An overlay file loaded through the file input prices with its rules, stays in the browser
/// across a reload, and a broken one is reported with its line and column and ignored.
#[tokio::test]
async fn an_overlay_file_applies_and_a_broken_one_is_reported() {
    let book = native_book();
    let acme_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/overlays/acme.toml");
    let acme = std::fs::read_to_string(&acme_path).expect("acme.toml");
    let overlay =
        ratebook::Overlay::parse(&ratebook::SourceFile::new("acme.toml", acme)).expect("parses");
    let custom = custom_book(&book, &[overlay]);
    let query = "?model=claude-sonnet-4-5&date=2026-11-23&input-tokens=20000&cache-write-tokens=10000&output-tokens=100";
    let u = usage(20_000, 0, 10_000, 0, 100, &[]);
    let list = native_total(
        &book,
        "claude-sonnet-4-5",
        &u,
        "2026-11-23",
        ratebook::Mode::Standard,
    );
    let want = native_total(
        &custom,
        "claude-sonnet-4-5",
        &u,
        "2026-11-23",
        ratebook::Mode::Standard,
    );
    assert_ne!(list, want, "the overlay changes this workload");

    let (_lock, page) = page(1280, 1200).await;
    // `own-prices=1`: the calculator built with own prices (the first download has none).
    page.open(&format!("{query}&own-prices=1")).await;
    page.expect_total(&list, "list price").await;
    let input = page
        .client
        .find(fantoccini::Locator::Id("overlay-file"))
        .await
        .expect("#overlay-file");
    input
        .send_keys(&acme_path.display().to_string())
        .await
        .expect("choose the overlay file");
    page.expect_total(&want, "with acme.toml").await;
    page.expect_attr("#total", "data-custom-prices", "true")
        .await;
    page.expect_attr(
        "#line-items tr[data-meter='cache_write_5m']",
        "data-custom-price",
        "true",
    )
    .await;
    // Kept in local storage: the plain link (no own-prices=1) prices with it again.
    page.open(query).await;
    page.expect_total(&want, "after a reload").await;
    page.screenshot("overlay.png").await;

    // A broken file: reported with its line and column, ignored (list price again).
    let dir = temp_dir("overlay");
    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "name = \"broken\"\n[[adjust]]\nprovider = \"anthropic\"\ndiscont = \"20%\"\n",
    )
    .expect("write broken overlay");
    let input = page
        .client
        .find(fantoccini::Locator::Id("overlay-file"))
        .await
        .expect("#overlay-file");
    input
        .send_keys(&broken.display().to_string())
        .await
        .expect("choose the broken file");
    let problems = page
        .wait_for(
            "return document.getElementById('custom-problems')?.innerText || null;",
            "the broken overlay reported",
        )
        .await;
    let problems = problems.as_str().unwrap_or_default().to_string();
    assert!(problems.contains("broken.toml:4:"), "{problems}");
    page.expect_total(&list, "the broken overlay is ignored")
        .await;
    page.client
        .find(fantoccini::Locator::Id("overlay-remove"))
        .await
        .expect("remove button")
        .click()
        .await
        .expect("remove the overlay");
    page.wait_for(
        "return document.getElementById('custom-problems') ? null : true;",
        "the problems gone with the file",
    )
    .await;
    page.close().await;
}

/// The log the log tests drop: responses of every provider, and lines `ratebook cost`
/// rejects (tests/data/usage/mixed.jsonl then bad_lines.jsonl).
fn test_log() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/usage");
    let mut text = std::fs::read_to_string(dir.join("mixed.jsonl")).expect("mixed.jsonl");
    text.push_str(&std::fs::read_to_string(dir.join("bad_lines.jsonl")).expect("bad_lines.jsonl"));
    text
}

/// What `ratebook cost` makes of `text` (its ledger, with the page's day grouping and
/// optional what-if): the summary and the rejected line numbers.
fn native_cost(
    book: &ratebook::RateBook,
    text: &str,
    what_if: Option<ratebook::ingest::WhatIf>,
) -> (ratebook::ingest::Summary, Vec<u64>) {
    let today = page_today();
    let mut ledger =
        ratebook::ingest::Ledger::new(book, today).group_by(ratebook::ingest::GroupBy::Day);
    if let Some(w) = what_if {
        ledger = ledger.what_if(w).expect("what-if applies");
    }
    let mut rejected = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if let ratebook::ingest::LineOutcome::Rejected(_) = ledger.add_line_at(line, n) {
            rejected.push(n);
        }
    }
    ledger.finish();
    (ledger.summary().expect("summary"), rejected)
}

/// Today as the page sees it (UTC here; the tests run in UTC).
fn page_today() -> ratebook::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    ratebook::Date::from_unix_days((secs / 86_400) as i64).expect("today")
}

async fn drop_file(page: &Page, path: &std::path::Path) {
    let input = page
        .client
        .find(fantoccini::Locator::Id("log-file"))
        .await
        .expect("#log-file");
    input
        .send_keys(&path.display().to_string())
        .await
        .expect("choose the log");
}

/// Waits for the log view to finish pricing and checks its total against `total`, as
/// `ratebook cost` gives it.
async fn expect_log_total(page: &Page, total: ratebook::Decimal) {
    page.expect_attr("#log-status", "data-state", "done").await;
    page.expect_attr(
        "#log-total",
        "data-total-usd",
        &total.normalize().to_string(),
    )
    .await;
}

/// The line numbers the log view lists as rejected, in its order.
async fn rejected_lines(page: &Page) -> serde_json::Value {
    page.js(
        "return [...document.querySelectorAll('#log-rejected li')].map(l => Number(l.dataset.line));",
        vec![],
    )
    .await
}

/// A log chosen through the file input is priced in the browser (in a worker) exactly as
/// `ratebook cost` prices it: the total, each model, each day and the rejected lines; then
/// re-priced as batch and on another model.
#[tokio::test]
async fn a_log_is_priced_in_the_browser_like_ratebook_cost() {
    let book = native_book();
    let text = test_log();
    let (want, rejected) = native_cost(&book, &text, None);
    assert!(want.records > 5 && !rejected.is_empty());
    let dir = temp_dir("log");
    let path = dir.join("responses.jsonl");
    std::fs::write(&path, &text).expect("write log");

    let (_lock, page) = page(1280, 1400).await;
    page.open_view("?view=log").await;
    drop_file(&page, &path).await;
    expect_log_total(&page, want.total).await;
    let models = page
        .js(
            "return [...document.querySelectorAll('#log-by-model tbody tr')].map(r => [r.dataset.model, r.dataset.totalUsd]);",
            vec![],
        )
        .await;
    let want_models: Vec<serde_json::Value> = want
        .by_model
        .iter()
        .map(|m| json!([m.model, m.total.normalize().to_string()]))
        .collect();
    assert_eq!(models, json!(want_models));
    let days = page
        .js(
            "return [...document.querySelectorAll('#log-by-day tbody tr')].map(r => [r.dataset.day, r.dataset.totalUsd]);",
            vec![],
        )
        .await;
    let want_days: Vec<serde_json::Value> = want
        .groups
        .iter()
        .map(|g| json!([g.key.join(" "), g.total.normalize().to_string()]))
        .collect();
    assert_eq!(days, json!(want_days));
    let lines = rejected_lines(&page).await;
    assert_eq!(lines, json!(rejected), "rejected lines, by number");
    page.screenshot("log.png").await;

    // Re-priced as batch, then on another model.
    page.select("log-what-if", "mode=batch").await;
    let (batch, _) = native_cost(
        &book,
        &text,
        Some(ratebook::ingest::WhatIf::Mode(ratebook::Mode::Batch)),
    );
    page.expect_attr(
        "#log-what-if-total[data-change='mode=batch']",
        "data-total-usd",
        &batch.what_if[0].total.normalize().to_string(),
    )
    .await;
    page.select("log-what-if", "model=gpt-4o-mini").await;
    let (other, _) = native_cost(
        &book,
        &text,
        Some(ratebook::ingest::WhatIf::Model("gpt-4o-mini".into())),
    );
    page.expect_attr(
        "#log-what-if-total[data-change='model=gpt-4o-mini']",
        "data-total-usd",
        &other.what_if[0].total.normalize().to_string(),
    )
    .await;
    page.close().await;
}

/// Dropping a file on the drop zone prices it like choosing it (the drop handler, not the file
/// input), and a second drop replaces the first one's results.
#[tokio::test]
async fn a_log_dropped_on_the_page_is_priced() {
    let book = native_book();
    let text = test_log();
    let (want, rejected) = native_cost(&book, &text, None);
    let (_lock, page) = page(1280, 1000).await;
    page.open_view("?view=log").await;
    // What a browser does when a file is dragged onto the zone and let go.
    let drop = "const dt = new DataTransfer(); \
        dt.items.add(new File([arguments[0]], arguments[1], {type: 'application/jsonl'})); \
        const zone = document.getElementById('log-drop'); \
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true})); \
        return zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));";
    // `dispatchEvent` is false when the handler called `preventDefault` (the browser would
    // otherwise open the file in the tab).
    assert_eq!(
        page.js(drop, vec![json!(text), json!("responses.jsonl")])
            .await,
        json!(false)
    );
    expect_log_total(&page, want.total).await;
    let lines = rejected_lines(&page).await;
    assert_eq!(lines, json!(rejected), "rejected lines, by number");

    // A second file, of which only line 2 prices: gpt-4o on 2026-01-01 (`created`) at $2.50/M
    // in, $10/M out (pricing/openai.toml), 1,000 in and 100 out = $0.0025 + $0.001 = $0.0035.
    let second = "not json\n{\"object\": \"chat.completion\", \"created\": 1767225600, \"model\": \"gpt-4o\", \"usage\": {\"prompt_tokens\": 1000, \"completion_tokens\": 100}}\n";
    assert_eq!(
        page.js(drop, vec![json!(second), json!("second.jsonl")])
            .await,
        json!(false)
    );
    page.expect_attr("#log-total", "data-total-usd", "0.0035")
        .await;
    let lines = rejected_lines(&page).await;
    assert_eq!(lines, json!([1]), "the second file's rejected line");
    page.close().await;
}

/// A 100 MB log prices without freezing the tab: the worker reads it in pieces while the page
/// keeps drawing frames. Measured (tests/artifacts/log-100mb.txt), with a loose bound.
#[tokio::test]
async fn a_100_mb_log_prices_without_freezing_the_page() {
    let book = native_book();
    let one = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/usage/mixed.jsonl"),
    )
    .expect("mixed.jsonl");
    let mut text = String::with_capacity(101 << 20);
    while text.len() < 100 << 20 {
        text.push_str(&one);
    }
    let dir = temp_dir("log-100mb");
    let path = dir.join("big.jsonl");
    std::fs::write(&path, &text).expect("write 100 MB log");
    let native_start = std::time::Instant::now();
    let (want, _) = native_cost(&book, &text, None);
    let native_ms = native_start.elapsed().as_millis();
    drop(text);

    let (_lock, page) = page(1280, 1000).await;
    page.open_view("?view=log").await;
    // The page's longest gap between animation frames while the log is priced.
    page.js(
        "window.__gaps = []; let last = performance.now(); const tick = (t) => { window.__gaps.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); }; requestAnimationFrame(tick); return true;",
        vec![],
    )
    .await;
    drop_file(&page, &path).await;
    page.wait_for(
        "return document.getElementById('log-status')?.dataset.state === 'pricing' ? true : null;",
        "the progress bar",
    )
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let state = page
            .js(
                "return document.getElementById('log-status')?.dataset.state ?? null;",
                vec![],
            )
            .await;
        if state.as_str() == Some("done") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the 100 MB log did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let stats = page
        .js(
            "window.__stop = true; const g = window.__gaps.slice(1); return [Math.max(...g), g.length, Number(document.documentElement.dataset.logMs)];",
            vec![],
        )
        .await;
    page.expect_attr(
        "#log-total",
        "data-total-usd",
        &want.total.normalize().to_string(),
    )
    .await;
    let max_gap = stats[0].as_f64().unwrap_or(f64::MAX);
    let frames = stats[1].as_u64().unwrap_or(0);
    let worker_ms = stats[2].as_f64().unwrap_or(0.0);
    let report = format!(
        "log_bytes={}\nlog_records={}\nworker_ms={worker_ms:.0}\nnative_ms={native_ms}\nframes_during={frames}\nmax_frame_gap_ms={max_gap:.1}\n",
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        want.records
    );
    std::fs::write(artifacts().join("log-100mb.txt"), &report).expect("write log-100mb.txt");
    eprintln!("{report}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        max_gap < 500.0,
        "the page froze for {max_gap} ms while the worker priced"
    );
    page.close().await;
}

/// The first total of a `discount=` link, which starts the calculator built with own prices
/// (tests/artifacts/bench-own-prices.txt; reported, never asserted: the bound is 500 ms).
#[tokio::test]
async fn bench_first_total_with_a_discount() {
    let (_lock, page) = page(1280, 1000).await;
    let mut firsts = Vec::new();
    for _ in 0..3 {
        page.open("?model=claude-sonnet-4-5&date=2026-11-23&input-tokens=10000&output-tokens=1000&discount=anthropic:10")
            .await;
        page.total().await;
        let first = page
            .wait_for(
                "return document.documentElement.dataset.firstTotalMs ?? null;",
                "the first-total mark",
            )
            .await;
        firsts.push(
            first
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .expect("first-total-ms"),
        );
        page.expect_attr("#total", "data-custom-prices", "true")
            .await;
    }
    let report = format!("own_prices_first_total_ms={firsts:?}\n");
    std::fs::write(artifacts().join("bench-own-prices.txt"), &report).expect("write");
    eprintln!("{report}");
    page.close().await;
}
