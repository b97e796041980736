//! Model id resolution: exact ids, aliases, cloud deployment ids, provider prefixes, dated
//! snapshots, and suggestions for typos.
//!
//! The order is fixed and every step is data-driven:
//! 1. an id or alias of a first-party model, exactly (case-insensitive);
//! 2. a cloud's id: the longest scope prefix of a deployment card (`us.`, `global.`, `azure/eu/`,
//!    or `""`) is taken off and the rest must be one of that cloud's offers, which names the
//!    first-party model it bills as, with the scope's multiplier;
//! 3. a prefix that a provider's card lists in `prefixes` (`models/`, `gemini/`), or else a
//!    `<provider>/` prefix, is dropped (`models/gemini-2.5-pro`, `openai/gpt-4o`) and steps 1–2
//!    are tried again;
//! 4. trailing snapshot markers (`-2024-08-06`, `-20250929`, `-05-20`, `-0613`, `-001`,
//!    `-latest`, `-preview`, `-exp`) are peeled off one at a time, but only into a model whose
//!    card says `snapshots = true` (the provider priced every snapshot the same). Reaching a model
//!    without it is an error that names the model: an unknown snapshot may bill differently, so
//!    it is never guessed.
//!
//! Every successful resolution says which step matched, in a [`Resolution`] that estimates
//! carry into their explanation and JSON.

use rust_decimal::Decimal;

use crate::book::{Cloud, Model, RateBook};
use crate::error::{Error, ErrorKind};

/// How an id was matched to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResolvedBy {
    /// The model's own id.
    Exact,
    /// One of the model's listed aliases (snapshot ids, preview ids, `-latest`).
    Alias,
    /// A dated snapshot suffix was removed, into a model whose snapshots all bill one price.
    SnapshotStripped,
    /// A cloud's deployment id, through its deployment card.
    DeploymentPrefix,
}

impl ResolvedBy {
    /// `exact`, `alias`, `snapshot_stripped` or `deployment_prefix`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolvedBy::Exact => "exact",
            ResolvedBy::Alias => "alias",
            ResolvedBy::SnapshotStripped => "snapshot_stripped",
            ResolvedBy::DeploymentPrefix => "deployment_prefix",
        }
    }
}

/// The cloud deployment an id named.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Deployment {
    /// The cloud's provider id (`aws-bedrock`).
    pub cloud: String,
    /// The cloud's display name.
    pub cloud_name: String,
    /// The scope id (`global`, `geographic`, `in-region`).
    pub scope: String,
    /// The scope prefix that matched (`us.`; empty for none).
    pub prefix: String,
    /// The cloud's offer id that matched.
    pub offer: String,
    /// Multiplier over the first-party rates, applied to every token rate.
    #[serde(serialize_with = "crate::money::serialize_decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub multiplier: Decimal,
}

impl Deployment {
    /// Whether the id named no deployment scope, so the cloud's default was taken: the scope
    /// matched is the one that lists the empty prefix (ids without a scope prefix), and the
    /// prefix matched does not name it (`azure/global/` names `global`; `bedrock/` or no prefix
    /// names nothing).
    pub fn scope_assumed(&self, book: &RateBook) -> bool {
        book.clouds()
            .iter()
            .find(|c| c.provider == self.cloud)
            .and_then(|c| c.scopes.iter().find(|s| s.id == self.scope))
            .is_some_and(|s| {
                s.prefixes.iter().any(String::is_empty) && !self.prefix.contains(s.id.as_str())
            })
    }
}

/// How a requested id became a model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Resolution {
    /// The id as given.
    pub requested: String,
    /// The model the id names (the estimate may bill another, if this one is rerouted).
    pub model: String,
    /// Which rule matched.
    pub by: ResolvedBy,
    /// The id or alias that matched, after prefixes and suffixes were removed.
    pub matched: String,
    /// A provider prefix that was dropped (`openai/`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The snapshot suffix that was removed (`-2025-01-01`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripped: Option<String>,
    /// The cloud deployment, for cloud ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
}

impl Resolution {
    /// One line for people: `us.anthropic.claude-…: AWS Bedrock deployment id (geographic, ×1.1) → claude-sonnet-4-5`.
    pub fn describe(&self) -> String {
        let model = self.model.as_str();
        let how = match self.by {
            ResolvedBy::Exact => "exact id".to_string(),
            ResolvedBy::Alias => format!("alias `{}`", self.matched),
            ResolvedBy::SnapshotStripped => format!(
                "snapshot suffix `{}` removed (every snapshot of {model} bills one price)",
                self.stripped.as_deref().unwrap_or("")
            ),
            ResolvedBy::DeploymentPrefix => match &self.deployment {
                Some(d) => format!(
                    "{} deployment id, scope {}{} (×{} over the first-party rates)",
                    d.cloud_name,
                    d.scope,
                    if d.prefix.is_empty() {
                        String::new()
                    } else {
                        format!(" by prefix `{}`", d.prefix)
                    },
                    d.multiplier.normalize()
                ),
                None => "deployment id".into(),
            },
        };
        let prefix = self
            .prefix
            .as_deref()
            .map(|p| format!(", prefix `{p}` dropped"))
            .unwrap_or_default();
        format!("`{}` → {model}: {how}{prefix}", self.requested)
    }
}

/// A model with the way it was found.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// The model the id resolved to.
    pub model: &'a Model,
    /// How the id was resolved to it.
    pub resolution: Resolution,
}

impl Resolved<'_> {
    /// The deployment multiplier, when it is not 1.
    pub fn multiplier(&self) -> Option<Decimal> {
        self.resolution
            .deployment
            .as_ref()
            .map(|d| d.multiplier)
            .filter(|m| *m != Decimal::ONE)
    }
}

impl RateBook {
    /// Resolves `id` to a model, or fails with the closest known ids as suggestions.
    pub fn resolve(&self, id: &str) -> Result<&Model, Error> {
        self.resolve_with(id).map(|r| r.model)
    }

    /// Resolves `id` and says how (see the module docs for the order of the rules).
    pub fn resolve_with(&self, id: &str) -> Result<Resolved<'_>, Error> {
        let requested = id.trim();
        let lower = requested.to_ascii_lowercase();
        let found = self.direct(requested, &lower, None).or_else(|| {
            let (prefix, rest) = self.provider_prefix(&lower)?;
            self.direct(requested, rest, Some(prefix.to_string()))
        });
        if let Some(r) = found {
            return Ok(r);
        }
        // Snapshot suffixes, into a model that allows them.
        let (prefix, mut candidate) = match self.provider_prefix(&lower) {
            Some((p, rest)) => (Some(p.to_string()), rest.to_string()),
            None => (None, lower.clone()),
        };
        let base_len = candidate.len();
        for _ in 0..4 {
            let Some(shorter) = strip_snapshot(&candidate) else {
                break;
            };
            candidate = shorter;
            if let Some(m) = self.get(&candidate) {
                // The suffix of `lower` that was stripped: `candidate` is a prefix of the
                // `base_len` bytes that end `lower`.
                let stripped = base_len
                    .checked_sub(candidate.len())
                    .and_then(|n| lower.len().checked_sub(n))
                    .and_then(|start| lower.get(start..))
                    .unwrap_or("")
                    .to_string();
                if m.snapshots {
                    return Ok(Resolved {
                        model: m,
                        resolution: Resolution {
                            requested: requested.to_string(),
                            model: m.id.clone(),
                            by: ResolvedBy::SnapshotStripped,
                            matched: candidate,
                            prefix,
                            stripped: Some(stripped),
                            deployment: None,
                        },
                    });
                }
                let mut known: Vec<&str> = m
                    .aliases
                    .iter()
                    .map(String::as_str)
                    .filter(|a| a.len() > m.id.len() && a.starts_with(m.id.as_str()))
                    .collect();
                known.truncate(8);
                let mut e = Error::new(
                    ErrorKind::UnknownModel,
                    format!(
                        "unknown snapshot `{}` of {}: its price is not known to equal {}'s, so it is not guessed{}",
                        crate::error::quoted(requested),
                        m.id,
                        m.id,
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!(" (known snapshots: {})", known.join(", "))
                        }
                    ),
                );
                let mut suggestions = vec![m.id.clone()];
                suggestions.extend(known.iter().take(2).map(|s| s.to_string()));
                e.suggestions = suggestions;
                return Err(e);
            }
        }
        let mut e = Error::new(
            ErrorKind::UnknownModel,
            format!("unknown model `{}`", crate::error::quoted(requested)),
        );
        e.suggestions = self.suggest(requested, 3);
        Err(e)
    }

    /// Steps 1 and 2: a first-party id or alias, or a cloud's deployment id.
    fn direct(&self, requested: &str, lower: &str, prefix: Option<String>) -> Option<Resolved<'_>> {
        if let Some(m) = self.get(lower) {
            let by = if m.id.eq_ignore_ascii_case(lower) {
                ResolvedBy::Exact
            } else {
                ResolvedBy::Alias
            };
            return Some(Resolved {
                model: m,
                resolution: Resolution {
                    requested: requested.to_string(),
                    model: m.id.clone(),
                    by,
                    matched: lower.to_string(),
                    prefix,
                    stripped: None,
                    deployment: None,
                },
            });
        }
        let mut best: Option<(usize, &Cloud, usize)> = None;
        for cloud in &self.clouds {
            for (si, scope) in cloud.scopes.iter().enumerate() {
                for p in &scope.prefixes {
                    let Some(rest) = lower.strip_prefix(p.as_str()) else {
                        continue;
                    };
                    if cloud.offer(rest).is_some() && best.is_none_or(|(len, _, _)| p.len() > len) {
                        best = Some((p.len(), cloud, si));
                    }
                }
            }
        }
        let (plen, cloud, si) = best?;
        let scope = &cloud.scopes[si];
        let rest = &lower[plen..];
        let offer = cloud.offer(rest)?;
        let model = self.get(&offer.model)?;
        let multiplier = offer
            .multipliers
            .get(&scope.id)
            .copied()
            .unwrap_or(scope.multiplier);
        Some(Resolved {
            model,
            resolution: Resolution {
                requested: requested.to_string(),
                model: model.id.clone(),
                by: ResolvedBy::DeploymentPrefix,
                matched: rest.to_string(),
                prefix,
                stripped: None,
                deployment: Some(Deployment {
                    cloud: cloud.provider.clone(),
                    cloud_name: cloud.name.clone(),
                    scope: scope.id.clone(),
                    prefix: lower[..plen].to_string(),
                    offer: offer.id.clone(),
                    multiplier,
                }),
            },
        })
    }

    /// A prefix a provider's card declares (`models/`, the longest that matches) or a provider
    /// id (`openai/`), and the rest of the id.
    fn provider_prefix<'s>(&self, lower: &'s str) -> Option<(&'s str, &'s str)> {
        let declared = self
            .providers
            .iter()
            .flat_map(|p| &p.prefixes)
            .filter(|p| lower.starts_with(p.as_str()))
            .map(String::len)
            .max();
        if let Some(len) = declared {
            return Some((&lower[..len], &lower[len..]));
        }
        let (head, rest) = lower.split_once('/')?;
        self.providers
            .iter()
            .any(|p| p.id == head)
            .then(|| (&lower[..=head.len()], rest))
    }

    /// The known ids and aliases closest to `id`, best first.
    pub fn suggest(&self, id: &str, n: usize) -> Vec<String> {
        self.suggest_scored(id, n, |needle, needle_chars, lower, limit| {
            // One is a prefix of the other: the distance is their length difference, which is
            // at least `gap`, and the rule caps it at 2.
            if lower.starts_with(needle) || needle.starts_with(lower) {
                return needle.len().abs_diff(lower.len()).min(2);
            }
            let gap = needle_chars.abs_diff(lower.chars().count());
            if gap > limit {
                // The distance is at least the length difference: out of reach without
                // computing it (which takes the product of the lengths; a log's model id can
                // be megabytes long).
                gap
            } else {
                crate::suggest::distance(needle, lower)
            }
        })
    }

    /// The ids of the `n` best-scored ids and aliases within the limit (half of `id`'s length,
    /// at least 3), best first; `score(needle, needle's length in chars, candidate, limit)`
    /// compares lowercased names.
    fn suggest_scored(
        &self,
        id: &str,
        n: usize,
        score: impl Fn(&str, usize, &str, usize) -> usize,
    ) -> Vec<String> {
        let needle = id.trim().to_ascii_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let needle_chars = needle.chars().count();
        let limit = (needle_chars / 2).max(3);
        let mut scored: Vec<(usize, String)> = self
            .models
            .iter()
            .flat_map(|m| {
                std::iter::once(&m.id)
                    .chain(&m.aliases)
                    .map(move |name| (m, name))
            })
            .map(|(m, name)| {
                (
                    score(&needle, needle_chars, &name.to_ascii_lowercase(), limit),
                    m.id.clone(),
                )
            })
            .collect();
        crate::order::sort(&mut scored);
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
    // A non-empty head before `-YYYY-MM-DD`, `-MM-DD`, or `-YYYYMMDD` / `-YYMM` / `-NNN`.
    let head = match parts.as_slice() {
        [head @ .., y, m, d]
            if !head.is_empty() && digits(y, 4) && digits(m, 2) && digits(d, 2) =>
        {
            head
        }
        [head @ .., m, d] if !head.is_empty() && digits(m, 2) && digits(d, 2) => head,
        [head @ .., s] if !head.is_empty() && (digits(s, 8) || digits(s, 4) || digits(s, 3)) => {
            head
        }
        _ => return None,
    };
    Some(head.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "bundled")]
    #[test]
    fn pruned_suggestions_equal_the_full_computation() {
        let book = crate::bundled::book();
        let mut ids: Vec<String> = [
            "gpt4o",
            "gpt-4o-mni",
            "claude-sonet-4-5",
            "gemini-2.5-flsh",
            "o3",
            "x",
            "gpt-4o-extra-long-suffix-that-is-not-a-snapshot",
            "anthropic.claude-3-haiku",
            "models/gemini-pro",
            "GPT-5",
            "ｇｐｔ-４ｏ",
        ]
        .map(String::from)
        .to_vec();
        ids.push("gpt-4o".to_string() + &"x".repeat(300));
        ids.push("q".repeat(300));
        for m in book.models().iter().take(40) {
            ids.push(format!("{}z", m.id));
            ids.push(m.id.chars().skip(2).collect());
        }
        for id in &ids {
            // As before pruning by length: every candidate's distance computed.
            let unpruned = book.suggest_scored(id, 3, |needle, _, lower, _| {
                let d = crate::suggest::distance(needle, lower);
                if lower.starts_with(needle) || needle.starts_with(lower) {
                    d.min(needle.len().abs_diff(lower.len()).min(2))
                } else {
                    d
                }
            });
            assert_eq!(book.suggest(id, 3), unpruned, "{id}");
        }
    }

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
        use crate::suggest::distance;
        assert_eq!(distance("gpt-4o", "gpt-4o"), 0);
        assert_eq!(distance("gpt4o", "gpt-4o"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
