//! The calculator page's link parser (`web/src/query.rs`, with the form it fills): any query
//! string gives a form and notes, never a panic, and the link written from that form reads back
//! to the same link.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../../web/src/form.rs"]
mod form;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../../web/src/query.rs"]
mod query;
#[allow(dead_code, clippy::all)]
#[path = "../../web/src/urlcodec.rs"]
mod urlcodec;

const PARAMS: [&str; 16] = [
    "model",
    "date",
    "mode",
    "input-tokens",
    "cached-tokens",
    "cache-write-tokens",
    "cache-ttl",
    "output-tokens",
    "output-images",
    "cache-storage-token-hours",
    "input-images",
    "requests-per-day",
    "max-tokens",
    "utm_source",
    "",
    "%6Dodel",
];

/// Half the inputs are raw text; the other half are `name=value` pairs with known names, so the
/// values are what the fuzzer varies.
fn query_of(data: &[u8]) -> Option<String> {
    let (&first, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    if first % 2 == 0 {
        return Some(text.to_string());
    }
    let mut q = String::from("?");
    for (i, part) in text.split('\u{1}').enumerate() {
        let name = PARAMS[(usize::from(first / 2) + i * 7) % PARAMS.len()];
        if i > 0 {
            q.push('&');
        }
        q.push_str(name);
        q.push('=');
        q.push_str(part);
    }
    Some(q)
}

fuzz_target!(|data: &[u8]| {
    let Some(search) = query_of(data) else {
        return;
    };
    let today = ratebook::Date::new(2026, 11, 23).expect("a date");
    let (form, _notes) = query::parse(&search, today);
    let link = query::to_query(&form);
    let (back, notes) = query::parse(&link, today);
    assert_eq!(query::to_query(&back), link, "from {search:?}");
    assert!(notes.is_empty(), "{link:?} gives notes {notes:?}");
});
