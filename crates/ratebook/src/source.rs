//! A pricing file as the core receives it (its name and text), and how its keys are written in
//! the key paths of messages. Reading (`read`) and loading (`load`) both use these; neither
//! depends on the other for them.

/// A pricing file's name (as it should appear in messages) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name messages give the file: a path, or just `google.toml`.
    pub name: String,
    /// The file's TOML text.
    pub text: String,
}

impl SourceFile {
    /// The file `name` with the text `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A TOML key as written in a dotted path: bare when it can be, quoted otherwise.
pub(crate) fn quote_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        // A TOML basic string: quotes, backslashes and control characters escaped.
        // Saturating: a capacity hint; a string's length is below `usize::MAX`.
        let mut out = String::with_capacity(key.len().saturating_add(2));
        out.push('"');
        for c in key.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::quote_key;

    #[test]
    fn quote_key_writes_toml_keys() {
        assert_eq!(quote_key("gpt-4o_mini"), "gpt-4o_mini");
        assert_eq!(quote_key("gemini-2.5-pro"), "\"gemini-2.5-pro\"");
        assert_eq!(quote_key(""), "\"\"");
        assert_eq!(quote_key("a\"b\\c\nd\u{7}"), "\"a\\\"b\\\\c\\nd\\u0007\"");
        assert_eq!(quote_key("größe"), "\"größe\"");
    }
}
