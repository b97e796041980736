//! A log of streamed events and whole responses → the ledger of `ratebook cost`: never a panic,
//! on any stream cap.
//!
//! Checked: after the input ends no stream is left open; the summary sums; no more records are
//! billed, and no more streams closed incomplete, than there are lines (each stream is billed
//! once, opened by a line); every line is accounted for — priced, streamed, failed, rejected or
//! blank — and the rejected count is the ledger's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratebook::Date;
use ratebook::ingest::{Ledger, LineOutcome};
use ratebook_fuzz::book;

/// Lines read per input: enough for several interleaved streams.
const MAX_LINES: usize = 128;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').take(MAX_LINES).collect();
    let today = Date::new(2026, 11, 23).expect("a date");
    // The default cap, and a cap of one that closes streams early as incomplete.
    for cap in [None, Some(1)] {
        let mut ledger = Ledger::new(book(), today);
        if let Some(cap) = cap {
            ledger = ledger.stream_cap(cap);
        }
        let mut rejected = 0u64;
        for (i, line) in lines.iter().enumerate() {
            let number = u64::try_from(i).expect("a line number").saturating_add(1);
            if let LineOutcome::Rejected(_) = ledger.add_line_at(line, number) {
                rejected = rejected.saturating_add(1);
            }
        }
        ledger.finish();
        assert_eq!(ledger.open_streams(), 0, "streams left open");
        let n = lines.len() as u64;
        let summary = ledger.summary().expect("a ledger's records sum");
        assert!(
            summary.records <= n,
            "{} records from {n} lines",
            summary.records
        );
        assert!(
            summary.incomplete_streams <= n,
            "{} incomplete streams from {n} lines",
            summary.incomplete_streams
        );
        // A stream closed incomplete whose pricing fails is rejected at the end, not per line.
        assert!(
            summary.rejected >= rejected,
            "{rejected} lines rejected, the ledger counts {}",
            summary.rejected
        );
        assert!(
            summary.rejected <= rejected.saturating_add(summary.incomplete_streams),
            "{} rejected from {rejected} rejected lines and {} incomplete streams",
            summary.rejected,
            summary.incomplete_streams
        );
    }
});
