//! Query-string encoding shared by the page's two WASM modules (the calculator's `query.rs` and
//! the second module's scenario planner): decoding never fails, and at most [`MAX_PARAMS`]
//! parameters are read. It depends on nothing but `std`, so both crates compile this one file.

/// Parameters read from a link; more are ignored (a hostile link can be long).
pub const MAX_PARAMS: usize = 64;

/// At most 40 characters of `s`, with an ellipsis when cut and control characters escaped
/// (the core's [`ratebook::error::quote`]): how a notice quotes a link's value or parameter
/// name.
pub fn shorten(s: &str) -> String {
    ratebook::error::quote(s, 40)
}

/// Decodes one `application/x-www-form-urlencoded` component; invalid escapes are kept as
/// typed and invalid UTF-8 is replaced, never rejected.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes one query component, leaving the characters that read well in links (`@`, `,`, `:`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@' | b',' | b':')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits `?a=1&b=2` into decoded pairs.
pub fn pairs(search: &str) -> Vec<(String, String)> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .take(MAX_PARAMS)
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}
