//! What-if on a priced log: the same records priced again under one change (another service
//! mode, another model, one-hour cache writes), each on a ledger of its own.
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
}

impl WhatIf {
    /// The change as written on the command line (`mode=batch`, `model=gpt-5-mini`).
    pub fn as_text(&self) -> String {
        match self {
            WhatIf::Mode(m) => format!("mode={m}"),
            WhatIf::Model(id) => format!("model={id}"),
            WhatIf::CacheTtl1h => "cache-ttl=1h".to_string(),
        }
    }

    /// Checks the change against `book`: a model change names a model the book prices.
    pub fn check(&self, book: &RateBook) -> Result<(), Error> {
        match self {
            WhatIf::Model(id) => book.resolve(id).map(|_| ()),
            WhatIf::Mode(_) | WhatIf::CacheTtl1h => Ok(()),
        }
    }

    /// `rec` under the change, or `None` when the change leaves it as it is.
    pub(crate) fn apply<'a>(&'a self, rec: &Record<'a>) -> Option<Record<'a>> {
        match self {
            WhatIf::Mode(m) if *m == rec.mode => None,
            WhatIf::Mode(m) => Some(Record {
                mode: *m,
                ..rec.clone()
            }),
            WhatIf::Model(id) if *id == rec.model => None,
            WhatIf::Model(id) => Some(Record {
                model: id.as_str().into(),
                ..rec.clone()
            }),
            WhatIf::CacheTtl1h if rec.usage.cache_write_5m == 0 => None,
            WhatIf::CacheTtl1h => {
                let u = &rec.usage;
                let usage = Usage {
                    cache_write_5m: 0,
                    // Saturating: both are within the ingest limit (10^12), far below u64::MAX.
                    cache_write_1h: u.cache_write_1h.saturating_add(u.cache_write_5m),
                    ..u.clone()
                };
                Some(Record {
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
    /// `mode=MODE`, `model=ID` or `cache-ttl=1h`.
    fn from_str(s: &str) -> Result<WhatIf, Error> {
        let bad = |msg: String| Error::new(ErrorKind::InvalidValue, msg);
        let (key, value) = s.split_once('=').ok_or_else(|| {
            bad(format!(
                "what-if `{s}`: expected KEY=VALUE (mode=batch, model=ID, cache-ttl=1h)"
            ))
        })?;
        let value = value.trim();
        match key.trim() {
            "mode" => value.parse().map(WhatIf::Mode),
            "model" if !value.is_empty() => Ok(WhatIf::Model(value.to_string())),
            "model" => Err(bad("what-if `model=`: a model id is needed".into())),
            "cache-ttl" => match value {
                "1h" => Ok(WhatIf::CacheTtl1h),
                _ => Err(bad(format!(
                    "what-if `{s}`: only cache-ttl=1h is a change (writes are 5m unless the response says)"
                ))),
            },
            other => Err(bad(format!(
                "what-if `{s}`: unknown change `{other}`; expected mode=, model= or cache-ttl="
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
        ] {
            let w: WhatIf = text.parse().unwrap();
            assert_eq!(w.as_text(), text);
        }
        assert_eq!(
            " mode = Batch".parse::<WhatIf>().unwrap(),
            WhatIf::Mode(Mode::Batch)
        );
        for bad in ["batch", "mode=cheap", "model=", "cache-ttl=5m", "region=eu"] {
            let e = bad.parse::<WhatIf>().unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidValue, "{bad}: {e}");
        }
    }
}
