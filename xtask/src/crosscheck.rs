//! `cargo xtask crosscheck`: the rate book against two open price databases.
//!
//! A maintainer's report, not a test: it installs [genai-prices] and [LiteLLM] from PyPI into a
//! throwaway virtual environment (`<target>/crosscheck-venv`, reused while the pinned versions
//! match), runs `xtask/crosscheck.py` to dump their first-party Anthropic, OpenAI and Google
//! (Gemini API) prices, and prints:
//!
//! - (a) models we share (their id, or for genai-prices an id its match rule lists, resolves
//!   in our book) whose plain rates (input, output, cache read, 5-minute and 1-hour cache
//!   writes) in force today differ from ours;
//! - (b) their first-party models whose id does not resolve in our book;
//! - (c) our price entries whose `checked` date is more than [`STALE_AFTER_DAYS`] days old.
//!
//! Rates are compared as exact decimals; a rate they state and we do not is a disagreement,
//! unless theirs is zero. The command fails only when the databases cannot be installed or
//! read; disagreements are findings to look into, and either side may be wrong.
//!
//! [genai-prices]: https://github.com/pydantic/genai-prices
//! [LiteLLM]: https://github.com/BerriAI/litellm

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use ratebook::book::Meter;
use ratebook::{Date, Decimal, RateBook, SourceFile};
use serde_json::{Value, json};

use crate::{Result, describe, root, step, target_dir, tools};

/// The genai-prices release compared against (override with `CROSSCHECK_GENAI_PRICES`).
pub const GENAI_PRICES: &str = "0.2.3";
/// The LiteLLM release compared against (override with `CROSSCHECK_LITELLM`).
pub const LITELLM: &str = "1.110.2";
/// A price entry whose `checked` date is more than this many days old is reported as stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// The rates compared: the ones every source states the same way.
pub const PLAIN: [Meter; 5] = [
    Meter::InputText,
    Meter::OutputText,
    Meter::CacheRead,
    Meter::CacheWrite5m,
    Meter::CacheWrite1h,
];

/// Usage text for `cargo xtask crosscheck --help`.
pub const USAGE: &str = "usage: cargo xtask crosscheck [--json] [--date YYYY-MM-DD]

Compares pricing/ with genai-prices and LiteLLM (installed from PyPI into a virtual
environment under the target directory) and reports (a) rates that disagree, (b) their
first-party models we lack, (c) our entries checked more than 90 days ago.

  --json               machine-readable output on stdout
  --date YYYY-MM-DD    compare the prices in force on this day (default: today, UTC)

environment:
  CROSSCHECK_GENAI_PRICES   genai-prices version to install (default 0.2.3)
  CROSSCHECK_LITELLM        litellm version to install (default 1.110.2)
  CROSSCHECK_PYTHON         the Python that creates the environment (default python3)";

/// One model as another database prices it.
#[derive(Debug, Clone, PartialEq)]
pub struct TheirModel {
    /// `genai-prices` or `litellm`.
    pub source: String,
    /// Our provider id: `anthropic`, `openai` or `google`.
    pub provider: String,
    /// The id as the database writes it (LiteLLM's Gemini ids carry a `gemini/` prefix).
    pub id: String,
    /// Other ids it matches (genai-prices' match rules), tried when `id` is unknown to us.
    pub also: Vec<String>,
    /// The plain rates it states, USD per 1M tokens.
    pub rates: Vec<(Meter, Decimal)>,
    /// Whether the database marks the model retired.
    pub deprecated: bool,
    /// LiteLLM's `mode` (`chat`, `embedding`, `image_generation`, …).
    pub mode: Option<String>,
}

/// One source's value for a rate, and the ids under which it states it.
#[derive(Debug, Clone, PartialEq)]
pub struct TheirValue {
    /// `genai-prices` or `litellm`.
    pub source: String,
    /// Their rate, USD per 1M tokens.
    pub value: Decimal,
    /// Their ids that resolve to our model and state this value.
    pub ids: Vec<String>,
}

/// A rate of one of our models that at least one source states differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Our provider id.
    pub provider: String,
    /// Our model id.
    pub model: String,
    /// The rate.
    pub meter: Meter,
    /// Our rate in force on the report's date (`None`: we do not price it).
    pub ours: Option<Decimal>,
    /// Every source's values for it, agreeing ones included.
    pub theirs: Vec<TheirValue>,
}

impl Disagreement {
    /// Whether `value` is the rate we have.
    pub fn agrees(&self, value: Decimal) -> bool {
        self.ours == Some(value)
    }
}

/// A first-party model of another database whose id does not resolve in our book.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// Our provider id.
    pub provider: String,
    /// The id without a provider prefix.
    pub id: String,
    /// The databases that list it.
    pub sources: Vec<String>,
    /// Whether every database that lists it marks it retired.
    pub deprecated: bool,
    /// LiteLLM's `mode`, where it says.
    pub mode: Option<String>,
}

/// One of our price entries whose `checked` date is old.
#[derive(Debug, Clone, PartialEq)]
pub struct Stale {
    /// Our provider id.
    pub provider: String,
    /// Our model id.
    pub model: String,
    /// The entry's first day.
    pub effective: Date,
    /// When its prices were last verified.
    pub checked: Date,
    /// Days from `checked` to the report's date.
    pub days: i64,
    /// Whether it is the entry in force on the report's date.
    pub in_force: bool,
}

/// What the comparison found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Our models that at least one of their ids resolves to (and that have a price that day).
    pub shared: usize,
    /// (a) rates that disagree, in book order.
    pub disagreements: Vec<Disagreement>,
    /// (b) their models we lack, by provider and id.
    pub missing: Vec<Missing>,
    /// (c) our entries checked more than [`STALE_AFTER_DAYS`] days before the date.
    pub stale: Vec<Stale>,
}

impl Report {
    /// How many of our models have at least one disagreeing rate.
    pub fn models_disagreeing(&self) -> usize {
        let mut models: Vec<&str> = self
            .disagreements
            .iter()
            .map(|d| d.model.as_str())
            .collect();
        models.dedup();
        models.len()
    }
}

/// Compares `theirs` with `book` at `date`. Pure: no I/O.
pub fn compare(book: &RateBook, date: Date, theirs: &[TheirModel]) -> Report {
    let index_of = |id: &str| book.models().iter().position(|m| m.id == id);
    // (our model index, meter index) → source → value → ids
    type Values = BTreeMap<String, Vec<(Decimal, Vec<String>)>>;
    let mut rows: BTreeMap<(usize, usize), Values> = BTreeMap::new();
    let mut shared: Vec<usize> = Vec::new();
    let mut missing: BTreeMap<(String, String), Missing> = BTreeMap::new();

    for t in theirs {
        let ours = std::iter::once(&t.id)
            .chain(&t.also)
            .find_map(|id| book.resolve(id).ok());
        let Some(i) = ours.and_then(|m| index_of(&m.id)) else {
            let id = bare_id(&t.id);
            let entry = missing
                .entry((t.provider.clone(), id.clone()))
                .or_insert_with(|| Missing {
                    provider: t.provider.clone(),
                    id,
                    sources: Vec::new(),
                    deprecated: true,
                    mode: None,
                });
            if !entry.sources.contains(&t.source) {
                entry.sources.push(t.source.clone());
            }
            entry.deprecated &= t.deprecated;
            if entry.mode.is_none() {
                entry.mode.clone_from(&t.mode);
            }
            continue;
        };
        if book.models()[i].price_at(date).is_err() {
            continue;
        }
        if !shared.contains(&i) {
            shared.push(i);
        }
        for &(meter, value) in &t.rates {
            let Some(m) = PLAIN.iter().position(|&p| p == meter) else {
                continue;
            };
            let values = rows
                .entry((i, m))
                .or_default()
                .entry(t.source.clone())
                .or_default();
            match values.iter_mut().find(|(v, _)| *v == value) {
                Some((_, ids)) => {
                    if !ids.contains(&t.id) {
                        ids.push(t.id.clone());
                    }
                }
                None => values.push((value, vec![t.id.clone()])),
            }
        }
    }

    let mut disagreements = Vec::new();
    for ((i, m), by_source) in rows {
        let model = &book.models()[i];
        let Ok(price) = model.price_at(date) else {
            continue;
        };
        let meter = PLAIN[m];
        let ours = price.rates.get(meter);
        let theirs: Vec<TheirValue> = by_source
            .into_iter()
            .flat_map(|(source, values)| {
                values.into_iter().map(move |(value, ids)| TheirValue {
                    source: source.clone(),
                    value,
                    ids,
                })
            })
            // A zero rate where we have none says the same thing: nothing is charged (LiteLLM
            // writes `output_cost_per_token: 0` for embedding models).
            .filter(|t| ours.is_some() || !t.value.is_zero())
            .collect();
        if theirs.iter().any(|t| ours != Some(t.value)) {
            disagreements.push(Disagreement {
                provider: model.provider.clone(),
                model: model.id.clone(),
                meter,
                ours,
                theirs,
            });
        }
    }

    let mut stale = Vec::new();
    for model in book.models() {
        let in_force = model.price_at(date).ok().map(|p| p.effective);
        for p in &model.prices {
            let days = date.unix_days() - p.checked.unix_days();
            if days > STALE_AFTER_DAYS {
                stale.push(Stale {
                    provider: model.provider.clone(),
                    model: model.id.clone(),
                    effective: p.effective,
                    checked: p.checked,
                    days,
                    in_force: in_force == Some(p.effective),
                });
            }
        }
    }

    Report {
        shared: shared.len(),
        disagreements,
        missing: missing.into_values().collect(),
        stale,
    }
}

/// An id without the `models/` or provider prefix some databases write (`gemini/…`).
fn bare_id(id: &str) -> String {
    let id = id.trim();
    let id = id.strip_prefix("models/").unwrap_or(id);
    match id.split_once('/') {
        Some(("gemini" | "google" | "openai" | "anthropic", rest)) => rest.to_string(),
        _ => id.to_string(),
    }
}

/// Reads the script's JSON: the database versions and their models.
pub fn parse_dump(text: &str) -> Result<(BTreeMap<String, String>, Vec<TheirModel>)> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("crosscheck.py printed bad JSON: {e}"))?;
    let versions = doc["versions"]
        .as_object()
        .ok_or("crosscheck.py: no `versions`")?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let mut models = Vec::new();
    for m in doc["models"]
        .as_array()
        .ok_or("crosscheck.py: no `models`")?
    {
        let text = |k: &str| m[k].as_str().map(str::to_string);
        let id = text("id").ok_or("crosscheck.py: a model without `id`")?;
        let mut rates = Vec::new();
        for (key, value) in m["rates"].as_object().into_iter().flatten() {
            let meter = Meter::from_key(key)
                .ok_or_else(|| format!("crosscheck.py: {id}: unknown rate `{key}`"))?;
            let value: Decimal = value
                .as_str()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("crosscheck.py: {id}: `{key}` is not a decimal string"))?;
            rates.push((meter, value));
        }
        rates.sort_by_key(|&(m, _)| m);
        models.push(TheirModel {
            source: text("source").unwrap_or_default(),
            provider: text("provider").unwrap_or_default(),
            id,
            also: m["also"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect(),
            rates,
            deprecated: m["deprecated"].as_bool().unwrap_or(false),
            mode: text("mode"),
        });
    }
    Ok((versions, models))
}

/// `cargo xtask crosscheck [--json] [--date YYYY-MM-DD]`.
pub fn crosscheck(args: &[String]) -> Result {
    let mut as_json = false;
    let mut date = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => as_json = true,
            "--date" => {
                let v = it.next().ok_or("--date needs YYYY-MM-DD")?;
                date = Some(parse_date(v)?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => match other.strip_prefix("--date=") {
                Some(v) => date = Some(parse_date(v)?),
                None => return Err(format!("crosscheck: unknown argument `{other}`\n\n{USAGE}")),
            },
        }
    }
    let date = match date {
        Some(d) => d,
        None => today()?,
    };

    let book = load_book()?;
    let genai = version_from_env("CROSSCHECK_GENAI_PRICES", GENAI_PRICES);
    let litellm = version_from_env("CROSSCHECK_LITELLM", LITELLM);
    let python = ensure_venv(&genai, &litellm)?;

    step("reading genai-prices and LiteLLM");
    let script = root().join("xtask").join("crosscheck.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script)
        .arg(date.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    eprintln!("  $ {}", describe(&cmd));
    let out = cmd
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}); see its output above",
            describe(&cmd),
            out.status
        ));
    }
    let (versions, theirs) = parse_dump(&String::from_utf8_lossy(&out.stdout))?;
    for (name, want) in [("genai-prices", &genai), ("litellm", &litellm)] {
        let got = versions.get(name).map(String::as_str).unwrap_or("?");
        if got != want {
            return Err(format!(
                "{name} {got} is installed in {}, not {want}; delete that directory and rerun",
                venv_dir().display()
            ));
        }
    }

    let report = compare(&book, date, &theirs);
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&report, date, &versions))
                .map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", render(&report, date, &versions));
    }
    Ok(())
}

fn parse_date(s: &str) -> Result<Date> {
    s.parse().map_err(|e: ratebook::Error| e.to_string())
}

fn today() -> Result<Date> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| format!("the clock is before 1970: {e}"))?
        .as_secs();
    i64::try_from(secs)
        .ok()
        .and_then(Date::from_unix_seconds)
        .ok_or_else(|| "the clock is out of range".to_string())
}

fn version_from_env(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Our book from `pricing/*.toml` as it is on disk now (not the copy compiled into ratebook).
fn load_book() -> Result<RateBook> {
    let dir = root().join("pricing");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for p in &paths {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        files.push(SourceFile::new(format!("pricing/{name}"), text));
    }
    let loaded = ratebook::load(&files);
    for e in &loaded.errors {
        eprintln!("warning: {e}");
    }
    if !loaded.rejected_files.is_empty() {
        eprintln!(
            "warning: left out of the comparison (errors above): {}",
            loaded.rejected_files.join(", ")
        );
    }
    Ok(loaded.book)
}

fn venv_dir() -> PathBuf {
    target_dir().join("crosscheck-venv")
}

/// Creates (or reuses) the virtual environment with the pinned versions; returns its Python.
fn ensure_venv(genai: &str, litellm: &str) -> Result<PathBuf> {
    tools::python_venv(
        &venv_dir(),
        &[
            format!("genai-prices=={genai}"),
            format!("litellm=={litellm}"),
        ],
    )
}

fn label(source: &str, ids: &[String]) -> String {
    format!("{source} [{}]", ids.join(", "))
}

/// The report as text.
pub fn render(report: &Report, date: Date, versions: &BTreeMap<String, String>) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let v = |k: &str| versions.get(k).cloned().unwrap_or_else(|| "?".into());
    let _ = writeln!(
        s,
        "Rate book vs genai-prices {} and LiteLLM {}, prices in force on {date}",
        v("genai-prices"),
        v("litellm")
    );

    let _ = writeln!(
        s,
        "\n(a) Shared models whose plain rates disagree: {} of {} shared",
        report.models_disagreeing(),
        report.shared
    );
    let mut last = "";
    for d in &report.disagreements {
        if d.model != last {
            let _ = writeln!(s, "  {} ({})", d.model, d.provider);
            last = &d.model;
        }
        let ours = d.ours.map_or_else(|| "—".to_string(), |r| r.to_string());
        let _ = writeln!(s, "    {:<15} ours {ours}", d.meter.key());
        for t in &d.theirs {
            let mark = if d.agrees(t.value) { "=" } else { "≠" };
            let _ = writeln!(
                s,
                "    {:<15} {mark}    {} {}",
                "",
                t.value,
                label(&t.source, &t.ids)
            );
        }
    }

    let _ = writeln!(
        s,
        "\n(b) Their first-party models we lack: {}",
        report.missing.len()
    );
    let mut provider = "";
    for m in &report.missing {
        if m.provider != provider {
            let n = report
                .missing
                .iter()
                .filter(|x| x.provider == m.provider)
                .count();
            let _ = writeln!(s, "  {} ({n})", m.provider);
            provider = &m.provider;
        }
        let mut notes = vec![m.sources.join(", ")];
        if let Some(mode) = m.mode.as_deref().filter(|&x| x != "chat") {
            notes.push(mode.to_string());
        }
        if m.deprecated {
            notes.push("retired".into());
        }
        let _ = writeln!(s, "    {:<44} {}", m.id, notes.join("; "));
    }

    let _ = writeln!(
        s,
        "\n(c) Our price entries checked more than {STALE_AFTER_DAYS} days ago: {}",
        report.stale.len()
    );
    for st in &report.stale {
        let _ = writeln!(
            s,
            "  {} ({}) entry of {}: checked {}, {} days ago{}",
            st.model,
            st.provider,
            st.effective,
            st.checked,
            st.days,
            if st.in_force { " (in force)" } else { "" }
        );
    }

    let _ = writeln!(
        s,
        "\nsummary: {} shared models, {} with disagreeing rates ({} rates); {} of their models missing; {} stale entries",
        report.shared,
        report.models_disagreeing(),
        report.disagreements.len(),
        report.missing.len(),
        report.stale.len()
    );
    s
}

/// The report as JSON (decimals as strings, exactly as compared).
pub fn to_json(report: &Report, date: Date, versions: &BTreeMap<String, String>) -> Value {
    json!({
        "date": date.to_string(),
        "versions": versions,
        "stale_after_days": STALE_AFTER_DAYS,
        "disagreements": report.disagreements.iter().map(|d| json!({
            "provider": d.provider,
            "model": d.model,
            "rate": d.meter.key(),
            "ours": d.ours.map(|r| r.to_string()),
            "theirs": d.theirs.iter().map(|t| json!({
                "source": t.source,
                "value": t.value.to_string(),
                "ids": t.ids,
                "agrees": d.agrees(t.value),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "missing": report.missing.iter().map(|m| json!({
            "provider": m.provider,
            "id": m.id,
            "sources": m.sources,
            "deprecated": m.deprecated,
            "mode": m.mode,
        })).collect::<Vec<_>>(),
        "stale": report.stale.iter().map(|st| json!({
            "provider": st.provider,
            "model": st.model,
            "effective": st.effective.to_string(),
            "checked": st.checked.to_string(),
            "days": st.days,
            "in_force": st.in_force,
        })).collect::<Vec<_>>(),
        "summary": {
            "shared": report.shared,
            "models_disagreeing": report.models_disagreeing(),
            "disagreeing_rates": report.disagreements.len(),
            "missing": report.missing.len(),
            "stale": report.stale.len(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"
[provider]
id = "anthropic"
name = "Anthropic"

[models."claude-x-1"]
name = "Claude X 1"
aliases = ["claude-x-1-20260101"]

[[models."claude-x-1".prices]]
effective = "2026-01-01"
source = "https://example.com/pricing"
checked = "2026-01-02"
input = "3.00"
output = "15.00"
cache_read = "0.30"

[[models."claude-x-1".prices]]
effective = "2026-06-01"
source = "https://example.com/pricing"
checked = "2026-11-01"
input = "2.00"
cache_read = "0.20"
"#;

    fn theirs(source: &str, id: &str, rates: &[(Meter, &str)]) -> TheirModel {
        TheirModel {
            source: source.into(),
            provider: "anthropic".into(),
            id: id.into(),
            also: Vec::new(),
            rates: rates
                .iter()
                .map(|&(m, v)| (m, v.parse().expect("decimal")))
                .collect(),
            deprecated: false,
            mode: None,
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn rates_are_compared_exactly_at_the_date() {
        let book = RateBook::from_sources(&[SourceFile::new("a.toml", BOOK)]).expect("book");
        let date = parse_date("2026-11-26").expect("date");
        let data = [
            // Agrees (2 == 2.00); states a 5-minute write we do not price.
            theirs(
                "genai-prices",
                "claude-x-1",
                &[
                    (Meter::InputText, "2"),
                    (Meter::OutputText, "15"),
                    (Meter::CacheWrite5m, "2.5"),
                ],
            ),
            // An alias of our model, still at the old input price.
            theirs(
                "litellm",
                "claude-x-1-20260101",
                &[(Meter::InputText, "3"), (Meter::OutputText, "15.000")],
            ),
            theirs(
                "litellm",
                "claude-x-1",
                &[(Meter::InputText, "2.0"), (Meter::CacheWrite1h, "0")],
            ),
            theirs("litellm", "claude-y-2", &[(Meter::InputText, "1")]),
            theirs("genai-prices", "anthropic/claude-y-2", &[]),
            // Unknown by its id, known by one its match rule lists.
            TheirModel {
                also: vec!["claude-x".into(), "claude-x-1".into()],
                ..theirs("genai-prices", "claude-x-one", &[(Meter::OutputText, "15")])
            },
        ];
        let report = compare(&book, date, &data);

        assert_eq!(report.shared, 1);
        assert_eq!(report.models_disagreeing(), 1);
        assert_eq!(
            report.disagreements,
            vec![
                Disagreement {
                    provider: "anthropic".into(),
                    model: "claude-x-1".into(),
                    meter: Meter::InputText,
                    ours: Some(dec("2.00")),
                    theirs: vec![
                        TheirValue {
                            source: "genai-prices".into(),
                            value: dec("2"),
                            ids: vec!["claude-x-1".into()],
                        },
                        TheirValue {
                            source: "litellm".into(),
                            value: dec("3"),
                            ids: vec!["claude-x-1-20260101".into()],
                        },
                        TheirValue {
                            source: "litellm".into(),
                            value: dec("2.0"),
                            ids: vec!["claude-x-1".into()],
                        },
                    ],
                },
                Disagreement {
                    provider: "anthropic".into(),
                    model: "claude-x-1".into(),
                    meter: Meter::CacheWrite5m,
                    ours: None,
                    theirs: vec![TheirValue {
                        source: "genai-prices".into(),
                        value: dec("2.5"),
                        ids: vec!["claude-x-1".into()],
                    }],
                },
            ]
        );

        assert_eq!(report.missing.len(), 1);
        assert_eq!(report.missing[0].id, "claude-y-2");
        assert_eq!(report.missing[0].sources, ["litellm", "genai-prices"]);

        // The first entry was checked 328 days before; the one in force 25 days before.
        assert_eq!(report.stale.len(), 1);
        assert_eq!(report.stale[0].days, 328);
        assert!(!report.stale[0].in_force);

        let text = render(&report, date, &BTreeMap::new());
        assert!(text.contains("summary: 1 shared models, 1 with disagreeing rates (2 rates); 1 of their models missing; 1 stale entries"), "{text}");
    }

    #[test]
    fn the_script_output_is_read_as_exact_decimals() {
        let (versions, models) = parse_dump(
            r#"{"versions": {"litellm": "1.0"}, "models": [
                {"source": "litellm", "provider": "google", "id": "gemini/g-1",
                 "rates": {"input": "0.075", "cache_write_1h": "10"}, "deprecated": true, "mode": "chat"}]}"#,
        )
        .expect("parses");
        assert_eq!(versions["litellm"], "1.0");
        assert_eq!(
            models[0].rates,
            [
                (Meter::InputText, dec("0.075")),
                (Meter::CacheWrite1h, dec("10"))
            ]
        );
        assert_eq!(bare_id(&models[0].id), "g-1");
        assert!(
            parse_dump(r#"{"versions": {}, "models": [{"id": "x", "rates": {"input": 0.1}}]}"#)
                .is_err()
        );
    }
}
