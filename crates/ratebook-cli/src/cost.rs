//! `ratebook cost`: prices real usage — JSON Lines of provider responses — in constant memory,
//! on every core.
//!
//! Sequentially (`--threads 1`), files are read line by line through a reused buffer split with
//! SIMD `memchr` (a line is capped at 64 MiB, so even a binary file without newlines cannot
//! grow memory past that), and each line goes to the core's `ingest::Ledger`, which sums usages
//! per model and prices them once at the end. In parallel (the default: one worker per core),
//! the input is priced in chunks of about 1 MiB by workers, each with its own ledger. A regular
//! file is cut into byte ranges that each worker reads itself with positional reads (a range
//! holds the lines that start in it, [`read_range`]), so no thread copies the file for the
//! others; a pipe is cut into chunks of whole lines by the reading thread. The ledgers merge at
//! the end, which is exact (the sums do not depend on how the lines were divided), and each
//! chunk's line count and rejections come back to the reading thread, which takes them in
//! input order, so the output is the sequential run's to the last digit and rejected lines are
//! listed in file order. At most two chunks per worker are out at once, each returned only
//! once its result is taken in order, which bounds memory. Nothing of a line is kept after it
//! is read except, for the first rejected lines, where and why.
//!
//! Streamed responses: the open streams live in the reading thread's ledger alone. A worker
//! prices whole responses and the final events of streams (which carry the whole usage) and
//! hands back, with its chunk's report, the other stream events (their text) and the ids of the
//! streams it ended; the reading thread feeds them to its ledger when it takes the report, in
//! input order, so a stream that crosses chunks is stitched exactly as one thread reads it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use ratebook::budget::Budget;
use ratebook::diff::diff_books;
use ratebook::ingest::{
    GroupBy, IncompleteStream, Ledger, LineError, LineOutcome, Provider, RejectKind, Restatement,
    StreamKey, Summary, WhatIf, WorkerStep,
};
use ratebook::money::{group_thousands, parse_user_decimal};
use ratebook::{Date, RateBook, format_count, format_usd};

use crate::output::{
    BookOutput, BudgetOutput, CostOutput, Count, GroupCost, IncompleteStreamLine,
    LongContextOutput, MeterCost, ModelCost, ModelRestatementOutput, MonthRestatementOutput,
    ProjectionOutput, RecordLine, RejectedLine, ReportedCost, RestatementOutput, WhatIfCost, usd,
};
use crate::{books, git};

/// Longest line read; longer ones are rejected (`too_long`) and skipped to their newline.
const MAX_LINE: usize = 64 << 20;
/// Rejected lines listed in full (all are counted).
const LISTED_REJECTIONS: usize = 20;
/// Exit code when `--budget` is exceeded.
pub const OVER_BUDGET: u8 = 3;
/// Bytes of whole lines handed to a worker at a time (more for a longer line).
const CHUNK: usize = 1 << 20;
/// Chunk buffers per worker: one being priced, one waiting, so no worker idles.
const BUFFERS_PER_WORKER: usize = 2;

const AFTER_HELP: &str = "\
Input: JSON Lines, one complete response per line, as the provider returned it. Providers may be
mixed in one file; each line's shape is detected (OpenAI Chat Completions / Responses / Batch
output, Gemini generateContent / batch results, Anthropic Messages / Message Batches results).
The model comes from the response (`model`, `modelVersion`; dated snapshots resolve), and a
response with a timestamp (`created`, `created_at`) is priced at that date's rates.

Streams: a streamed response may be logged one event per line, as the client received it
(OpenAI Chat Completions chunks, Responses `response.*` events, Anthropic `message_start` …
`message_stop`, Gemini streamGenerateContent chunks), interleaved with other streams and
responses. Each stream is billed once, at its final usage (the chunk with `usage`,
`response.completed`/`incomplete`, `message_stop`, the chunk with a finishReason). A stream
whose final usage never came before the end of its file is priced as a lower bound from what
did arrive and counted in `incomplete_streams`, listed with the line of its first event.

Gateways: provider-prefixed model ids (`openai/gpt-5`, `anthropic/claude-sonnet-4.5`) resolve.
A charge the line reports (OpenRouter's `usage.cost`, plus `cost_details.upstream_inference_cost`
when `is_byok`) is summed beside ratebook's price of the same records (`reported_cost`); the
total stays ratebook's price.

Assumptions: each priced record is counted as priced exactly, or by what its price assumed
because the line did not say: cache_ttl_5m (Anthropic cache writes without their TTL split),
no_timestamp (priced at --date), standard_tier (no service tier on an OpenAI or Anthropic
response), snapshot_stripped (an unlisted snapshot id priced as its model), incomplete_stream.

Long context: requests past a whole-request long-context tier (one that reprices every token
of the request) are counted with what they cost above base rates, and those within 10% below
one are counted as near it (long_context in --json).

Reports: --group-by day|month|model|provider|mode|tag:KEY (repeatable or comma-separated)
divides the totals (tag:KEY: a top-level field of the line, or of its `metadata`, `(none)` when
absent); with day or month, a month-end projection runs the latest month's total so far on at
its daily rate (days from the 1st to its last day with records). --format csv prints the groups
(or one row per model), exact amounts; --format json is --json.

Restatements: --against OLD_PRICING_DIR_OR_GIT_REF prices the same records by the other book
too (a directory of pricing files, or pricing/ at a git ref of this repository) and reports per
month the old total, the new one and, per model that differs, the book changes in force by the
month's end. --json stamps every result with `book` (hash, newest_effective).

What-if: --what-if CHANGE (repeatable) prices every record again under mode=batch|flex|
priority|standard, model=ID, cache-ttl=1h (five-minute cache writes made one-hour),
deployment=SCOPE (calls through a cloud made through another of its scopes) or overlay=FILE
(your own prices). A record
the change cannot apply to (a mode its model does not offer, a usage the other model cannot
price) keeps its own price in that total and is counted as not_applicable.

Lines: blank lines are skipped and not counted. Failed requests (error objects, batch lines with
an error or a non-200 status, Anthropic batch results that errored, expired or were canceled)
are counted as `failed` and not billed. A line that cannot be read or priced (bad JSON, wrong
types, absurd counts, an unknown model, …) is counted as `rejected` with its file:line and
reason, and the rest of the input is still priced; --strict makes the first one fatal. A line
may be up to 64 MiB; input is streamed, so memory does not grow with the number of lines.

Threads: --threads N prices on N threads (default: one per core); --threads 1 reads and prices
on one. The output is the same to the last digit for any N, rejected lines in file order.

--json prints total_usd (an exact decimal string), records (priced), priced_exactly,
assumptions (records by assumption), failed (not billed),
rejected, rejected_lines (the first 20: file, line, kind, reason), rejected_kinds,
incomplete_streams, incomplete_stream_lines (the first 20: file, line, shape, id, reason),
failed_reasons, by_model (per model: records, modes, input/cached/cache-write/output token
totals, total_usd and a per-meter breakdown), reported_cost (when lines report a charge:
records, charged_usd, estimated_usd, difference_usd), what_if (with --what-if: change,
total_usd, delta_usd, not_applicable), groups (with --group-by: group, records, total_usd,
first_date, last_date), projection, long_context (near_cliff, over_cliff, over_cliff_extra_usd), book (hash,
newest_effective), restatement (with
--against: against, against_book, months with old/new totals, delta and per-model causes) and,
with --budget, budget.

Per record: --records prints one JSON object per priced response instead of the summary
(file, line, model as logged, priced_as, date, mode, total_usd, assumptions); a stream is
printed at the line of the event that completed it. Rejected lines are still reported on
standard error.

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
    #[command(flatten)]
    own: books::OwnPrices,
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
    /// Also price every record under CHANGE and report the total and the difference:
    /// mode=batch|flex|priority|standard, model=ID, cache-ttl=1h, deployment=SCOPE (calls
    /// through a cloud made through another of its scopes: global, geographic, in-region, …)
    /// or overlay=FILE (your own prices, see --overlay). Repeatable.
    #[arg(long = "what-if", value_name = "CHANGE")]
    what_if: Vec<String>,
    /// Divide the totals by day, month, model, provider, mode or tag:KEY (a top-level field of
    /// the log line or of its `metadata`); repeatable, or comma-separated (month,model).
    /// Grouping by day or month adds a month-end projection.
    #[arg(long = "group-by", value_name = "GROUP", value_delimiter = ',')]
    group_by: Vec<String>,
    /// Also price the log by another version of the book (a pricing directory, or a git ref
    /// of this repository's `pricing/`) and report, per month, what the change restates.
    #[arg(long, value_name = "OLD_PRICING_DIR_OR_GIT_REF")]
    against: Option<String>,
    /// Output format: table (default), json (as --json) or csv (the groups, or per model).
    #[arg(long, value_parser = ["table", "json", "csv"])]
    format: Option<String>,
    /// Print JSON (exact decimal strings for money) instead of a table.
    #[arg(long)]
    json: bool,
    /// Threads to price on (default: one per core; 1 reads and prices on one thread).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Print each priced response instead of the summary: JSON Lines of file, line, model,
    /// priced_as, date, mode, total_usd and assumptions, in input order (on one thread).
    #[arg(long, conflicts_with_all = ["json", "format", "group_by", "what_if", "against", "budget"])]
    records: bool,
}

/// A rejected line, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) file: String,
    pub(crate) line: u64,
    pub(crate) kind: RejectKind,
    pub(crate) reason: String,
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
        if lines % 16_384 == 0 {
            self.show(file, lines, bytes, size);
        }
    }

    /// Redraws the line, at most five times a second.
    fn show(&mut self, file: &str, lines: u64, bytes: u64, size: Option<u64>) {
        if !self.on {
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
                // Longer than the cap is too long however the reads fell, as in `Chunker`.
                if skipping || line_end - line_start > self.cap {
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
                return Ok(Some(if skipping || self.end - line_start > self.cap {
                    Next::TooLong
                } else {
                    Next::Line(&self.buf[line_start..self.end])
                }));
            }
            self.fill()?;
        }
    }
}

/// Cuts input into chunks of whole lines for the workers, reading into buffers the caller
/// supplies. A line longer than the cap is not kept: it becomes [`Piece::TooLong`] and is
/// skipped up to its newline.
struct Chunker<R> {
    inner: R,
    /// The start of a line that did not fit in the last chunk.
    carry: Vec<u8>,
    eof: bool,
    cap: usize,
    chunk: usize,
    /// Bytes consumed so far (for progress).
    consumed: u64,
}

/// What [`Chunker::next`] hands out.
enum Piece {
    /// `buf[..len]`: whole lines, each ending with a newline except perhaps the input's last.
    Lines(Vec<u8>, usize),
    /// One line longer than the cap (the buffer comes back unused).
    TooLong(Vec<u8>),
    /// The lines that start in bytes `start..end` of the file being read: the worker reads
    /// them itself with positional reads (see [`read_range`]).
    Range { start: u64, end: u64 },
}

impl<R: Read> Chunker<R> {
    fn new(inner: R, cap: usize, chunk: usize) -> Chunker<R> {
        Chunker {
            inner,
            carry: Vec::new(),
            eof: false,
            cap,
            chunk,
            consumed: 0,
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next piece, read into `buf`; `Err(buf)` when the input is exhausted.
    fn next(&mut self, mut buf: Vec<u8>) -> io::Result<Result<Piece, Vec<u8>>> {
        // A buffer grown for a long line goes back to the chunk size.
        if buf.len() > 4 * self.chunk {
            buf = Vec::new();
        }
        let want = self.chunk.max(self.carry.len() + self.chunk / 2);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        let mut len = self.carry.len();
        buf[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        loop {
            while len < buf.len() && !self.eof {
                let n = self.read(&mut buf[len..])?;
                self.eof = n == 0;
                len += n;
            }
            if let Some(i) = memchr::memrchr(b'\n', &buf[..len]) {
                self.carry.extend_from_slice(&buf[i + 1..len]);
                self.consumed += (i + 1) as u64;
                return Ok(Ok(Piece::Lines(buf, i + 1)));
            }
            // No newline in `len` bytes: they are all one line.
            if len > self.cap {
                self.consumed += len as u64;
                return self.skip_line(buf).map(Ok);
            }
            if self.eof {
                if len == 0 {
                    return Ok(Err(buf));
                }
                self.consumed += len as u64;
                return Ok(Ok(Piece::Lines(buf, len)));
            }
            let grown = (buf.len() * 2).min(self.cap + self.chunk).max(len + 1);
            buf.resize(grown, 0);
        }
    }

    /// Reads on to the end of a too-long line, keeping only what follows its newline.
    fn skip_line(&mut self, mut buf: Vec<u8>) -> io::Result<Piece> {
        let piece = self.chunk.min(buf.len());
        while !self.eof {
            let n = self.read(&mut buf[..piece])?;
            self.eof = n == 0;
            if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
                self.carry.extend_from_slice(&buf[i + 1..n]);
                self.consumed += (i + 1) as u64;
                break;
            }
            self.consumed += n as u64;
        }
        Ok(Piece::TooLong(buf))
    }
}

/// Why a too-long line is rejected.
fn too_long_reason() -> String {
    format!("line longer than {} MiB", MAX_LINE >> 20)
}

/// A line's text (without its newline) for `ledger`: strips a trailing `\r` and, on a file's
/// first line, a UTF-8 byte-order mark; a line longer than the cap or not UTF-8 is rejected
/// unread (counted on `ledger`).
fn line_text<'l>(
    ledger: &mut Ledger<'_>,
    bytes: &'l [u8],
    first: bool,
) -> Result<&'l str, LineOutcome> {
    if bytes.len() > MAX_LINE {
        ledger.count_rejected(RejectKind::TooLong);
        return Err(LineOutcome::Rejected(LineError::new(
            RejectKind::TooLong,
            too_long_reason(),
        )));
    }
    let mut line = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    if first {
        line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    }
    // The SIMD check answers for valid text; std's locates the error of invalid text.
    if let Ok(text) = simdutf8::basic::from_utf8(line) {
        return Ok(text);
    }
    std::str::from_utf8(line).map_err(|e| {
        ledger.count_rejected(RejectKind::Encoding);
        let msg = format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        );
        LineOutcome::Rejected(LineError::new(RejectKind::Encoding, msg))
    })
}

/// Prices line number `number` (without its newline) on `ledger`, which holds the open streams.
fn price_line(ledger: &mut Ledger<'_>, bytes: &[u8], first: bool, number: u64) -> LineOutcome {
    match line_text(ledger, bytes, first) {
        Ok(text) => ledger.add_line_at(text, number),
        Err(outcome) => outcome,
    }
}

/// What a worker leaves to the reading thread, whose ledger holds the open streams.
enum Deferred {
    /// A stream event line (its text), to read in input order.
    Line(String),
    /// A stream whose final usage the worker priced: forget it.
    End(StreamKey),
}

/// A chunk for a worker.
struct Work {
    seq: u64,
    /// The chunk starts the file (its first line may carry a byte-order mark).
    first: bool,
    piece: Piece,
}

/// A worker's report on one chunk, with the chunk's buffer to reuse.
struct Done {
    seq: u64,
    /// Lines in the chunk, blank ones included.
    lines: u64,
    blank: u64,
    /// The chunk's first rejected lines: (line index in the chunk, kind, reason).
    rejections: Vec<(u64, RejectKind, String)>,
    /// Stream events for the reading thread, in order: (line index in the chunk, event).
    deferred: Vec<(u64, Deferred)>,
    buf: Vec<u8>,
    /// Pricing the chunk panicked (a bug): the run stops with an error.
    panicked: bool,
    /// A byte range: no line of the file starts after it.
    eof: bool,
    /// A byte range: the bytes of its lines (for progress).
    bytes: u64,
    /// A byte range could not be read: the run stops with this error.
    read_error: Option<io::Error>,
}

impl Done {
    fn new(seq: u64) -> Done {
        Done {
            seq,
            lines: 0,
            blank: 0,
            rejections: Vec::new(),
            deferred: Vec::new(),
            buf: Vec::new(),
            panicked: false,
            eof: false,
            bytes: 0,
            read_error: None,
        }
    }

    fn panicked(seq: u64) -> Done {
        Done {
            panicked: true,
            ..Done::new(seq)
        }
    }
}

/// Prices a chunk on a worker's ledger. In strict mode it stops at the first rejected line:
/// the run ends there. `file` is the file being read when chunks are byte ranges of it; `own`
/// is the worker's buffer for them.
fn price_chunk(
    ledger: &mut Ledger<'_>,
    work: Work,
    strict: bool,
    file: Option<&File>,
    own: &mut RangeBuf,
) -> Done {
    let mut done = Done::new(work.seq);
    match work.piece {
        Piece::TooLong(buf) => {
            ledger.count_rejected(RejectKind::TooLong);
            done.lines = 1;
            done.rejections
                .push((0, RejectKind::TooLong, too_long_reason()));
            done.buf = buf;
        }
        Piece::Lines(buf, len) => {
            price_lines(ledger, &mut done, &buf[..len], work.first, strict);
            done.buf = buf;
        }
        Piece::Range { start, end } => {
            let Some(file) = file else {
                return Done::panicked(work.seq);
            };
            match read_range(file, start, end, MAX_LINE, own) {
                Ok(r) => {
                    done.eof = r.eof;
                    done.bytes = r.bytes;
                    let stopped =
                        price_lines(ledger, &mut done, &own.data[r.lines], work.first, strict);
                    if r.too_long && !stopped {
                        ledger.count_rejected(RejectKind::TooLong);
                        if done.rejections.len() < LISTED_REJECTIONS {
                            done.rejections.push((
                                done.lines,
                                RejectKind::TooLong,
                                too_long_reason(),
                            ));
                        }
                        done.lines += 1;
                    }
                }
                Err(e) => done.read_error = Some(e),
            }
        }
    }
    done
}

/// Prices the lines of `bytes` (whole lines, the last perhaps without its newline) into
/// `done`. Returns whether it stopped early at a rejected line (strict mode).
fn price_lines(
    ledger: &mut Ledger<'_>,
    done: &mut Done,
    bytes: &[u8],
    first: bool,
    strict: bool,
) -> bool {
    let len = bytes.len();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes)
        .chain((len > 0 && bytes[len - 1] != b'\n').then_some(len));
    for end in ends {
        let index = done.lines;
        let outcome = match line_text(ledger, &bytes[start..end], first && start == 0) {
            Ok(text) => match ledger.add_line_for_worker(text) {
                WorkerStep::Done(outcome) => outcome,
                WorkerStep::Defer => {
                    done.deferred
                        .push((index, Deferred::Line(text.to_string())));
                    LineOutcome::Streamed
                }
                WorkerStep::Ended(outcome, key) => {
                    done.deferred.push((index, Deferred::End(key)));
                    outcome
                }
            },
            Err(outcome) => outcome,
        };
        start = end + 1;
        done.lines += 1;
        match outcome {
            LineOutcome::Blank => done.blank += 1,
            LineOutcome::Priced | LineOutcome::Failed | LineOutcome::Streamed => {}
            LineOutcome::Rejected(e) => {
                if done.rejections.len() < LISTED_REJECTIONS {
                    done.rejections.push((index, e.kind, e.message));
                }
                if strict {
                    return true;
                }
            }
        }
    }
    false
}

/// A worker's buffer for byte ranges of a file: `data[..len]` was read; `data` only grows, so
/// reading into it again does not clear it first.
#[derive(Default)]
struct RangeBuf {
    data: Vec<u8>,
    len: usize,
}

impl RangeBuf {
    /// Appends up to `want` bytes of `file` read at `at`; returns how many (fewer only at the
    /// end of the file).
    fn read_at(&mut self, file: &File, at: u64, want: usize) -> io::Result<usize> {
        let need = self.len + want;
        if self.data.len() < need {
            self.data.resize(need, 0);
        }
        let mut got = 0;
        while got < want {
            let pos = at + got as u64;
            match positional_read(file, &mut self.data[self.len + got..need], pos) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.len += got;
        Ok(got)
    }
}

#[cfg(unix)]
fn positional_read(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn positional_read(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// Whether this platform reads files by byte ranges (see [`read_range`]).
const RANGES: bool = cfg!(any(unix, windows));

#[cfg(not(any(unix, windows)))]
fn positional_read(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Bytes read past a range's end in the first read, for its last line.
const SLACK: usize = 16 << 10;

/// What [`read_range`] found.
struct RangeLines {
    /// The lines in the buffer: whole lines, the last perhaps without a newline at the end of
    /// the file.
    lines: std::ops::Range<usize>,
    /// One more line starts in the range after `lines`, longer than the cap: not kept.
    too_long: bool,
    /// No line starts after these: the file ends.
    eof: bool,
    /// Bytes of the lines (for progress).
    bytes: u64,
}

/// The lines that start in bytes `start..end` of `file` (a line starts at 0 and after each
/// newline), read into `buf` with positional reads: from `start - 1` (to see whether a line
/// starts at `start`) to the newline of the last line starting before `end`. Each byte range of
/// a file thus gives its lines to exactly one worker, and no thread copies the file for the
/// others. A last line longer than `cap` is not read to its end (`too_long`).
fn read_range(
    file: &File,
    start: u64,
    end: u64,
    cap: usize,
    buf: &mut RangeBuf,
) -> io::Result<RangeLines> {
    let from = start.saturating_sub(1);
    buf.len = 0;
    let span = usize::try_from(end - from).unwrap_or(usize::MAX);
    let want = span.saturating_add(SLACK.min(span));
    let mut ended = buf.read_at(file, from, want)? < want;
    let none = |ended: bool, len: usize| RangeLines {
        lines: 0..0,
        too_long: false,
        eof: ended && from + len as u64 <= end,
        bytes: 0,
    };
    // Where this range's first line starts: 0 for the file's first range, else just after the
    // first newline at `start - 1` or later, if that is before `end`.
    let first = if start == 0 {
        0
    } else {
        let limit = (span - 1).min(buf.len);
        match memchr::memchr(b'\n', &buf.data[..limit]) {
            Some(i) => i + 1,
            None => return Ok(none(ended, buf.len)),
        }
    };
    if first >= buf.len {
        return Ok(none(ended, buf.len));
    }
    // The last line starting before `end` is the one holding byte `end - 1` (or the file's
    // last, if it ends sooner): read on to its newline.
    let last_byte = (span - 1).min(buf.len - 1).max(first);
    let mut search = last_byte;
    loop {
        if let Some(i) = memchr::memchr(b'\n', &buf.data[search..buf.len]) {
            let stop = search + i + 1;
            return Ok(RangeLines {
                lines: first..stop,
                too_long: false,
                eof: ended && stop == buf.len,
                bytes: (stop - first) as u64,
            });
        }
        if ended {
            return Ok(RangeLines {
                lines: first..buf.len,
                too_long: false,
                eof: true,
                bytes: (buf.len - first) as u64,
            });
        }
        let last_start =
            memchr::memrchr(b'\n', &buf.data[first..last_byte]).map_or(first, |i| first + i + 1);
        if buf.len - last_start > cap {
            return Ok(RangeLines {
                lines: first..last_start,
                too_long: true,
                eof: false,
                bytes: (last_start - first) as u64,
            });
        }
        search = buf.len;
        // Doubling: a long line costs reads in proportion to its length.
        let more = buf.len.max(64).min(cap);
        ended = buf.read_at(file, from + buf.len as u64, more)? < more;
    }
}

/// Logs being read and priced: the ledger, and what is reported besides its summary.
pub(crate) struct Run<'b> {
    pub(crate) ledger: Ledger<'b>,
    strict: bool,
    /// The first rejected lines, in file order.
    pub(crate) rejections: Vec<Rejection>,
    /// The first incomplete streams: (file, stream).
    pub(crate) incomplete: Vec<(String, IncompleteStream)>,
    /// Lines read, blank ones apart.
    pub(crate) lines: u64,
    pub(crate) blank: u64,
    progress: Progress,
}

impl<'b> Run<'b> {
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

    /// Prints the records priced since the last call (`--records`; nothing otherwise).
    fn print_records(&mut self, name: &str) -> Result<()> {
        for r in self.ledger.take_record_costs() {
            let line = RecordLine {
                file: name.to_string(),
                line: r.line,
                model: r.model,
                priced_as: r.priced_as,
                date: r.date,
                mode: r.mode.as_str().to_string(),
                total_usd: usd(r.total),
                assumptions: r
                    .assumptions
                    .iter()
                    .map(|a| a.as_str().to_string())
                    .collect(),
            };
            outln!("{}", serde_json::to_string(&line)?);
        }
        Ok(())
    }

    /// The end of file `name`: its streams still open are incomplete.
    fn end_file(&mut self, name: &str) {
        self.ledger.finish();
        for s in self.ledger.take_incomplete() {
            if self.incomplete.len() < LISTED_REJECTIONS {
                self.incomplete.push((name.to_string(), s));
            }
        }
    }

    /// Reads and prices `input` on this thread.
    fn read(&mut self, name: &str, input: impl Read, size: Option<u64>) -> Result<()> {
        let mut reader = LineReader::new(input, MAX_LINE);
        let mut n = 0u64;
        loop {
            let next = reader
                .next_line()
                .with_context(|| format!("cannot read {name}"))?;
            let outcome = match next {
                None => break,
                Some(Next::TooLong) => {
                    self.ledger.count_rejected(RejectKind::TooLong);
                    LineOutcome::Rejected(LineError::new(RejectKind::TooLong, too_long_reason()))
                }
                Some(Next::Line(b)) => price_line(&mut self.ledger, b, n == 0, n + 1),
            };
            n += 1;
            self.print_records(name)?;
            match outcome {
                LineOutcome::Blank => self.blank += 1,
                LineOutcome::Priced | LineOutcome::Failed | LineOutcome::Streamed => {
                    self.lines += 1
                }
                LineOutcome::Rejected(e) => {
                    self.lines += 1;
                    self.reject(name, n, e.kind, e.message)?;
                }
            }
            self.progress.tick(name, n, reader.consumed, size);
        }
        self.end_file(name);
        self.print_records(name)
    }

    /// Reads `input` on this thread and prices its chunks on `threads` workers, each with its
    /// own ledger, merged into this run's at the end. Chunks are taken back in input order, so
    /// counts, rejected lines and `--strict` behave exactly as in [`Run::read`].
    ///
    /// With `file` (a regular file), chunks are byte ranges of it that the workers read
    /// themselves ([`read_range`]); `input` is then not read.
    fn read_parallel(
        &mut self,
        name: &str,
        input: impl Read,
        file: Option<&File>,
        size: Option<u64>,
        threads: usize,
        chunk: usize,
    ) -> Result<()> {
        let fresh = self.ledger.fresh();
        let strict = self.strict;
        let (work_tx, work_rx) = mpsc::sync_channel::<Work>(threads * BUFFERS_PER_WORKER);
        let work_rx = Mutex::new(work_rx);
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        let ledgers = std::thread::scope(|scope| -> Result<Vec<Ledger<'b>>> {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let done_tx = done_tx.clone();
                    let work_rx = &work_rx;
                    let mut ledger = fresh.clone();
                    scope.spawn(move || {
                        let mut own = RangeBuf::default();
                        loop {
                            // The lock is held only to take the next chunk.
                            let next = match work_rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => break,
                            };
                            let Ok(work) = next else { break };
                            // A panic is reported like a chunk, so the reader stops waiting.
                            let seq = work.seq;
                            let done = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                price_chunk(&mut ledger, work, strict, file, &mut own)
                            }))
                            .unwrap_or_else(|_| Done::panicked(seq));
                            if done_tx.send(done).is_err() {
                                break;
                            }
                        }
                        ledger
                    })
                })
                .collect();
            drop(done_tx);
            let read = match file {
                Some(_) => self.feed_ranges(name, size, threads, chunk, work_tx, &done_rx),
                None => self.feed(name, input, size, threads, chunk, work_tx, &done_rx),
            };
            let mut ledgers = Vec::with_capacity(threads);
            for w in workers {
                ledgers.push(
                    w.join()
                        .map_err(|_| anyhow::anyhow!("a pricing thread failed"))?,
                );
            }
            read.map(|()| ledgers)
        })?;
        for l in ledgers {
            self.ledger.merge(l)?;
        }
        self.end_file(name);
        Ok(())
    }

    /// The reading side of [`Run::read_parallel`]: chunks out to the workers, reports back in
    /// input order. A buffer is reused only after its chunk's report is taken, so at most
    /// `threads × BUFFERS_PER_WORKER` chunks are in memory, reported or not.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call site, all of the reading state"
    )]
    fn feed(
        &mut self,
        name: &str,
        input: impl Read,
        size: Option<u64>,
        threads: usize,
        chunk: usize,
        work_tx: mpsc::SyncSender<Work>,
        done_rx: &mpsc::Receiver<Done>,
    ) -> Result<()> {
        let mut chunker = Chunker::new(input, MAX_LINE, chunk);
        let mut pool: Vec<Vec<u8>> = (0..threads * BUFFERS_PER_WORKER)
            .map(|_| Vec::new())
            .collect();
        let mut order = InOrder::default();
        let mut sent = 0u64;
        loop {
            // Without a free buffer, wait for reports (taking them in order frees buffers).
            let buf = loop {
                if let Some(b) = pool.pop() {
                    break b;
                }
                order.wait(self, name, done_rx, &mut pool)?;
                self.progress
                    .show(name, order.lines, chunker.consumed, size);
            };
            let piece = match chunker
                .next(buf)
                .with_context(|| format!("cannot read {name}"))?
            {
                Ok(piece) => piece,
                Err(_) => break,
            };
            let work = Work {
                seq: sent,
                first: sent == 0,
                piece,
            };
            work_tx
                .send(work)
                .map_err(|_| anyhow::anyhow!("the pricing threads stopped"))?;
            sent += 1;
        }
        drop(work_tx);
        while order.taken < sent {
            order.wait(self, name, done_rx, &mut pool)?;
            self.progress
                .show(name, order.lines, chunker.consumed, size);
        }
        Ok(())
    }

    /// The coordinating side of [`Run::read_parallel`] on a regular file: byte ranges out to
    /// the workers, which read them, and reports back in input order, until a range reaches
    /// the end of the file. At most `threads × BUFFERS_PER_WORKER` ranges are out at a time.
    fn feed_ranges(
        &mut self,
        name: &str,
        size: Option<u64>,
        threads: usize,
        chunk: usize,
        work_tx: mpsc::SyncSender<Work>,
        done_rx: &mpsc::Receiver<Done>,
    ) -> Result<()> {
        let mut tokens: Vec<Vec<u8>> = (0..threads * BUFFERS_PER_WORKER)
            .map(|_| Vec::new())
            .collect();
        let mut order = InOrder::default();
        let mut sent = 0u64;
        let step = chunk as u64;
        while !order.eof {
            // Without a free slot, wait for reports (taking them in order frees slots).
            if tokens.pop().is_none() {
                order.wait(self, name, done_rx, &mut tokens)?;
                self.progress.show(name, order.lines, order.bytes, size);
                continue;
            }
            let start = sent.saturating_mul(step);
            let work = Work {
                seq: sent,
                first: sent == 0,
                piece: Piece::Range {
                    start,
                    end: start.saturating_add(step),
                },
            };
            work_tx
                .send(work)
                .map_err(|_| anyhow::anyhow!("the pricing threads stopped"))?;
            sent += 1;
        }
        drop(work_tx);
        // Ranges sent past the end of the file have no lines; their reports are taken too.
        while order.taken < sent {
            order.wait(self, name, done_rx, &mut tokens)?;
            self.progress.show(name, order.lines, order.bytes, size);
        }
        Ok(())
    }
}

/// Chunk reports put back in input order.
#[derive(Default)]
struct InOrder {
    pending: BTreeMap<u64, Done>,
    /// Reports taken: the next one to take is `taken`.
    taken: u64,
    /// Lines of the file in the reports taken.
    lines: u64,
    /// Bytes of byte-range reports taken.
    bytes: u64,
    /// A byte-range report taken says the file ends.
    eof: bool,
}

impl InOrder {
    /// Waits for the next chunk report from the workers and [takes](InOrder::take) it.
    fn wait(
        &mut self,
        run: &mut Run<'_>,
        name: &str,
        done_rx: &mpsc::Receiver<Done>,
        pool: &mut Vec<Vec<u8>>,
    ) -> Result<()> {
        let done = done_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("the pricing threads stopped"))?;
        self.take(run, name, done, pool)
    }

    /// Files `done` and takes every report now next in order: its counts and rejected lines go
    /// to `run` (numbered in the file), its buffer back to `pool`.
    fn take(
        &mut self,
        run: &mut Run<'_>,
        name: &str,
        done: Done,
        pool: &mut Vec<Vec<u8>>,
    ) -> Result<()> {
        self.pending.insert(done.seq, done);
        while let Some(done) = self.pending.remove(&self.taken) {
            if done.panicked {
                bail!("{name}: pricing a chunk of lines failed (a bug in ratebook)");
            }
            if let Some(e) = done.read_error {
                return Err(anyhow::Error::new(e).context(format!("cannot read {name}")));
            }
            self.bytes += done.bytes;
            self.eof |= done.eof;
            self.taken += 1;
            pool.push(done.buf);
            // The chunk's stream events, in input order, on the ledger of the open streams;
            // their rejections join the worker's in line order.
            let mut rejections = done.rejections;
            for (index, d) in done.deferred {
                match d {
                    Deferred::Line(text) => {
                        let number = self.lines + index + 1;
                        if let LineOutcome::Rejected(e) = run.ledger.add_line_at(&text, number) {
                            rejections.push((index, e.kind, e.message));
                        }
                    }
                    Deferred::End(key) => run.ledger.end_stream(&key),
                }
            }
            rejections.sort_by_key(|r| r.0);
            for (index, kind, reason) in rejections {
                run.reject(name, self.lines + index + 1, kind, reason)?;
            }
            self.lines += done.lines;
            run.lines += done.lines - done.blank;
            run.blank += done.blank;
        }
        Ok(())
    }
}

fn summary_json(
    s: &Summary,
    run: &Run<'_>,
    files: &[String],
    date: Date,
    grouping: &[String],
    identity: &books::Identity,
) -> CostOutput {
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
                overlays: m.overlays.clone(),
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
        priced_exactly: s.priced_exactly,
        assumptions: s
            .assumptions
            .iter()
            .map(|(a, n)| (a.as_str().to_string(), *n))
            .collect(),
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
        incomplete_streams: s.incomplete_streams,
        incomplete_stream_lines: run
            .incomplete
            .iter()
            .map(|(file, i)| IncompleteStreamLine {
                file: file.clone(),
                line: i.line,
                shape: i.shape.as_str().to_string(),
                id: i.id.clone(),
                reason: i.reason.clone(),
            })
            .collect(),
        by_model,
        groups: s
            .groups
            .iter()
            .map(|g| GroupCost {
                group: grouping
                    .iter()
                    .cloned()
                    .zip(g.key.iter().cloned())
                    .collect(),
                records: g.records,
                total_usd: usd(g.total),
                first_date: g.first,
                last_date: g.last,
            })
            .collect(),
        projection: s.projection.as_ref().map(|p| ProjectionOutput {
            month: p.month.clone(),
            first_date: p.first,
            last_date: p.last,
            days_covered: p.days_covered,
            days_in_month: p.days_in_month,
            so_far_usd: usd(p.so_far),
            projected_usd: usd(p.projected),
        }),
        what_if: s
            .what_if
            .iter()
            .map(|w| WhatIfCost {
                change: w.change.as_text(),
                total_usd: usd(w.total),
                delta_usd: usd(w.total.saturating_sub(s.total)),
                not_applicable: w.not_applicable,
            })
            .collect(),
        reported_cost: s.reported.as_ref().map(|r| ReportedCost {
            records: r.records,
            charged_usd: usd(r.charged),
            estimated_usd: usd(r.estimated),
            difference_usd: usd(r.difference()),
        }),
        budget: None,
        book: book_output(identity),
        long_context: s.long_context.as_ref().map(|c| LongContextOutput {
            near_cliff: c.near,
            over_cliff: c.over,
            over_cliff_extra_usd: usd(c.over_extra),
        }),
        restatement: None,
    }
}

/// The other book of `--against`: a pricing directory, or `pricing/` at a git ref, with the
/// same own prices (`--overlay`, `--discount`) as the book the log is priced with.
fn load_against(what: &str, own: &books::OwnPrices) -> Result<(RateBook, books::Identity)> {
    let dir = Path::new(what);
    let files = if dir.is_dir() {
        books::read_dir(dir)?
    } else {
        let top = git::toplevel()?;
        git::pricing_at(&top, what)?
    };
    books::identified_with(&files, own)
}

/// Per model, what changed from `old` to `new`, as `field old → new from DATE` phrases with
/// the date each takes effect (`None` for undated facts).
fn causes(old: &RateBook, new: &RateBook) -> Vec<(String, Option<Date>, String)> {
    diff_books(old, new)
        .into_iter()
        .filter(|c| c.field != "entry" && c.field != "model")
        .map(|c| {
            let from = c.effective.map_or(String::new(), |d| format!(" from {d}"));
            let text = format!(
                "{} {} → {}{from}",
                c.field,
                c.show(c.old.as_deref()),
                c.show(c.new.as_deref())
            );
            (c.model, c.effective, text)
        })
        .collect()
}

/// The changes of `model` that can touch `month` (`YYYY-MM`): those in force by its last day.
fn causes_of<'c>(
    causes: &'c [(String, Option<Date>, String)],
    model: &str,
    month: &str,
) -> Vec<&'c str> {
    causes
        .iter()
        .filter(|(m, at, _)| {
            m == model
                && at.is_none_or(|d| format!("{:04}-{:02}", d.year(), d.month()).as_str() <= month)
        })
        .map(|(_, _, t)| t.as_str())
        .take(5)
        .collect()
}

fn book_output(id: &books::Identity) -> BookOutput {
    BookOutput {
        hash: id.hash.clone(),
        newest_effective: id.newest_effective,
    }
}

fn restatement_output(
    r: &Restatement,
    against: &str,
    old: &books::Identity,
    causes: &[(String, Option<Date>, String)],
) -> RestatementOutput {
    RestatementOutput {
        against: against.to_string(),
        against_book: book_output(old),
        not_priced_by_old: r.not_priced_by_old,
        months: r
            .months
            .iter()
            .map(|m| MonthRestatementOutput {
                month: m.month.clone(),
                old_total_usd: usd(m.old_total),
                new_total_usd: usd(m.new_total),
                delta_usd: usd(m.new_total.saturating_sub(m.old_total)),
                models: m
                    .models
                    .iter()
                    .map(|x| ModelRestatementOutput {
                        model: x.model.clone(),
                        old_total_usd: usd(x.old_total),
                        new_total_usd: usd(x.new_total),
                        delta_usd: usd(x.new_total.saturating_sub(x.old_total)),
                        causes: causes_of(causes, &x.model, &m.month)
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn restatement_table(
    r: &Restatement,
    against: &str,
    causes: &[(String, Option<Date>, String)],
) -> String {
    let mut out = format!("\nagainst {against}:\n");
    for m in &r.months {
        let delta = m.new_total.saturating_sub(m.old_total);
        if delta.is_zero() && m.models.is_empty() {
            out.push_str(&format!(
                "  {}: unchanged at {}\n",
                m.month,
                format_usd(m.new_total)
            ));
            continue;
        }
        out.push_str(&format!(
            "  restates {} by {}{} ({} → {})\n",
            m.month,
            if delta.is_sign_negative() { "" } else { "+" },
            format_usd(delta),
            format_usd(m.old_total),
            format_usd(m.new_total)
        ));
        for x in &m.models {
            let because = causes_of(causes, &x.model, &m.month);
            out.push_str(&format!(
                "    {}: {} → {}{}\n",
                x.model,
                format_usd(x.old_total),
                format_usd(x.new_total),
                if because.is_empty() {
                    String::new()
                } else {
                    format!(": {}", because.join("; "))
                }
            ));
        }
    }
    if r.not_priced_by_old > 0 {
        out.push_str(&format!(
            "  {} record(s) the other book cannot price (in the new totals only)\n",
            format_count(r.not_priced_by_old)
        ));
    }
    out
}

/// Warns on stderr of `count` things (`what`); with `--json` points at the `json_key` that lists
/// them, otherwise lists the first ones (`listed`) and says how many more there are.
pub(crate) fn warn_listed(
    what: &str,
    count: u64,
    json_key: Option<&str>,
    listed: impl Iterator<Item = String>,
) {
    if count == 0 {
        return;
    }
    match json_key {
        Some(key) => eprintln!("warning: {what}; see {key}"),
        None => {
            eprintln!("warning: {what}:");
            let mut shown = 0u64;
            for line in listed {
                eprintln!("  {line}");
                shown += 1;
            }
            if count > shown {
                eprintln!("  … and {} more", format_count(count - shown));
            }
        }
    }
}

/// How `cost` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
}

impl CostArgs {
    /// The groupings, named as in the output (`month`, `model`, `tag:team`); checked by `run`
    /// before any output.
    fn group_by_names(&self) -> Vec<String> {
        self.group_by
            .iter()
            .filter_map(|g| g.parse::<GroupBy>().ok())
            .map(|g| g.name())
            .collect()
    }
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `--format csv`: one row per group (with `--group-by`), otherwise one per model. Money is
/// the exact decimal, unrounded.
fn summary_csv(s: &Summary, grouping: &[String]) -> String {
    let mut out = String::new();
    if grouping.is_empty() {
        out.push_str("model,provider,records,input_tokens,cached_tokens,cache_write_tokens,output_tokens,total_usd\n");
        for m in &s.by_model {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                csv_field(&m.model),
                csv_field(&m.provider),
                m.records,
                m.input_tokens,
                m.cached_tokens,
                m.cache_write_tokens,
                m.output_tokens,
                usd(m.total)
            ));
        }
    } else {
        let head: Vec<String> = grouping.iter().map(|g| csv_field(g)).collect();
        out.push_str(&format!("{},records,total_usd\n", head.join(",")));
        for g in &s.groups {
            let mut key: Vec<String> = g.key.iter().map(|k| csv_field(k)).collect();
            // The `(other)` group has one key for every grouping.
            key.resize(grouping.len(), String::new());
            out.push_str(&format!(
                "{},{},{}\n",
                key.join(","),
                g.records,
                usd(g.total)
            ));
        }
    }
    out
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
    if s.incomplete_streams > 0 {
        out.push_str(&format!(
            "{} incomplete stream(s): the final usage never came, priced as a lower bound\n",
            format_count(s.incomplete_streams)
        ));
    }
    for m in s.by_model.iter().filter(|m| !m.overlays.is_empty()) {
        out.push_str(&format!(
            "custom prices on {}: {}\n",
            m.model,
            m.overlays.join("; ")
        ));
    }
    if let Some(c) = &s.long_context {
        out.push_str(&format!(
            "long context: {} request(s) past a whole-request tier cost {} above base rates; {} within 10% below one\n",
            format_count(c.over),
            format_usd(c.over_extra),
            format_count(c.near)
        ));
    }
    if !s.groups.is_empty() {
        out.push('\n');
        for g in &s.groups {
            out.push_str(&format!(
                "{:<40} {:>9} {:>14}\n",
                g.key.join(" · "),
                format_count(g.records),
                format_usd(g.total)
            ));
        }
    }
    if let Some(p) = &s.projection {
        out.push_str(&format!(
            "{}: {} in its first {} of {} days; at that daily rate the month ends near {} (a projection)\n",
            p.month,
            format_usd(p.so_far),
            p.days_covered,
            p.days_in_month,
            format_usd(p.projected)
        ));
    }
    if !s.assumptions.is_empty() {
        let said: Vec<String> = s
            .assumptions
            .iter()
            .map(|(a, n)| format!("{} ×{}", a.describe(), format_count(*n)))
            .collect();
        out.push_str(&format!(
            "{} of {} priced exactly; assumed: {}\n",
            format_count(s.priced_exactly),
            format_count(s.records),
            said.join("; ")
        ));
    }
    for w in &s.what_if {
        let delta = w.total.saturating_sub(s.total);
        out.push_str(&format!(
            "what if {}: {} ({}{}){}\n",
            w.change,
            format_usd(w.total),
            if delta.is_sign_negative() { "" } else { "+" },
            format_usd(delta),
            if w.not_applicable > 0 {
                format!(
                    "; {} record(s) it does not apply to, at their own price",
                    format_count(w.not_applicable)
                )
            } else {
                String::new()
            }
        ));
    }
    if let Some(r) = &s.reported {
        out.push_str(&format!(
            "reported by the gateway for {} record(s): {} charged; ratebook prices them at {} (difference {})\n",
            format_count(r.records),
            format_usd(r.charged),
            format_usd(r.estimated),
            format_usd(r.difference())
        ));
    }
    out
}

/// Reads and prices the logs `files` (`-` is standard input) on `ledger`, on `threads` threads
/// (default: one per core): `cost`'s reading and pricing, which `reconcile` shares. With
/// `strict`, the first rejected line is an error.
pub(crate) fn read_logs<'b>(
    ledger: Ledger<'b>,
    files: &[String],
    strict: bool,
    threads: Option<u16>,
) -> Result<Run<'b>> {
    let mut run = Run {
        ledger,
        strict,
        rejections: Vec::new(),
        incomplete: Vec::new(),
        lines: 0,
        blank: 0,
        progress: Progress::new(),
    };
    let threads = match threads {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
    };
    for name in files {
        if name == "-" {
            let input = io::stdin().lock();
            if threads > 1 {
                run.read_parallel("<stdin>", input, None, None, threads, CHUNK)?;
            } else {
                run.read("<stdin>", input, None)?;
            }
            continue;
        }
        let f = File::open(name).with_context(|| format!("cannot open {name}"))?;
        let meta = f.metadata().ok();
        let size = meta.as_ref().map(|m| m.len());
        // A regular file is read by byte ranges on the workers; a pipe or a device in order.
        let ranges = RANGES && meta.as_ref().is_some_and(|m| m.is_file());
        if threads > 1 {
            let file = ranges.then_some(&f);
            run.read_parallel(name, &f, file, size, threads, CHUNK)?;
        } else {
            run.read(name, &f, size)?;
        }
    }
    run.progress.done();
    Ok(run)
}

/// Warns on stderr of the logs' `count` rejected lines, listing the first ones (`listed`), or
/// with `--json` pointing at `json_key`.
pub(crate) fn warn_rejected(count: u64, listed: &[Rejection], json_key: Option<&str>) {
    warn_listed(
        &format!("{} line(s) rejected (not priced)", format_count(count)),
        count,
        json_key,
        listed
            .iter()
            .map(|r| format!("{}:{}: {}", r.file, r.line, r.reason)),
    );
}

pub fn run(pricing: Option<&Path>, args: CostArgs) -> Result<ExitCode> {
    let (book, identity) = books::load_identified(pricing, &args.own)?;
    let old = match &args.against {
        None => None,
        Some(a) => Some(load_against(a, &args.own).with_context(|| format!("--against {a}"))?),
    };
    let date = books::date_or_today(args.date.as_deref())?;
    let provider: Option<Provider> = args.provider.as_deref().map(str::parse).transpose()?;
    let budget = match &args.budget {
        Some(b) => {
            let limit = parse_user_decimal(b)
                .map_err(anyhow::Error::msg)
                .context("--budget")?;
            Some(Budget::usd_per_day(limit).context("--budget")?)
        }
        None => None,
    };
    // Each `overlay=FILE` what-if prices with the book and that overlay (after --overlay and
    // --discount): built before the ledger, which borrows them.
    let changes: Vec<WhatIf> = args
        .what_if
        .iter()
        .map(|w| w.parse().with_context(|| format!("--what-if {w}")))
        .collect::<Result<_>>()?;
    let mut what_if_books: Vec<Option<RateBook>> = Vec::with_capacity(changes.len());
    for (w, change) in args.what_if.iter().zip(&changes) {
        what_if_books.push(match change {
            WhatIf::Overlay(file) => {
                let own = books::OwnPrices {
                    overlays: vec![file.into()],
                    discounts: Vec::new(),
                };
                Some(
                    own.apply(book.clone())
                        .with_context(|| format!("--what-if {w}"))?,
                )
            }
            _ => None,
        });
    }
    let mut ledger = Ledger::new(&book, date).force_provider(provider);
    for ((w, change), other) in args.what_if.iter().zip(changes).zip(&what_if_books) {
        ledger = match other {
            Some(b) => ledger.what_if_priced_by(change, b),
            None => ledger.what_if(change),
        }
        .with_context(|| format!("--what-if {w}"))?;
    }
    if let Some((old_book, _)) = &old {
        ledger = ledger.against(old_book);
    }
    for g in &args.group_by {
        let by: GroupBy = g.parse().with_context(|| format!("--group-by {g}"))?;
        ledger = ledger.group_by(by);
    }
    let format = match (args.format.as_deref(), args.json) {
        (Some("csv"), true) => anyhow::bail!("--json and --format csv ask for two formats"),
        (Some("json"), _) | (None, true) => Format::Json,
        (Some("csv"), false) => Format::Csv,
        _ => Format::Table,
    };
    if args.records {
        ledger = ledger.record_costs();
    }
    // Records print in input order as they are priced: on this thread.
    let threads = if args.records { Some(1) } else { args.threads };
    let run = read_logs(ledger, &args.files, args.strict, threads)?;
    let summary = run.ledger.summary()?;
    let check = budget.map(|b| b.check_spend(summary.total));

    if args.records {
        // Only the records on standard output; warnings below.
    } else if format == Format::Csv {
        out!("{}", summary_csv(&summary, &args.group_by_names()));
    } else if format == Format::Json {
        let mut v = summary_json(
            &summary,
            &run,
            &args.files,
            date,
            &args.group_by_names(),
            &identity,
        );
        v.restatement = match (&summary.restatement, &old) {
            (Some(r), Some((old_book, old_id))) => Some(restatement_output(
                r,
                args.against.as_deref().unwrap_or_default(),
                old_id,
                &causes(old_book, &book),
            )),
            _ => None,
        };
        v.budget = check.as_ref().map(|c| BudgetOutput {
            limit_usd: usd(c.limit),
            over: c.over,
            over_by_usd: usd(c.over_by),
            headroom_usd: usd(c.headroom),
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        out!("{}", summary_table(&summary));
        if let (Some(r), Some((old_book, _))) = (&summary.restatement, &old) {
            out!(
                "{}",
                restatement_table(
                    r,
                    args.against.as_deref().unwrap_or_default(),
                    &causes(old_book, &book)
                )
            );
        }
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
    let json = format == Format::Json;
    warn_rejected(
        summary.rejected,
        &run.rejections,
        json.then_some("rejected_lines"),
    );
    warn_listed(
        &format!(
            "{} stream(s) incomplete (priced as a lower bound)",
            format_count(summary.incomplete_streams)
        ),
        summary.incomplete_streams,
        json.then_some("incomplete_stream_lines"),
        run.incomplete.iter().map(|(file, i)| {
            format!(
                "{file}:{}: {} stream {}: {}",
                i.line,
                i.shape.as_str(),
                i.id,
                i.reason
            )
        }),
    );
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

    /// The lines `Chunker` cuts `input` into (as a worker splits its chunks).
    fn chunked(input: &[u8], cap: usize, chunk: usize) -> Vec<String> {
        let mut c = Chunker::new(input, cap, chunk);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            match c.next(buf).unwrap() {
                Err(_) => break,
                Ok(Piece::TooLong(b)) => {
                    out.push("<too long>".to_string());
                    buf = b;
                }
                Ok(Piece::Lines(b, len)) => {
                    let bytes = &b[..len];
                    let mut pieces: Vec<&[u8]> = bytes.split(|&x| x == b'\n').collect();
                    if bytes.ends_with(b"\n") {
                        pieces.pop();
                    }
                    out.extend(pieces.iter().map(|l| {
                        if l.len() > cap {
                            "<too long>".to_string()
                        } else {
                            String::from_utf8_lossy(l).into_owned()
                        }
                    }));
                    buf = b;
                }
                Ok(Piece::Range { .. }) => panic!("the chunker cuts no byte ranges"),
            }
        }
        assert_eq!(c.consumed, input.len() as u64);
        out
    }

    #[test]
    fn chunks_hold_the_same_lines_as_the_line_reader() {
        let long = "y".repeat(100);
        let inputs = [
            "ab\ncdefgh\n\nij".to_string(),
            String::new(),
            "\n".into(),
            "x\r\n".into(),
            format!("ok\n{long}\nafter\n{long}"),
            format!("{long}\n{long}\n"),
            "0123456789\nz".into(),
            "01234567890\nz\n".into(),
            "a\n\n\nb\n".into(),
        ];
        for input in &inputs {
            for chunk in [1, 2, 3, 5, 16, 64, 1 << 20] {
                assert_eq!(
                    chunked(input.as_bytes(), 10, chunk),
                    lines(input.as_bytes(), 10),
                    "{input:?} in chunks of {chunk}"
                );
            }
        }
    }

    /// A mixed log: every fixture, blank and CRLF lines, a byte-order mark, bytes that are not
    /// UTF-8, and rejected lines spread through it.
    fn mixed_log() -> Vec<u8> {
        let mut log = b"\xEF\xBB\xBF".to_vec();
        for text in [
            include_str!("../../../tests/data/usage/mixed.jsonl"),
            include_str!("../../../tests/data/usage/bad_lines.jsonl"),
            include_str!("../../../tests/data/usage/anthropic_batch.jsonl"),
            include_str!("../../../tests/data/usage/openai_chat.jsonl"),
            include_str!("../../../tests/data/usage/bad_lines.jsonl"),
            include_str!("../../../tests/data/usage/gemini_batch.jsonl"),
            include_str!("../../../tests/data/usage/streams_mixed.jsonl"),
        ] {
            for (i, line) in text.lines().enumerate() {
                log.extend_from_slice(line.as_bytes());
                log.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
                if i % 5 == 0 {
                    log.extend_from_slice(b"\n   \n");
                }
            }
            log.extend_from_slice(b"{\"model\": \"gpt-4o\", \"usage\": \xFF}\n");
        }
        log
    }

    /// The error, summary, line counts, listed rejections and listed incomplete streams.
    type Priced = (
        Option<String>,
        Summary,
        u64,
        u64,
        Vec<Rejection>,
        Vec<(String, IncompleteStream)>,
    );

    /// Prices `input` as `ratebook cost` does with `threads` threads (chunks of `chunk` bytes):
    /// the error, summary, line counts and listed rejections.
    fn price(input: &[u8], threads: usize, chunk: usize, strict: bool) -> Priced {
        let book = ratebook::bundled::book();
        let mut run = Run {
            ledger: Ledger::new(&book, "2026-11-23".parse().unwrap()),
            strict,
            rejections: Vec::new(),
            incomplete: Vec::new(),
            lines: 0,
            blank: 0,
            progress: Progress::new(),
        };
        let result = if threads > 1 {
            run.read_parallel("log", input, None, None, threads, chunk)
        } else {
            run.read("log", input, None)
        };
        let summary = run.ledger.summary().unwrap();
        (
            result.err().map(|e| e.to_string()),
            summary,
            run.lines,
            run.blank,
            run.rejections,
            run.incomplete,
        )
    }

    /// A file in the temporary directory holding `bytes`, removed when dropped.
    struct TempLog(std::path::PathBuf);

    impl TempLog {
        fn new(bytes: &[u8]) -> TempLog {
            use std::sync::atomic::{AtomicU64, Ordering};
            static N: AtomicU64 = AtomicU64::new(0);
            let path = std::env::temp_dir().join(format!(
                "ratebook-cost-{}-{}.jsonl",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&path, bytes).unwrap();
            TempLog(path)
        }
    }

    impl Drop for TempLog {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// [`price`] of a file read by byte ranges on `threads` workers (ranges of `chunk` bytes).
    fn price_ranges(input: &[u8], threads: usize, chunk: usize, strict: bool) -> Priced {
        let log = TempLog::new(input);
        let file = File::open(&log.0).unwrap();
        let book = ratebook::bundled::book();
        let mut run = Run {
            ledger: Ledger::new(&book, "2026-11-23".parse().unwrap()),
            strict,
            rejections: Vec::new(),
            incomplete: Vec::new(),
            lines: 0,
            blank: 0,
            progress: Progress::new(),
        };
        let result = run.read_parallel("log", io::empty(), Some(&file), None, threads, chunk);
        let summary = run.ledger.summary().unwrap();
        (
            result.err().map(|e| e.to_string()),
            summary,
            run.lines,
            run.blank,
            run.rejections,
            run.incomplete,
        )
    }

    /// The lines [`read_range`] finds in `input`, range by range, as a worker prices them.
    fn ranged(input: &[u8], cap: usize, chunk: usize) -> Vec<String> {
        let log = TempLog::new(input);
        let file = File::open(&log.0).unwrap();
        let mut buf = RangeBuf::default();
        let mut out = Vec::new();
        let mut bytes = 0;
        let mut start = 0u64;
        loop {
            let end = start + chunk as u64;
            let r = read_range(&file, start, end, cap, &mut buf).unwrap();
            let text = &buf.data[r.lines.clone()];
            bytes += r.bytes;
            let mut pieces: Vec<&[u8]> = text.split(|&x| x == b'\n').collect();
            if text.is_empty() || text.ends_with(b"\n") {
                pieces.pop();
            }
            out.extend(pieces.iter().map(|l| {
                if l.len() > cap {
                    "<too long>".to_string()
                } else {
                    String::from_utf8_lossy(l).into_owned()
                }
            }));
            if r.too_long {
                out.push("<too long>".to_string());
            }
            if r.eof {
                break;
            }
            assert!(start < input.len() as u64 + 1, "no end of file seen");
            start = end;
        }
        // Every byte but those of too-long lines (not read to their end) is in some range.
        if !out.iter().any(|l| l == "<too long>") {
            assert_eq!(bytes, input.len() as u64);
        }
        out
    }

    #[test]
    fn byte_ranges_hold_the_same_lines_as_the_line_reader() {
        let long = "y".repeat(100);
        let inputs = [
            "ab\ncdefgh\n\nij".to_string(),
            String::new(),
            "\n".into(),
            "\n\n".into(),
            "x\r\n".into(),
            format!("ok\n{long}\nafter\n{long}"),
            format!("{long}\n{long}\n"),
            long.clone(),
            "0123456789\nz".into(),
            "01234567890\nz\n".into(),
            "a\n\n\nb\n".into(),
        ];
        for input in &inputs {
            for chunk in [1, 2, 3, 5, 11, 16, 64, 1 << 20] {
                assert_eq!(
                    ranged(input.as_bytes(), 10, chunk),
                    lines(input.as_bytes(), 10),
                    "{input:?} in ranges of {chunk}"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Any text, any range size, any cap: the ranges hold exactly the line reader's lines.
        #[test]
        fn byte_ranges_of_any_text_hold_the_line_readers_lines(
            input in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'b', b'\n', b'\r', 0xE9]),
                0..300,
            ),
            chunk in 1usize..64,
            cap in 1usize..24,
        ) {
            proptest::prop_assert_eq!(ranged(&input, cap, chunk), lines(&input, cap));
        }
    }

    #[test]
    fn parallel_runs_equal_the_sequential_run() {
        let log = mixed_log();
        let one = price(&log, 1, CHUNK, false);
        assert_eq!(one.0, None);
        assert!(one.1.records > 15 && one.1.rejected > 20, "{:?}", one.1);
        // The stream log's four abandoned streams, listed at their first lines.
        assert_eq!(one.1.incomplete_streams, 4);
        assert_eq!(one.5.len(), 4);
        assert!(one.3 > 10, "blank lines");
        assert_eq!(one.4.len(), LISTED_REJECTIONS);
        assert!(one.1.total > ratebook::Decimal::ZERO);
        for threads in [2, 3, 4] {
            for chunk in [1, 7, 100, 4096, CHUNK] {
                assert_eq!(
                    price(&log, threads, chunk, false),
                    one,
                    "{threads} threads, chunks of {chunk}"
                );
                assert_eq!(
                    price_ranges(&log, threads, chunk, false),
                    one,
                    "{threads} threads, byte ranges of {chunk}"
                );
            }
        }
    }

    #[test]
    fn strict_parallel_runs_stop_at_the_same_first_rejected_line() {
        let log = mixed_log();
        let (err, ..) = price(&log, 1, CHUNK, true);
        let err = err.expect("a rejected line is fatal");
        assert!(err.starts_with("log:"), "{err}");
        for chunk in [1, 100, 4096] {
            assert_eq!(price(&log, 3, chunk, true).0.as_deref(), Some(err.as_str()));
            assert_eq!(
                price_ranges(&log, 3, chunk, true).0.as_deref(),
                Some(err.as_str())
            );
        }
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
