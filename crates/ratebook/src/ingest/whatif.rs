//! What-if on a priced log: the same records priced again under one change (another service
//! mode, another model, one-hour cache writes, another cloud deployment scope, your own prices),
//! each on a ledger of its own.
//!
//! A record the change cannot apply to (a mode its model does not offer, a usage the other
//! model cannot price) keeps its own price in the what-if total and is counted as not
//! applicable: the total stays comparable with the log's, and nothing is guessed.

use std::fmt;
use std::str::FromStr;

use crate::book::{Mode, RateBook};
use crate::error::{Error, ErrorKind};
use crate::usage::Usage;

use super::Record;

/// One change to price a log under (`ratebook cost --what-if CHANGE`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhatIf {
    /// `mode=batch` (or `standard`, `flex`, `priority`): every record in that service mode.
    Mode(Mode),
    /// `model=ID`: every record on that model, with the same usage.
    Model(String),
    /// `cache-ttl=1h`: cache writes with a one-hour time to live instead of five minutes.
    CacheTtl1h,
    /// `deployment=SCOPE`: every call through a cloud made through that scope of the same cloud
    /// instead (`deployment=global`: Bedrock's global cross-Region profiles; `in-region`,
    /// `geographic`, …, as the cloud's deployment card names them). Calls not through a cloud,
    /// or through one without that scope, are not applicable.
    Deployment(String),
    /// `overlay=FILE`: the log priced with your own prices from an overlay file (see
    /// [`crate::overlay`]). The ledger is given the book with the overlay applied
    /// ([`super::Ledger::what_if_priced_by`]).
    Overlay(String),
}

/// What a change makes of one record.
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "made and matched at once for each record, never stored: boxing would allocate per record"
)]
pub(crate) enum Applied<'a> {
    /// The change leaves it as it is.
    Same,
    /// The record under the change.
    Changed(Record<'a>),
    /// The change cannot apply to it (counted, priced as it is).
    NotApplicable,
}

impl WhatIf {
    /// The change as written on the command line (`mode=batch`, `model=gpt-5-mini`).
    pub fn as_text(&self) -> String {
        match self {
            WhatIf::Mode(m) => format!("mode={m}"),
            WhatIf::Model(id) => format!("model={id}"),
            WhatIf::CacheTtl1h => "cache-ttl=1h".to_string(),
            WhatIf::Deployment(s) => format!("deployment={s}"),
            WhatIf::Overlay(f) => format!("overlay={f}"),
        }
    }

    /// Checks the change against `book`: a model change names a model the book prices, a
    /// deployment change a scope one of its clouds has.
    pub fn check(&self, book: &RateBook) -> Result<(), Error> {
        match self {
            WhatIf::Model(id) => book.resolve(id).map(|_| ()),
            WhatIf::Deployment(scope) => {
                let mut known: Vec<&str> = Vec::new();
                for c in book.clouds() {
                    for s in &c.scopes {
                        if !known.contains(&s.id.as_str()) {
                            known.push(&s.id);
                        }
                    }
                }
                if known.contains(&scope.as_str()) {
                    Ok(())
                } else {
                    Err(Error::new(
                        ErrorKind::InvalidValue,
                        crate::read::unknown("deployment scope", scope, &known),
                    ))
                }
            }
            WhatIf::Mode(_) | WhatIf::CacheTtl1h | WhatIf::Overlay(_) => Ok(()),
        }
    }

    /// What the change makes of `rec`, whose id `book` resolves.
    pub(crate) fn apply<'a>(&'a self, rec: &Record<'a>, book: &RateBook) -> Applied<'a> {
        let changed = |r: Record<'a>| Applied::Changed(r);
        match self {
            WhatIf::Mode(m) if *m == rec.mode => Applied::Same,
            WhatIf::Mode(m) => changed(Record {
                mode: *m,
                ..rec.clone()
            }),
            WhatIf::Model(id) if *id == rec.model => Applied::Same,
            WhatIf::Model(id) => changed(Record {
                model: id.as_str().into(),
                ..rec.clone()
            }),
            WhatIf::Overlay(_) => Applied::Same,
            WhatIf::Deployment(scope) => {
                let Some(d) = book
                    .resolve_with(&rec.model)
                    .ok()
                    .and_then(|r| r.resolution.deployment)
                else {
                    return Applied::NotApplicable;
                };
                if d.scope == *scope {
                    return Applied::Same;
                }
                // The same offer under the scope's first prefix (`global.` + the offer id).
                let prefix = book
                    .clouds()
                    .iter()
                    .find(|c| c.provider == d.cloud)
                    .and_then(|c| c.scopes.iter().find(|s| s.id == *scope))
                    .and_then(|s| s.prefixes.first());
                match prefix {
                    Some(p) => changed(Record {
                        model: format!("{p}{}", d.offer).into(),
                        ..rec.clone()
                    }),
                    None => Applied::NotApplicable,
                }
            }
            WhatIf::CacheTtl1h if rec.usage.cache_write_5m == 0 => Applied::Same,
            WhatIf::CacheTtl1h => {
                let u = &rec.usage;
                let usage = Usage {
                    cache_write_5m: 0,
                    // Saturating: both are within the ingest limit (10^12), far below u64::MAX.
                    cache_write_1h: u.cache_write_1h.saturating_add(u.cache_write_5m),
                    ..u.clone()
                };
                changed(Record {
                    usage,
                    ..rec.clone()
                })
            }
        }
    }
}

impl fmt::Display for WhatIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_text())
    }
}

impl FromStr for WhatIf {
    type Err = Error;
    /// `mode=MODE`, `model=ID`, `cache-ttl=1h`, `deployment=SCOPE` or `overlay=FILE`.
    fn from_str(s: &str) -> Result<WhatIf, Error> {
        let bad = |msg: String| Error::new(ErrorKind::InvalidValue, msg);
        let (key, value) = s.split_once('=').ok_or_else(|| {
            bad(format!(
                "what-if `{s}`: expected KEY=VALUE (mode=batch, model=ID, cache-ttl=1h, deployment=SCOPE, overlay=FILE)"
            ))
        })?;
        let value = value.trim();
        match key.trim() {
            "mode" => value.parse().map(WhatIf::Mode),
            "model" if !value.is_empty() => Ok(WhatIf::Model(value.to_string())),
            "model" => Err(bad("what-if `model=`: a model id is needed".into())),
            "deployment" if !value.is_empty() => Ok(WhatIf::Deployment(value.to_string())),
            "overlay" if !value.is_empty() => Ok(WhatIf::Overlay(value.to_string())),
            "deployment" | "overlay" => Err(bad(format!("what-if `{s}`: a value is needed"))),
            "cache-ttl" => match value {
                "1h" => Ok(WhatIf::CacheTtl1h),
                _ => Err(bad(format!(
                    "what-if `{s}`: only cache-ttl=1h is a change (writes are 5m unless the response says)"
                ))),
            },
            other => Err(bad(format!(
                "what-if `{s}`: unknown change `{other}`; expected mode=, model=, cache-ttl=, deployment= or overlay="
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_written() {
        for text in [
            "mode=batch",
            "mode=flex",
            "model=gpt-5-mini",
            "cache-ttl=1h",
            "deployment=global",
            "overlay=acme.toml",
        ] {
            let w: WhatIf = text.parse().unwrap();
            assert_eq!(w.as_text(), text);
        }
        assert_eq!(
            " mode = Batch".parse::<WhatIf>().unwrap(),
            WhatIf::Mode(Mode::Batch)
        );
        for bad in [
            "batch",
            "mode=cheap",
            "model=",
            "cache-ttl=5m",
            "region=eu",
            "deployment=",
            "overlay=",
        ] {
            let e = bad.parse::<WhatIf>().unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidValue, "{bad}: {e}");
        }
    }
}
