//! Any text as a billing export → `ratebook::reconcile`: never a panic, whichever format is
//! detected or forced; every charge and every rejection is located on a line of the text, and
//! reconciling the charges with an empty log bills exactly their sum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratebook::Date;
use ratebook::Decimal;
use ratebook::ingest::{GroupBy, Ledger};
use ratebook::reconcile::{BillFormat, read_bill, reconcile};
use ratebook_fuzz::book;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
    let empty = Ledger::new(book(), Date::new(2026, 11, 23).expect("a date"))
        .group_by(GroupBy::Day)
        .group_by(GroupBy::Model)
        .group_by(GroupBy::Mode)
        .summary()
        .expect("an empty ledger sums");
    for format in [
        None,
        Some(BillFormat::OpenAi),
        Some(BillFormat::Anthropic),
        Some(BillFormat::Gcp),
    ] {
        let bill = read_bill(&text, format);
        for item in &bill.items {
            assert!((1..=lines).contains(&item.line), "{item:?}");
        }
        for e in &bill.rejected {
            assert!((1..=lines).contains(&e.line), "{e:?}");
        }
        let sum = bill
            .items
            .iter()
            .try_fold(Decimal::ZERO, |s, i| s.checked_add(i.amount));
        let r = reconcile(book(), &empty, std::slice::from_ref(&bill), Decimal::ZERO);
        if let (Some(sum), Ok(r)) = (sum, r) {
            assert_eq!(r.billed, sum);
            assert!(r.computed.is_zero());
        }
    }
});
