//! A serde [`Deserializer`](serde::Deserializer) for the plain JSON of a response line, and
//! nothing else: the fast path of [`parse_line`](super::parse_line).
//!
//! It knows no field of any provider. The derived `Deserialize` impls of [`Line`](super::Line)
//! and the structs it nests are the only description of a response's shape; this reader only
//! hands them keys and values, borrowed from the line. What makes it fast is what it leaves
//! out: skipped values (messages, candidates, tool calls — most of a line's bytes) are
//! validated and stepped over 16 bytes at a time without building anything, and anything
//! uncommon is refused instead of handled.
//!
//! Why not a SIMD JSON parser: the same derives read through other deserializers, on the first
//! 100,000 lines (82 MB) of the benchmark log (`cargo xtask bench` writes it), one core,
//! parsing only: this reader 1.43–1.47 million lines/s (1.2 GB/s); `serde_json::from_str` 1.0
//! million; `sonic_rs::from_str` 0.51–0.72 million; `simd_json::serde::from_slice` (on a copy
//! it may mutate) 0.55–0.63 million, with and without `-C target-cpu=native` (sonic-rs 0.5,
//! simd-json 0.15). Those parsers validate and tokenise every byte of the skipped messages;
//! this one steps over skipped values 16 bytes at a time and builds nothing.
//!
//! Refusing is always allowed: the caller then reads the line with `serde_json` into the same
//! types, which accepts it or explains why not. So this reader answers only for lines whose
//! reading is plain and, when it answers, gives exactly what `serde_json` gives. It refuses:
//! - a key or a read string with an escape (`\n`, `\u0041`): a skipped string may have any;
//! - a read number that is not a plain unsigned integer within `u64` (a fraction, an
//!   exponent, a minus sign): the visitor is then told nothing, serde_json picks the type;
//! - a value of a type other than the one asked for (serde_json says which);
//! - nesting of read values deeper than [`MAX_NESTING`], of skipped ones than [`MAX_DEPTH`];
//! - any syntax error, and any error of a visitor (duplicate field, count out of range, …).
//!
//! Skipped values are validated exactly as serde_json validates a value it ignores: the JSON
//! grammar, no raw control characters in strings, known escapes with four hex digits after
//! `\u`. The unit tests check on every fixture and on thousands of random and mutated lines
//! that whenever this reader answers, serde_json gives the same value.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Visitor};

/// Deepest nesting skipped here; deeper values go to serde_json (which skips them iteratively).
/// At most 128: the open brackets are the bits of a `u128`.
const MAX_DEPTH: usize = 128;
const _: () = assert!(MAX_DEPTH <= 128);

/// Deepest nesting of values read into typed fields (serde_json allows 128; the shapes need 8).
const MAX_NESTING: u32 = 32;

/// Reads `text` as one `T`, or `None` to let serde_json decide.
pub(crate) fn from_str<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    let mut r = Reader {
        s: text,
        b: text.as_bytes(),
        i: 0,
        nesting: 0,
    };
    // (A `match` rather than `ok()?` and `then_some`: the value, often hundreds of bytes,
    // then stays where it was built instead of being copied from one wrapper to the next.)
    match T::deserialize(&mut r) {
        Ok(value) => {
            r.ws();
            if r.i == r.b.len() { Some(value) } else { None }
        }
        Err(Refused) => None,
    }
}

/// The reader's only error: "not plain; ask serde_json".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a plain line")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    #[cold]
    fn custom<T: fmt::Display>(_: T) -> Refused {
        Refused
    }
}

type Result<T> = std::result::Result<T, Refused>;

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// Read (not skipped) arrays and objects open around the current value.
    nesting: u32,
}

/// Is `c` a byte that ends the plain run of a string: a quote, a backslash or a raw control
/// character (an error)? [`chunk_mask`] asks it of 16 bytes at once.
#[cfg_attr(
    all(target_arch = "x86_64", not(test)),
    allow(dead_code, reason = "x86_64 uses SSE2 instructions")
)]
#[inline]
fn special(c: u8) -> bool {
    (c == b'"') | (c == b'\\') | (c < 0x20)
}

/// The [`special`] bytes of a 16-byte chunk as the bits of a mask, lowest first: three vector
/// compares and a movemask, where the portable loop below compiles to about twice the
/// instructions (a tenth of the time of reading a line).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn chunk_mask(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: `chunk` is 16 readable bytes (an unaligned load); SSE2 is part of every x86_64
    // target, so the intrinsics are available.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let q = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let s = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        let c = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, s), c)) as u32
    }
}

/// The [`special`] bytes of a 16-byte chunk as the bits of a mask, lowest first.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn chunk_mask(chunk: &[u8; 16]) -> u32 {
    chunk_mask_portable(chunk)
}

/// [`chunk_mask`] for any target, one byte at a time.
#[cfg_attr(
    all(target_arch = "x86_64", not(test)),
    allow(dead_code, reason = "x86_64 uses SSE2 instructions")
)]
#[inline(always)]
fn chunk_mask_portable(chunk: &[u8; 16]) -> u32 {
    let mut m = 0;
    for (k, &c) in chunk.iter().enumerate() {
        m |= u32::from(special(c)) << k;
    }
    m
}

/// The first [`special`] byte at or after `at`, looked for in whole 16-byte chunks: `Ok` with
/// its index, or `Err` with the index where fewer than 16 bytes remain (none found before).
/// Every string of a line is read or skipped through it.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "`at` is a position in `b` (at most b.len() ≤ isize::MAX), so `at + 16` and \
              `at + trailing_zeros` (below 16) cannot overflow"
)]
#[inline(always)]
fn first_special(b: &[u8], mut at: usize) -> std::result::Result<usize, usize> {
    while let Some(chunk) = b.get(at..at + 16) {
        let Ok(chunk) = chunk.try_into() else {
            break;
        };
        let m = chunk_mask(chunk);
        if m != 0 {
            return Ok(at + m.trailing_zeros() as usize);
        }
        at += 16;
    }
    Err(at)
}

/// The rest of a skipped value's grammar, on the bytes of a line with a cursor that stays in
/// registers (a `&mut Reader` would store it after every step). Each takes the index of the
/// value's first byte (or of the byte after an opening quote) and returns the index just past
/// it, validating as serde_json validates a value it ignores.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "byte cursor: `i` only steps over bytes found in `b` (checked by `get`), so it \
              stays at most b.len() ≤ isize::MAX and `i + k` (k ≤ 6) cannot overflow; `depth` \
              stays in 0..=MAX_DEPTH, each decrement after its increment"
)]
mod skip {
    use super::{MAX_DEPTH, Refused, Result, first_special};

    /// The index of the first byte at or after `i` that is not JSON whitespace.
    #[inline(always)]
    pub(super) fn ws(b: &[u8], mut i: usize) -> usize {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = b.get(i) {
            i += 1;
        }
        i
    }

    /// A string whose content starts at `i` (just after its opening quote): the index just
    /// past its closing quote.
    #[inline(always)]
    pub(super) fn string(b: &[u8], i: usize) -> Result<usize> {
        match first_special(b, i) {
            Ok(end) if b.get(end) == Some(&b'"') => Ok(end + 1),
            Ok(at) | Err(at) => string_slow(b, at),
        }
    }

    /// [`string`] from its first escape (or control character, an error) or from its last
    /// bytes: after each escape the chunks go on; only the last bytes of the line are read
    /// one at a time.
    #[inline(never)]
    pub(super) fn string_slow(b: &[u8], mut i: usize) -> Result<usize> {
        loop {
            match *b.get(i).ok_or(Refused)? {
                b'"' => return Ok(i + 1),
                0..0x20 => return Err(Refused),
                b'\\' => {
                    match *b.get(i + 1).ok_or(Refused)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                        b'u' => {
                            let hex = b.get(i + 2..i + 6).ok_or(Refused)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Refused);
                            }
                            i += 6;
                        }
                        _ => return Err(Refused),
                    }
                    // The next special byte, or the last bytes.
                    i = match first_special(b, i) {
                        Ok(at) | Err(at) => at,
                    };
                }
                _ => i += 1,
            }
        }
    }

    #[inline(always)]
    fn digits(b: &[u8], mut i: usize) -> usize {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    /// A JSON number, validated as serde_json's `ignore_number`.
    #[inline]
    pub(super) fn number(b: &[u8], mut i: usize) -> Result<usize> {
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match *b.get(i).ok_or(Refused)? {
            b'0' => {
                i += 1;
                if b.get(i).is_some_and(u8::is_ascii_digit) {
                    return Err(Refused);
                }
            }
            b'1'..=b'9' => i = digits(b, i + 1),
            _ => return Err(Refused),
        }
        if b.get(i) == Some(&b'.') {
            let j = digits(b, i + 1);
            if j == i + 1 {
                return Err(Refused);
            }
            i = j;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let j = digits(b, i);
            if j == i {
                return Err(Refused);
            }
            i = j;
        }
        Ok(i)
    }

    /// `word` (`true`, `false` or `null`) at `i`.
    #[inline(always)]
    pub(super) fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize> {
        if b.get(i..i + word.len()) == Some(word) {
            Ok(i + word.len())
        } else {
            Err(Refused)
        }
    }

    /// A key of a skipped object and its colon, after whitespace.
    #[inline(always)]
    fn key_colon(b: &[u8], i: usize) -> Result<usize> {
        let i = ws(b, i);
        if b.get(i) != Some(&b'"') {
            return Err(Refused);
        }
        let i = ws(b, string(b, i + 1)?);
        if b.get(i) != Some(&b':') {
            return Err(Refused);
        }
        Ok(i + 1)
    }

    /// Any value after whitespace: a string, number or literal directly, an array or object
    /// iteratively to [`MAX_DEPTH`] levels.
    pub(super) fn value(b: &[u8], mut i: usize) -> Result<usize> {
        // The open brackets, innermost lowest: bit `k` of `arrays` set when level `k` (from the
        // innermost) is an array, clear when an object.
        let mut arrays: u128 = 0;
        let mut depth = 0;
        loop {
            // A value.
            i = ws(b, i);
            match *b.get(i).ok_or(Refused)? {
                b'"' => i = string(b, i + 1)?,
                open @ (b'{' | b'[') => {
                    i = ws(b, i + 1);
                    let close = if open == b'{' { b'}' } else { b']' };
                    if b.get(i) == Some(&close) {
                        i += 1;
                    } else {
                        if depth == MAX_DEPTH {
                            return Err(Refused);
                        }
                        arrays = (arrays << 1) | u128::from(open == b'[');
                        depth += 1;
                        if open == b'{' {
                            i = key_colon(b, i)?;
                        }
                        continue;
                    }
                }
                b't' => i = literal(b, i, b"true")?,
                b'f' => i = literal(b, i, b"false")?,
                b'n' => i = literal(b, i, b"null")?,
                b'-' | b'0'..=b'9' => i = number(b, i)?,
                _ => return Err(Refused),
            }
            // After a value: a separator, or closing brackets.
            loop {
                if depth == 0 {
                    return Ok(i);
                }
                let in_array = arrays & 1 == 1;
                i = ws(b, i);
                match *b.get(i).ok_or(Refused)? {
                    b',' => {
                        i += 1;
                        if !in_array {
                            i = key_colon(b, i)?;
                        }
                        break;
                    }
                    b']' if in_array => {}
                    b'}' if !in_array => {}
                    _ => return Err(Refused),
                }
                i += 1;
                arrays >>= 1;
                depth -= 1;
            }
        }
    }
}

#[allow(
    clippy::arithmetic_side_effects,
    reason = "byte cursor: `i` only steps over bytes found in `b` (by `get`, `peek`, \
              `first_special` or `skip`), so it stays at most b.len() ≤ isize::MAX and `i + k` \
              (k ≤ 6) cannot overflow; a string's end is past its closing quote, so `after - 1` \
              cannot underflow; `nesting` stays in 0..=MAX_NESTING, each decrement after its \
              increment"
)]
impl<'a> Reader<'a> {
    /// Steps over the byte at the cursor, one that was just read.
    #[inline(always)]
    fn step(&mut self) {
        self.i += 1;
    }

    fn ws(&mut self) {
        self.i = skip::ws(self.b, self.i);
    }

    /// The next byte after whitespace (not consumed).
    #[inline]
    fn peek(&mut self) -> Result<u8> {
        // Every JSON whitespace byte is at most b' ': one compare settles most calls.
        match self.b.get(self.i) {
            Some(&c) if c > b' ' => Ok(c),
            // One space, as after most `:` and `,` in logs written by Python's `json.dumps`.
            Some(b' ') => match self.b.get(self.i + 1) {
                Some(&c) if c > b' ' => {
                    self.i += 1;
                    Ok(c)
                }
                _ => {
                    self.ws();
                    self.b.get(self.i).copied().ok_or(Refused)
                }
            },
            _ => {
                self.ws();
                self.b.get(self.i).copied().ok_or(Refused)
            }
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Result<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(Refused)
        }
    }

    /// An escape-free string (its opening quote next), borrowed from the line.
    #[inline(always)]
    fn plain(&mut self) -> Result<&'a str> {
        // Keys and read values are short: whole chunks settle them, without a byte loop.
        let start = self.i + 1;
        match first_special(self.b, start) {
            Ok(end) if self.b.get(end) == Some(&b'"') => {
                self.i = end + 1;
                // SAFETY: `start` follows a quote and `end` is at one: both are ASCII, so
                // both are char boundaries of `s`, and `start <= end < s.len()` (`end` was
                // just read).
                Ok(unsafe { self.s.get_unchecked(start..end) })
            }
            Ok(at) | Err(at) => self.plain_rest(start, at),
        }
    }

    /// [`Reader::plain`] of a string that has an escape or ends in the line's last bytes,
    /// read on from `at`, where the chunks stopped (a special byte or the last bytes).
    #[inline(never)]
    fn plain_rest(&mut self, start: usize, at: usize) -> Result<&'a str> {
        let after = skip::string_slow(self.b, at)?;
        let text = self.s.get(start..after - 1).ok_or(Refused)?;
        if text.contains('\\') {
            return Err(Refused);
        }
        self.i = after;
        Ok(text)
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        self.i = skip::literal(self.b, self.i, word)?;
        Ok(())
    }

    /// Skips any value (after whitespace).
    #[inline]
    fn skip(&mut self) -> Result<()> {
        self.i = skip::value(self.b, self.i)?;
        Ok(())
    }

    /// Opens a read array or object (its bracket next), within [`MAX_NESTING`].
    #[inline]
    fn open(&mut self) -> Result<()> {
        if self.nesting >= MAX_NESTING {
            return Err(Refused);
        }
        self.nesting += 1;
        self.i += 1;
        Ok(())
    }

    /// Closes a read array or object: its bracket must be next (a visitor that stopped early
    /// leaves something else, which serde_json rejects).
    #[inline]
    fn close(&mut self, bracket: u8) -> Result<()> {
        self.eat(bracket)?;
        self.nesting -= 1;
        Ok(())
    }

    fn seq<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        self.open()?;
        let value = visitor.visit_seq(Seq {
            r: self,
            first: true,
        })?;
        self.close(b']')?;
        Ok(value)
    }

    fn map<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        self.open()?;
        let value = visitor.visit_map(Map {
            r: self,
            first: true,
        })?;
        self.close(b'}')?;
        Ok(value)
    }
}

impl Reader<'_> {
    /// A plain unsigned integer that fits `u64` (not followed by a fraction or exponent).
    fn uint(&mut self) -> Result<u64> {
        let first = *self.b.get(self.i).ok_or(Refused)?;
        let mut n: u64 = 0;
        if first == b'0' {
            self.step();
        } else {
            while let Some(&c) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
                n = c
                    .checked_sub(b'0')
                    .and_then(|d| n.checked_mul(10)?.checked_add(u64::from(d)))
                    .ok_or(Refused)?;
                self.step();
            }
        }
        if matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E' | b'0'..=b'9')) {
            return Err(Refused);
        }
        Ok(n)
    }
}

/// Every request the shapes do not make is refused: serde_json answers it.
macro_rules! refuse {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, _: V) -> Result<V::Value> {
                Err(Refused)
            }
        )*
    };
}

impl<'a> de::Deserializer<'a> for &mut Reader<'a> {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'"' => visitor.visit_borrowed_str(self.plain()?),
            b'0'..=b'9' => visitor.visit_u64(self.uint()?),
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            _ => Err(Refused),
        }
    }

    #[inline]
    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'"' {
            return Err(Refused);
        }
        visitor.visit_borrowed_str(self.plain()?)
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'{' {
            return Err(Refused);
        }
        self.map(visitor)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? != b'[' {
            return Err(Refused);
        }
        self.seq(visitor)
    }

    #[inline]
    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }

    refuse! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32
        deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf deserialize_unit
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(Refused)
    }
}

/// The elements of a read array.
struct Seq<'r, 'a> {
    r: &'r mut Reader<'a>,
    first: bool,
}

impl<'a> de::SeqAccess<'a> for Seq<'_, 'a> {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.r.peek()? {
            b']' => return Ok(None),
            b',' if !self.first => self.r.step(),
            _ if self.first => {}
            _ => return Err(Refused),
        }
        self.first = false;
        seed.deserialize(&mut *self.r).map(Some)
    }
}

/// The entries of a read object.
struct Map<'r, 'a> {
    r: &'r mut Reader<'a>,
    first: bool,
}

impl<'a> de::MapAccess<'a> for Map<'_, 'a> {
    type Error = Refused;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.r.peek()? {
            b'}' => return Ok(None),
            b',' if !self.first => {
                self.r.step();
                if self.r.peek()? != b'"' {
                    return Err(Refused);
                }
            }
            b'"' if self.first => {}
            _ => return Err(Refused),
        }
        self.first = false;
        let key = self.r.plain()?;
        self.r.eat(b':')?;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.r)
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::arithmetic_side_effects,
        reason = "tests: positions in generated lines"
    )]

    use super::*;
    use proptest::prelude::*;

    use crate::ingest::Line;

    /// The fast reading of a line.
    fn line(text: &str) -> Option<Line<'_>> {
        from_str(text)
    }

    /// serde_json's reading of a line, for comparison.
    fn slow(text: &str) -> Option<Line<'_>> {
        serde_json::from_str(text).ok()
    }

    /// Whenever the fast path answers, serde_json gives the same line.
    #[track_caller]
    fn agree(text: &str) -> bool {
        match line(text) {
            Some(fast) => {
                let slow = slow(text)
                    .unwrap_or_else(|| panic!("fast path accepted what serde rejects: {text}"));
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
                true
            }
            None => false,
        }
    }

    fn fixtures() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/usage");
        let mut lines = Vec::new();
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("fixture");
            lines.extend(text.lines().map(str::to_string));
        }
        assert!(lines.len() > 40);
        lines
    }

    #[test]
    fn every_fixture_line_agrees_with_serde() {
        let mut fast = 0;
        for l in fixtures() {
            fast += usize::from(agree(&l));
        }
        // Nearly every real line takes the fast path (the bad ones go to serde).
        assert!(fast >= 40, "{fast}");
    }

    #[test]
    fn scanning_finds_the_first_special_byte() {
        /// What `first_special` must say of `b`: the first special byte if it lies within the
        /// whole 16-byte chunks, else where the chunks end.
        fn want(b: &[u8]) -> std::result::Result<usize, usize> {
            let whole = b.len() / 16 * 16;
            match b.iter().position(|&c| special(c)) {
                Some(at) if at < whole => Ok(at),
                _ => Err(whole),
            }
        }
        for text in [
            "",
            "a",
            "abc\"",
            "0123456789abcde\\",
            "0123456789abcdef\"",
            "0123456789abcdef0123\u{1}",
            "\u{1}",
            "é\"",
            "ÿÿÿÿÿÿÿÿÿÿ\u{1f}",
        ] {
            assert_eq!(
                first_special(text.as_bytes(), 0),
                want(text.as_bytes()),
                "{text:?}"
            );
        }
        for n in 0..80 {
            let mut b = vec![b'x'; n];
            assert_eq!(first_special(&b, 0), Err(n / 16 * 16));
            for at in 0..n {
                for c in [b'"', b'\\', 0x00, 0x1f] {
                    b[at] = c;
                    assert_eq!(first_special(&b, 0), want(&b), "{n} {at} {c}");
                    // Found in a chunk or not, a skipped string ends just past its first quote.
                    if c == b'"' {
                        assert_eq!(skip::string(&b, 0), Ok(at + 1), "{n} {at}");
                    }
                    b[at] = 0xe9;
                    assert_eq!(first_special(&b, 0), Err(n / 16 * 16));
                    b[at] = b'x';
                }
            }
        }
    }

    #[test]
    fn skipped_strings_with_escapes_end_where_a_byte_loop_says() {
        /// The plain definition: byte by byte, as serde_json's `ignore_str` reads.
        fn reference(b: &[u8], mut i: usize) -> Result<usize> {
            loop {
                match *b.get(i).ok_or(Refused)? {
                    b'"' => return Ok(i + 1),
                    0..0x20 => return Err(Refused),
                    b'\\' => match *b.get(i + 1).ok_or(Refused)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                        b'u' if b
                            .get(i + 2..i + 6)
                            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            i += 6
                        }
                        _ => return Err(Refused),
                    },
                    _ => i += 1,
                }
            }
        }
        let pieces = [
            "a",
            "bcdefgh",
            "\\n",
            "\\\"",
            "\\u00e9",
            "\\\\",
            "é",
            "\\x",
            "\u{1}",
            "\\u12",
            "0123456789abcdef0123",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut ended = 0;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..next(12) {
                text.push_str(pieces[next(pieces.len())]);
            }
            text.push('"');
            // What follows the string on the line: nothing, or the rest of a value.
            text.push_str(["", ", 1]", "}, {\"k\": \"v\"}]"][next(3)]);
            let b = text.as_bytes();
            let want = reference(b, 0);
            ended += usize::from(want.is_ok());
            assert_eq!(skip::string(b, 0), want, "{text:?}");
        }
        // Both outcomes are exercised.
        assert!((500..4500).contains(&ended), "{ended}");
    }

    #[test]
    fn chunk_mask_marks_exactly_the_special_bytes() {
        for c in 0..=255u8 {
            for at in 0..16 {
                let mut chunk = [b'x'; 16];
                chunk[at] = c;
                let want = if special(c) { 1 << at } else { 0 };
                assert_eq!(chunk_mask(&chunk), want, "byte {c:#04x} at {at}");
                assert_eq!(chunk_mask_portable(&chunk), want, "byte {c:#04x} at {at}");
            }
        }
    }

    #[test]
    fn a_number_serde_json_rejects_is_refused_wherever_it_is_read() {
        // A typed field's number outside f64 (`output` items are read, to count web searches):
        // refused, so serde_json rejects the line as it rejects the same line with an escaped
        // key. In a skipped field only the grammar matters, as in serde_json.
        let usage = r#""usage": {"input_tokens": 10, "output_tokens": 5}"#;
        for output in ["[1e400]", "[{\"type\": \"message\"}, -1e400]", "1e400"] {
            let text = format!(
                r#"{{"object": "response", "model": "gpt-4o", {usage}, "output": {output}}}"#
            );
            assert!(line(&text).is_none(), "{text}");
            assert!(slow(&text).is_none(), "{text}");
        }
        let skipped =
            format!(r#"{{"object": "response", "model": "gpt-4o", {usage}, "metadata": [1e400]}}"#);
        assert!(agree(&skipped));
    }

    #[test]
    fn read_strings_of_every_length_and_ending_agree() {
        // A read string (the model) and keys of 0 to 40 bytes, ending anywhere within or past
        // the first 16-byte chunk and near the end of the line, plain or with an escape (which
        // only serde_json reads) or a raw control character (which both reject).
        for n in 0..41 {
            for tail in ["}", "   }", &format!("{}}}", " ".repeat(20))] {
                let name = "m".repeat(n);
                let plain = format!(r#"{{"model": "{name}"{tail}"#);
                assert!(agree(&plain), "{plain}");
                assert_eq!(
                    line(&plain).and_then(|l| l.model).map(|m| m.0.len()),
                    Some(n)
                );
                let key = format!(r#"{{"{name}": 1, "model": "x"{tail}"#);
                assert!(agree(&key), "{key}");
                for at in 0..=n {
                    let escaped = format!(r#"{{"model": "{}\n{}"{tail}"#, &name[..at], &name[at..]);
                    assert!(line(&escaped).is_none(), "{escaped}");
                    assert!(slow(&escaped).is_some(), "{escaped}");
                    let raw = format!("{{\"model\": \"{}\u{1}{}\"{tail}", &name[..at], &name[at..]);
                    assert!(line(&raw).is_none() && slow(&raw).is_none(), "{raw:?}");
                }
            }
        }
    }

    #[test]
    fn unusual_lines_go_to_serde() {
        for text in [
            r#"{"model": "gpt\u002d4o", "usage": {"prompt_tokens": 1}}"#,
            r#"{"mod\u0065l": "gpt-4o"}"#,
            r#"{"usage": {"prompt_tokens": 1.0}}"#,
            r#"{"usage": {"prompt_tokens": -1}}"#,
            r#"{"usage": [1, 2]}"#,
            r#"{"usage": {}, "usage": {}}"#,
            r#"{"a": [1,]}"#,
            r#"{"a": "tab	inside"}"#,
            r#"{"a": "\x"}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": tru}"#,
            r#"{} x"#,
            r#"[]"#,
            r#"{"created": 1e3}"#,
            r#"{"usageMetadata": {"promptTokensDetails": [{"modality": "SMELL", "tokenCount": 1}]}}"#,
        ] {
            assert!(line(text).is_none(), "{text}");
        }
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(line(&deep).is_none());
        assert!(slow(&deep).is_some(), "serde reads it");
        let ok = format!("{{\"a\": {}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(agree(&ok));
    }

    fn mutate(s: &str, at: usize, op: u8, byte: u8) -> String {
        let mut b = s.as_bytes().to_vec();
        let at = at % (b.len() + 1);
        let set = [
            b'"', b'\\', b',', b':', b'{', b'}', b'[', b']', b' ', b'0', b'9', b'-', b'.', b'e',
            b'n', b'u', 0x01, b'a',
        ];
        let c = set[byte as usize % set.len()];
        match op % 3 {
            0 if at < b.len() => {
                b.remove(at);
            }
            1 => b.insert(at, c),
            _ if at < b.len() => b[at] = c,
            _ => b.push(c),
        }
        String::from_utf8_lossy(&b).into_owned()
    }

    /// Any JSON value, as text (escapes, numbers of every form, nesting).
    fn json() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            (0u64..2_000_000).prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|f| serde_json::to_string(&f).unwrap_or_else(|_| "0".into())),
            "\\PC{0,12}".prop_map(|t| serde_json::to_string(&t).unwrap()),
            prop::sample::select(vec![
                "\"TEXT\"",
                "\"IMAGE\"",
                "\"web_search_call\"",
                "\"2026-03-14T09:30:00Z\"",
                "\"message\"",
                "\"succeeded\"",
                "\"batch\"",
                "\"\\u0041\""
            ])
            .prop_map(str::to_string),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..4).prop_map(
                    |kv| {
                        let fields: Vec<String> =
                            kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                        format!("{{{}}}", fields.join(", "))
                    }
                ),
            ]
        })
    }

    /// Keys of every shape, so random objects hit the typed fields.
    const KEYS: [&str; 28] = [
        "model",
        "modelVersion",
        "usage",
        "usageMetadata",
        "created",
        "created_at",
        "response",
        "body",
        "result",
        "message",
        "type",
        "error",
        "output",
        "prompt_tokens",
        "input_tokens",
        "cached_tokens",
        "promptTokenCount",
        "promptTokensDetails",
        "modality",
        "tokenCount",
        "cache_creation",
        "status",
        "custom_id",
        "id",
        "responseId",
        "candidates",
        "finishReason",
        "x",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Random JSON in typed positions: wrong types, nulls, escapes, floats, duplicates.
        #[test]
        fn random_values_agree(value in json(), key in prop::sample::select(KEYS.to_vec()), outer in 0usize..4) {
            let text = match outer {
                0 => format!("{{\"model\": \"gpt-4o\", \"{key}\": {value}}}"),
                1 => format!("{{\"usage\": {{\"{key}\": {value}}}, \"model\": \"gpt-4o\"}}"),
                2 => format!("{{\"usageMetadata\": {{\"promptTokensDetails\": [{{\"{key}\": {value}}}]}}}}"),
                _ => format!("{{\"custom_id\": \"r\", \"response\": {{\"status_code\": 200, \"body\": {{\"{key}\": {value}}}}}}}"),
            };
            agree(&text);
            agree(&value);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Random one-byte edits of real lines: the fast path never accepts what serde
        /// rejects, and never reads a line differently.
        #[test]
        fn mutated_lines_agree(pick in 0usize..1000, at in 0usize..5000, op in any::<u8>(), byte in any::<u8>()) {
            let lines = fixtures();
            let original = &lines[pick % lines.len()];
            let m = mutate(original, at, op, byte);
            agree(&m);
            let twice = mutate(&m, at / 2 + 7, op.wrapping_add(1), byte.wrapping_mul(3));
            agree(&twice);
        }
    }
}
