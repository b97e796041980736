//! `cargo xtask bench-web`: what the calculator costs a visitor — the gzipped download, the
//! time to the first computed total, and the time to re-price every model for the comparison.
//!
//! The page records its own timings (`performance.now()`) in data attributes; the browser test
//! `bench_page_timings` reads them in headless Chromium and writes `tests/artifacts/bench.txt`,
//! which this command prints. Timings are reported, never asserted.

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::build::{self, SIZE_BUDGET, kb};
use crate::{Result, cargo, dist_dir, root, run, step, tools};

/// Budget for re-pricing every model after an edit: one frame.
pub const COMPARE_BUDGET_MS: f64 = 16.0;

/// Timings read back from the browser test.
#[derive(Debug, Clone)]
pub struct Marks(BTreeMap<String, String>);

impl Marks {
    fn get(&self, k: &str) -> Option<f64> {
        self.0.get(k).and_then(|v| v.parse().ok())
    }

    pub fn describe(&self) -> String {
        let ms = |k: &str| {
            self.get(k)
                .map_or("?".to_string(), |v| format!("{v:.1} ms"))
        };
        let models = self
            .0
            .get("compare_models")
            .cloned()
            .unwrap_or_else(|| "?".into());
        let over = self
            .get("compare_ms_max")
            .is_some_and(|v| v > COMPARE_BUDGET_MS);
        format!(
            "first total {} after navigation start; comparison of {models} models re-priced in {} median, {} max (budget {COMPARE_BUDGET_MS} ms){}; a whole edit (re-price everything, re-render the page and paint it) {} median, {} max",
            ms("first_total_ms"),
            ms("compare_ms_median"),
            ms("compare_ms_max"),
            if over { " — OVER BUDGET" } else { "" },
            ms("update_ms_median"),
            ms("update_ms_max"),
        )
    }
}

fn marks_path() -> std::path::PathBuf {
    root().join("tests").join("artifacts").join("bench.txt")
}

/// The marks written by a browser test run since `since`, if any.
pub fn read_marks(since: SystemTime) -> Option<Marks> {
    let path = marks_path();
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let map = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Marks(map))
}

pub fn bench_web() -> Result {
    let started = SystemTime::now();
    let sizes = build::build()?;
    let browser = tools::find_browser()?;
    step("timing the page in headless Chromium");
    run(cargo()
        .args([
            "test",
            "-p",
            "ratebook-tests",
            "--features",
            "browser",
            "--test",
            "browser",
            "--",
            "bench_page_timings",
            "--nocapture",
        ])
        .env("RATEBOOK_DIST", dist_dir())
        .env("RATEBOOK_CHROME", &browser.chromium)
        .env("RATEBOOK_CHROMEDRIVER", &browser.chromedriver))?;
    step("bench-web");
    println!(
        "download: {} gzipped (wasm {} + js {}; raw {} + {}), budget {}",
        kb(sizes.gz_total()),
        kb(sizes.wasm_gz),
        kb(sizes.js_gz),
        kb(sizes.wasm),
        kb(sizes.js),
        kb(SIZE_BUDGET)
    );
    match read_marks(started) {
        Some(m) => println!("page: {}", m.describe()),
        None => return Err("the browser test wrote no timings (tests/artifacts/bench.txt)".into()),
    }
    Ok(())
}
