//! Model id resolution: exact ids, aliases, dated snapshots, and suggestions for typos.
//!
//! The rules are generic, not per provider: a `models/` or `<provider>/` prefix is dropped, then
//! trailing snapshot markers (`-2024-08-06`, `-20250929`, `-05-20`, `-0613`, `-001`, `-latest`,
//! `-preview`) are peeled off one at a time until an id or alias matches.

use crate::book::{Model, RateBook};
use crate::error::{Error, ErrorKind};

impl RateBook {
    /// Resolves `id` to a model, or fails with the closest known ids as suggestions.
    pub fn resolve(&self, id: &str) -> Result<&Model, Error> {
        let mut candidate = id.trim().to_ascii_lowercase();
        if let Some(rest) = candidate.strip_prefix("models/") {
            candidate = rest.to_string();
        }
        if let Some((prefix, rest)) = candidate.split_once('/') {
            if self.providers.iter().any(|p| p.id == prefix)
                || matches!(prefix, "gemini" | "vertex_ai")
            {
                candidate = rest.to_string();
            }
        }
        for _ in 0..4 {
            if let Some(m) = self.get(&candidate) {
                return Ok(m);
            }
            match strip_snapshot(&candidate) {
                Some(shorter) => candidate = shorter,
                None => break,
            }
        }
        let mut e = Error::new(ErrorKind::UnknownModel, format!("unknown model `{id}`"));
        e.suggestions = self.suggest(id, 3);
        Err(e)
    }

    /// The known ids and aliases closest to `id`, best first.
    pub fn suggest(&self, id: &str, n: usize) -> Vec<String> {
        let needle = id.trim().to_ascii_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(usize, String)> = self
            .models
            .iter()
            .flat_map(|m| {
                std::iter::once(&m.id)
                    .chain(&m.aliases)
                    .map(move |name| (m, name))
            })
            .map(|(m, name)| {
                let lower = name.to_ascii_lowercase();
                let mut d = levenshtein(&needle, &lower);
                if lower.starts_with(&needle) || needle.starts_with(&lower) {
                    d = d.min(needle.len().abs_diff(lower.len()).min(2));
                }
                (d, m.id.clone())
            })
            .collect();
        crate::order::sort(&mut scored);
        let limit = (needle.chars().count() / 2).max(3);
        let mut out: Vec<String> = Vec::new();
        for (d, name) in scored {
            if d <= limit && !out.contains(&name) {
                out.push(name);
            }
            if out.len() == n {
                break;
            }
        }
        out
    }
}

/// Removes one trailing snapshot marker, if there is one.
fn strip_snapshot(id: &str) -> Option<String> {
    for suffix in ["-latest", "-preview", "-exp"] {
        if let Some(rest) = id.strip_suffix(suffix) {
            return Some(rest.to_string());
        }
    }
    let parts: Vec<&str> = id.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let n = parts.len();
    if n >= 4 && digits(parts[n - 3], 4) && digits(parts[n - 2], 2) && digits(parts[n - 1], 2) {
        return Some(parts[..n - 3].join("-"));
    }
    if n >= 3 && digits(parts[n - 2], 2) && digits(parts[n - 1], 2) {
        return Some(parts[..n - 2].join("-"));
    }
    if n >= 2 && (digits(parts[n - 1], 8) || digits(parts[n - 1], 4) || digits(parts[n - 1], 3)) {
        return Some(parts[..n - 1].join("-"));
    }
    None
}

/// Edit distance, for suggestions.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_peeled() {
        assert_eq!(
            strip_snapshot("gpt-4o-2024-08-06").as_deref(),
            Some("gpt-4o")
        );
        assert_eq!(
            strip_snapshot("claude-sonnet-4-5-20250929").as_deref(),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(
            strip_snapshot("gemini-2.5-flash-preview-05-20").as_deref(),
            Some("gemini-2.5-flash-preview")
        );
        assert_eq!(
            strip_snapshot("gemini-2.0-flash-001").as_deref(),
            Some("gemini-2.0-flash")
        );
        assert_eq!(strip_snapshot("gpt-4o"), None);
        // A version number is not a snapshot: claude-sonnet-4-5 must not lose its "-4-5".
        assert_eq!(strip_snapshot("claude-sonnet-4-5"), None);
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("gpt-4o", "gpt-4o"), 0);
        assert_eq!(levenshtein("gpt4o", "gpt-4o"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}
