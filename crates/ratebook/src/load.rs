//! From pricing-file text to a validated [`RateBook`], with every problem located.
//!
//! Loading happens in two passes. [`crate::read`] walks the parse tree into the [`crate::raw`]
//! types (syntax errors, unknown keys, bare floats, wrong types and missing fields, each with
//! its line, column and key path). Then the rules of the book are checked on the spanned values.
//! Both passes collect every problem, so `ratebook check` can report all of them at once.
//! A file with any error is left out of the book; the other files still load, so one broken
//! provider never takes the others down.

use crate::map::Map;
use std::ops::Range;

use rust_decimal::Decimal;

use crate::book::{
    Billing, Cloud, FeeRule, Lifecycle, LongContextTier, Meter, Mode, ModeRule, Model, Offer,
    PriceEntry, Provider, RateBook, Rates, Rounding, Scope, TierApplication,
};
use crate::date::Date;
use crate::error::{Error, ErrorKind, LineIndex, Location};
use crate::image::{ImageScheme, MAX_IMAGE_TOKENS};
use crate::money::Amount;
use crate::raw::{self, Spanned};
use crate::source::SourceFile;
use crate::source::quote_key;

/// The result of loading: the book built from every file that passed, and every error found.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The book built from every file that loaded without an error.
    pub book: RateBook,
    /// Every error found in every file, each located.
    pub errors: Vec<Error>,
    /// Names of files left out because of errors.
    pub rejected_files: Vec<String>,
}

/// The highest per-1M-token rate accepted as sane. The dearest published models price output
/// in the hundreds of dollars; a rate above this is almost certainly a unit mistake.
pub const MAX_SANE_RATE: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// The highest priority multiplier accepted (published ones are below 2).
pub const MAX_PRIORITY_MULTIPLIER: Decimal = Decimal::from_parts(10, 0, 0, false, 0);

/// The smallest billing unit of a gateway: a nano-dollar. Gateways bill in cents or
/// micro-dollars; a finer unit only makes rounding overflow on large amounts.
pub const MIN_BILLING_UNIT: Decimal = Decimal::from_parts(1, 0, 0, false, 9);

/// The largest `per` of a fee (fees are published per call or per 1,000 calls).
pub const MAX_FEE_PER: u64 = 1_000_000;

/// Loads many files into one book. Files with errors are left out (and named in
/// `rejected_files`); ids and aliases must be unique across all files.
pub fn load(files: &[SourceFile]) -> Loaded {
    let mut out = Loaded::default();
    for file in files {
        match load_file(file) {
            Ok((provider, models, cloud)) => {
                let mut errors = Vec::new();
                let mut names = Vec::new();
                for m in &models {
                    for name in std::iter::once(&m.id).chain(&m.aliases) {
                        let key = name.to_ascii_lowercase();
                        // Names of files already loaded are in the book's index.
                        let loaded = out
                            .book
                            .index
                            .get(&key)
                            .and_then(|&i| out.book.models.get(i));
                        if let Some(first) = loaded
                            .map(|m| &m.location)
                            .or_else(|| names.iter().find(|(k, _)| *k == key).map(|(_, l)| l))
                        {
                            errors.push(
                                Error::new(
                                    ErrorKind::Validation,
                                    format!("duplicate model id or alias `{name}` (first defined at {first})"),
                                )
                                .at(m.location.clone()),
                            );
                        } else {
                            names.push((key, m.location.clone()));
                        }
                    }
                }
                // A provider's card may be split over several files (`openai.toml`,
                // `openai-media.toml`) as long as each says the same thing about the provider.
                let same = out.book.providers.iter().find(|p| p.id == provider.id);
                let split_card = same.is_some_and(|p| {
                    p.name == provider.name
                        && p.billing == provider.billing
                        && p.prefixes == provider.prefixes
                        && cloud.is_none()
                });
                if same.is_some() && !split_card {
                    errors.push(
                        Error::new(
                            ErrorKind::Validation,
                            format!(
                                "duplicate provider id `{}` with a different [provider] table (a card split over files must repeat it exactly)",
                                provider.id
                            ),
                        )
                        .at(Location {
                            file: file.name.clone(),
                            line: 1,
                            column: 1,
                            key: Some("provider.id".into()),
                        }),
                    );
                }
                if errors.is_empty() {
                    if let Some(c) = cloud {
                        out.book.clouds.push(c);
                    }
                    if !split_card {
                        out.book.providers.push(provider);
                    }
                    for m in models {
                        let i = out.book.models.len();
                        out.book.index.insert(m.id.to_ascii_lowercase(), i);
                        for a in &m.aliases {
                            out.book.index.insert(a.to_ascii_lowercase(), i);
                        }
                        out.book.models.push(m);
                    }
                } else {
                    out.errors.extend(errors);
                    out.rejected_files.push(file.name.clone());
                }
            }
            Err(errors) => {
                out.errors.extend(errors);
                out.rejected_files.push(file.name.clone());
            }
        }
    }
    check_links(&mut out);
    out
}

/// Checks what links files together once every file is in: each `replaced_by` names a model
/// of the book, and each cloud offer names a first-party model. A file with a broken link is
/// left out like a file with any other error.
fn check_links(out: &mut Loaded) {
    let mut bad_files: Vec<String> = Vec::new();
    for m in &out.book.models {
        if let Some(target) = &m.lifecycle.replaced_by {
            let problem = match out.book.get(target) {
                None => Some(format!(
                    "`replaced_by` names `{target}`, which is not a model of the book"
                )),
                Some(t) if t.id == m.id => Some("a model cannot be replaced by itself".into()),
                Some(t) if t.lifecycle.replaced_by.is_some() => Some(format!(
                    "`replaced_by` names `{}`, which is itself rerouted; name the final model",
                    t.id
                )),
                Some(_) => None,
            };
            if let Some(msg) = problem {
                let mut loc = m.location.clone();
                loc.key = loc.key.map(|k| format!("{k}.replaced_by"));
                out.errors
                    .push(Error::new(ErrorKind::Validation, msg).at(loc));
                bad_files.push(m.location.file.clone());
            }
        }
    }
    // While a file with errors is out of the book, offers naming its models are consequences,
    // not mistakes of their own: one error per cloud card says so instead of one per offer.
    let missing_files = out.rejected_files.clone();
    for c in &out.book.clouds {
        if !missing_files.is_empty() {
            let dangling: Vec<&Offer> = c
                .offers
                .iter()
                .filter(|o| out.book.get(&o.model).is_none())
                .collect();
            if let Some(first) = dangling.first() {
                let names: Vec<&str> = dangling.iter().take(5).map(|o| o.model.as_str()).collect();
                let more = dangling.len().saturating_sub(names.len());
                out.errors.push(
                    Error::new(
                        ErrorKind::Validation,
                        format!(
                            "{} offer(s) bill as models not in the book ({}{}) while {} has errors: fix that first",
                            dangling.len(),
                            names.join(", "),
                            if more > 0 { format!(", … {more} more") } else { String::new() },
                            missing_files.join(", ")
                        ),
                    )
                    .at(first.location.clone()),
                );
                bad_files.push(first.location.file.clone());
            }
            continue;
        }
        for o in &c.offers {
            let file = o.location.file.clone();
            if out.book.get(&o.model).is_none() {
                let mut e = Error::new(
                    ErrorKind::Validation,
                    format!(
                        "offer `{}` bills as `{}`, which is not a first-party model of the book",
                        o.id, o.model
                    ),
                )
                .at(o.location.clone());
                e.suggestions = out.book.suggest(&o.model, 3);
                out.errors.push(e);
                bad_files.push(file);
            }
        }
    }
    if bad_files.is_empty() {
        return;
    }
    // Rebuild the book without the files that failed.
    let old = std::mem::take(&mut out.book);
    let mut book = RateBook::default();
    let cloud_files: Vec<(String, String)> = old
        .providers
        .iter()
        .map(|p| (p.id.clone(), p.file.clone()))
        .collect();
    for p in old.providers {
        if !bad_files.contains(&p.file) {
            book.providers.push(p);
        }
    }
    for c in old.clouds {
        let file = cloud_files.iter().find(|(id, _)| *id == c.provider);
        if file.is_none_or(|(_, f)| !bad_files.contains(f)) {
            book.clouds.push(c);
        }
    }
    for m in old.models {
        if !bad_files.contains(&m.location.file) {
            let i = book.models.len();
            book.index.insert(m.id.to_ascii_lowercase(), i);
            for a in &m.aliases {
                book.index.insert(a.to_ascii_lowercase(), i);
            }
            book.models.push(m);
        }
    }
    bad_files.dedup();
    for f in bad_files {
        if !out.rejected_files.contains(&f) {
            out.rejected_files.push(f);
        }
    }
    out.book = book;
}

impl RateBook {
    /// Loads a book and fails on the first problem of any file.
    pub fn from_sources(files: &[SourceFile]) -> Result<RateBook, Error> {
        let loaded = load(files);
        match loaded.errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(loaded.book),
        }
    }
}

/// Reads and validates one file: its provider, its models, and its deployment card if it is a
/// cloud's.
pub fn load_file(file: &SourceFile) -> Result<(Provider, Vec<Model>, Option<Cloud>), Vec<Error>> {
    // The rules are checked on whatever could be read, so one run reports both kinds of error.
    let (parsed, mut errors) = crate::read::read_partial(file);
    let Some(parsed) = parsed else {
        return Err(errors);
    };
    let mut cx = Cx {
        file,
        errors: Vec::new(),
        lines: LineIndex::new(&file.text),
    };
    let result = cx.convert(parsed);
    errors.append(&mut cx.errors);
    if errors.is_empty() {
        Ok(result)
    } else {
        Err(errors)
    }
}

/// Conversion context: the file being read and the errors found so far.
struct Cx<'a> {
    file: &'a SourceFile,
    errors: Vec<Error>,
    /// The file's lines, for the location every entry keeps.
    lines: LineIndex,
}

impl Cx<'_> {
    fn loc(&self, span: Range<usize>, key: &str) -> Location {
        self.lines.location(
            &self.file.name,
            &self.file.text,
            span.start,
            Some(key.to_string()),
        )
    }

    fn err(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        let loc = self.loc(span, key);
        self.errors
            .push(Error::new(ErrorKind::Validation, message).at(loc));
    }

    fn date(&mut self, value: &Spanned<String>, key: &str) -> Option<Date> {
        match value.get_ref().parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(value.span(), key, e.message);
                None
            }
        }
    }

    fn rate(&mut self, value: &Spanned<Amount>, key: &str) -> Decimal {
        let r = value.get_ref().0;
        if r.is_sign_negative() && !r.is_zero() {
            self.err(value.span(), key, format!("price {r} is negative"));
        } else if r > MAX_SANE_RATE {
            self.err(
                value.span(),
                key,
                format!("price {r} per 1M is outside the sane range 0..={MAX_SANE_RATE}; is it per token or per 1K?"),
            );
        }
        r
    }

    fn convert(&mut self, f: raw::PricingFile) -> (Provider, Vec<Model>, Option<Cloud>) {
        if let Some(v) = f.schema_version {
            if v != 1 {
                self.err(
                    0..0,
                    "schema_version",
                    format!("schema_version {v} is not supported (expected 1)"),
                );
            }
        }
        let billing = f.provider.billing.as_ref().map(|b| {
            let rounding = match Rounding::from_key(b.rounding.get_ref()) {
                Some(r) => r,
                None => {
                    let other = b.rounding.get_ref();
                    self.err(
                        b.rounding.span(),
                        "provider.billing.rounding",
                        format!(
                            "unknown rounding `{other}`; expected exact, up_per_request or carry"
                        ),
                    );
                    Rounding::Exact
                }
            };
            let unit = b.unit.get_ref().0;
            if unit < MIN_BILLING_UNIT || unit > Decimal::ONE {
                self.err(
                    b.unit.span(),
                    "provider.billing.unit",
                    format!("billing unit {unit} is outside {MIN_BILLING_UNIT}..=1 (USD)"),
                );
            }
            Billing { unit, rounding }
        });
        let provider_id = f.provider.id.get_ref().trim().to_string();
        if provider_id.is_empty() || provider_id.contains(char::is_whitespace) {
            self.err(
                f.provider.id.span(),
                "provider.id",
                "provider id must be a non-empty word",
            );
        }
        let mut prefixes: Vec<String> = Vec::new();
        for p in &f.provider.prefixes {
            let lower = p.get_ref().trim().to_ascii_lowercase();
            let well_formed =
                lower.len() > 1 && lower.ends_with('/') && !lower.contains(char::is_whitespace);
            if !well_formed {
                self.err(
                    p.span(),
                    "provider.prefixes",
                    format!(
                        "id prefix `{}` must be a word followed by `/`, like `models/`",
                        p.get_ref()
                    ),
                );
            } else if prefixes.contains(&lower) {
                self.err(
                    p.span(),
                    "provider.prefixes",
                    format!("id prefix `{lower}` is listed twice"),
                );
            } else {
                prefixes.push(lower);
            }
        }
        let provider = Provider {
            id: provider_id.clone(),
            name: f.provider.name.clone(),
            pricing_url: f.provider.pricing_url.clone(),
            billing,
            billing_overlay: None,
            prefixes,
            file: self.file.name.clone(),
        };

        let mut schemes = Map::new();
        for (name, spec) in &f.image_schemes {
            let scheme = spec.get_ref().clone();
            for problem in scheme.problems() {
                self.err(
                    spec.span(),
                    &format!("image_schemes.{name}"),
                    format!("impossible image scheme `{name}`: {problem}"),
                );
            }
            schemes.insert(name.clone(), scheme);
        }

        let mut models = Vec::new();
        for (id, spec) in f.models {
            let key = format!("models.{}", quote_key(&id));
            let span = spec.span();
            if let Some(m) = self.model(&provider_id, &id, span, spec.into_inner(), &schemes, &key)
            {
                models.push(m);
            }
        }
        let cloud = self.cloud(&provider, &f.scopes, f.offers);
        (provider, models, cloud)
    }

    /// A cloud's deployment card: scopes and offers (none when the file has neither).
    fn cloud(
        &mut self,
        provider: &Provider,
        scopes: &[Spanned<raw::ScopeSpec>],
        offers: Map<String, Spanned<raw::OfferSpec>>,
    ) -> Option<Cloud> {
        if scopes.is_empty() && offers.is_empty() {
            return None;
        }
        if scopes.is_empty() {
            self.err(
                0..0,
                "scopes",
                "a file with `offers` needs at least one `[[scopes]]` entry",
            );
        }
        let mut out_scopes: Vec<Scope> = Vec::new();
        let mut seen_prefixes: Vec<String> = Vec::new();
        for (i, s) in scopes.iter().enumerate() {
            let spec = s.get_ref();
            let key = format!("scopes[{i}]");
            let id = spec.id.get_ref().trim().to_string();
            if id.is_empty() || out_scopes.iter().any(|x| x.id == id) {
                self.err(
                    spec.id.span(),
                    &format!("{key}.id"),
                    format!("scope id `{id}` must be a non-empty word, unique in the file"),
                );
            }
            let multiplier = spec.multiplier.get_ref().0;
            if multiplier < Decimal::ONE || multiplier > Decimal::TWO {
                self.err(
                    spec.multiplier.span(),
                    &format!("{key}.multiplier"),
                    format!("scope multiplier {multiplier} is outside 1..=2"),
                );
            }
            if spec.prefixes.is_empty() {
                self.err(
                    s.span(),
                    &format!("{key}.prefixes"),
                    "a scope needs at least one prefix (`\"\"` for ids with none)",
                );
            }
            let mut prefixes = Vec::new();
            for p in &spec.prefixes {
                let lower = p.get_ref().to_ascii_lowercase();
                if seen_prefixes.contains(&lower) {
                    self.err(
                        p.span(),
                        &format!("{key}.prefixes"),
                        format!("prefix `{lower}` selects two scopes"),
                    );
                }
                seen_prefixes.push(lower.clone());
                prefixes.push(lower);
            }
            let source = match &spec.source {
                Some(x) if !x.get_ref().trim().is_empty() => x.get_ref().trim().to_string(),
                _ => {
                    self.err(
                        s.span(),
                        &format!("{key}.source"),
                        "scope has no `source` (where its premium is published)",
                    );
                    String::new()
                }
            };
            let checked = match &spec.checked {
                Some(c) => self.date(c, &format!("{key}.checked")),
                None => {
                    self.err(
                        s.span(),
                        &format!("{key}.checked"),
                        "scope has no `checked` date",
                    );
                    None
                }
            };
            out_scopes.push(Scope {
                id,
                description: spec.description.clone().unwrap_or_default(),
                prefixes,
                multiplier,
                source,
                checked,
            });
        }
        let mut out_offers = Vec::new();
        let mut index = Map::new();
        for (id, spec) in offers {
            let key = format!("offers.{}", quote_key(&id));
            let o = spec.get_ref();
            let mut multipliers = Map::new();
            for (scope, m) in &o.multipliers {
                let v = m.get_ref().0;
                if !out_scopes.iter().any(|s| &s.id == scope) {
                    self.err(
                        m.span(),
                        &format!("{key}.multipliers.{}", quote_key(scope)),
                        format!("no scope `{scope}` in this file"),
                    );
                } else if v < Decimal::ONE || v > Decimal::TWO {
                    self.err(
                        m.span(),
                        &format!("{key}.multipliers.{}", quote_key(scope)),
                        format!("scope multiplier {v} is outside 1..=2"),
                    );
                }
                multipliers.insert(scope.clone(), v);
            }
            let i = out_offers.len();
            let mut aliases = Vec::new();
            for name in
                std::iter::once(id.as_str()).chain(o.aliases.iter().map(|a| a.get_ref().as_str()))
            {
                let lower = name.trim().to_ascii_lowercase();
                if lower.is_empty() || index.contains_key(&lower) {
                    self.err(
                        spec.span(),
                        &key,
                        format!("offer id or alias `{name}` is empty or defined twice"),
                    );
                }
                index.insert(lower, i);
                if name != id {
                    aliases.push(name.trim().to_string());
                }
            }
            out_offers.push(Offer {
                id: id.clone(),
                aliases,
                model: o.model.get_ref().trim().to_string(),
                multipliers,
                notes: o.notes.clone(),
                location: self.loc(o.model.span(), &format!("{key}.model")),
            });
        }
        Some(Cloud {
            provider: provider.id.clone(),
            name: provider.name.clone(),
            scopes: out_scopes,
            offers: out_offers,
            adjustments: Vec::new(),
            index,
        })
    }

    fn model(
        &mut self,
        provider: &str,
        id: &str,
        span: Range<usize>,
        spec: raw::ModelSpec,
        schemes: &Map<String, ImageScheme>,
        key: &str,
    ) -> Option<Model> {
        let location = self.loc(span.clone(), key);
        let image_scheme = match &spec.image_input {
            None => None,
            Some(name) => match schemes.get(name.get_ref()) {
                Some(s) => Some((name.get_ref().clone(), s.clone())),
                None => {
                    self.err(
                        name.span(),
                        &format!("{key}.image_input"),
                        format!(
                            "image scheme `{}` is not defined in [image_schemes]",
                            name.get_ref()
                        ),
                    );
                    None
                }
            },
        };
        let mut aliases = Vec::new();
        for a in &spec.aliases {
            if a.get_ref().trim().is_empty() {
                self.err(
                    a.span(),
                    &format!("{key}.aliases"),
                    "alias must not be empty",
                );
            }
            aliases.push(a.get_ref().trim().to_string());
        }
        if spec.prices.is_empty() {
            self.err(
                span,
                &format!("{key}.prices"),
                format!("model `{id}` has no price entries"),
            );
            return None;
        }
        let mut prices: Vec<PriceEntry> = Vec::new();
        for (i, entry) in spec.prices.iter().enumerate() {
            let k = format!("{key}.prices[{i}]");
            let previous = prices.last().cloned();
            if let Some(p) = self.entry(entry, previous.as_ref(), &k) {
                if let Some(prev) = prices.last_mut() {
                    if p.effective <= prev.effective {
                        let what = if p.effective == prev.effective {
                            "overlaps"
                        } else {
                            "is out of order with"
                        };
                        self.err(
                            entry.get_ref().effective.span(),
                            &format!("{k}.effective"),
                            format!("effective date {} {what} the previous entry ({}); entries must be oldest first with distinct dates", p.effective, prev.effective),
                        );
                    }
                    prev.until = Some(p.effective);
                }
                prices.push(p);
            }
        }
        let deprecated = spec
            .deprecated
            .as_ref()
            .and_then(|d| self.date(d, &format!("{key}.deprecated")));
        let shutdown = spec
            .shutdown
            .as_ref()
            .and_then(|d| self.date(d, &format!("{key}.shutdown")));
        if let (Some(d), Some(s)) = (deprecated, shutdown) {
            if d > s {
                self.err(
                    span.clone(),
                    &format!("{key}.deprecated"),
                    format!("deprecated {d} is after shutdown {s}"),
                );
            }
        }
        let replaced_by = spec
            .replaced_by
            .as_ref()
            .map(|r| r.get_ref().trim().to_string());
        if let (Some(r), None) = (&spec.replaced_by, shutdown) {
            self.err(
                r.span(),
                &format!("{key}.replaced_by"),
                "`replaced_by` needs a `shutdown` date (calls are rerouted from that day)",
            );
        }
        Some(Model {
            id: id.to_string(),
            provider: provider.to_string(),
            name: spec.name,
            aliases,
            image_scheme,
            context_window: spec.context_window,
            max_output_tokens: spec.max_output_tokens,
            notes: spec.notes,
            snapshots: spec.snapshots.unwrap_or(false),
            lifecycle: Lifecycle {
                deprecated,
                shutdown,
                replaced_by,
            },
            prices,
            location,
        })
    }

    fn entry(
        &mut self,
        spanned: &Spanned<raw::PriceEntry>,
        prev: Option<&PriceEntry>,
        key: &str,
    ) -> Option<PriceEntry> {
        let e = spanned.get_ref();
        let span = spanned.span();
        let effective = self.date(&e.effective, &format!("{key}.effective"));
        let source = match &e.source {
            Some(s) if !s.get_ref().trim().is_empty() => s.get_ref().trim().to_string(),
            Some(s) => {
                self.err(
                    s.span(),
                    &format!("{key}.source"),
                    "source must not be empty",
                );
                String::new()
            }
            None => {
                self.err(
                    span.clone(),
                    key,
                    format!("{key}: missing `source` (the URL the prices were read from)"),
                );
                String::new()
            }
        };
        let checked = match &e.checked {
            Some(c) => self.date(c, &format!("{key}.checked")),
            None => {
                self.err(
                    span.clone(),
                    key,
                    format!("{key}: missing `checked` (the date the prices were last verified)"),
                );
                None
            }
        };

        // Start from the previous entry and overlay what this one sets.
        let mut rates = prev.map(|p| p.rates.clone()).unwrap_or_default();
        let own = self.rates_of(e, key);
        rates.overlay(&own);
        if rates.get(Meter::InputText).is_none() {
            self.err(
                span.clone(),
                &format!("{key}.input"),
                "the first price entry must set `input`",
            );
        }
        for (meter, cached) in [
            (Meter::InputText, Meter::CacheRead),
            (Meter::InputAudio, Meter::CacheReadAudio),
        ] {
            let input = rates
                .get(meter)
                .or_else(|| meter.fallback().and_then(|f| rates.get(f)));
            // Checked on the merged rates, so lowering an inherited input below an inherited
            // cached rate is caught too; the error points at whichever of the two is set here.
            if let (Some(input), Some(c)) = (input, rates.get(cached)) {
                if c > input {
                    let at = e
                        .rates
                        .get(cached)
                        .or_else(|| e.rates.get(meter))
                        .or_else(|| e.rates.get(Meter::InputText))
                        .map_or(span.clone(), |s| s.span());
                    self.err(
                        at,
                        &format!("{key}.{}", cached.key()),
                        format!("cached rate {c} is above the input rate {input}"),
                    );
                }
            }
        }

        let output_image_tokens = match &e.output_image_tokens {
            Some(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let n = *v.get_ref();
                    if n == 0 || n > MAX_IMAGE_TOKENS {
                        self.err(
                            v.span(),
                            &format!("{key}.output_image_tokens.{k}"),
                            format!("tokens per image {n} is outside 1..={MAX_IMAGE_TOKENS}"),
                        );
                    }
                    out.insert(k.clone(), *v.get_ref());
                }
                out
            }
            None => prev
                .map(|p| p.output_image_tokens.clone())
                .unwrap_or_default(),
        };
        if !output_image_tokens.is_empty() && rates.get(Meter::OutputImage).is_none() {
            self.err(
                span.clone(),
                &format!("{key}.output_image"),
                "output_image_tokens needs an `output_image` rate",
            );
        }
        let output_image_fees = match &e.output_image_fees {
            Some(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let r = v.get_ref().0;
                    if r.is_sign_negative() || r > MAX_SANE_RATE {
                        self.err(
                            v.span(),
                            &format!("{key}.output_image_fees.{k}"),
                            format!("fee per image {r} is outside 0..={MAX_SANE_RATE}"),
                        );
                    }
                    out.insert(k.clone(), r);
                }
                out
            }
            None => prev
                .map(|p| p.output_image_fees.clone())
                .unwrap_or_default(),
        };
        let output_video_seconds = match &e.output_video_seconds {
            Some(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let r = v.get_ref().0;
                    if r.is_sign_negative() || r > MAX_SANE_RATE {
                        self.err(
                            v.span(),
                            &format!("{key}.output_video_seconds.{}", quote_key(k)),
                            format!("price per second {r} is outside 0..={MAX_SANE_RATE}"),
                        );
                    }
                    out.insert(k.clone(), r);
                }
                out
            }
            None => prev
                .map(|p| p.output_video_seconds.clone())
                .unwrap_or_default(),
        };
        let residency_multiplier = match &e.residency_multiplier {
            Some(m) => {
                let v = m.get_ref().0;
                if v < Decimal::ONE || v > Decimal::TWO {
                    self.err(
                        m.span(),
                        &format!("{key}.residency_multiplier"),
                        format!("residency multiplier {v} is outside 1..=2"),
                    );
                }
                Some(v)
            }
            None => prev.and_then(|p| p.residency_multiplier),
        };
        let fees = match &e.fees {
            Some(map) => {
                let mut out = Map::new();
                for (id, f) in map {
                    let fr = f.get_ref();
                    let k = format!("{key}.fees.{id}");
                    if fr.per == 0 || fr.per > MAX_FEE_PER {
                        self.err(
                            f.span(),
                            &k,
                            format!("fee `per` {} is outside 1..={MAX_FEE_PER}", fr.per),
                        );
                    }
                    let price = fr.price.get_ref().0;
                    if price.is_sign_negative() || price > MAX_SANE_RATE {
                        self.err(
                            fr.price.span(),
                            &format!("{k}.price"),
                            format!("fee {price} is outside 0..={MAX_SANE_RATE}"),
                        );
                    }
                    if let Some(p) = &fr.free_period {
                        if p != "day" && p != "month" {
                            self.err(
                                f.span(),
                                &format!("{k}.free_period"),
                                format!("free_period `{p}` must be day or month"),
                            );
                        }
                    }
                    out.insert(
                        id.clone(),
                        FeeRule {
                            id: id.clone(),
                            description: fr.description.clone(),
                            price: fr.price.get_ref().0,
                            per: fr.per.max(1),
                            free: fr.free,
                            free_period: fr.free_period.clone(),
                        },
                    );
                }
                out
            }
            None => prev.map(|p| p.fees.clone()).unwrap_or_default(),
        };

        let mut modes = prev.map(|p| p.modes.clone()).unwrap_or_default();
        for (mode, spec) in [
            (Mode::Batch, &e.batch),
            (Mode::Flex, &e.flex),
            (Mode::Priority, &e.priority),
        ] {
            if let Some(spec) = spec {
                let rule = self.mode(mode, spec, &rates, &format!("{key}.{mode}"));
                modes.insert(mode, rule);
            }
        }
        for (i, w) in e.withdraw.iter().flatten().enumerate() {
            let k = format!("{key}.withdraw[{i}]");
            match w.get_ref().parse::<Mode>() {
                Ok(Mode::Standard) => self.err(w.span(), &k, "standard mode cannot be withdrawn"),
                Ok(m) if modes.remove(&m).is_some() => {
                    let set_here = match m {
                        Mode::Batch => e.batch.is_some(),
                        Mode::Flex => e.flex.is_some(),
                        _ => e.priority.is_some(),
                    };
                    if set_here {
                        self.err(
                            w.span(),
                            &k,
                            format!("{m} is both set and withdrawn in this entry"),
                        );
                    }
                }
                Ok(m) => self.err(
                    w.span(),
                    &k,
                    format!("{m} mode is not offered before this entry, so it cannot be withdrawn"),
                ),
                Err(err) => self.err(w.span(), &k, err.message),
            }
        }

        let tiers = match &e.long_context {
            Some(list) => {
                let mut tiers: Vec<LongContextTier> = Vec::new();
                for (i, t) in list.iter().enumerate() {
                    let tier = self.tier(t, &rates, &format!("{key}.long_context[{i}]"));
                    if let Some(last) = tiers.last() {
                        if tier.threshold <= last.threshold {
                            self.err(
                                t.span(),
                                &format!("{key}.long_context[{i}].threshold"),
                                "long-context tiers must be listed by rising threshold",
                            );
                        }
                    }
                    tiers.push(tier);
                }
                tiers
            }
            None => prev.map(|p| p.tiers.clone()).unwrap_or_default(),
        };

        Some(PriceEntry {
            effective: effective?,
            until: None,
            source,
            checked: checked?,
            note: e.note.clone(),
            rates,
            output_image_tokens,
            output_image_fees,
            output_video_seconds,
            residency_multiplier,
            fees,
            modes,
            tiers,
            overlays: Vec::new(),
        })
    }

    fn rates_of(&mut self, e: &raw::PriceEntry, key: &str) -> Rates {
        let mut rates = Rates::default();
        for m in Meter::ALL {
            if let Some(v) = e.rates.get(m) {
                let r = self.rate(v, &format!("{key}.{}", m.key()));
                rates.set(m, Some(r));
            }
        }
        rates
    }

    fn mode(
        &mut self,
        mode: Mode,
        spec: &Spanned<raw::ModeSpec>,
        standard: &Rates,
        key: &str,
    ) -> ModeRule {
        let s = spec.get_ref();
        let multiplier = s.multiplier.get_ref().0;
        let discounted = matches!(mode, Mode::Batch | Mode::Flex);
        if multiplier <= Decimal::ZERO {
            self.err(
                s.multiplier.span(),
                &format!("{key}.multiplier"),
                "multiplier must be positive",
            );
        } else if discounted && multiplier > Decimal::ONE {
            self.err(
                s.multiplier.span(),
                &format!("{key}.multiplier"),
                format!("{mode} multiplier {multiplier} would make {mode} dearer than standard"),
            );
        } else if mode == Mode::Priority && multiplier > MAX_PRIORITY_MULTIPLIER {
            self.err(
                s.multiplier.span(),
                &format!("{key}.multiplier"),
                format!(
                    "priority multiplier {multiplier} is above {MAX_PRIORITY_MULTIPLIER} (published ones are below 2)"
                ),
            );
        } else if mode == Mode::Priority && multiplier < Decimal::ONE {
            self.err(
                s.multiplier.span(),
                &format!("{key}.multiplier"),
                format!(
                    "priority multiplier {multiplier} would make priority cheaper than standard"
                ),
            );
        }
        let mut explicit = Rates::default();
        for (k, v) in &s.rates {
            let rk = format!("{key}.rates.{k}");
            match Meter::from_key(k) {
                Some(m) => {
                    let r = self.rate(v, &rk);
                    let base = standard
                        .get(m)
                        .or_else(|| m.fallback().and_then(|f| standard.get(f)));
                    match base {
                        Some(b) if discounted && r > b => self.err(
                            v.span(),
                            &rk,
                            format!("{mode} rate {r} is above the standard rate {b}"),
                        ),
                        Some(b) if mode == Mode::Priority && r < b => self.err(
                            v.span(),
                            &rk,
                            format!("priority rate {r} is below the standard rate {b}"),
                        ),
                        None => self.err(
                            v.span(),
                            &rk,
                            format!("{mode} sets `{k}` but the standard card has no such rate"),
                        ),
                        _ => {}
                    }
                    explicit.set(m, Some(r));
                }
                None => self.unknown_meter(v.span(), &rk, k),
            }
        }
        ModeRule {
            multiplier,
            applies_to_cache_read: s.cache_read,
            applies_to_cache_write: s.cache_write.unwrap_or(s.cache_read),
            applies_to_cache_storage: s.cache_storage,
            explicit,
        }
    }

    fn unknown_meter(&mut self, span: Range<usize>, key: &str, name: &str) {
        let known: Vec<&str> = Meter::ALL.iter().map(|m| m.key()).collect();
        let loc = self.loc(span, key);
        let message = crate::read::unknown("rate", name, &known);
        self.errors
            .push(Error::new(ErrorKind::UnknownKey, message).at(loc));
    }

    fn tier(
        &mut self,
        spanned: &Spanned<raw::TierSpec>,
        base: &Rates,
        key: &str,
    ) -> LongContextTier {
        let t = spanned.get_ref();
        let inclusive = match t.comparison.get_ref().as_str() {
            ">" => false,
            ">=" => true,
            other => {
                self.err(
                    t.comparison.span(),
                    &format!("{key}.comparison"),
                    format!("comparison `{other}` must be \">\" or \">=\""),
                );
                false
            }
        };
        let application = match t.application.get_ref().as_str() {
            "whole_request" => TierApplication::WholeRequest,
            "marginal" => TierApplication::Marginal,
            other => {
                self.err(
                    t.application.span(),
                    &format!("{key}.application"),
                    format!("application `{other}` must be whole_request or marginal"),
                );
                TierApplication::WholeRequest
            }
        };
        let (mut ci, mut cr, mut cw) = (false, false, false);
        for c in &t.counts {
            match c.get_ref().as_str() {
                "input" => ci = true,
                "cache_read" => cr = true,
                "cache_write" => cw = true,
                other => self.err(
                    c.span(),
                    &format!("{key}.counts"),
                    format!(
                        "`{other}` cannot count toward a tier; use input, cache_read or cache_write"
                    ),
                ),
            }
        }
        if !(ci || cr || cw) {
            self.err(
                spanned.span(),
                &format!("{key}.counts"),
                "a tier must count at least one of input, cache_read, cache_write",
            );
        }
        if t.threshold == 0 {
            self.err(
                spanned.span(),
                &format!("{key}.threshold"),
                "threshold must be positive",
            );
        }
        let mut rates = Rates::default();
        for m in Meter::ALL {
            if let Some(v) = t.rates.get(m) {
                let k = format!("{key}.{}", m.key());
                let r = self.rate(v, &k);
                let b = base
                    .get(m)
                    .or_else(|| m.fallback().and_then(|f| base.get(f)));
                match b {
                    Some(b) if r < b => self.err(
                        v.span(),
                        &k,
                        format!("tier rate {r} is below the base rate {b}"),
                    ),
                    None => self.err(
                        v.span(),
                        &k,
                        format!("tier sets `{}` but the base card has no such rate", m.key()),
                    ),
                    _ => {}
                }
                rates.set(m, Some(r));
            }
        }
        if rates.is_empty() {
            self.err(
                spanned.span(),
                key,
                "a long-context tier must set at least one rate",
            );
        }
        LongContextTier {
            threshold: t.threshold,
            inclusive,
            counts_input: ci,
            counts_cache_read: cr,
            counts_cache_write: cw,
            application,
            rates,
        }
    }
}
