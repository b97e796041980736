//! `cargo xtask fuzz [--seconds N] [TARGET…]`: runs every cargo-fuzz target of `fuzz/` for N
//! seconds each (default 60), one after another, and reports executions per target. Fails if any
//! target finds a crash (the input is in `fuzz/artifacts/<target>/`; turn it into a regression
//! test). `cargo xtask test` runs each target for [`CI_SECONDS`].
//!
//! - Toolchain: nightly (cargo-fuzz needs `-Z` flags); installed with rustup if missing.
//! - cargo-fuzz: the one on PATH, or installed from crates.io into `target/tools`.
//! - Build: once for all targets, without a sanitizer, with debug assertions (cargo-fuzz's
//!   default), into `target/fuzz`. What is looked for is panics, overflow checks included, and
//!   failed assertions. The only unsafe code reached is the JSON reader's (SSE2 loads and one
//!   unchecked `str` slice between two quotes): the standard library's debug assertions,
//!   which these builds keep, check the slice's bounds.
//! - Corpora: libFuzzer writes what it learns into `target/fuzz-corpus/<target>` (kept between
//!   runs, never committed) and reads the committed seeds of `fuzz/corpus/<target>`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{Result, describe, output, root, run, step, target_dir};

/// Seconds per target in `cargo xtask test`.
pub const CI_SECONDS: u64 = 20;

/// The cargo-fuzz release installed when none is on PATH.
const CARGO_FUZZ: &str = "0.13.2";

/// Each target and the committed seed directories it reads (under `fuzz/corpus/`).
pub const TARGETS: [(&str, &[&str]); 9] = [
    ("pricing_toml", &["pricing_toml"]),
    ("usage_line", &["usage_line"]),
    ("usage_escaped", &["usage_escaped", "usage_line"]),
    ("usage_stream", &["usage_stream"]),
    ("usage_specs", &["usage_specs"]),
    ("estimate_book", &["estimate_book"]),
    ("web_query", &["web_query"]),
    ("structured_book", &["structured_book"]),
    ("billing_export", &["billing_export"]),
];

/// What one target's run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub target: String,
    pub executions: u64,
    pub per_second: u64,
    /// The crash, timeout or out-of-memory input libFuzzer wrote, if any.
    pub artifact: Option<String>,
}

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [TARGET…]";

/// `cargo xtask fuzz` with its arguments.
pub fn fuzz_command(args: &[String]) -> Result {
    let mut seconds = 60;
    let mut only: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = match a.as_str() {
            "--seconds" | "-s" => Some(it.next().ok_or("--seconds needs a number")?.as_str()),
            other => other.strip_prefix("--seconds="),
        };
        match value {
            Some(v) => {
                seconds = v
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or_else(|| format!("--seconds: `{v}` is not a positive number"))?;
            }
            None if a.starts_with('-') => return Err(format!("fuzz: unknown flag `{a}`\n{USAGE}")),
            None if TARGETS.iter().any(|(t, _)| t == a) => only.push(a.clone()),
            None => {
                let names: Vec<&str> = TARGETS.iter().map(|(t, _)| *t).collect();
                return Err(format!(
                    "fuzz: no target `{a}` (targets: {})",
                    names.join(", ")
                ));
            }
        }
    }
    fuzz(seconds, &only).map(|_| ())
}

/// Builds the targets and runs each (all when `only` is empty) for `seconds`.
pub fn fuzz(seconds: u64, only: &[String]) -> Result<Vec<Report>> {
    let cargo_fuzz = ensure_tools()?;
    step("building the fuzz targets (nightly, no sanitizer)");
    run(fuzz_cmd(&cargo_fuzz).args(["build", "--sanitizer", "none"]))?;
    let mut reports = Vec::new();
    for (target, seeds) in TARGETS {
        if !only.is_empty() && !only.iter().any(|t| t == target) {
            continue;
        }
        step(&format!("fuzzing {target} for {seconds} s"));
        reports.push(run_target(&cargo_fuzz, target, seeds, seconds)?);
    }
    step("fuzz summary");
    for r in &reports {
        eprintln!(
            "  {:<16} {:>12} executions {:>8}/s  {}",
            r.target,
            r.executions,
            r.per_second,
            r.artifact
                .as_deref()
                .map_or("no crash".to_string(), |a| format!("CRASH: {a}"))
        );
    }
    let crashed: Vec<&str> = reports
        .iter()
        .filter(|r| r.artifact.is_some())
        .map(|r| r.target.as_str())
        .collect();
    if crashed.is_empty() {
        Ok(reports)
    } else {
        Err(format!(
            "fuzzing found crashes in {} (inputs in fuzz/artifacts/; reproduce with `cargo +nightly fuzz run -s none <target> <file>`)",
            crashed.join(", ")
        ))
    }
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// `cargo fuzz` on nightly, in `fuzz/`, building into `target/fuzz`.
fn fuzz_cmd(cargo_fuzz: &Path) -> Command {
    let mut c = Command::new(cargo_fuzz);
    c.arg("fuzz")
        .current_dir(fuzz_dir())
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .env("CARGO_TARGET_DIR", target_dir().join("fuzz"))
        // The cargo that runs xtask is stable; cargo-fuzz must find nightly's through rustup.
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    c
}

/// The nightly toolchain and a cargo-fuzz binary (its path).
fn ensure_tools() -> Result<PathBuf> {
    let nightly =
        |args: &[&str]| output(Command::new("rustup").args(["run", "nightly"]).args(args));
    if nightly(&["rustc", "--version"]).is_none() {
        eprintln!("  no nightly toolchain; installing it with rustup");
        run(Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    let local = target_dir().join("tools").join("bin").join("cargo-fuzz");
    for candidate in [PathBuf::from("cargo-fuzz"), local.clone()] {
        if output(Command::new(&candidate).args(["fuzz", "--version"])).is_some() {
            return Ok(candidate);
        }
    }
    eprintln!(
        "  cargo-fuzz not found; installing {CARGO_FUZZ} from crates.io into {} (takes a few minutes)",
        target_dir().join("tools").display()
    );
    run(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "install",
                "cargo-fuzz",
                "--locked",
                "--version",
                CARGO_FUZZ,
                "--root",
            ])
            .arg(target_dir().join("tools")),
    )?;
    if output(Command::new(&local).args(["fuzz", "--version"])).is_none() {
        return Err(format!("{} does not run", local.display()));
    }
    Ok(local)
}

fn run_target(cargo_fuzz: &Path, target: &str, seeds: &[&str], seconds: u64) -> Result<Report> {
    let learned = target_dir().join("fuzz-corpus").join(target);
    std::fs::create_dir_all(&learned)
        .map_err(|e| format!("creating {}: {e}", learned.display()))?;
    let mut cmd = fuzz_cmd(cargo_fuzz);
    cmd.args(["run", "--sanitizer", "none", target])
        .arg(&learned);
    for s in seeds {
        let dir = fuzz_dir().join("corpus").join(s);
        if dir.is_dir() {
            cmd.arg(dir);
        }
    }
    cmd.args([
        "--",
        &format!("-max_total_time={seconds}"),
        "-timeout=10",
        "-print_final_stats=1",
    ]);
    eprintln!("  $ {}", describe(&cmd));
    let start = Instant::now();
    let out = cmd
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
    let log = String::from_utf8_lossy(&out.stderr);
    let mut report = parse_log(target, &log);
    if report.per_second == 0 && report.executions > 0 {
        report.per_second = report.executions / start.elapsed().as_secs().max(1);
    }
    if !out.status.success() {
        // Show the panic message (or the end of libFuzzer's log) and where the input went.
        let lines: Vec<&str> = log.lines().collect();
        let from = lines
            .iter()
            .position(|l| l.contains("panicked at"))
            .unwrap_or(lines.len().saturating_sub(40));
        for line in lines.iter().skip(from).take(40) {
            eprintln!("  | {line}");
        }
        if report.artifact.is_none() {
            report.artifact = Some(format!("`{}` failed ({})", describe(&cmd), out.status));
        }
    }
    eprintln!(
        "  {target}: {} executions, {}/s",
        report.executions, report.per_second
    );
    Ok(report)
}

/// Reads executions, their rate and any artifact from libFuzzer's output.
pub fn parse_log(target: &str, log: &str) -> Report {
    let mut report = Report {
        target: target.to_string(),
        executions: 0,
        per_second: 0,
        artifact: None,
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    for line in log.lines() {
        let line = line.trim();
        if let Some(n) = line
            .strip_prefix("stat::number_of_executed_units:")
            .and_then(number)
        {
            report.executions = n;
        } else if let Some(n) = line
            .strip_prefix("stat::average_exec_per_sec:")
            .and_then(number)
        {
            report.per_second = n;
        } else if let Some(rest) = line.strip_prefix("Done ") {
            if let Some(n) = rest.split_whitespace().next().and_then(number) {
                report.executions = report.executions.max(n);
            }
        } else if let Some(i) = line.find("Test unit written to ") {
            report.artifact = Some(line[i + "Test unit written to ".len()..].trim().to_string());
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_stats() {
        let log = "#2\tINITED cov: 201 ft: 202 corp: 1/1b exec/s: 0 rss: 38Mb\n\
                   Done 88606 runs in 16 second(s)\n\
                   stat::number_of_executed_units: 88606\n\
                   stat::average_exec_per_sec:     5537\n\
                   stat::new_units_added:          361\n";
        let r = parse_log("usage_specs", log);
        assert_eq!((r.executions, r.per_second), (88606, 5537));
        assert_eq!(r.artifact, None);
        let crash = "thread '<unnamed>' panicked at fuzz_targets/x.rs:3:5:\n\
                     ==1== ERROR: libFuzzer: deadly signal\n\
                     artifact_prefix='/w/fuzz/artifacts/x/'; Test unit written to /w/fuzz/artifacts/x/crash-da39a3ee\n\
                     stat::number_of_executed_units: 12\n";
        let r = parse_log("x", crash);
        assert_eq!(r.executions, 12);
        assert_eq!(
            r.artifact.as_deref(),
            Some("/w/fuzz/artifacts/x/crash-da39a3ee")
        );
    }
}
