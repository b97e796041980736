//! The core's reports on a priced log: groups past their cap, a merge of groups, the what-if
//! and reported-cost ledgers through `merge`.
//!
//! Rates from `pricing/openai.toml`: gpt-4o-mini 0.15 in / 0.60 out (USD per million tokens), so
//! a response of 1,000 prompt and 100 completion tokens costs 150 + 60 = 210 millionths.

use ratebook::Decimal;
use ratebook::ingest::{GroupBy, Ledger, OTHER, Record, Shape, WhatIf};
use ratebook::{Date, Mode, Usage};
use ratebook_tests::{book, date};

fn record(day: Date) -> Record<'static> {
    Record {
        shape: Shape::OpenAiChat,
        model: "gpt-4o-mini".into(),
        usage: Usage::text(1_000, 100),
        mode: Mode::Standard,
        date: Some(day),
        reported_cost: None,
        assumptions: Default::default(),
    }
}

#[test]
fn groups_past_the_cap_go_to_one_other_group() {
    let book = book();
    let cap = 3;
    let whole = Ledger::new(&book, date("2026-11-23"))
        .group_by(GroupBy::Day)
        .group_cap(cap);
    // One record a day for five days: three groups kept, two days in `(other)`. Priced on two
    // ledgers (as two threads would) and merged, and on one.
    let days = [
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
    ];
    let mut one = whole.fresh();
    let (mut a, mut b) = (whole.fresh(), whole.fresh());
    for (i, d) in days.iter().enumerate() {
        one.add_record(&record(date(d))).expect("priced");
        let part = if i < 3 { &mut a } else { &mut b };
        part.add_record(&record(date(d))).expect("priced");
    }
    a.merge(b).expect("merge");
    for ledger in [one, a] {
        let s = ledger.summary().expect("summary");
        assert_eq!(s.groups.len(), cap + 1);
        let other = s
            .groups
            .iter()
            .find(|g| g.key == [OTHER])
            .expect("the other group");
        assert_eq!(other.records, 2);
        assert_eq!(other.total, Decimal::new(420, 6));
        // Every record is in exactly one group: the groups sum to the total, 5 × 210.
        let sum: Decimal = s.groups.iter().map(|g| g.total).sum();
        assert_eq!(sum, s.total);
        assert_eq!(s.total, Decimal::new(1_050, 6));
    }
}

#[test]
fn ledgers_of_parts_of_a_log_merge_their_reports() {
    let book = book();
    let whole = Ledger::new(&book, date("2026-11-23"))
        .group_by(GroupBy::Month)
        .what_if(WhatIf::Mode(Mode::Batch))
        .expect("a change the book allows");
    let mut a = whole.fresh();
    let mut b = whole.fresh();
    let mut all = whole;
    for (i, d) in ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]
        .iter()
        .enumerate()
    {
        let r = record(date(d));
        all.add_record(&r).unwrap();
        if i % 2 == 0 {
            a.add_record(&r).unwrap()
        } else {
            b.add_record(&r).unwrap()
        }
    }
    a.merge(b).expect("merge");
    let (one, two) = (all.summary().unwrap(), a.summary().unwrap());
    assert_eq!(one, two);
    // Two months of two responses each: 420 millionths; in batch half: 210.
    assert_eq!(one.groups.len(), 2);
    assert!(one.groups.iter().all(|g| g.total == Decimal::new(420, 6)));
    assert_eq!(one.what_if[0].total, Decimal::new(420, 6));
}
