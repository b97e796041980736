//! Errors of the core: every error says what went wrong and, where it came from a file, where.
//!
//! Library callers match on [`ErrorKind`]; people read the `Display` form, which for file
//! errors is the conventional `file:line:column: message` that editors and CI annotate.

use std::fmt;

/// How a message quotes text someone else wrote (a log's model id, a link's value): control
/// characters escaped (`\u{0}`), so they cannot hide or rewrite the line they are shown on,
/// and at most `max` characters, the rest shown as `…`. The CLI's messages quote ids with
/// [`QUOTED_MAX`] characters; the page's notices quote a link's values with fewer.
///
/// ```
/// assert_eq!(ratebook::error::quote("gpt\u{0}4o", 80), "gpt\\u{0}4o");
/// assert_eq!(ratebook::error::quote("abcdef", 3), "abc…");
/// ```
pub fn quote(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`quote`] with [`QUOTED_MAX`] characters: how the core's messages quote an id.
pub(crate) fn quoted(s: &str) -> String {
    quote(s, QUOTED_MAX)
}

/// Characters of an id [`quote`]d in the core's messages.
pub const QUOTED_MAX: usize = 80;

/// A position in a pricing file (or a line of a log): 1-based line and column, plus the key path
/// of the value when one is known (`models."gpt-4o".prices[0].input`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Location {
    /// The name of the file (as its [`SourceFile`](crate::SourceFile) gives it) or of the log.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, counted in characters.
    pub column: usize,
    /// The key path of the value (`models."gpt-4o".prices[0].input`), when one is known.
    pub key: Option<String>,
}

impl Location {
    /// Computes the line and column of byte offset `offset` in `text`. Columns count characters,
    /// not bytes, so they match what an editor shows.
    pub fn from_offset(file: &str, text: &str, offset: usize, key: Option<String>) -> Location {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        // Saturating: counts and offsets within `text` are at most its length, below `usize::MAX`.
        let line = before.matches('\n').count().saturating_add(1);
        let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
        Location::at_line(file, text, offset, line, line_start, key)
    }

    /// The location of `offset`, which is on line `line` (from 1) starting at byte
    /// `line_start` of `text`.
    fn at_line(
        file: &str,
        text: &str,
        offset: usize,
        line: usize,
        line_start: usize,
        key: Option<String>,
    ) -> Location {
        let column = text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            .saturating_add(1);
        Location {
            file: file.to_string(),
            line,
            column,
            key,
        }
    }
}

/// Where each line of a text starts, for the locations of many offsets in it: each is a
/// binary search instead of a count of the newlines before it (a pricing file's every entry
/// keeps its location).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    /// Byte offsets of the starts of lines 2, 3, …
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            // Saturating: an index in `text`, below `usize::MAX`.
            .map(|(i, _)| i.saturating_add(1))
            .collect();
        LineIndex { starts }
    }

    /// [`Location::from_offset`] of `offset` in `text`, the text indexed.
    pub(crate) fn location(
        &self,
        file: &str,
        text: &str,
        offset: usize,
        key: Option<String>,
    ) -> Location {
        let offset = offset.min(text.len());
        // Lines that start at or before `offset`, after the first.
        let n = self.starts.partition_point(|&s| s <= offset);
        let line_start = match n.checked_sub(1) {
            Some(i) => self.starts.get(i).copied().unwrap_or(0),
            None => 0,
        };
        Location::at_line(file, text, offset, n.saturating_add(1), line_start, key)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What kind of thing went wrong. Stable names: tools branch on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not valid TOML.
    Syntax,
    /// A key the pricing format does not know (usually a typo).
    UnknownKey,
    /// A value of the wrong type or shape, e.g. a bare float where a quoted price is required.
    InvalidValue,
    /// The file parses but breaks a rule of the rate book (dates out of order, cached rate above
    /// input, a duplicated id, …).
    Validation,
    /// No model with that id, alias or snapshot id.
    UnknownModel,
    /// The model has no price entry in force at the requested date.
    NoPriceAtDate,
    /// The model does not offer the requested service mode.
    ModeNotOffered,
    /// The usage needs a rate the model's card does not have (e.g. cache writes on a model
    /// without cache-write pricing).
    UnsupportedMeter,
    /// The usage itself is inconsistent (more cached tokens than input tokens, an unknown image
    /// resolution, a zero-sized image, …).
    InvalidUsage,
    /// A quantity so large that the exact result does not fit in a decimal.
    Overflow,
}

/// An error of the core. Never a panic: every fallible path of the core returns one of these.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Error {
    /// What kind of error it is, for tools to branch on.
    pub kind: ErrorKind,
    /// What went wrong, for people; the location is not part of it.
    pub message: String,
    /// Where the error is, when it came from a file or a log line.
    pub location: Option<Location>,
    /// For [`ErrorKind::UnknownModel`]: the closest known ids, best first.
    pub suggestions: Vec<String>,
}

impl Error {
    /// An error of `kind` saying `message`, with no location and no suggestions.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            location: None,
            suggestions: Vec::new(),
        }
    }

    /// The same error, located at `location`.
    pub fn at(mut self, location: Location) -> Error {
        self.location = Some(location);
        self
    }

    pub(crate) fn overflow(what: &str) -> Error {
        Error::new(
            ErrorKind::Overflow,
            format!("{what} is too large to compute exactly"),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(key) = self.location.as_ref().and_then(|l| l.key.as_deref()) {
            if !self.message.contains(key) {
                write!(f, " (key `{key}`)")?;
            }
        }
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean {}?", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_ids_escape_control_characters_and_stop_at_the_limit() {
        assert_eq!(super::quoted("gpt-4o"), "gpt-4o");
        assert_eq!(super::quoted("gpt-4o\u{0}"), "gpt-4o\\u{0}");
        assert_eq!(super::quoted("a\u{1b}[2Kb\n"), "a\\u{1b}[2Kb\\u{a}");
        let long = "é".repeat(200);
        let q = super::quoted(&long);
        assert_eq!(q.chars().count(), super::QUOTED_MAX + 1);
        assert!(q.ends_with("é…"));
        assert_eq!(
            super::quoted(&"x".repeat(super::QUOTED_MAX)),
            "x".repeat(super::QUOTED_MAX)
        );
    }

    use super::*;

    #[test]
    fn the_line_index_locates_every_offset_as_counting_does() {
        for text in [
            "",
            "\n",
            "a",
            "ab\ncd\n",
            "[x]\r\nkey = \"é€\"\n\n  other = 1\nlast",
        ] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                if !text.is_char_boundary(offset.min(text.len())) {
                    continue;
                }
                let key = Some("k".to_string());
                assert_eq!(
                    index.location("f.toml", text, offset, key.clone()),
                    Location::from_offset("f.toml", text, offset, key),
                    "{text:?} at {offset}"
                );
            }
        }
        let text = "a\nbc\né\nd";
        let loc = LineIndex::new(text).location("f", text, text.len(), None);
        assert_eq!((loc.line, loc.column), (4, 2));
    }
}
