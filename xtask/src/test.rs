//! `cargo xtask test`: the project's single test command.
//!
//! 1. tools (wasm32 target, pinned wasm-bindgen, wasm-opt; Chromium and chromedriver present)
//! 2. `cargo fmt --all -- --check`
//! 3. `cargo clippy --workspace --all-targets` (browser tests included) with `-D warnings`, and
//!    the calculator with feature `own-prices`; the core's docs with `RUSTDOCFLAGS=-D warnings`
//!    (all features, and none)
//! 4. the core built for wasm32 without default features (it must stay I/O-free)
//! 5. the site (`cargo xtask build`)
//! 6. `cargo test --workspace --features ratebook-tests/browser` with `RATEBOOK_DIST` set, then
//!    the calculator's unit tests with feature `own-prices`
//! 7. the Python package: the wheel built once, installed in a fresh virtual environment,
//!    pytest (PySpark in local mode included; see [`python::test`])
//! 8. the npm package: `node --test`, a fresh Node project with the tarball, `tsc --strict` on
//!    its types, estimates/s (see [`npm::test`])
//! 9. every fuzz target for [`fuzz::CI_SECONDS`] (nightly, cargo-fuzz installed if missing)
//!
//! Every step runs even when an earlier one failed (except the tests, which need the site),
//! so one run shows every problem; the summary lists each step and the exit code is non-zero
//! if any failed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::bench;
use crate::build::{self, SIZE_BUDGET, kb};
use crate::fuzz;
use crate::krate;
use crate::npm;
use crate::python;
use crate::tools::{self, WASM_TARGET};
use crate::{Result, cargo, describe, dist_dir, run, step};

/// Counts from cargo test's `test result:` lines.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

/// Adds the counts of one `test result: ok. 3 passed; 0 failed; 0 ignored; …` line.
pub fn count_line(line: &str, c: &mut Counts) {
    let Some(rest) = line.trim().strip_prefix("test result:") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let n = |w: &[&str]| w.iter().find_map(|x| x.parse::<u64>().ok()).unwrap_or(0);
        if part.contains(" passed") {
            c.passed += n(&words);
        } else if part.contains(" failed") {
            c.failed += n(&words);
        } else if part.contains(" ignored") {
            c.ignored += n(&words);
        }
    }
}

/// Runs `cmd` streaming its output and counting test results from its stdout.
pub fn run_counting(cmd: &mut Command) -> (Result, Counts) {
    eprintln!("  $ {}", describe(cmd));
    let mut counts = Counts::default();
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            return (
                Err(format!("could not start `{}`: {e}", describe(cmd))),
                counts,
            );
        }
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            count_line(&line, &mut counts);
        }
    }
    let result = match child.wait() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("`{}` failed ({s})", describe(cmd))),
        Err(e) => Err(e.to_string()),
    };
    (result, counts)
}

struct Step {
    name: &'static str,
    result: Result,
    took: Duration,
}

fn timed(steps: &mut Vec<Step>, name: &'static str, f: impl FnOnce() -> Result) -> bool {
    step(name);
    let start = Instant::now();
    let result = f();
    if let Err(e) = &result {
        eprintln!("  FAILED: {e}");
    }
    let ok = result.is_ok();
    steps.push(Step {
        name,
        result,
        took: start.elapsed(),
    });
    ok
}

pub fn test() -> Result {
    let start = Instant::now();
    let started_at = SystemTime::now();
    let mut steps: Vec<Step> = Vec::new();
    let mut counts = Counts::default();
    let mut browser_env = None;

    let tools_ok = timed(&mut steps, "tools", || {
        tools::ensure_build_tools()?;
        let b = tools::find_browser()?;
        eprintln!(
            "  chromium: {}\n  chromedriver: {}",
            b.chromium.display(),
            b.chromedriver.display()
        );
        browser_env = Some(b);
        Ok(())
    });
    timed(&mut steps, "cargo fmt --check", || {
        run(cargo().args(["fmt", "--all", "--", "--check"]))?;
        // The fuzz crate is a workspace of its own.
        run(cargo().args(["fmt", "--manifest-path", "fuzz/Cargo.toml", "--", "--check"]))
    });
    timed(&mut steps, "cargo clippy -D warnings", || {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "ratebook-tests/browser",
            "--",
            "-D",
            "warnings",
        ]))?;
        // The calculator built with own prices (the second build of `web/`).
        run(cargo().args([
            "clippy",
            "-p",
            "ratebook-web",
            "--features",
            "own-prices",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    // The core's API documentation as docs.rs builds it (all features) and as the page uses the
    // crate (none): every public item documented, no broken link.
    timed(&mut steps, "cargo doc -D warnings (the core)", || {
        for features in ["--all-features", "--no-default-features"] {
            run(cargo()
                .args(["doc", "-p", "ratebook", "--no-deps", features])
                .env("RUSTDOCFLAGS", "-D warnings"))?;
        }
        Ok(())
    });
    // Both as dependents get it (default features) and as the page uses it (none).
    timed(&mut steps, "core builds for wasm32", || {
        run(cargo().args(["build", "-p", "ratebook", "--target", WASM_TARGET]))?;
        run(cargo().args([
            "build",
            "-p",
            "ratebook",
            "--target",
            WASM_TARGET,
            "--no-default-features",
        ]))
    });
    let mut sizes = None;
    let site_ok = tools_ok
        && timed(&mut steps, "site (cargo xtask build)", || {
            sizes = Some(build::build()?);
            Ok(())
        });
    if site_ok {
        let dist = dist_dir();
        timed(
            &mut steps,
            "cargo test --workspace (with browser tests)",
            || {
                let mut cmd = cargo();
                cmd.args([
                    "test",
                    "--workspace",
                    "--features",
                    "ratebook-tests/browser",
                ])
                .env("RATEBOOK_DIST", &dist);
                if let Some(b) = &browser_env {
                    cmd.env("RATEBOOK_CHROME", &b.chromium)
                        .env("RATEBOOK_CHROMEDRIVER", &b.chromedriver);
                }
                let (result, c) = run_counting(&mut cmd);
                counts = c;
                // The calculator's unit tests with own prices (feature `own-prices`).
                let (own, c) = run_counting(cargo().args([
                    "test",
                    "-p",
                    "ratebook-web",
                    "--features",
                    "own-prices",
                ]));
                counts.passed += c.passed;
                counts.failed += c.failed;
                counts.ignored += c.ignored;
                result.and(own)
            },
        );
    } else {
        steps.push(Step {
            name: "cargo test --workspace (with browser tests)",
            result: Err("skipped: the site or the tools are missing".into()),
            took: Duration::ZERO,
        });
    }

    timed(
        &mut steps,
        "Rust crate (cargo package, a new project depending on it)",
        krate::test,
    );
    timed(
        &mut steps,
        "Python package (wheel, pytest, Spark)",
        python::test,
    );

    let mut npm_tested = None;
    timed(
        &mut steps,
        "npm package (node --test, fresh project)",
        || {
            npm_tested = Some(npm::test()?);
            Ok(())
        },
    );

    let mut fuzzed = Vec::new();
    timed(&mut steps, "fuzz targets (cargo xtask fuzz)", || {
        fuzzed = fuzz::fuzz(fuzz::CI_SECONDS, &[])?;
        Ok(())
    });

    step("summary");
    for s in &steps {
        let status = if s.result.is_ok() { "ok  " } else { "FAIL" };
        eprintln!("  {status}  {:<46} {:>7.1}s", s.name, s.took.as_secs_f64());
        if let Err(e) = &s.result {
            eprintln!("          {}", e.lines().next().unwrap_or_default());
        }
    }
    eprintln!(
        "  tests: {} passed, {} failed, {} ignored",
        counts.passed, counts.failed, counts.ignored
    );
    if let Some(s) = sizes {
        eprintln!(
            "  site: {} gzipped (wasm {} + js {}), budget {}",
            kb(s.gz_total()),
            kb(s.wasm_gz),
            kb(s.js_gz),
            kb(SIZE_BUDGET)
        );
    }
    if let Some(n) = &npm_tested {
        eprintln!(
            "  node --test: {} passed, {} failed; {}; {:.0} estimates/s in Node (median of {})",
            n.counts.passed,
            n.counts.failed,
            n.package.describe(),
            n.estimates_per_second,
            n.runs
        );
    }
    for r in &fuzzed {
        eprintln!(
            "  fuzz {:<16} {:>10} executions ({}/s)",
            r.target, r.executions, r.per_second
        );
    }
    if let Some(b) = bench::read_marks(started_at) {
        eprintln!("  page: {}", b.describe());
    }
    eprintln!("  took {:.0}s", start.elapsed().as_secs_f64());
    let failed: Vec<&str> = steps
        .iter()
        .filter(|s| s.result.is_err())
        .map(|s| s.name)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_lines() {
        let mut c = Counts::default();
        count_line(
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
            &mut c,
        );
        count_line(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
            &mut c,
        );
        count_line("running 3 tests", &mut c);
        assert_eq!((c.passed, c.failed, c.ignored), (15, 2, 1));
    }
}
