//! One line of a usage log → `ratebook::ingest`: never a panic, under every provider
//! convention; a billable record is priced by the ledger (`ratebook cost`) and by `estimate` of
//! its usage to the same total, or rejected by both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratebook::ingest::{Ledger, LineOutcome, Parsed, Provider, parse_line};
use ratebook::{Date, EstimateOptions};
use ratebook_fuzz::book;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    for force in [
        None,
        Some(Provider::OpenAi),
        Some(Provider::Anthropic),
        Some(Provider::Google),
    ] {
        let _ = parse_line(line, force);
    }
    let today = Date::new(2026, 11, 23).expect("a date");
    let mut ledger = Ledger::new(book(), today);
    let outcome = ledger.add_line(line);
    let Ok(Parsed::Billable(record)) = parse_line(line, None) else {
        assert!(!matches!(outcome, LineOutcome::Priced), "{outcome:?}");
        return;
    };
    let options = EstimateOptions::at(record.date.unwrap_or(today)).mode(record.mode);
    let estimate = book().estimate(&record.model, &record.usage, options);
    match (&outcome, &estimate) {
        (LineOutcome::Priced, Ok(est)) => {
            let summary = ledger.summary().expect("one priced record sums");
            assert_eq!(summary.records, 1);
            assert_eq!(
                summary.total, est.total,
                "ledger and estimate disagree on {record:#?}"
            );
        }
        (LineOutcome::Rejected(_), Err(_)) => {}
        (o, e) => panic!("ledger {o:?} but estimate {e:?} for {record:#?}"),
    }
});
