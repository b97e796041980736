//! `ratebook cost`: prices real usage — JSON Lines of provider responses — in constant memory.
//!
//! Files are read line by line through a reused buffer split with SIMD `memchr` (a line is
//! capped at 64 MiB, so even a binary file without newlines cannot grow memory past that),
//! each line goes to the core's
//! `ingest::Ledger`, which sums usages per model and prices them once at the end. Nothing of a
//! line is kept after it is read except, for the first rejected lines, where and why.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use ratebook::budget::Budget;
use ratebook::ingest::{Ledger, LineOutcome, Provider, RejectKind, Summary};
use ratebook::money::{group_thousands, parse_user_decimal};
use ratebook::{Date, format_count, format_usd};

use crate::books;
use crate::output::{BudgetOutput, CostOutput, Count, MeterCost, ModelCost, RejectedLine, usd};

/// Longest line read; longer ones are rejected (`too_long`) and skipped to their newline.
const MAX_LINE: usize = 64 << 20;
/// Rejected lines listed in full (all are counted).
const LISTED_REJECTIONS: usize = 20;
/// Exit code when `--budget` is exceeded.
pub const OVER_BUDGET: u8 = 3;

const AFTER_HELP: &str = "\
Input: JSON Lines, one complete response per line, as the provider returned it. Providers may be
mixed in one file; each line's shape is detected (OpenAI Chat Completions / Responses / Batch
output, Gemini generateContent / batch results, Anthropic Messages / Message Batches results).
The model comes from the response (`model`, `modelVersion`; dated snapshots resolve), and a
response with a timestamp (`created`, `created_at`) is priced at that date's rates.

Lines: blank lines are skipped and not counted. Failed requests (error objects, batch lines with
an error or a non-200 status, Anthropic batch results that errored, expired or were canceled)
are counted as `failed` and not billed. A line that cannot be read or priced (bad JSON, wrong
types, absurd counts, an unknown model, …) is counted as `rejected` with its file:line and
reason, and the rest of the input is still priced; --strict makes the first one fatal. A line
may be up to 64 MiB; input is streamed, so memory does not grow with the number of lines.

--json prints total_usd (an exact decimal string), records (priced), failed (not billed),
rejected, rejected_lines (the first 20: file, line, kind, reason), rejected_kinds,
failed_reasons, by_model (per model: records, modes, input/cached/cache-write/output token
totals, total_usd and a per-meter breakdown) and, with --budget, budget.

Exit codes:
  0  priced (rejected lines, if any, are reported but do not fail the run)
  1  error: an unreadable file, bad arguments, or with --strict the first rejected line
  2  invalid command line
  3  --budget given and the total is over it";

#[derive(Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct CostArgs {
    /// JSON Lines files of provider responses; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Read every line with this provider's usage convention instead of detecting it per line.
    #[arg(long, value_parser = ["google", "openai", "anthropic"])]
    provider: Option<String>,
    /// Price responses that carry no timestamp at this date (YYYY-MM-DD); default today.
    #[arg(long)]
    date: Option<String>,
    /// Budget in USD for the total: exit code 3 when the total is over it, 0 when within.
    #[arg(long, value_name = "USD")]
    budget: Option<String>,
    /// Make the first rejected line fatal: exit 1 with file:line: reason.
    #[arg(long)]
    strict: bool,
    /// Print JSON (exact decimal strings for money) instead of a table.
    #[arg(long)]
    json: bool,
}

/// A rejected line, for the report.
struct Rejection {
    file: String,
    line: u64,
    kind: RejectKind,
    reason: String,
}

/// Progress on stderr, only when it is a terminal.
struct Progress {
    on: bool,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new() -> Progress {
        let now = Instant::now();
        Progress {
            on: io::stderr().is_terminal(),
            started: now,
            last: now,
        }
    }

    fn tick(&mut self, file: &str, lines: u64, bytes: u64, size: Option<u64>) {
        if !self.on || lines % 16_384 != 0 {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.last) < Duration::from_millis(200) {
            return;
        }
        self.last = now;
        let rate = lines as f64 / now.duration_since(self.started).as_secs_f64().max(1e-9);
        let bar = match size.filter(|&s| s > 0) {
            Some(s) => {
                let pct = (bytes.min(s) * 100 / s) as usize;
                let filled = pct / 5;
                format!(
                    "[{}{}] {pct:>3}% ",
                    "#".repeat(filled),
                    ".".repeat(20 - filled)
                )
            }
            None => String::new(),
        };
        let mut err = io::stderr().lock();
        let _ = write!(
            err,
            "\r{bar}{file}: {} lines ({} lines/s)   ",
            format_count(lines),
            format_count(rate as u64)
        );
        let _ = err.flush();
    }

    fn done(&self) {
        if self.on {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r{:80}\r", "");
            let _ = err.flush();
        }
    }
}

/// One line from [`LineReader`].
enum Next<'a> {
    Line(&'a [u8]),
    /// A line longer than the cap; it was skipped up to its newline without being kept.
    TooLong,
}

/// Splits input into lines with SIMD `memchr` over a reused buffer (std's `read_until` scans
/// byte-wise). Memory is the buffer: 1 MiB, growing only as far as the longest line read, at
/// most `cap` bytes plus one read.
struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    cap: usize,
    /// Bytes consumed so far (for progress).
    consumed: u64,
}

impl<R: Read> LineReader<R> {
    fn new(inner: R, cap: usize) -> LineReader<R> {
        LineReader {
            inner,
            buf: vec![0; 1 << 20],
            start: 0,
            end: 0,
            eof: false,
            cap,
            consumed: 0,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2)
                .min(self.cap + (1 << 20))
                .max(self.buf.len() + 1);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next line without its `\n` (a trailing `\r` is kept; the caller strips it).
    fn next_line(&mut self) -> io::Result<Option<Next<'_>>> {
        let mut skipping = false;
        let mut searched = 0;
        loop {
            let window = &self.buf[self.start + searched..self.end];
            if let Some(i) = memchr::memchr(b'\n', window) {
                let line_end = self.start + searched + i;
                let line_start = self.start;
                self.start = line_end + 1;
                self.consumed += (line_end + 1 - line_start) as u64;
                if skipping {
                    return Ok(Some(Next::TooLong));
                }
                return Ok(Some(Next::Line(&self.buf[line_start..line_end])));
            }
            searched = self.end - self.start;
            if skipping || searched > self.cap {
                // Too long: drop what is buffered and keep reading to the newline.
                skipping = true;
                self.consumed += searched as u64;
                self.start = self.end;
                searched = 0;
            }
            if self.eof {
                if self.start == self.end {
                    return Ok(if skipping { Some(Next::TooLong) } else { None });
                }
                let line_start = self.start;
                self.start = self.end;
                self.consumed += (self.end - line_start) as u64;
                return Ok(Some(if skipping {
                    Next::TooLong
                } else {
                    Next::Line(&self.buf[line_start..self.end])
                }));
            }
            self.fill()?;
        }
    }
}

struct Run<'b> {
    ledger: Ledger<'b>,
    strict: bool,
    rejections: Vec<Rejection>,
    lines: u64,
    blank: u64,
    progress: Progress,
}

impl Run<'_> {
    fn reject(&mut self, file: &str, line: u64, kind: RejectKind, reason: String) -> Result<()> {
        if self.strict {
            bail!("{file}:{line}: {reason}");
        }
        if self.rejections.len() < LISTED_REJECTIONS {
            self.rejections.push(Rejection {
                file: file.to_string(),
                line,
                kind,
                reason,
            });
        }
        Ok(())
    }

    fn read(&mut self, name: &str, input: impl Read, size: Option<u64>) -> Result<()> {
        let mut reader = LineReader::new(input, MAX_LINE);
        let mut n = 0u64;
        loop {
            let next = reader
                .next_line()
                .with_context(|| format!("cannot read {name}"))?;
            let bytes = match next {
                None => break,
                Some(Next::TooLong) => {
                    n += 1;
                    self.lines += 1;
                    self.ledger.count_rejected(RejectKind::TooLong);
                    self.reject(
                        name,
                        n,
                        RejectKind::TooLong,
                        format!("line longer than {} MiB", MAX_LINE >> 20),
                    )?;
                    continue;
                }
                Some(Next::Line(b)) => b,
            };
            n += 1;
            let mut line = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            if n == 1 {
                line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            }
            let outcome = match std::str::from_utf8(line) {
                Ok(text) => self.ledger.add_line(text),
                Err(e) => {
                    self.ledger.count_rejected(RejectKind::Encoding);
                    let msg = format!(
                        "not UTF-8 text (invalid byte at offset {})",
                        e.valid_up_to()
                    );
                    LineOutcome::Rejected(ratebook::ingest::LineError::new(
                        RejectKind::Encoding,
                        msg,
                    ))
                }
            };
            match outcome {
                LineOutcome::Blank => self.blank += 1,
                LineOutcome::Priced | LineOutcome::Failed => self.lines += 1,
                LineOutcome::Rejected(e) => {
                    self.lines += 1;
                    self.reject(name, n, e.kind, e.message)?;
                }
            }
            self.progress.tick(name, n, reader.consumed, size);
        }
        Ok(())
    }
}

fn summary_json(s: &Summary, run: &Run<'_>, files: &[String], date: Date) -> CostOutput {
    let by_model = s
        .by_model
        .iter()
        .map(|m| {
            let cost = ModelCost {
                provider: m.provider.clone(),
                records: m.records,
                modes: m
                    .modes
                    .iter()
                    .map(|(mode, n)| (mode.as_str().to_string(), *n))
                    .collect(),
                input_tokens: Count(m.input_tokens),
                cached_tokens: Count(m.cached_tokens),
                cache_write_tokens: Count(m.cache_write_tokens),
                output_tokens: Count(m.output_tokens),
                total_usd: usd(m.total),
                meters: m
                    .meters
                    .iter()
                    .map(|t| MeterCost {
                        meter: t.meter.clone(),
                        quantity: Count(t.quantity),
                        amount_usd: usd(t.amount),
                    })
                    .collect(),
            };
            (m.model.clone(), cost)
        })
        .collect();
    CostOutput {
        files: files.to_vec(),
        date,
        lines: run.lines,
        blank_lines: run.blank,
        records: s.records,
        failed: s.failed,
        rejected: s.rejected,
        total_usd: usd(s.total),
        total_display: format_usd(s.total),
        failed_reasons: s.failed_reasons.iter().cloned().collect(),
        rejected_kinds: s
            .rejected_kinds
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), *v))
            .collect(),
        rejected_lines: run
            .rejections
            .iter()
            .map(|r| RejectedLine {
                file: r.file.clone(),
                line: r.line,
                kind: r.kind.as_str().to_string(),
                reason: r.reason.clone(),
            })
            .collect(),
        by_model,
        budget: None,
    }
}

fn summary_table(s: &Summary) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<28} {:<10} {:>9} {:>15} {:>15} {:>13} {:>14}   {}\n",
        "model",
        "provider",
        "records",
        "input tokens",
        "cached",
        "output tokens",
        "total",
        "records by mode"
    ));
    let c = |n: u128| group_thousands(&n.to_string());
    for m in &s.by_model {
        let modes: Vec<String> = m
            .modes
            .iter()
            .map(|(mode, n)| format!("{} {mode}", format_count(*n)))
            .collect();
        out.push_str(&format!(
            "{:<28} {:<10} {:>9} {:>15} {:>15} {:>13} {:>14}   {}\n",
            m.model,
            m.provider,
            format_count(m.records),
            c(m.input_tokens),
            c(m.cached_tokens),
            c(m.output_tokens),
            format_usd(m.total),
            modes.join(", ")
        ));
    }
    out.push_str(&format!(
        "\n{} response{} priced: {}   (exact: {})\n",
        format_count(s.records),
        if s.records == 1 { "" } else { "s" },
        format_usd(s.total),
        s.total.normalize()
    ));
    if s.failed > 0 {
        let reasons: Vec<String> = s
            .failed_reasons
            .iter()
            .map(|(r, n)| format!("{r} ×{}", format_count(*n)))
            .collect();
        out.push_str(&format!(
            "{} failed request(s), not billed: {}\n",
            format_count(s.failed),
            reasons.join("; ")
        ));
    }
    out
}

pub fn run(pricing: Option<&Path>, args: CostArgs) -> Result<ExitCode> {
    let book = books::load(pricing)?;
    let date = books::date_or_today(args.date.as_deref())?;
    let provider: Option<Provider> = args.provider.as_deref().map(str::parse).transpose()?;
    let budget = match &args.budget {
        Some(b) => {
            let limit = parse_user_decimal(b)
                .map_err(anyhow::Error::msg)
                .context("--budget")?;
            Some(Budget::per_day(limit).context("--budget")?)
        }
        None => None,
    };
    let mut run = Run {
        ledger: Ledger::new(&book, date).force_provider(provider),
        strict: args.strict,
        rejections: Vec::new(),
        lines: 0,
        blank: 0,
        progress: Progress::new(),
    };
    for name in &args.files {
        if name == "-" {
            run.read("<stdin>", io::stdin().lock(), None)?;
        } else {
            let f = File::open(name).with_context(|| format!("cannot open {name}"))?;
            let size = f.metadata().ok().map(|m| m.len());
            run.read(name, f, size)?;
        }
    }
    run.progress.done();
    let summary = run.ledger.summary()?;
    let check = budget.map(|b| b.check_spend(summary.total));

    if args.json {
        let mut v = summary_json(&summary, &run, &args.files, date);
        v.budget = check.as_ref().map(|c| BudgetOutput {
            limit_usd: usd(c.limit),
            over: c.over,
            over_by_usd: usd(c.over_by),
            headroom_usd: usd(c.headroom),
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        out!("{}", summary_table(&summary));
        if let Some(c) = &check {
            if c.over {
                outln!(
                    "over budget: {} is {} over the {} budget",
                    format_usd(c.spend),
                    format_usd(c.over_by),
                    format_usd(c.limit)
                );
            } else {
                outln!(
                    "within budget: {} of {} ({} left)",
                    format_usd(c.spend),
                    format_usd(c.limit),
                    format_usd(c.headroom)
                );
            }
        }
    }
    if summary.rejected > 0 {
        eprintln!(
            "warning: {} line(s) rejected (not priced){}",
            format_count(summary.rejected),
            if args.json {
                "; see rejected_lines"
            } else {
                ":"
            }
        );
        if !args.json {
            for r in &run.rejections {
                eprintln!("  {}:{}: {}", r.file, r.line, r.reason);
            }
            if summary.rejected > run.rejections.len() as u64 {
                eprintln!(
                    "  … and {} more",
                    format_count(summary.rejected - run.rejections.len() as u64)
                );
            }
        }
    }
    if check.is_some_and(|c| c.over) {
        return Ok(ExitCode::from(OVER_BUDGET));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], cap: usize) -> Vec<String> {
        let mut r = LineReader::new(input, cap);
        r.buf = vec![0; 4]; // tiny buffer: exercise refills and growth
        let mut out = Vec::new();
        while let Some(next) = r.next_line().unwrap() {
            out.push(match next {
                Next::Line(b) => String::from_utf8_lossy(b).into_owned(),
                Next::TooLong => "<too long>".into(),
            });
        }
        assert_eq!(r.consumed, input.len() as u64);
        out
    }

    #[test]
    fn splits_lines_across_refills() {
        assert_eq!(lines(b"ab\ncdefgh\n\nij", 64), ["ab", "cdefgh", "", "ij"]);
        assert_eq!(lines(b"", 64), Vec::<String>::new());
        assert_eq!(lines(b"\n", 64), [""]);
        assert_eq!(lines(b"x\r\n", 64), ["x\r"]);
    }

    #[test]
    fn long_lines_are_skipped_not_kept() {
        let long = "y".repeat(100);
        let input = format!("ok\n{long}\nafter\n{long}");
        assert_eq!(
            lines(input.as_bytes(), 10),
            ["ok", "<too long>", "after", "<too long>"]
        );
        // Exactly at the cap is fine.
        assert_eq!(lines(b"0123456789\nz", 10), ["0123456789", "z"]);
    }
}
