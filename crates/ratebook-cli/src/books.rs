//! Where the CLI gets its rate book: a pricing directory on disk, or the bundled one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use ratebook::{Date, Overlay, RateBook, SourceFile};

/// Your own prices over the book's: `--overlay FILE` and `--discount NAME:PERCENT`, shared by
/// `estimate`, `compare`, `scenario` and `cost`.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct OwnPrices {
    /// Apply an overlay file of your own prices: negotiated discounts, markups, replacement
    /// rates, a gateway's billing unit (format: pricing/README.md, "Your own prices").
    /// Repeatable; applied in order, before any --discount.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
    /// Take PERCENT off every rate of a provider, a model or a cloud deployment, e.g.
    /// `--discount openai:20%` or `--discount aws-bedrock:5%`. Repeatable.
    #[arg(long = "discount", value_name = "PROVIDER_OR_MODEL:PERCENT")]
    pub discounts: Vec<String>,
}

impl OwnPrices {
    /// Whether any overlay or discount was given.
    pub fn is_empty(&self) -> bool {
        self.overlays.is_empty() && self.discounts.is_empty()
    }

    /// The overlays to apply to `book`, read and checked: every problem of every file is
    /// printed as `file:line:column: message` before the command fails.
    pub fn read(&self, book: &RateBook) -> Result<Vec<(Overlay, SourceFile)>> {
        let mut out = Vec::new();
        let mut errors = 0usize;
        for path in &self.overlays {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read overlay {}", path.display()))?;
            let file = SourceFile::new(path.display().to_string(), text);
            match Overlay::parse(&file) {
                Ok(o) => out.push((o, file)),
                Err(es) => {
                    for e in &es {
                        eprintln!("{e}");
                    }
                    errors = errors.saturating_add(es.len());
                }
            }
        }
        for spec in &self.discounts {
            match Overlay::discount(spec, book) {
                Ok(o) => out.push((o, SourceFile::new("--discount", spec.clone()))),
                Err(e) => {
                    eprintln!("--discount {spec}: {}", e.message);
                    errors = errors.saturating_add(1);
                }
            }
        }
        if errors > 0 {
            bail!("your own prices have {errors} error(s); nothing was priced");
        }
        Ok(out)
    }

    /// `book` with these overlays applied (see [`OwnPrices::read`]).
    pub fn apply(&self, book: RateBook) -> Result<RateBook> {
        if self.is_empty() {
            return Ok(book);
        }
        let overlays = self.read(&book)?;
        apply_overlays(&book, &overlays)
    }
}

/// `book` with `overlays` applied; every rule whose target is not in the book is printed, located.
fn apply_overlays(book: &RateBook, overlays: &[(Overlay, SourceFile)]) -> Result<RateBook> {
    let list: Vec<Overlay> = overlays.iter().map(|(o, _)| o.clone()).collect();
    match book.with_overlays(&list) {
        Ok(b) => Ok(b),
        Err(es) => {
            for e in &es {
                eprintln!("{e}");
            }
            bail!(
                "your own prices have {} error(s); nothing was priced",
                es.len()
            )
        }
    }
}

/// Reads every `*.toml` in `dir`, sorted by name. Names in messages are shown as given.
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read pricing directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
        files.push(SourceFile::new(p.display().to_string(), text));
    }
    Ok(files)
}

/// The book to price with: `--pricing DIR` if given (every file must be valid), else the
/// bundled one.
pub fn load(pricing: Option<&Path>) -> Result<RateBook> {
    load_sources(&sources(pricing)?)
}

/// The pricing files to price with: those of `--pricing DIR` if given, else the bundled ones.
fn sources(pricing: Option<&Path>) -> Result<Vec<SourceFile>> {
    match pricing {
        Some(dir) => read_dir(dir),
        None => Ok(ratebook::bundled::sources()),
    }
}

/// What identifies a rate book: a hash of its files' names and contents, and the newest
/// effective date of any price in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// FNV-1a (64-bit, hex) over each file's name (without its directory) and text, in name
    /// order: the same files give the same hash wherever they are read from.
    pub hash: String,
    pub newest_effective: Option<Date>,
}

/// The book to price with and its identity (see [`load`]).
pub fn load_identified(pricing: Option<&Path>, own: &OwnPrices) -> Result<(RateBook, Identity)> {
    identified_with(&sources(pricing)?, own)
}

/// The book of `files` with `own` prices applied, and its identity: the hash covers the
/// overlay files and discounts too, so a total priced with them is never taken for one at
/// list prices.
pub fn identified_with(files: &[SourceFile], own: &OwnPrices) -> Result<(RateBook, Identity)> {
    let book = load_sources(files)?;
    if own.is_empty() {
        let id = identity(files, &book);
        return Ok((book, id));
    }
    let overlays = own.read(&book)?;
    let book = apply_overlays(&book, &overlays)?;
    let mut all: Vec<SourceFile> = files.to_vec();
    all.extend(overlays.into_iter().map(|(_, f)| SourceFile {
        name: format!("overlay/{}", f.name),
        text: f.text,
    }));
    let id = identity(&all, &book);
    Ok((book, id))
}

/// The identity of `book`, loaded from `files`.
fn identity(files: &[SourceFile], book: &RateBook) -> Identity {
    let base = |name: &str| name.rsplit(['/', '\\']).next().unwrap_or(name).to_string();
    let mut named: Vec<(String, &str)> = files
        .iter()
        .map(|f| (base(&f.name), f.text.as_str()))
        .collect();
    named.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in named {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let newest_effective = book
        .models()
        .iter()
        .flat_map(|m| m.prices.iter().map(|p| p.effective))
        .max();
    Identity {
        hash: format!("{h:016x}"),
        newest_effective,
    }
}

/// The book of `files`; every file must be valid.
pub fn load_sources(files: &[SourceFile]) -> Result<RateBook> {
    let loaded = ratebook::load(files);
    if !loaded.errors.is_empty() {
        for e in &loaded.errors {
            eprintln!("{e}");
        }
        bail!(
            "the pricing files have {} error(s); run `ratebook check`",
            loaded.errors.len()
        );
    }
    if loaded.book.models().is_empty() {
        bail!("no models found in the pricing files");
    }
    Ok(loaded.book)
}

/// Today's date in UTC, from the system clock (the core never reads it).
pub fn today() -> Date {
    date_in_zone(0)
}

/// The latest date anywhere on Earth: today's date in UTC+14, the first time zone to reach a
/// day. A date after it is in the future for everyone.
pub fn today_anywhere() -> Date {
    date_in_zone(14)
}

/// Today's date in the time zone `hours` ahead of UTC, from the system clock.
fn date_in_zone(hours: i64) -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_unix_seconds(secs + hours * 3600)
        .unwrap_or_else(|| Date::new(1970, 1, 1).expect("valid date"))
}

/// Parses `--date`, defaulting to today.
pub fn date_or_today(date: Option<&str>) -> Result<Date> {
    match date {
        Some(d) => Ok(d.parse::<Date>()?),
        None => Ok(today()),
    }
}
