//! `cargo xtask bench`: how fast `ratebook cost` prices a log, on one thread and on every
//! core, against genai-prices on the same lines.
//!
//! 1. Writes the benchmark log, `<target>/bench/mixed-1m.jsonl`: the 1,000,000 mixed provider
//!    responses the core's `cost` bench generates (the generator is included from
//!    `crates/ratebook/benches/common/mixed.rs`), kept while the generator is unchanged.
//! 2. Builds `ratebook` in release and times `ratebook cost LOG --json` with `--threads 1` and
//!    `--threads N` (default: one per core), alternating, `--runs` times each (default 3),
//!    with each run's peak resident memory when `/usr/bin/time` is there. The two outputs
//!    must be identical byte for byte.
//! 3. Installs genai-prices (pinned, [`GENAI_PRICES`]) from PyPI into a throwaway virtual
//!    environment (`<target>/bench-venv`) and times its `extract_usage` + `calc_price`, JSON
//!    parsing included, on the log's first `--sample` lines (default 20,000; it prices a few
//!    thousand lines a second), once in each round of ratebook runs: both sides are measured
//!    under the same outside load, and the ratio is of their medians.
//!
//! Also times `--threads 1` runs started N at a time: the machine's own ceiling for N threads
//! (virtual cores that share a physical core or memory bandwidth slow each other down).
//!
//! Prints lines per second for each, the multi-thread speed-up and the ratio to genai-prices,
//! each with its target. Timings are reported, not asserted: on a shared machine they vary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use ratebook::format_count as group;
use serde_json::Value;

use crate::{Result, cargo, describe, root, run, step, target_dir, tools};

#[path = "../../crates/ratebook/benches/common/mixed.rs"]
#[allow(
    dead_code,
    reason = "shared with the bench; not every item is used here"
)]
mod mixed;

/// The genai-prices release timed against.
pub const GENAI_PRICES: &str = "0.2.3";
/// Target: the multi-thread rate over the single-thread rate on two cores.
pub const SPEEDUP_TARGET: f64 = 1.8;
/// Target: `ratebook cost` on every core over genai-prices, in lines per second.
pub const RATIO_TARGET: f64 = 450.0;

const USAGE: &str = "usage: cargo xtask bench [--threads N] [--runs N] [--sample N]

  --threads N   threads for the parallel run (default: one per core)
  --runs N      timed runs of each (default 3; the median is reported)
  --sample N    lines of the log genai-prices prices (default 20,000)";

/// One timed run.
#[derive(Debug, Clone)]
struct Timing {
    seconds: f64,
    /// Peak resident memory in KiB, when `/usr/bin/time` could measure it.
    rss_kib: Option<u64>,
    /// CPU seconds (user + system), when `/usr/bin/time` could measure them.
    cpu: Option<f64>,
    stdout: Vec<u8>,
}

fn parse_count(flag: &str, v: Option<&String>) -> Result<usize> {
    let v = v.ok_or_else(|| format!("{flag} needs a number"))?;
    v.replace(['_', ','], "")
        .parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{flag}: `{v}` is not a positive number"))
}

/// `cargo xtask bench [--threads N] [--runs N] [--sample N]`.
pub fn bench(args: &[String]) -> Result {
    let mut threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut runs = 3;
    let mut sample = 20_000;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--threads" => threads = parse_count("--threads", it.next())?,
            "--runs" => runs = parse_count("--runs", it.next())?,
            "--sample" => sample = parse_count("--sample", it.next())?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("bench: unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    let threads = threads.max(2);

    let log = write_log()?;
    let bytes = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);

    step("building ratebook (release)");
    run(cargo().args(["build", "--release", "-p", "ratebook-cli"]))?;
    let bin = target_dir()
        .join("release")
        .join(format!("ratebook{}", std::env::consts::EXE_SUFFIX));

    let python = tools::python_venv(
        &target_dir().join("bench-venv"),
        &[format!("genai-prices=={GENAI_PRICES}")],
    )?;
    step(&format!(
        "timing `ratebook cost` on 1 and {threads} threads and genai-prices {GENAI_PRICES} on the first {sample} lines, {runs} round(s)"
    ));
    let mut one = Vec::new();
    let mut many = Vec::new();
    let mut theirs_runs = Vec::new();
    for _ in 0..runs {
        one.push(time_cost(&bin, &log, 1)?);
        many.push(time_cost(&bin, &log, threads)?);
        theirs_runs.push(time_genai_prices(&python, &log, sample)?);
    }
    // The machine's own ceiling: `threads` independent single-thread runs at once. Virtual
    // cores that share a physical core or memory bandwidth slow each other down, and no
    // division of the work can beat this.
    let mut together = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let all: Vec<Result<Timing>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| scope.spawn(|| time_cost(&bin, &log, 1)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a timing thread panicked".into()))
                })
                .collect()
        });
        for r in all {
            r?;
        }
        together.push(started.elapsed().as_secs_f64());
    }
    if one[0].stdout != many[0].stdout {
        return Err(format!(
            "`ratebook cost --threads 1` and `--threads {threads}` printed different results"
        ));
    }
    let total = serde_json::from_slice::<Value>(&one[0].stdout)
        .ok()
        .and_then(|v| v["total_usd"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into());

    // The median genai-prices round (by time).
    theirs_runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let theirs_seconds: Vec<String> = theirs_runs
        .iter()
        .map(|t| format!("{:.2}", t.seconds))
        .collect();
    let theirs = theirs_runs.swap_remove(theirs_runs.len() / 2);

    let lines = mixed::LINES as f64;
    let rate_one = lines / median(&one);
    let rate_many = lines / median(&many);
    let speedup = rate_many / rate_one;
    let best_speedup = best(&one) / best(&many);
    let rate_theirs = theirs.lines as f64 / theirs.seconds;
    let ratio = rate_many / rate_theirs;
    let mark = |ok: bool| if ok { "met" } else { "NOT MET" };
    println!(
        "\nratebook cost: {} lines ({:.0} MB), total ${total}; outputs identical on 1 and {threads} threads",
        group(mixed::LINES as u64),
        bytes as f64 / 1e6
    );
    for (label, timings, rate) in [
        ("1 thread".to_string(), &one, rate_one),
        (format!("{threads} threads"), &many, rate_many),
    ] {
        println!(
            "  {label:<11} {:>7.2} s median, {:.2} s best (runs: {})  {:>11} lines/s median, {} best  CPU {}  peak RSS {}",
            median(timings),
            best(timings),
            timings
                .iter()
                .map(|t| format!("{:.2}", t.seconds))
                .collect::<Vec<_>>()
                .join(", "),
            group(rate as u64),
            group((lines / best(timings)) as u64),
            cpu(timings),
            peak(timings)
        );
    }
    println!(
        "  speed-up on {threads} threads: {speedup:.2}× median, {best_speedup:.2}× best (target ≥ {SPEEDUP_TARGET}× on 2 cores: {})",
        mark(speedup >= SPEEDUP_TARGET)
    );
    let mut sorted = together.clone();
    sorted.sort_by(f64::total_cmp);
    let together_median = sorted[sorted.len() / 2];
    let ceiling = threads as f64 * median(&one) / together_median;
    println!(
        "  the machine's ceiling: {threads} independent single-thread runs at once take {together_median:.2} s (median), {ceiling:.2}× the work of one run in its time; --threads {threads} reaches {:.0}% of that",
        100.0 * speedup / ceiling
    );
    println!(
        "genai-prices {} extract_usage + calc_price: {} lines in {:.2} s median (runs, sorted: {}; {} priced, {} failed requests, {} not priceable)  {:>9} lines/s",
        theirs.version,
        group(theirs.lines),
        theirs.seconds,
        theirs_seconds.join(", "),
        group(theirs.priced),
        group(theirs.failed),
        group(theirs.unpriced),
        group(rate_theirs as u64)
    );
    println!(
        "  ratebook on {threads} threads / genai-prices: {ratio:.0}× (target ≥ {RATIO_TARGET:.0}×: {}); on 1 thread: {:.0}×",
        mark(ratio >= RATIO_TARGET),
        rate_one / rate_theirs
    );
    // On a shared machine wall time depends on the other work; CPU time much less so.
    if let (Some(ours), Some(theirs_cpu)) = (median_cpu(&one), theirs.cpu_seconds) {
        let per_cpu = lines / ours;
        let theirs_per_cpu = theirs.lines as f64 / theirs_cpu;
        println!(
            "per CPU-second (less sensitive to other load): ratebook {} lines, genai-prices {} lines: {:.0}×; {threads} threads use {:.2}× the CPU time of one",
            group(per_cpu as u64),
            group(theirs_per_cpu as u64),
            per_cpu / theirs_per_cpu,
            median_cpu(&many).unwrap_or(f64::NAN) / ours
        );
    }
    Ok(())
}

/// A stable fingerprint of the generator's source (FNV-1a), to know when the log is stale.
fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x} {}", mixed::LINES)
}

/// Writes the benchmark log unless the one there came from the same generator.
fn write_log() -> Result<PathBuf> {
    let dir = target_dir().join("bench");
    let log = dir.join("mixed-1m.jsonl");
    let stamp = dir.join("mixed-1m.stamp");
    let want = fingerprint(include_str!(
        "../../crates/ratebook/benches/common/mixed.rs"
    ));
    if log.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&want) {
        step(&format!("reusing {}", log.display()));
        return Ok(log);
    }
    step(&format!(
        "writing {} lines to {}",
        group(mixed::LINES as u64),
        log.display()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let text = mixed::generate(mixed::LINES);
    std::fs::write(&log, text).map_err(|e| format!("writing {}: {e}", log.display()))?;
    std::fs::write(&stamp, want).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    Ok(log)
}

/// Runs `ratebook cost LOG --json --threads N`, under `/usr/bin/time` for its peak memory when
/// that exists.
fn time_cost(bin: &Path, log: &Path, threads: usize) -> Result<Timing> {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.is_file() {
        let mut c = Command::new(time);
        c.args(["-f", "%M %U %S"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("cost")
        .arg(log)
        .args(["--json", "--date", mixed::DATE, "--threads"])
        .arg(threads.to_string())
        .current_dir(root())
        .stdin(Stdio::null());
    let started = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("`{}` failed: {stderr}", describe(&cmd)));
    }
    // `/usr/bin/time -f "%M %U %S"`: peak RSS in KiB, user and system CPU seconds.
    let fields: Vec<&str> = match stderr.lines().last() {
        Some(l) if time.is_file() => l.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let rss_kib = fields.first().and_then(|f| f.parse().ok());
    let cpu = match (fields.get(1), fields.get(2)) {
        (Some(u), Some(s)) => u
            .parse::<f64>()
            .ok()
            .zip(s.parse::<f64>().ok())
            .map(|(u, s)| u + s),
        _ => None,
    };
    eprintln!(
        "  --threads {threads}: {seconds:.2} s{}{}",
        cpu.map_or(String::new(), |c| format!(", {c:.2} CPU s")),
        rss_kib.map_or(String::new(), |k| format!(", peak RSS {k} KiB"))
    );
    Ok(Timing {
        seconds,
        rss_kib,
        cpu,
        stdout: out.stdout,
    })
}

/// What the genai-prices script reports.
struct Theirs {
    version: String,
    lines: u64,
    priced: u64,
    failed: u64,
    unpriced: u64,
    seconds: f64,
    cpu_seconds: Option<f64>,
}

fn time_genai_prices(python: &Path, log: &Path, sample: usize) -> Result<Theirs> {
    let script = root().join("xtask").join("bench_genai_prices.py");
    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .arg(log)
        .arg(sample.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    eprintln!("  $ {}", describe(&cmd));
    let out = cmd
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", describe(&cmd), out.status));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("reading the genai-prices timing: {e}"))?;
    let count = |k: &str| v[k].as_u64().unwrap_or(0);
    let seconds = v["seconds"]
        .as_f64()
        .filter(|s| *s > 0.0)
        .ok_or("the genai-prices timing has no `seconds`")?;
    Ok(Theirs {
        version: v["version"].as_str().unwrap_or("?").to_string(),
        lines: count("lines"),
        priced: count("priced"),
        failed: count("failed"),
        unpriced: count("unpriced"),
        seconds,
        cpu_seconds: v["cpu_seconds"].as_f64().filter(|s| *s > 0.0),
    })
}

fn median(timings: &[Timing]) -> f64 {
    let mut s: Vec<f64> = timings.iter().map(|t| t.seconds).collect();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn best(timings: &[Timing]) -> f64 {
    timings
        .iter()
        .map(|t| t.seconds)
        .fold(f64::INFINITY, f64::min)
}

/// The median CPU seconds (user + system) of the runs, if measured.
fn median_cpu(timings: &[Timing]) -> Option<f64> {
    let mut c: Vec<f64> = timings.iter().filter_map(|t| t.cpu).collect();
    c.sort_by(f64::total_cmp);
    c.get(c.len() / 2).copied()
}

fn cpu(timings: &[Timing]) -> String {
    median_cpu(timings).map_or("not measured".into(), |c| format!("{c:.2} s"))
}

fn peak(timings: &[Timing]) -> String {
    timings
        .iter()
        .filter_map(|t| t.rss_kib)
        .max()
        .map_or("not measured (no /usr/bin/time)".into(), |k| {
            format!("{:.1} MB", k as f64 * 1024.0 / 1e6)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_parsed() {
        assert_eq!(parse_count("--sample", Some(&"20_000".into())), Ok(20_000));
        assert!(parse_count("--runs", Some(&"0".into())).is_err());
        assert!(parse_count("--runs", None).is_err());
    }

    #[test]
    fn the_median_is_the_middle_run() {
        let t = |s: f64| Timing {
            seconds: s,
            rss_kib: None,
            cpu: None,
            stdout: Vec::new(),
        };
        assert_eq!(median(&[t(3.0), t(1.0), t(2.0)]), 2.0);
        assert_eq!(best(&[t(3.0), t(1.0), t(2.0)]), 1.0);
        assert_eq!(cpu(&[t(1.0)]), "not measured");
        assert_eq!(peak(&[t(1.0)]), "not measured (no /usr/bin/time)");
    }
}
