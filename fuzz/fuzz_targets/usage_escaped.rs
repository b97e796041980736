//! Differential: a usage line and the same line with the first character of every string
//! written as a `\u00XX` escape (the same JSON value) must read the same — a record equal field
//! for field, a failed request, or a rejection of the same kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratebook::ingest::parse_line;
use ratebook_fuzz::escape_strings;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let escaped = escape_strings(line);
    let plain = parse_line(line, None).map_err(|e| e.kind);
    let other = parse_line(&escaped, None).map_err(|e| e.kind);
    assert_eq!(plain, other, "\nline:    {line}\nescaped: {escaped}");
});
