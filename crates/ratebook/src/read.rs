//! Reads a pricing file's text into the [`crate::raw`] types, walking toml's spanned parse tree
//! by hand.
//!
//! Walking the tree instead of deriving serde keeps the browser download small (the derived
//! deserializers were most of the WASM binary) and lets one pass report every structural problem
//! of a file — unknown keys, bare floats, wrong types, missing fields — each with its byte span
//! and TOML key path, instead of stopping at the first.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::error::{Error, ErrorKind, Location};
use crate::image::ImageScheme;
use crate::map::Map;
use crate::money::{Amount, parse_decimal};
use crate::raw::{self, Spanned};
use crate::source::{SourceFile, quote_key};

pub(crate) type Value<'i> = toml::Spanned<DeValue<'i>>;

/// The message for a name the format does not know: the closest known name when there is a
/// near miss (`unknown key `cache_reed`; did you mean `cache_read`?`), else the whole list.
pub fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    match crate::suggest::closest(name, known) {
        Some(s) => format!("unknown {what} `{name}`; did you mean `{s}`?"),
        None => {
            let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            format!(
                "unknown {what} `{name}`; expected one of {}",
                expected.join(", ")
            )
        }
    }
}

/// Keys of each table, in the order the schema lists them. `tests` compare these with
/// `pricing/schema.json`, so the reader and the schema cannot drift apart.
pub mod keys {
    pub const FILE: &[&str] = &[
        "schema_version",
        "provider",
        "image_schemes",
        "models",
        "scopes",
        "offers",
    ];
    pub const SCOPE: &[&str] = &[
        "id",
        "description",
        "prefixes",
        "multiplier",
        "source",
        "checked",
    ];
    pub const OFFER: &[&str] = &["model", "aliases", "multipliers", "notes"];
    pub const PROVIDER: &[&str] = &["id", "name", "pricing_url", "billing", "prefixes"];
    pub const BILLING: &[&str] = &["unit", "rounding"];
    pub const MODEL: &[&str] = &[
        "name",
        "aliases",
        "image_input",
        "context_window",
        "max_output_tokens",
        "notes",
        "snapshots",
        "deprecated",
        "shutdown",
        "replaced_by",
        "prices",
    ];
    pub const RATES: &[&str] = &[
        "input",
        "input_image",
        "input_audio",
        "input_video",
        "cache_read",
        "cache_read_audio",
        "cache_write_5m",
        "cache_write_1h",
        "cache_storage",
        "output",
        "output_image",
        "output_audio",
        "cache_read_image",
        "input_audio_minute",
        "input_characters",
        "output_video",
    ];
    pub const ENTRY_OTHER: &[&str] = &[
        "effective",
        "source",
        "checked",
        "note",
        "output_image_tokens",
        "output_image_fees",
        "output_video_seconds",
        "withdraw",
        "residency_multiplier",
        "fees",
        "batch",
        "flex",
        "priority",
        "long_context",
    ];
    pub const MODE: &[&str] = &[
        "multiplier",
        "cache_read",
        "cache_write",
        "cache_storage",
        "rates",
    ];
    pub const TIER_OTHER: &[&str] = &["threshold", "comparison", "counts", "application"];
    pub const FEE: &[&str] = &["description", "price", "per", "free", "free_period"];
    pub const SCHEME_KINDS: &[(&str, &[&str])] = &[
        (
            "gemini_tiles",
            &["small_max", "small_tokens", "crop_divisor", "tile_tokens"],
        ),
        ("fixed_levels", &["levels", "default"]),
        (
            "openai_tiles",
            &["base", "per_tile", "fit", "short_side", "tile"],
        ),
        ("openai_patches", &["patch", "max_patches", "multiplier"]),
        (
            "anthropic_patches",
            &["patch", "max_long_edge", "max_tokens"],
        ),
    ];
}

/// Parses `file` into the raw types, or returns every structural error found.
pub fn read(file: &SourceFile) -> Result<raw::PricingFile, Vec<Error>> {
    match read_partial(file) {
        (Some(f), errors) if errors.is_empty() => Ok(f),
        (_, errors) => Err(errors),
    }
}

/// Parses `file` as far as it can be read: every structural error, and the file without the
/// models and image schemes that had one, so the rules of the book can still be checked on the
/// rest (`ratebook check` reports both kinds in one run). The file is `None` when the text is
/// not TOML or its top level cannot be read. A model naming an image scheme that could not be
/// read loses its `image_input`, so it is not also reported as naming an undefined scheme.
pub fn read_partial(file: &SourceFile) -> (Option<raw::PricingFile>, Vec<Error>) {
    let root = match DeTable::parse(&file.text) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let loc = Location::from_offset(&file.name, &file.text, offset, None);
            return (
                None,
                vec![Error::new(ErrorKind::Syntax, e.message().trim()).at(loc)],
            );
        }
    };
    let mut r = Reader {
        file,
        errors: Vec::new(),
    };
    let mut parsed = r.file(root.get_ref(), root.span());
    if let Some(f) = &mut parsed {
        let written = root
            .get_ref()
            .get("image_schemes")
            .and_then(|v| v.get_ref().as_table());
        let unread: Vec<String> = f
            .models
            .iter()
            .filter(|(_, m)| {
                m.get_ref().image_input.as_ref().is_some_and(|s| {
                    let name = s.get_ref().as_str();
                    written.is_some_and(|t| t.get(name).is_some())
                        && f.image_schemes.get(name).is_none()
                })
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in unread {
            if let Some(m) = f.models.get_mut(&id) {
                m.value.image_input = None;
            }
        }
    }
    (parsed, r.errors)
}

/// A table being read: checks its keys once, then hands out values by name.
pub(crate) struct Table<'t, 'i> {
    table: &'t DeTable<'i>,
    path: String,
    span: Range<usize>,
}

impl<'t, 'i> Table<'t, 'i> {
    pub(crate) fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.table.get(key)
    }
    /// The table's key path (`adjust[0]`), empty at the top level.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }
    pub(crate) fn key(&self, key: &str) -> String {
        if self.path.is_empty() {
            quote_key(key)
        } else {
            format!("{}.{}", self.path, quote_key(key))
        }
    }
}

pub(crate) struct Reader<'f> {
    pub(crate) file: &'f SourceFile,
    pub(crate) errors: Vec<Error>,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Reader<'_> {
    pub(crate) fn push(
        &mut self,
        kind: ErrorKind,
        span: Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) {
        let key = (!key.is_empty()).then(|| key.to_string());
        let loc = Location::from_offset(&self.file.name, &self.file.text, span.start, key);
        self.errors.push(Error::new(kind, message).at(loc));
    }

    pub(crate) fn wrong_type(&mut self, v: &Value<'_>, key: &str, expected: &str) {
        let found = type_name(v.get_ref());
        self.push(
            ErrorKind::InvalidValue,
            v.span(),
            key,
            format!("expected {expected}, found {found}"),
        );
    }

    /// Opens a table value, reporting unknown keys (`allowed`) and giving the table's reader.
    pub(crate) fn table<'t, 'i>(
        &mut self,
        v: &'t Value<'i>,
        path: &str,
        allowed: &[&str],
    ) -> Option<Table<'t, 'i>> {
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(v, path, "a table");
            return None;
        };
        let table = Table {
            table: t,
            path: path.to_string(),
            span: v.span(),
        };
        self.check_keys(&table, allowed);
        Some(table)
    }

    fn check_keys(&mut self, t: &Table<'_, '_>, allowed: &[&str]) {
        for (k, _) in t.table.iter() {
            let name: &str = k.get_ref();
            if !allowed.contains(&name) {
                self.push(
                    ErrorKind::UnknownKey,
                    k.span(),
                    &t.key(name),
                    unknown("key", name, allowed),
                );
            }
        }
    }

    pub(crate) fn required<'t, 'i>(
        &mut self,
        t: &Table<'t, 'i>,
        key: &str,
    ) -> Option<&'t Value<'i>> {
        let v = t.get(key);
        if v.is_none() {
            // Located at the table, and named by it: `models."gpt-9".prices[2]: missing `source``.
            let message = if t.path.is_empty() {
                format!("missing `{key}`")
            } else {
                format!("{}: missing `{key}`", t.path)
            };
            self.push(ErrorKind::InvalidValue, t.span.clone(), &t.path, message);
        }
        v
    }

    pub(crate) fn string(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<String>> {
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(s.to_string(), v.span())),
            // A bare TOML date (`effective = 2026-03-13`) reads as its text.
            DeValue::Datetime(d) => Some(Spanned::new(d.to_string(), v.span())),
            _ => {
                self.wrong_type(v, key, "a string");
                None
            }
        }
    }

    pub(crate) fn amount(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<Amount>> {
        match v.get_ref() {
            DeValue::String(s) => match parse_decimal(s) {
                Ok(d) => Some(Spanned::new(Amount(d), v.span())),
                Err(e) => {
                    self.push(ErrorKind::InvalidValue, v.span(), key, e);
                    None
                }
            },
            DeValue::Float(f) => {
                let text = f.as_str();
                let msg = format!(
                    "bare float {text} is not exact; write the price as a quoted string: \"{text}\""
                );
                self.push(ErrorKind::InvalidValue, v.span(), key, msg);
                None
            }
            DeValue::Integer(i) => {
                let text = i.as_str();
                let msg =
                    format!("bare number {text}: write prices as quoted strings, like \"{text}\"");
                self.push(ErrorKind::InvalidValue, v.span(), key, msg);
                None
            }
            _ => {
                self.wrong_type(v, key, "a decimal number in quotes, like \"0.50\"");
                None
            }
        }
    }

    pub(crate) fn uint(&mut self, v: &Value<'_>, key: &str, max: u64) -> Option<u64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => {
                let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
                let digits = digits.strip_prefix('+').unwrap_or(&digits);
                let (body, radix) = match i.radix() {
                    16 | 8 | 2 => (digits.get(2..).unwrap_or(""), i.radix()),
                    _ => (digits, 10),
                };
                u64::from_str_radix(body, radix).ok()
            }
            _ => {
                self.wrong_type(v, key, "a whole number");
                return None;
            }
        };
        match parsed {
            Some(n) if n <= max => Some(n),
            _ => {
                self.push(
                    ErrorKind::InvalidValue,
                    v.span(),
                    key,
                    format!("expected a whole number from 0 to {max}"),
                );
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, v: &Value<'_>, key: &str) -> Option<bool> {
        let b = v.get_ref().as_bool();
        if b.is_none() {
            self.wrong_type(v, key, "true or false");
        }
        b
    }

    pub(crate) fn array<'t, 'i>(&mut self, v: &'t Value<'i>, key: &str) -> Option<&'t [Value<'i>]> {
        match v.get_ref().as_array() {
            Some(a) => Some(a),
            None => {
                self.wrong_type(v, key, "an array");
                None
            }
        }
    }

    fn strings(&mut self, v: &Value<'_>, key: &str) -> Option<Vec<Spanned<String>>> {
        self.list(v, key, |r, v, k| r.string(v, k))
    }

    /// A table of `name → T`, every entry read by `each`.
    fn map<T>(
        &mut self,
        v: &Value<'_>,
        key: &str,
        mut each: impl FnMut(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Option<Map<String, T>> {
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(v, key, "a table");
            return None;
        };
        let mut out = Map::new();
        let mut ok = true;
        for (k, item) in t.iter() {
            let name: &str = k.get_ref();
            match each(self, item, &format!("{key}.{}", quote_key(name))) {
                Some(x) => {
                    out.insert(name.to_string(), x);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A table of `name → T` keeping the entries `each` could read; the others are reported
    /// and left out, so the rest of a file can still be validated.
    fn readable<T>(
        &mut self,
        v: &Value<'_>,
        key: &str,
        mut each: impl FnMut(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Option<Map<String, T>> {
        self.map(v, key, |r, v, k| Some(each(r, v, k))).map(|all| {
            let mut out = Map::new();
            for (name, x) in all {
                if let Some(x) = x {
                    out.insert(name, x);
                }
            }
            out
        })
    }

    /// A required key, read by `read`; a missing key is reported at its table.
    fn req<T>(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        read: impl FnOnce(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Option<T> {
        let v = self.required(t, key)?;
        read(self, v, &t.key(key))
    }

    /// An array whose items are all read by `each` (every item is read, so every bad item is
    /// reported, not just the first).
    fn list<T>(
        &mut self,
        v: &Value<'_>,
        key: &str,
        mut each: impl FnMut(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = self.array(v, key)?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match each(self, item, &format!("{key}[{i}]")) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn opt<T>(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        read: impl FnOnce(&mut Self, &Value<'_>, &str) -> Option<T>,
    ) -> Result<Option<T>, ()> {
        match t.get(key) {
            None => Ok(None),
            Some(v) => read(self, v, &t.key(key)).map(Some).ok_or(()),
        }
    }

    fn file(&mut self, root: &DeTable<'_>, span: Range<usize>) -> Option<raw::PricingFile> {
        let t = Table {
            table: root,
            path: String::new(),
            span,
        };
        self.check_keys(&t, keys::FILE);
        let schema_version = self.opt(&t, "schema_version", |r, v, k| {
            r.uint(v, k, u64::from(u32::MAX)).map(|n| n as u32)
        });
        let provider = self.required(&t, "provider").and_then(|v| self.provider(v));
        let image_schemes = match t.get("image_schemes") {
            Some(v) => self.readable(v, "image_schemes", |r, v, k| r.scheme(v, k)),
            None => Some(Map::new()),
        };
        let models = match t.get("models") {
            Some(v) => self.readable(v, "models", |r, v, k| r.model(v, k)),
            None => Some(Map::new()),
        };
        let scopes = match t.get("scopes") {
            Some(v) => self.list(v, "scopes", |r, v, k| r.scope(v, k)),
            None => Some(Vec::new()),
        };
        let offers = match t.get("offers") {
            Some(v) => self.map(v, "offers", |r, v, k| r.offer(v, k)),
            None => Some(Map::new()),
        };
        Some(raw::PricingFile {
            schema_version: schema_version.ok()?,
            provider: provider?,
            image_schemes: image_schemes?,
            models: models?,
            scopes: scopes?,
            offers: offers?,
        })
    }

    fn scope(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::ScopeSpec>> {
        let t = self.table(v, key, keys::SCOPE)?;
        let id = self.req(&t, "id", |r, v, k| r.string(v, k));
        let description = self.opt(&t, "description", |r, v, k| {
            r.string(v, k).map(Spanned::into_inner)
        });
        let prefixes = self.req(&t, "prefixes", |r, v, k| r.strings(v, k));
        let multiplier = self.req(&t, "multiplier", |r, v, k| r.amount(v, k));
        let source = self.opt(&t, "source", |r, v, k| r.string(v, k));
        let checked = self.opt(&t, "checked", |r, v, k| r.string(v, k));
        let spec = raw::ScopeSpec {
            id: id?,
            description: description.ok()?,
            prefixes: prefixes?,
            multiplier: multiplier?,
            source: source.ok()?,
            checked: checked.ok()?,
        };
        Some(Spanned::new(spec, v.span()))
    }

    fn offer(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::OfferSpec>> {
        let t = self.table(v, key, keys::OFFER)?;
        let model = self.req(&t, "model", |r, v, k| r.string(v, k));
        let aliases = self.opt(&t, "aliases", |r, v, k| r.strings(v, k));
        let multipliers = self.opt(&t, "multipliers", |r, v, k| {
            r.map(v, k, |r, v, k| r.amount(v, k))
        });
        let notes = self.opt(&t, "notes", |r, v, k| {
            r.string(v, k).map(Spanned::into_inner)
        });
        let spec = raw::OfferSpec {
            model: model?,
            aliases: aliases.ok()?.unwrap_or_default(),
            multipliers: multipliers.ok()?.unwrap_or_default(),
            notes: notes.ok()?,
        };
        Some(Spanned::new(spec, v.span()))
    }

    fn provider(&mut self, v: &Value<'_>) -> Option<raw::ProviderInfo> {
        let t = self.table(v, "provider", keys::PROVIDER)?;
        let id = self.req(&t, "id", |r, v, k| r.string(v, k));
        let name = self.req(&t, "name", |r, v, k| r.string(v, k));
        let pricing_url = self.opt(&t, "pricing_url", |r, v, k| {
            r.string(v, k).map(Spanned::into_inner)
        });
        let billing = self.opt(&t, "billing", |r, v, k| {
            let b = r.table(v, k, keys::BILLING)?;
            let unit = r.req(&b, "unit", |r, v, k| r.amount(v, k));
            let rounding = r.req(&b, "rounding", |r, v, k| r.string(v, k));
            Some(raw::Billing {
                unit: unit?,
                rounding: rounding?,
            })
        });
        let prefixes = self.opt(&t, "prefixes", |r, v, k| r.strings(v, k));
        Some(raw::ProviderInfo {
            id: id?,
            name: name?.into_inner(),
            pricing_url: pricing_url.ok()?,
            billing: billing.ok()?,
            prefixes: prefixes.ok()?.unwrap_or_default(),
        })
    }

    fn scheme(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<ImageScheme>> {
        let Some(t) = v.get_ref().as_table() else {
            self.wrong_type(v, key, "a table");
            return None;
        };
        let table = Table {
            table: t,
            path: key.to_string(),
            span: v.span(),
        };
        let kind = self.req(&table, "kind", |r, v, k| r.string(v, k))?;
        let Some((_, fields)) = keys::SCHEME_KINDS
            .iter()
            .find(|(name, _)| *name == kind.get_ref())
        else {
            let names: Vec<&str> = keys::SCHEME_KINDS.iter().map(|(n, _)| *n).collect();
            self.push(
                ErrorKind::UnknownKey,
                kind.span(),
                &table.key("kind"),
                unknown("image scheme kind", kind.get_ref(), &names),
            );
            return None;
        };
        let mut allowed = vec!["kind"];
        allowed.extend_from_slice(fields);
        self.check_keys(&table, &allowed);
        let u =
            |r: &mut Self, name: &str, max: u64| r.req(&table, name, |r, v, k| r.uint(v, k, max));
        let small = u64::from(u32::MAX);
        let scheme = match kind.get_ref().as_str() {
            "gemini_tiles" => {
                let small_max = u(self, "small_max", small);
                let small_tokens = u(self, "small_tokens", u64::MAX);
                let divisor = self.req(&table, "crop_divisor", |r, v, k| r.amount(v, k));
                let tile_tokens = u(self, "tile_tokens", u64::MAX);
                ImageScheme::GeminiTiles {
                    small_max: small_max? as u32,
                    small_tokens: small_tokens?,
                    crop_divisor: divisor?.into_inner().0,
                    tile_tokens: tile_tokens?,
                }
            }
            "fixed_levels" => {
                let levels = self.req(&table, "levels", |r, v, k| {
                    r.map(v, k, |r, v, k| r.uint(v, k, u64::MAX))
                });
                let default = self.req(&table, "default", |r, v, k| r.string(v, k));
                ImageScheme::FixedLevels {
                    levels: levels?,
                    default: default?.into_inner(),
                }
            }
            "openai_tiles" => {
                let base = u(self, "base", u64::MAX);
                let per_tile = u(self, "per_tile", u64::MAX);
                let fit = u(self, "fit", small);
                let short_side = u(self, "short_side", small);
                let tile = u(self, "tile", small);
                ImageScheme::OpenaiTiles {
                    base: base?,
                    per_tile: per_tile?,
                    fit: fit? as u32,
                    short_side: short_side? as u32,
                    tile: tile? as u32,
                }
            }
            "openai_patches" => {
                let patch = u(self, "patch", small);
                let max_patches = u(self, "max_patches", u64::MAX);
                let multiplier = self.req(&table, "multiplier", |r, v, k| r.amount(v, k));
                ImageScheme::OpenaiPatches {
                    patch: patch? as u32,
                    max_patches: max_patches?,
                    multiplier: multiplier?.into_inner().0,
                }
            }
            _ => {
                let patch = u(self, "patch", small);
                let max_long_edge = u(self, "max_long_edge", small);
                let max_tokens = u(self, "max_tokens", u64::MAX);
                ImageScheme::AnthropicPatches {
                    patch: patch? as u32,
                    max_long_edge: max_long_edge? as u32,
                    max_tokens: max_tokens?,
                }
            }
        };
        Some(Spanned::new(scheme, v.span()))
    }

    fn model(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::ModelSpec>> {
        let t = self.table(v, key, keys::MODEL)?;
        let name = self.req(&t, "name", |r, v, k| r.string(v, k));
        let aliases = self.opt(&t, "aliases", |r, v, k| r.strings(v, k));
        let image_input = self.opt(&t, "image_input", |r, v, k| r.string(v, k));
        let context_window = self.opt(&t, "context_window", |r, v, k| r.uint(v, k, u64::MAX));
        let max_output_tokens = self.opt(&t, "max_output_tokens", |r, v, k| r.uint(v, k, u64::MAX));
        let notes = self.opt(&t, "notes", |r, v, k| {
            r.string(v, k).map(Spanned::into_inner)
        });
        let snapshots = self.opt(&t, "snapshots", |r, v, k| r.boolean(v, k));
        let deprecated = self.opt(&t, "deprecated", |r, v, k| r.string(v, k));
        let shutdown = self.opt(&t, "shutdown", |r, v, k| r.string(v, k));
        let replaced_by = self.opt(&t, "replaced_by", |r, v, k| r.string(v, k));
        let prices = self.req(&t, "prices", |r, v, k| {
            r.list(v, k, |r, v, k| r.entry(v, k))
        });
        let spec = raw::ModelSpec {
            name: name?.into_inner(),
            aliases: aliases.ok()?.unwrap_or_default(),
            image_input: image_input.ok()?,
            context_window: context_window.ok()?,
            max_output_tokens: max_output_tokens.ok()?,
            notes: notes.ok()?,
            snapshots: snapshots.ok()?,
            deprecated: deprecated.ok()?,
            shutdown: shutdown.ok()?,
            replaced_by: replaced_by.ok()?,
            prices: prices?,
        };
        Some(Spanned::new(spec, v.span()))
    }

    /// Reads the rate keys of a price entry or a tier.
    fn rates(&mut self, t: &Table<'_, '_>) -> Option<raw::RateFields> {
        let mut out = raw::RateFields::default();
        let mut ok = true;
        for (slot, name) in out.slots_mut().into_iter().zip(keys::RATES) {
            match self.opt(t, name, |r, v, k| r.amount(v, k)) {
                Ok(x) => *slot = x,
                Err(()) => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn entry(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::PriceEntry>> {
        let allowed: Vec<&str> = keys::ENTRY_OTHER
            .iter()
            .chain(keys::RATES)
            .copied()
            .collect();
        let t = self.table(v, key, &allowed)?;
        let effective = self.req(&t, "effective", |r, v, k| r.string(v, k));
        let source = self.opt(&t, "source", |r, v, k| r.string(v, k));
        let checked = self.opt(&t, "checked", |r, v, k| r.string(v, k));
        let note = self.opt(&t, "note", |r, v, k| {
            r.string(v, k).map(Spanned::into_inner)
        });
        let rates = self.rates(&t);
        let image_tokens = self.opt(&t, "output_image_tokens", |r, v, k| {
            r.map(v, k, |r, v, k| {
                r.uint(v, k, u64::MAX).map(|n| Spanned::new(n, v.span()))
            })
        });
        let image_fees = self.opt(&t, "output_image_fees", |r, v, k| {
            r.map(v, k, |r, v, k| r.amount(v, k))
        });
        let video = self.opt(&t, "output_video_seconds", |r, v, k| {
            r.map(v, k, |r, v, k| r.amount(v, k))
        });
        let withdraw = self.opt(&t, "withdraw", |r, v, k| r.strings(v, k));
        let residency = self.opt(&t, "residency_multiplier", |r, v, k| r.amount(v, k));
        let fees = self.opt(&t, "fees", |r, v, k| r.map(v, k, |r, v, k| r.fee(v, k)));
        let batch = self.opt(&t, "batch", |r, v, k| r.mode(v, k));
        let flex = self.opt(&t, "flex", |r, v, k| r.mode(v, k));
        let priority = self.opt(&t, "priority", |r, v, k| r.mode(v, k));
        let long_context = self.opt(&t, "long_context", |r, v, k| {
            r.list(v, k, |r, v, k| r.tier(v, k))
        });
        let entry = raw::PriceEntry {
            effective: effective?,
            source: source.ok()?,
            checked: checked.ok()?,
            note: note.ok()?,
            rates: rates?,
            output_image_tokens: image_tokens.ok()?,
            output_image_fees: image_fees.ok()?,
            output_video_seconds: video.ok()?,
            withdraw: withdraw.ok()?,
            residency_multiplier: residency.ok()?,
            fees: fees.ok()?,
            batch: batch.ok()?,
            flex: flex.ok()?,
            priority: priority.ok()?,
            long_context: long_context.ok()?,
        };
        Some(Spanned::new(entry, v.span()))
    }

    fn mode(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::ModeSpec>> {
        let t = self.table(v, key, keys::MODE)?;
        let multiplier = self.req(&t, "multiplier", |r, v, k| r.amount(v, k));
        let cache_read = self.req(&t, "cache_read", |r, v, k| r.boolean(v, k));
        let cache_write = self.opt(&t, "cache_write", |r, v, k| r.boolean(v, k));
        let cache_storage = self.opt(&t, "cache_storage", |r, v, k| r.boolean(v, k));
        let rates = self.opt(&t, "rates", |r, v, k| r.map(v, k, |r, v, k| r.amount(v, k)));
        let spec = raw::ModeSpec {
            multiplier: multiplier?,
            cache_read: cache_read?,
            cache_write: cache_write.ok()?,
            cache_storage: cache_storage.ok()?.unwrap_or(false),
            rates: rates.ok()?.unwrap_or_default(),
        };
        Some(Spanned::new(spec, v.span()))
    }

    fn tier(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::TierSpec>> {
        let allowed: Vec<&str> = keys::TIER_OTHER
            .iter()
            .chain(keys::RATES)
            .copied()
            .collect();
        let t = self.table(v, key, &allowed)?;
        let threshold = self.req(&t, "threshold", |r, v, k| r.uint(v, k, u64::MAX));
        let comparison = self.req(&t, "comparison", |r, v, k| r.string(v, k));
        let counts = self.req(&t, "counts", |r, v, k| r.strings(v, k));
        let application = self.req(&t, "application", |r, v, k| r.string(v, k));
        let rates = self.rates(&t);
        let spec = raw::TierSpec {
            threshold: threshold?,
            comparison: comparison?,
            counts: counts?,
            application: application?,
            rates: rates?,
        };
        Some(Spanned::new(spec, v.span()))
    }

    fn fee(&mut self, v: &Value<'_>, key: &str) -> Option<Spanned<raw::Fee>> {
        let t = self.table(v, key, keys::FEE)?;
        let description = self.req(&t, "description", |r, v, k| r.string(v, k));
        let price = self.req(&t, "price", |r, v, k| r.amount(v, k));
        let per = self.req(&t, "per", |r, v, k| r.uint(v, k, u64::MAX));
        let free = self.opt(&t, "free", |r, v, k| r.uint(v, k, u64::MAX));
        let free_period = self.opt(&t, "free_period", |r, v, k| {
            r.string(v, k).map(Spanned::into_inner)
        });
        let fee = raw::Fee {
            description: description?.into_inner(),
            price: price?,
            per: per?,
            free: free.ok()?.unwrap_or(0),
            free_period: free_period.ok()?,
        };
        Some(Spanned::new(fee, v.span()))
    }
}
