//! Pricing a log of provider responses (JSON Lines) in pieces, as the Web Worker reads the
//! file: the core's `ingest::Ledger` — the one `ratebook cost` prices with — fed line by line
//! with line numbers, a day grouping beside it, and optionally a what-if (batch, another
//! model). The report is JSON (exact decimal strings) handed back to the page.

use ratebook::ingest::{GroupBy, Ledger, LineOutcome, WhatIf};
use ratebook::{Date, Mode, RateBook};
use serde::{Deserialize, Serialize};

/// Rejected lines listed (all are counted).
pub const LISTED_REJECTED: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRow {
    pub model: String,
    pub provider: String,
    pub records: u64,
    pub input_tokens: String,
    pub output_tokens: String,
    pub total: String,
    pub overlays: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRow {
    pub day: String,
    pub records: u64,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedLine {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfRow {
    pub change: String,
    pub total: String,
    pub not_applicable: u64,
}

/// What the page shows of a priced log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub total: String,
    pub records: u64,
    pub failed: u64,
    pub rejected: u64,
    pub lines: u64,
    pub by_model: Vec<ModelRow>,
    pub by_day: Vec<DayRow>,
    pub rejected_lines: Vec<RejectedLine>,
    pub what_if: Option<WhatIfRow>,
    pub error: Option<String>,
}

/// A what-if as the page offers it: `mode=batch` or `model=ID` (empty: none).
pub fn parse_what_if(s: &str) -> Option<WhatIf> {
    let (k, v) = s.split_once('=')?;
    match k {
        "mode" => v.parse::<Mode>().ok().map(WhatIf::Mode),
        "model" if !v.trim().is_empty() => Some(WhatIf::Model(v.trim().to_string())),
        _ => None,
    }
}

/// A log being priced.
pub struct LogRun<'b> {
    ledger: Ledger<'b>,
    carry: String,
    line: u64,
    rejected: Vec<RejectedLine>,
    error: Option<String>,
}

impl<'b> LogRun<'b> {
    /// Prices records without a timestamp at `today`, like `ratebook cost`.
    pub fn new(book: &'b RateBook, today: Date, what_if: Option<WhatIf>) -> LogRun<'b> {
        let mut ledger = Ledger::new(book, today).group_by(GroupBy::Day);
        let mut error = None;
        if let Some(change) = what_if {
            match ledger.clone().what_if(change) {
                Ok(l) => ledger = l,
                Err(e) => error = Some(e.to_string()),
            }
        }
        LogRun {
            ledger,
            carry: String::new(),
            line: 0,
            rejected: Vec::new(),
            error,
        }
    }

    fn one(&mut self, text: &str) {
        self.line += 1;
        let text = text.strip_suffix('\r').unwrap_or(text);
        if let LineOutcome::Rejected(e) = self.ledger.add_line_at(text, self.line) {
            if self.rejected.len() < LISTED_REJECTED {
                self.rejected.push(RejectedLine {
                    line: self.line,
                    message: e.to_string(),
                });
            }
        }
    }

    /// The next piece of the file (any split: a line cut in two is joined to the next piece).
    pub fn add_chunk(&mut self, text: &str) {
        let mut rest = text;
        if !self.carry.is_empty() {
            match rest.find('\n') {
                Some(i) => {
                    let mut line = std::mem::take(&mut self.carry);
                    line.push_str(&rest[..i]);
                    self.one(&line);
                    rest = &rest[i + 1..];
                }
                None => {
                    self.carry.push_str(rest);
                    return;
                }
            }
        }
        while let Some(i) = rest.find('\n') {
            self.one(&rest[..i]);
            rest = &rest[i + 1..];
        }
        self.carry.push_str(rest);
    }

    /// The last line (without a newline), then the report.
    pub fn finish(mut self) -> Report {
        if !self.carry.is_empty() {
            let last = std::mem::take(&mut self.carry);
            self.one(&last);
        }
        self.ledger.finish();
        let mut report = Report {
            total: "0".into(),
            records: 0,
            failed: 0,
            rejected: 0,
            lines: self.line,
            by_model: Vec::new(),
            by_day: Vec::new(),
            rejected_lines: self.rejected,
            what_if: None,
            error: self.error,
        };
        match self.ledger.summary() {
            Ok(s) => {
                report.total = s.total.normalize().to_string();
                report.records = s.records;
                report.failed = s.failed;
                report.rejected = s.rejected;
                report.by_model = s
                    .by_model
                    .iter()
                    .map(|m| ModelRow {
                        model: m.model.clone(),
                        provider: m.provider.clone(),
                        records: m.records,
                        input_tokens: m.input_tokens.to_string(),
                        output_tokens: m.output_tokens.to_string(),
                        total: m.total.normalize().to_string(),
                        overlays: m.overlays.clone(),
                    })
                    .collect();
                report.by_day = s
                    .groups
                    .iter()
                    .map(|g| DayRow {
                        day: g.key.join(" "),
                        records: g.records,
                        total: g.total.normalize().to_string(),
                    })
                    .collect();
                report.what_if = s.what_if.first().map(|w| WhatIfRow {
                    change: w.change.as_text(),
                    total: w.total.normalize().to_string(),
                    not_applicable: w.not_applicable,
                });
            }
            Err(e) => report.error = Some(e.to_string()),
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> RateBook {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pricing");
        let mut sources = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().into_string().unwrap();
            if name.ends_with(".toml") {
                let text = std::fs::read_to_string(e.path()).unwrap();
                sources.push(ratebook::SourceFile::new(name, text));
            }
        }
        ratebook::load(&sources).book
    }

    /// Any split of the file prices as the whole file does, line numbers included.
    #[test]
    fn pieces_price_as_the_whole() {
        let book = book();
        let today: Date = "2026-11-23".parse().unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/usage");
        let mut text = std::fs::read_to_string(dir.join("mixed.jsonl")).unwrap();
        text.push_str(&std::fs::read_to_string(dir.join("bad_lines.jsonl")).unwrap());
        let mut whole = LogRun::new(&book, today, None);
        whole.add_chunk(&text);
        let whole = whole.finish();
        assert!(whole.records > 0 && whole.rejected > 0, "{whole:?}");
        let bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for step in [1usize, 7, 100, 4096] {
            let mut run = LogRun::new(&book, today, Some(WhatIf::Mode(Mode::Batch)));
            let mut at = 0;
            while at < text.len() {
                let end = bytes
                    .iter()
                    .copied()
                    .find(|&b| b >= at + step)
                    .unwrap_or(text.len());
                run.add_chunk(&text[at..end]);
                at = end;
            }
            let r = run.finish();
            assert_eq!(r.total, whole.total, "step {step}");
            assert_eq!(r.rejected_lines, whole.rejected_lines, "step {step}");
            assert_eq!(r.by_day, whole.by_day);
            assert!(r.what_if.is_some());
        }
    }
}
