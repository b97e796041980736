//! Your own prices: overlays.
//!
//! Many teams do not pay list prices: they have a negotiated discount, buy through a gateway
//! that adds a markup, or pay contract rates for a model. An overlay is a small TOML file that
//! changes the rate book for one user:
//!
//! ```toml
//! name = "Acme contract"     # optional: named on every line it changes (default: the file name)
//!
//! [[adjust]]                 # a percentage on every rate
//! provider = "openai"        # or model = "gpt-5", or deployment = "aws-bedrock"
//! discount = "20%"           # or markup = "5%"
//! from = "2026-01-01"        # optional: from this date on (default: every date)
//!
//! [[replace]]                # rates that replace the book's (same keys as a price entry)
//! model = "claude-sonnet-4-5"
//! from = "2026-06-01"
//! input = "2.40"
//! output = "12.00"
//!
//! [[billing]]                # a provider's (or gateway's) billing unit and rounding
//! provider = "openai"
//! unit = "0.01"
//! rounding = "up_per_request"
//! ```
//!
//! [`RateBook::with_overlays`] applies overlays to a book and returns the changed book, so
//! everything that prices — estimates, comparisons, scenarios, logs — prices the same way with
//! them. A rule with `from` splits the price entry in force on that date, so earlier usage keeps
//! the book's rates. Rules apply in the order written, overlays in the order given. A percentage
//! on a provider or model scales every rate of its price entries: token rates, long-context
//! tiers, explicit mode rates, per-image and per-second rates and per-call fees (mode
//! multipliers and image token counts are not rates and stay). A percentage on a deployment
//! multiplies the cloud's premium, so it applies where the premium does: token, image and video
//! rates of every model called through that cloud. Every price entry, deployment and billing
//! rule an overlay changed carries its description, and every line item priced from it names it
//! ([`crate::estimate::LineItem::overlays`]).
//!
//! [`Overlay::discount`] builds the one-rule overlay of the CLI's `--discount openai:20%`.

use rust_decimal::Decimal;

use crate::book::{Billing, Meter, Model, PriceEntry, RateBook, Rates, Rounding};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Location};
use crate::read::{Reader, Table, Value, unknown};
use crate::source::SourceFile;

/// The keys an overlay file and its tables accept.
pub mod keys {
    /// Top level.
    pub const FILE: &[&str] = &["name", "adjust", "replace", "billing"];
    /// An `[[adjust]]` rule.
    pub const ADJUST: &[&str] = &[
        "provider",
        "model",
        "deployment",
        "discount",
        "markup",
        "from",
    ];
    /// A `[[replace]]` rule, besides the rate keys of a price entry.
    pub const REPLACE: &[&str] = &["model", "from"];
    /// A `[[billing]]` rule.
    pub const BILLING: &[&str] = &["provider", "unit", "rounding"];
}

/// A user's own prices: rules applied over the rate book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlay {
    /// How lines changed by it name it: the file's `name`, or the file's name.
    pub name: String,
    /// The rules, in the order written.
    pub rules: Vec<Rule>,
}

/// What a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Every model of a provider (`openai`).
    Provider(String),
    /// One model, by id or alias.
    Model(String),
    /// Every model called through a cloud (`aws-bedrock`, `google-vertex`, `azure-openai`).
    Deployment(String),
}

impl Target {
    /// `provider openai`, `model gpt-5`, `deployment aws-bedrock`.
    pub fn describe(&self) -> String {
        match self {
            Target::Provider(p) => format!("provider {p}"),
            Target::Model(m) => format!("model {m}"),
            Target::Deployment(d) => format!("deployment {d}"),
        }
    }
}

/// What a rule changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A percentage on every rate: negative for a discount (`-20` is 20% off), positive for a
    /// markup.
    Percent(Decimal),
    /// Rates that replace the book's.
    Replace(Box<Rates>),
    /// The provider's billing unit and rounding.
    Billing(Billing),
}

/// One rule of an overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// What the rule applies to: a provider, a model or a cloud deployment.
    pub target: Target,
    /// In force from this date on; every date when `None`.
    pub from: Option<Date>,
    /// What the rule changes.
    pub change: Change,
    /// Where the rule is written (`None` for a rule from a command-line flag).
    pub location: Option<Location>,
}

impl Rule {
    /// `20% discount on provider openai from 2026-01-01`.
    pub fn describe(&self) -> String {
        let what = match &self.change {
            Change::Percent(p) if p.is_sign_negative() => {
                format!("{}% discount", p.abs().normalize())
            }
            Change::Percent(p) => format!("{}% markup", p.normalize()),
            Change::Replace(r) => {
                let keys: Vec<&str> = r.iter().map(|(m, _)| m.key()).collect();
                format!("replaced {}", keys.join(", "))
            }
            Change::Billing(b) => format!(
                "billing unit {}, {}",
                crate::money::format_usd(b.unit),
                match b.rounding {
                    Rounding::Exact => "exact",
                    Rounding::UpPerRequest => "rounded up per request",
                    Rounding::Carry => "fraction carried forward",
                }
            ),
        };
        let mut s = format!("{what} on {}", self.target.describe());
        if let Some(d) = self.from {
            s.push_str(&format!(" from {d}"));
        }
        s
    }

    /// The multiplier of a percentage rule: `0.8` for a 20% discount.
    fn factor(&self) -> Option<Decimal> {
        match self.change {
            Change::Percent(p) => p
                .checked_div(Decimal::ONE_HUNDRED)
                .and_then(|x| Decimal::ONE.checked_add(x)),
            _ => None,
        }
    }
}

/// A percentage as written: `20%`, `20`, `12.5%`, from 0 to `max`.
fn percent(text: &str, max: u32) -> Result<Decimal, String> {
    let t = text.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim();
    let p = crate::money::parse_decimal(t)
        .map_err(|_| format!("`{text}` is not a percentage; expected e.g. \"20%\""))?;
    if p.is_sign_negative() || p > Decimal::from(max) {
        return Err(format!("`{text}`: expected a percentage from 0% to {max}%"));
    }
    Ok(p.normalize())
}

/// The largest discount (everything free) and markup (eleven times the list price) accepted.
const MAX_DISCOUNT: u32 = 100;
const MAX_MARKUP: u32 = 1000;

impl Overlay {
    /// Reads an overlay file, or every problem in it, each located (file, line, column, key).
    /// Rules are checked against a book by [`RateBook::with_overlays`].
    pub fn parse(file: &SourceFile) -> Result<Overlay, Vec<Error>> {
        let root = match toml::de::DeTable::parse(&file.text) {
            Ok(t) => t,
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                let loc = Location::from_offset(&file.name, &file.text, offset, None);
                return Err(vec![
                    Error::new(ErrorKind::Syntax, e.message().trim()).at(loc),
                ]);
            }
        };
        let mut r = Reader {
            file,
            errors: Vec::new(),
        };
        let top = toml::Spanned::new(
            root.span(),
            toml::de::DeValue::Table(root.get_ref().clone()),
        );
        let mut out = Overlay {
            name: file.name.clone(),
            rules: Vec::new(),
        };
        if let Some(t) = r.table(&top, "", keys::FILE) {
            if let Some(v) = t.get("name") {
                if let Some(n) = r.string(v, "name") {
                    out.name = n.into_inner();
                }
            }
            for (section, allowed) in [
                ("adjust", keys::ADJUST),
                ("replace", keys::REPLACE),
                ("billing", keys::BILLING),
            ] {
                let Some(list) = t.get(section) else { continue };
                let Some(items) = r.array(list, section) else {
                    continue;
                };
                for (i, item) in items.iter().enumerate() {
                    let key = format!("{section}[{i}]");
                    let mut allowed: Vec<&str> = allowed.to_vec();
                    if section == "replace" {
                        allowed.extend(Meter::ALL.iter().map(|m| m.key()));
                    }
                    let Some(rule) = r.table(item, &key, &allowed) else {
                        continue;
                    };
                    if let Some(rule) = read_rule(&mut r, section, &rule, item) {
                        out.rules.push(rule);
                    }
                }
            }
        }
        if r.errors.is_empty() {
            Ok(out)
        } else {
            let mut errors = r.errors;
            crate::order::sort_by_key(&mut errors, |e| {
                e.location.as_ref().map(|l| (l.line, l.column))
            });
            Err(errors)
        }
    }

    /// The overlay of `--discount NAME:PERCENT`: `openai:20%` takes 20% off every rate of a
    /// provider (or model, or cloud deployment, whichever `NAME` is in `book`).
    pub fn discount(spec: &str, book: &RateBook) -> Result<Overlay, Error> {
        let bad = |m: String| Error::new(ErrorKind::InvalidValue, m);
        let (name, pct) = spec.rsplit_once(':').ok_or_else(|| {
            bad(format!(
                "`{spec}`: expected PROVIDER_OR_MODEL:PERCENT, e.g. openai:20%"
            ))
        })?;
        let p = percent(pct, MAX_DISCOUNT).map_err(|m| bad(format!("--discount {m}")))?;
        let target = target_named(name.trim(), book)?;
        Ok(Overlay {
            name: format!("--discount {spec}"),
            rules: vec![Rule {
                target,
                from: None,
                change: Change::Percent(Decimal::ZERO.saturating_sub(p)),
                location: None,
            }],
        })
    }
}

/// What `name` is in `book`: a provider, a cloud (a deployment) or a model id or alias.
fn target_named(name: &str, book: &RateBook) -> Result<Target, Error> {
    if book.clouds().iter().any(|c| c.provider == name) {
        return Ok(Target::Deployment(name.to_string()));
    }
    if book.provider(name).is_some() {
        return Ok(Target::Provider(name.to_string()));
    }
    if let Some(m) = book.get(name) {
        return Ok(Target::Model(m.id.clone()));
    }
    let mut known: Vec<&str> = book.providers().iter().map(|p| p.id.as_str()).collect();
    known.extend(book.models().iter().map(|m| m.id.as_str()));
    Err(Error::new(
        ErrorKind::UnknownModel,
        unknown("provider or model", name, &known),
    ))
}

fn read_rule(r: &mut Reader<'_>, section: &str, t: &Table<'_, '_>, at: &Value<'_>) -> Option<Rule> {
    // A rule is located at the value naming its target (where a wrong name is fixed).
    let mut location = None;
    let mut named = Vec::new();
    for (k, make) in [
        ("provider", Target::Provider as fn(String) -> Target),
        ("model", Target::Model),
        ("deployment", Target::Deployment),
    ] {
        if let Some(v) = t.get(k) {
            if let Some(s) = r.string(v, &t.key(k)) {
                location = Some(Location::from_offset(
                    &r.file.name,
                    &r.file.text,
                    s.span().start,
                    Some(t.key(k)),
                ));
                named.push(make(s.into_inner()));
            }
        }
    }
    let target = match named.len() {
        1 => named.pop(),
        0 => {
            let which = match section {
                "adjust" => "`provider`, `model` or `deployment`",
                "replace" => "`model`",
                _ => "`provider`",
            };
            r.push(
                ErrorKind::InvalidValue,
                at.span(),
                t.path(),
                format!("{}: missing {which}", t.path()),
            );
            None
        }
        _ => {
            r.push(
                ErrorKind::InvalidValue,
                at.span(),
                t.path(),
                format!(
                    "{}: name one of `provider`, `model` or `deployment`, not several",
                    t.path()
                ),
            );
            None
        }
    };
    let from = match t.get("from") {
        Some(v) => {
            let s = r.string(v, &t.key("from"))?;
            match s.get_ref().parse::<Date>() {
                Ok(d) => Some(d),
                Err(e) => {
                    r.push(ErrorKind::InvalidValue, s.span(), &t.key("from"), e.message);
                    return None;
                }
            }
        }
        None => None,
    };
    let change = match section {
        "adjust" => {
            let mut found = Vec::new();
            for (k, sign, max) in [("discount", -1i8, MAX_DISCOUNT), ("markup", 1, MAX_MARKUP)] {
                let Some(v) = t.get(k) else { continue };
                let text = match v.get_ref() {
                    toml::de::DeValue::String(s) => s.to_string(),
                    toml::de::DeValue::Integer(i) => i.as_str().to_string(),
                    _ => {
                        r.wrong_type(v, &t.key(k), "a percentage in quotes, like \"20%\"");
                        return None;
                    }
                };
                match percent(&text, max) {
                    Ok(p) if sign < 0 => found.push(Decimal::ZERO.saturating_sub(p)),
                    Ok(p) => found.push(p),
                    Err(m) => {
                        r.push(ErrorKind::InvalidValue, v.span(), &t.key(k), m);
                        return None;
                    }
                }
            }
            match found.as_slice() {
                [p] => Change::Percent(*p),
                [] => {
                    r.push(
                        ErrorKind::InvalidValue,
                        at.span(),
                        t.path(),
                        format!("{}: missing `discount` or `markup`", t.path()),
                    );
                    return None;
                }
                _ => {
                    r.push(
                        ErrorKind::InvalidValue,
                        at.span(),
                        t.path(),
                        format!("{}: give `discount` or `markup`, not both", t.path()),
                    );
                    return None;
                }
            }
        }
        "replace" => {
            if matches!(target, Some(Target::Provider(_) | Target::Deployment(_))) {
                r.push(
                    ErrorKind::InvalidValue,
                    at.span(),
                    t.path(),
                    format!("{}: replacement rates are set per `model`", t.path()),
                );
                return None;
            }
            let mut rates = Rates::default();
            for m in Meter::ALL {
                if let Some(v) = t.get(m.key()) {
                    let a = r.amount(v, &t.key(m.key()))?;
                    if a.get_ref().0.is_sign_negative() {
                        r.push(
                            ErrorKind::InvalidValue,
                            v.span(),
                            &t.key(m.key()),
                            "a rate cannot be negative",
                        );
                        return None;
                    }
                    rates.set(m, Some(a.into_inner().0));
                }
            }
            if rates.is_empty() {
                r.push(
                    ErrorKind::InvalidValue,
                    at.span(),
                    t.path(),
                    format!("{}: no rate to replace (e.g. `input = \"2.40\"`)", t.path()),
                );
                return None;
            }
            Change::Replace(Box::new(rates))
        }
        _ => {
            if matches!(target, Some(Target::Model(_) | Target::Deployment(_))) {
                r.push(
                    ErrorKind::InvalidValue,
                    at.span(),
                    t.path(),
                    format!("{}: billing is set per `provider`", t.path()),
                );
                return None;
            }
            let unit = r
                .required(t, "unit")
                .and_then(|v| r.amount(v, &t.key("unit")));
            let rounding = r
                .required(t, "rounding")
                .and_then(|v| r.string(v, &t.key("rounding")));
            let (unit, rounding) = (unit?, rounding?);
            let rounding = match Rounding::from_key(rounding.get_ref()) {
                Some(r) => r,
                None => {
                    let other = rounding.get_ref();
                    r.push(
                        ErrorKind::InvalidValue,
                        rounding.span(),
                        &t.key("rounding"),
                        format!(
                            "unknown rounding `{other}`; expected exact, up_per_request or carry"
                        ),
                    );
                    return None;
                }
            };
            if unit.get_ref().0 <= Decimal::ZERO {
                r.push(
                    ErrorKind::InvalidValue,
                    unit.span(),
                    &t.key("unit"),
                    "a billing unit must be above zero",
                );
                return None;
            }
            Change::Billing(Billing {
                unit: unit.into_inner().0,
                rounding,
            })
        }
    };
    Some(Rule {
        target: target?,
        from,
        change,
        location,
    })
}

/// Multiplies every rate of `e` by `factor`.
fn scale_entry(e: &mut PriceEntry, factor: Decimal) -> Result<(), Error> {
    let scale = |rates: &mut Rates| -> Result<(), Error> {
        for m in Meter::ALL {
            if let Some(r) = rates.get(m) {
                let v = r
                    .checked_mul(factor)
                    .ok_or_else(|| Error::overflow("rate"))?;
                rates.set(m, Some(v));
            }
        }
        Ok(())
    };
    scale(&mut e.rates)?;
    for t in &mut e.tiers {
        scale(&mut t.rates)?;
    }
    for m in e.modes.values_mut() {
        scale(&mut m.explicit)?;
    }
    for v in e
        .output_image_fees
        .values_mut()
        .chain(e.output_video_seconds.values_mut())
    {
        *v = v
            .checked_mul(factor)
            .ok_or_else(|| Error::overflow("rate"))?;
    }
    for f in e.fees.values_mut() {
        f.price = f
            .price
            .checked_mul(factor)
            .ok_or_else(|| Error::overflow("fee"))?;
    }
    Ok(())
}

/// Applies `change` to the price entries of `model` in force from `from` on (splitting the
/// entry in force on that date), and records `note` on each.
fn change_model(
    model: &mut Model,
    from: Option<Date>,
    note: &str,
    change: &dyn Fn(&mut PriceEntry) -> Result<(), Error>,
) -> Result<(), Error> {
    if let Some(d) = from {
        if let Some(i) = model
            .prices
            .iter()
            .position(|p| p.covers(d) && p.effective < d)
        {
            let mut later = model.prices[i].clone();
            later.effective = d;
            model.prices[i].until = Some(d);
            model.prices.insert(i.saturating_add(1), later);
        }
    }
    for p in model
        .prices
        .iter_mut()
        .filter(|p| from.is_none_or(|d| p.effective >= d))
    {
        change(p)?;
        p.overlays.push(note.to_string());
    }
    Ok(())
}

/// A cloud's percentage from a user's overlay, multiplying its deployment premium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentAdjustment {
    /// In force from this date on; every date when `None`.
    pub from: Option<Date>,
    /// The multiplier (`0.9` for 10% off).
    pub factor: Decimal,
    /// The overlay's name and the rule, as line items name it.
    pub note: String,
}

impl RateBook {
    /// This book with `overlays` applied, in order. Fails with every rule whose target is not
    /// in the book (a provider, model or cloud), located where the rule is written.
    pub fn with_overlays(&self, overlays: &[Overlay]) -> Result<RateBook, Vec<Error>> {
        let mut book = self.clone();
        let mut errors = Vec::new();
        for o in overlays {
            for rule in &o.rules {
                if let Err(e) = book.apply_rule(&o.name, rule) {
                    errors.push(match &rule.location {
                        Some(l) if e.location.is_none() => e.at(l.clone()),
                        _ => e,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(book)
        } else {
            Err(errors)
        }
    }

    fn apply_rule(&mut self, overlay: &str, rule: &Rule) -> Result<(), Error> {
        let note = format!("{overlay}: {}", rule.describe());
        let unknown_target = |what: &str, name: &str, known: Vec<&str>| {
            Error::new(ErrorKind::UnknownModel, unknown(what, name, &known))
        };
        match (&rule.target, &rule.change) {
            #[cfg(not(feature = "overlays"))]
            (Target::Deployment(cloud), _) => Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "a percentage on deployment `{cloud}` needs the crate's feature `overlays`"
                ),
            )),
            #[cfg(feature = "overlays")]
            (Target::Deployment(cloud), _) => {
                let factor = rule.factor().unwrap_or(Decimal::ONE);
                let Some(i) = self.clouds.iter().position(|c| &c.provider == cloud) else {
                    let known = self.clouds.iter().map(|c| c.provider.as_str()).collect();
                    return Err(unknown_target("deployment", cloud, known));
                };
                let c = &mut self.clouds[i];
                c.adjustments.push(DeploymentAdjustment {
                    from: rule.from,
                    factor,
                    note,
                });
                Ok(())
            }
            (Target::Provider(p), Change::Billing(b)) => {
                let Some(i) = self.providers.iter().position(|x| &x.id == p) else {
                    let known = self.providers.iter().map(|p| p.id.as_str()).collect();
                    return Err(unknown_target("provider", p, known));
                };
                let prov = &mut self.providers[i];
                prov.billing = Some(*b);
                prov.billing_overlay = Some(note);
                Ok(())
            }
            (target, change) => {
                let indexes: Vec<usize> = match target {
                    Target::Provider(p) => {
                        if self.clouds.iter().any(|c| &c.provider == p) {
                            return Err(Error::new(
                                ErrorKind::InvalidValue,
                                format!("`{p}` is a cloud: write `deployment = \"{p}\"`"),
                            ));
                        }
                        if self.provider(p).is_none() {
                            let known = self.providers.iter().map(|p| p.id.as_str()).collect();
                            return Err(unknown_target("provider", p, known));
                        }
                        (0..self.models.len())
                            .filter(|&i| &self.models[i].provider == p)
                            .collect()
                    }
                    Target::Model(m) => match self.index.get(&m.to_ascii_lowercase()) {
                        Some(&i) => vec![i],
                        None => {
                            let known = self.models.iter().map(|m| m.id.as_str()).collect();
                            return Err(unknown_target("model", m, known));
                        }
                    },
                    Target::Deployment(_) => Vec::new(),
                };
                for i in indexes {
                    let model = &mut self.models[i];
                    match change {
                        Change::Percent(_) => {
                            let factor = rule.factor().unwrap_or(Decimal::ONE);
                            change_model(model, rule.from, &note, &|e| scale_entry(e, factor))?;
                        }
                        Change::Replace(rates) => {
                            change_model(model, rule.from, &note, &|e| {
                                e.rates.overlay(rates);
                                Ok(())
                            })?;
                        }
                        Change::Billing(_) => {}
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::EstimateOptions;
    use crate::usage::Usage;

    const BOOK: &str = r#"
[provider]
id = "openai"
name = "OpenAI"

[models."gpt-x"]
name = "GPT-X"

[[models."gpt-x".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "1.25"
cache_read = "0.125"
output = "10.00"
batch = { multiplier = "0.5", cache_read = true }
fees.search = { description = "Web search tool calls", price = "10.00", per = 1000 }
"#;

    fn book() -> RateBook {
        RateBook::from_sources(&[SourceFile::new("openai.toml", BOOK)]).unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn overlay(text: &str) -> Result<Overlay, Vec<Error>> {
        Overlay::parse(&SourceFile::new("acme.toml", text))
    }

    #[test]
    fn a_discount_from_a_date_splits_the_entry_and_names_itself() {
        let o = overlay(
            "name = \"Acme\"\n[[adjust]]\nprovider = \"openai\"\ndiscount = \"20%\"\nfrom = \"2026-06-01\"\n",
        )
        .unwrap();
        let b = book().with_overlays(&[o]).unwrap();
        let usage = Usage::text(1_000_000, 1_000_000);
        // Before June: list, 1M × $1.25/M + 1M × $10/M = $11.25.
        let before = b
            .estimate("gpt-x", &usage, EstimateOptions::at(date("2026-05-31")))
            .unwrap();
        assert_eq!(before.total, Decimal::new(1125, 2));
        assert!(before.line_items.iter().all(|l| l.overlays.is_empty()));
        // From June: 20% off both, $1.00 + $8.00 = $9.00.
        let after = b
            .estimate("gpt-x", &usage, EstimateOptions::at(date("2026-06-01")))
            .unwrap();
        assert_eq!(after.total.normalize(), Decimal::from(9));
        assert_eq!(
            after.line_items[0].overlays,
            vec!["Acme: 20% discount on provider openai from 2026-06-01".to_string()]
        );
        assert!(after.line_items[0].rule().contains("Acme: 20% discount"));
    }

    #[test]
    fn a_discount_stacks_with_batch_and_scales_fees() {
        let b = book()
            .with_overlays(&[Overlay::discount("gpt-x:10%", &book()).unwrap()])
            .unwrap();
        let e = &b.get("gpt-x").unwrap().prices[0];
        // $10.00 per 1,000 searches × 0.9 = $9.00; $0.125 cached × 0.9 = $0.1125.
        assert_eq!(
            e.fees.get("search").unwrap().price.normalize(),
            Decimal::from(9)
        );
        assert_eq!(e.rates.get(Meter::CacheRead), Some(Decimal::new(1125, 4)));
        // Batch halves the discounted rate: 1M × $1.25 × 0.9 × 0.5 = $0.5625.
        let est = b
            .estimate(
                "gpt-x",
                &Usage::text(1_000_000, 0),
                EstimateOptions::at(date("2026-02-01")).mode(crate::book::Mode::Batch),
            )
            .unwrap();
        assert_eq!(est.total, Decimal::new(5625, 4));
    }

    #[test]
    fn replacement_rates_keep_the_rest_of_the_entry() {
        let o = overlay("[[replace]]\nmodel = \"gpt-x\"\ninput = \"1.00\"\n").unwrap();
        let b = book().with_overlays(&[o]).unwrap();
        let e = &b.get("gpt-x").unwrap().prices[0];
        assert_eq!(e.rates.get(Meter::InputText), Some(Decimal::new(100, 2)));
        assert_eq!(e.rates.get(Meter::OutputText), Some(Decimal::new(1000, 2)));
        assert_eq!(e.overlays, vec!["acme.toml: replaced input on model gpt-x"]);
    }

    #[test]
    fn mistakes_are_located() {
        let errs = overlay("[[adjust]]\nprovider = \"openai\"\ndiscont = \"20%\"\n").unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("acme.toml:3:1:") && t.contains("did you mean `discount`")),
            "{text:?}"
        );
        let errs = overlay("[[adjust]]\nmodel = \"gpt-x\"\ndiscount = \"120%\"\n").unwrap_err();
        assert!(
            errs[0].to_string().starts_with("acme.toml:3:12:"),
            "{}",
            errs[0]
        );
        let errs = overlay("[[adjust]]\nmodel = \"gpt-x\"\ndiscount = 0.2\n").unwrap_err();
        assert!(
            errs[0].to_string().contains("percentage in quotes"),
            "{}",
            errs[0]
        );
        let o = overlay("[[adjust]]\nmodel = \"gpt-xx\"\ndiscount = \"20%\"\n").unwrap();
        let errs = book().with_overlays(&[o]).unwrap_err();
        assert!(
            errs[0].to_string().starts_with("acme.toml:2:9:"),
            "{}",
            errs[0]
        );
        assert!(
            errs[0].to_string().contains("did you mean `gpt-x`"),
            "{}",
            errs[0]
        );
        assert!(Overlay::discount("openai", &book()).is_err());
        assert!(Overlay::discount("nobody:5%", &book()).is_err());
    }

    #[test]
    fn billing_sets_the_unit_and_rounding() {
        let o = overlay(
            "[[billing]]\nprovider = \"openai\"\nunit = \"0.01\"\nrounding = \"up_per_request\"\n",
        )
        .unwrap();
        let b = book().with_overlays(&[o]).unwrap();
        // 1,000 input tokens × $1.25/M = $0.00125, rounded up to $0.01.
        let est = b
            .estimate(
                "gpt-x",
                &Usage::text(1_000, 0),
                EstimateOptions::at(date("2026-02-01")),
            )
            .unwrap();
        assert_eq!(est.total, Decimal::new(1, 2));
        let adj = est.line_items.last().unwrap();
        assert_eq!(adj.meter(), "billing_adjustment");
        assert!(
            adj.rule().contains("acme.toml: billing unit $0.01"),
            "{}",
            adj.rule()
        );
    }
}
