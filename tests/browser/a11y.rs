//! Accessibility of every view: axe-core (npm, a pinned version installed by the test itself
//! into the target directory) with no serious or critical violation, every control labelled,
//! keyboard-only use, and the layout at 375 px and 1280 px (screenshots in tests/artifacts/).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::harness::*;

/// The axe-core release the tests run.
const AXE_CORE: &str = "axe-core@4.10.3";

/// `axe.min.js`, installed with npm into `target/axe-core/` the first time.
fn axe_source() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/axe-core");
    let file = dir.join("node_modules/axe-core/axe.min.js");
    let version = AXE_CORE.rsplit('@').next().unwrap_or_default();
    let installed = std::fs::read_to_string(dir.join("node_modules/axe-core/package.json"))
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{version}\"")));
    if !installed {
        std::fs::create_dir_all(&dir).expect("create target/axe-core");
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(AXE_CORE)
            .status()
            .expect("run npm (Node.js is needed for the accessibility test)");
        assert!(status.success(), "npm install {AXE_CORE} failed");
    }
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Runs axe-core on the page as it is and returns its serious and critical violations.
async fn axe(page: &Page, source: &str) -> Vec<String> {
    page.js(source, vec![]).await;
    let v = page
        .js(
            "return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', ')));",
            vec![],
        )
        .await;
    v.as_array()
        .unwrap_or_else(|| panic!("axe.run returned {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect()
}

async fn unlabeled(page: &Page) -> Value {
    page.js(
        "return [...document.querySelectorAll('input, select, textarea')].filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.outerHTML);",
        vec![],
    )
    .await
}

async fn overflow(page: &Page) -> i64 {
    page.js(
        "return document.documentElement.scrollWidth - window.innerWidth;",
        vec![],
    )
    .await
    .as_i64()
    .unwrap_or(i64::MAX)
}

/// Every view, at a phone's width and a desktop's: axe-core finds nothing serious or
/// critical, every control has a label, nothing scrolls sideways; screenshots of each.
#[tokio::test]
async fn every_view_passes_axe_at_375_and_1280_px() {
    let source = axe_source();
    let log = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/usage/mixed.jsonl");
    for width in [375u32, 1280] {
        let (lock, page) = page(width, 1400).await;
        let mut found = Vec::new();
        // The calculator, with custom prices in effect.
        page.open(
            "?model=gpt-4o&date=2026-11-23&input-tokens=1000&output-tokens=100&discount=openai:20",
        )
        .await;
        page.total().await;
        page.sections().await;
        found.extend(
            axe(&page, &source)
                .await
                .into_iter()
                .map(|v| format!("calculator: {v}")),
        );
        assert_eq!(
            unlabeled(&page).await,
            json!([]),
            "calculator at {width} px"
        );
        assert!(
            overflow(&page).await <= 0,
            "calculator scrolls sideways at {width} px"
        );
        page.screenshot(&format!("calculator-discount-{width}.png"))
            .await;
        // The scenario planner.
        page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&pass-rate=0.5&max-retries=2&fallback-model=gemini-2.5-flash&days=30").await;
        page.attr("#scenario-result", "data-daily-usd").await;
        found.extend(
            axe(&page, &source)
                .await
                .into_iter()
                .map(|v| format!("scenario: {v}")),
        );
        assert_eq!(unlabeled(&page).await, json!([]), "scenario at {width} px");
        assert!(
            overflow(&page).await <= 0,
            "scenario scrolls sideways at {width} px"
        );
        page.screenshot(&format!("scenario-{width}.png")).await;
        // The log view, with a log priced.
        page.open_view("?view=log").await;
        let input = page
            .client
            .find(fantoccini::Locator::Id("log-file"))
            .await
            .expect("#log-file");
        input
            .send_keys(&log.display().to_string())
            .await
            .expect("choose");
        page.expect_attr("#log-status", "data-state", "done").await;
        found.extend(
            axe(&page, &source)
                .await
                .into_iter()
                .map(|v| format!("log: {v}")),
        );
        assert_eq!(unlabeled(&page).await, json!([]), "log at {width} px");
        assert!(
            overflow(&page).await <= 0,
            "log scrolls sideways at {width} px"
        );
        page.screenshot(&format!("log-{width}.png")).await;
        page.close().await;
        drop(lock);
        assert!(
            found.is_empty(),
            "axe-core at {width} px:\n{}",
            found.join("\n")
        );
    }
}

/// Presses Tab until `id` has the focus (at most 80 times) and returns how many presses it took.
async fn tab_to(page: &Page, id: &str) -> usize {
    for n in 1..=80 {
        page.client
            .active_element()
            .await
            .expect("focused element")
            .send_keys("\u{E004}")
            .await
            .expect("Tab");
        let focused = page
            .js("return document.activeElement?.id ?? '';", vec![])
            .await;
        if focused.as_str() == Some(id) {
            return n;
        }
    }
    panic!("#{id} is not reachable with Tab");
}

async fn type_keys(page: &Page, keys: &str) {
    page.client
        .active_element()
        .await
        .expect("focused element")
        .send_keys(keys)
        .await
        .expect("keys");
}

/// The calculator and the scenario planner are usable with the keyboard alone: Tab reaches
/// each control, typing and arrow keys re-price.
#[tokio::test]
async fn keyboard_only_use() {
    let book = native_book();
    let (_lock, page) = page(1280, 1200).await;
    page.open("?model=gpt-4o&date=2026-11-23&input-tokens=1000&output-tokens=100")
        .await;
    page.total().await;
    page.sections().await;
    tab_to(&page, "input-tokens").await;
    // Select all, delete, type.
    type_keys(&page, "\u{E009}a\u{E000}\u{E017}").await;
    type_keys(&page, "2000").await;
    page.expect_total(
        &native_total(
            &book,
            "gpt-4o",
            &usage(2000, 0, 0, 0, 100, &[]),
            "2026-11-23",
            ratebook::Mode::Standard,
        ),
        "typed with the keyboard",
    )
    .await;
    // Own prices: the link opens the calculator built with them; a discount applies on Enter.
    tab_to(&page, "own-prices-link").await;
    type_keys(&page, "\u{E007}").await;
    page.wait_for(
        "return document.getElementById('discount') && document.querySelector('.app')?.dataset.status === 'ready' ? true : null;",
        "the calculator with own prices",
    )
    .await;
    tab_to(&page, "discount").await;
    type_keys(&page, "openai:50\u{E007}").await;
    page.expect_attr("#total", "data-custom-prices", "true")
        .await;

    page.open_view("?view=scenario&model=gemini-3.1-flash-lite&date=2026-11-23&requests-per-day=1000&input-tokens=500&output-tokens=100&pass-rate=0.5&max-retries=2&fallback-model=gemini-2.5-flash&days=30").await;
    page.expect_attr("#scenario-result", "data-daily-usd", "0.53125")
        .await;
    tab_to(&page, "max-retries").await;
    // No retries: 1 × 0.000275 + 0.5 × 0.0004 = $0.000475 a task, $0.475 a day.
    type_keys(&page, "\u{E009}a\u{E000}\u{E017}").await;
    type_keys(&page, "0").await;
    page.expect_attr("#scenario-result", "data-daily-usd", "0.475")
        .await;
    tab_to(&page, "fallback-model").await;
    // The fallback list starts with "None": Home selects it — no escalation, 0.5 accepted.
    type_keys(&page, "\u{E011}").await;
    page.expect_attr("#scenario-result", "data-daily-usd", "0.275")
        .await;
    page.expect_attr("#scenario-result", "data-cost-per-accepted-usd", "0.00055")
        .await;
    page.close().await;
}
