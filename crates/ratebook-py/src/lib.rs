//! `ratebook` for Python: the core's exact estimates as `decimal.Decimal`, and an Arrow batch
//! entry point for data engines (pyarrow, Polars, DuckDB, Spark's `mapInArrow`).
//!
//! The binding prices nothing itself. Every price comes from the core: an estimate from
//! [`RateBook::estimate`], a response from [`RateBook::price_response`], a log (`Book.cost`) and
//! every Arrow row from a [`Ledger`] — the rules `ratebook cost` prices by, in one place. Money
//! crosses into Python as the core's exact decimal text, never as a float.
//!
//! The Python package around this module (`python/ratebook/`) re-exports it and adds
//! `ratebook.spark`; its type stubs are `python/ratebook/_ratebook.pyi`.

mod arrow;

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyList, PyString, PyTuple, PyType};

use ratebook::ingest::{Ledger, LineOutcome, Summary};
use ratebook::{
    Date, Decimal, Estimate as CoreEstimate, EstimateOptions, ImageCount, LineItem as CoreLineItem,
    Mode, Overlay, RateBook, SourceFile, Usage,
};

pyo3::create_exception!(
    ratebook,
    RatebookError,
    PyValueError,
    "An error of ratebook's core, carrying its message (with file:line:column for pricing files)."
);

/// The core's error as a Python exception.
fn core_err(e: impl std::fmt::Display) -> PyErr {
    RatebookError::new_err(e.to_string())
}

/// Several errors (a pricing file's, an overlay's) as one exception, one per line.
fn core_errs(es: &[ratebook::Error]) -> PyErr {
    let lines: Vec<String> = es.iter().map(ToString::to_string).collect();
    RatebookError::new_err(lines.join("\n"))
}

static DECIMAL: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static DATE: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// `decimal.Decimal` of the core's exact decimal text.
fn py_decimal(py: Python<'_>, d: Decimal) -> PyResult<Bound<'_, PyAny>> {
    DECIMAL
        .import(py, "decimal", "Decimal")?
        .call1((d.to_string(),))
}

/// `datetime.date` of a core date (through the class: the limited API has no date C API).
fn py_date(py: Python<'_>, d: Date) -> PyResult<Bound<'_, PyAny>> {
    DATE.import(py, "datetime", "date")?
        .call1((d.year(), d.month(), d.day()))
}

/// Today in UTC, as `ratebook cost` takes it when no date is given.
fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Date::from_unix_seconds(secs).unwrap_or(Date::UNIX_EPOCH)
}

/// A date argument: `None` (today, UTC), `"YYYY-MM-DD"`, or a `datetime.date`/`datetime`.
fn date_arg(date: Option<&Bound<'_, PyAny>>) -> PyResult<Date> {
    let Some(d) = date.filter(|d| !d.is_none()) else {
        return Ok(today());
    };
    let text: String = match d.extract::<String>() {
        Ok(s) => s,
        Err(_) if d.hasattr("isoformat")? => {
            let iso: String = d.call_method0("isoformat")?.extract()?;
            iso.chars().take(10).collect()
        }
        Err(_) => {
            return Err(RatebookError::new_err(format!(
                "date: expected \"YYYY-MM-DD\" or a datetime.date, got {}",
                d.get_type().name()?
            )));
        }
    };
    text.parse::<Date>().map_err(core_err)
}

fn mode_arg(mode: &str) -> PyResult<Mode> {
    mode.parse::<Mode>().map_err(core_err)
}

/// How a book was made, so that it can be made again on another process (Spark executors
/// receive a book pickled): the pricing files (`None`: the bundled ones) and the overlays and
/// discounts applied, in order.
#[derive(Debug, Clone)]
struct Origin {
    sources: Option<Vec<(String, String)>>,
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Step {
    Overlay { name: String, text: String },
    Discount(String),
}

impl Step {
    fn apply(&self, book: &RateBook) -> PyResult<RateBook> {
        let overlay = match self {
            Step::Overlay { name, text } => {
                Overlay::parse(&SourceFile::new(name.clone(), text.clone()))
                    .map_err(|es| core_errs(&es))?
            }
            Step::Discount(spec) => Overlay::discount(spec, book).map_err(core_err)?,
        };
        book.with_overlays(&[overlay]).map_err(|es| core_errs(&es))
    }

    fn to_tuple(&self) -> (String, String, String) {
        match self {
            Step::Overlay { name, text } => ("overlay".into(), name.clone(), text.clone()),
            Step::Discount(spec) => ("discount".into(), spec.clone(), String::new()),
        }
    }
}

/// A rate book: the pricing files, read and checked, with any overlays applied.
#[pyclass(module = "ratebook", frozen)]
pub struct Book {
    book: RateBook,
    origin: Origin,
}

/// Builds a book from its origin (what `pickle` calls on the receiving side).
fn build(origin: Origin) -> PyResult<Book> {
    let mut book = match &origin.sources {
        None => ratebook::bundled::book(),
        Some(files) => {
            let files: Vec<SourceFile> = files
                .iter()
                .map(|(n, t)| SourceFile::new(n.clone(), t.clone()))
                .collect();
            let loaded = ratebook::load(&files);
            if !loaded.errors.is_empty() {
                return Err(core_errs(&loaded.errors));
            }
            loaded.book
        }
    };
    for step in &origin.steps {
        book = step.apply(&book)?;
    }
    Ok(Book { book, origin })
}

/// The rate book of this release, embedded in the module: no file or network access.
#[pyfunction]
fn bundled() -> PyResult<Book> {
    build(Origin {
        sources: None,
        steps: Vec::new(),
    })
}

/// Reads the pricing files of `path`: every `*.toml` of a directory (sorted by name), or one
/// file. Any error in them raises `RatebookError` with every message, located.
#[pyfunction]
fn load(path: PathBuf) -> PyResult<Book> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map(|t| (p.display().to_string(), t))
            .map_err(|e| RatebookError::new_err(format!("cannot read {}: {e}", p.display())))
    };
    let files = if path.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&path)
            .map_err(|e| {
                RatebookError::new_err(format!(
                    "cannot read pricing directory {}: {e}",
                    path.display()
                ))
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(RatebookError::new_err(format!(
                "{} has no *.toml pricing files",
                path.display()
            )));
        }
        paths
            .iter()
            .map(|p| read(p))
            .collect::<PyResult<Vec<_>>>()?
    } else {
        vec![read(&path)?]
    };
    build(Origin {
        sources: Some(files),
        steps: Vec::new(),
    })
}

/// Rebuilds a pickled book.
#[pyfunction]
#[pyo3(signature = (sources, steps))]
fn _rebuild(
    sources: Option<Vec<(String, String)>>,
    steps: Vec<(String, String, String)>,
) -> PyResult<Book> {
    let steps = steps
        .into_iter()
        .map(|(kind, a, b)| match kind.as_str() {
            "overlay" => Ok(Step::Overlay { name: a, text: b }),
            "discount" => Ok(Step::Discount(a)),
            other => Err(RatebookError::new_err(format!(
                "unknown book step `{other}`"
            ))),
        })
        .collect::<PyResult<Vec<_>>>()?;
    build(Origin { sources, steps })
}

impl Book {
    fn with_step(&self, step: Step) -> PyResult<Book> {
        let book = step.apply(&self.book)?;
        let mut origin = self.origin.clone();
        origin.steps.push(step);
        Ok(Book { book, origin })
    }
}

#[pymethods]
impl Book {
    /// Prices one request. Token counts follow the crate's convention: `input_tokens` counts
    /// every prompt token, cache reads and writes included; `cached_tokens` and the cache
    /// writes are subsets of it. `output_images` lists `"N@RES"` (`"1@1K"`).
    #[pyo3(signature = (
        model, input_tokens = 0, output_tokens = 0, *, cached_tokens = 0,
        cache_write_tokens = 0, cache_write_1h_tokens = 0, output_images = None,
        date = None, mode = "standard", allow_over_limits = false
    ))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn estimate(
        &self,
        py: Python<'_>,
        model: &str,
        input_tokens: u64,
        output_tokens: u64,
        cached_tokens: u64,
        cache_write_tokens: u64,
        cache_write_1h_tokens: u64,
        output_images: Option<Vec<String>>,
        date: Option<&Bound<'_, PyAny>>,
        mode: &str,
        allow_over_limits: bool,
    ) -> PyResult<Estimate> {
        let mut usage = Usage::text(input_tokens, output_tokens);
        usage.cached = cached_tokens;
        usage.cache_write_5m = cache_write_tokens;
        usage.cache_write_1h = cache_write_1h_tokens;
        for spec in output_images.unwrap_or_default() {
            usage
                .output_images
                .push(ImageCount::parse(&spec).map_err(core_err)?);
        }
        let options = EstimateOptions::at(date_arg(date)?)
            .mode(mode_arg(mode)?)
            .allow_over_limits(allow_over_limits);
        let est = py
            .allow_threads(|| self.book.estimate(model, &usage, options))
            .map_err(core_err)?;
        Ok(Estimate(est))
    }

    /// Prices one provider response (its JSON text) as `ratebook cost` prices it: at the
    /// response's own timestamp, or at `date` when it has none.
    #[pyo3(signature = (response, date = None))]
    fn price_response(
        &self,
        response: &str,
        date: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Estimate> {
        let date = date_arg(date)?;
        self.book
            .price_response(response, date)
            .map(Estimate)
            .map_err(core_err)
    }

    /// Prices a log: any iterable of JSON strings (provider responses, one per item; a file
    /// opened for reading works), by the rules of `ratebook cost`. Responses without a
    /// timestamp are priced at `date` (default: today, UTC).
    #[pyo3(signature = (lines, date = None))]
    fn cost(&self, lines: &Bound<'_, PyAny>, date: Option<&Bound<'_, PyAny>>) -> PyResult<Cost> {
        let mut ledger = Ledger::new(&self.book, date_arg(date)?);
        let mut rejections = Vec::new();
        let mut number = 0u64;
        for item in lines.try_iter()? {
            let item = item?;
            number = number.saturating_add(1);
            let outcome = match item.downcast::<PyString>() {
                Ok(s) => ledger.add_line_at(s.to_cow()?.trim_end_matches(['\n', '\r']), number),
                Err(_) => {
                    let bytes: Vec<u8> = item.extract().map_err(|_| {
                        RatebookError::new_err(format!(
                            "line {number}: expected str or bytes, got {}",
                            item.get_type()
                                .name()
                                .map_or_else(|_| "?".into(), |n| n.to_string())
                        ))
                    })?;
                    match std::str::from_utf8(&bytes) {
                        Ok(s) => ledger.add_line_at(s.trim_end_matches(['\n', '\r']), number),
                        Err(_) => {
                            ledger.count_rejected(ratebook::ingest::RejectKind::Encoding);
                            LineOutcome::Rejected(ratebook::ingest::LineError::new(
                                ratebook::ingest::RejectKind::Encoding,
                                "not UTF-8",
                            ))
                        }
                    }
                }
            };
            if let LineOutcome::Rejected(e) = outcome {
                if rejections.len() < MAX_REJECTIONS {
                    rejections.push((number, e.message));
                }
            }
        }
        ledger.finish();
        let summary = ledger.summary().map_err(core_err)?;
        Ok(Cost {
            summary,
            rejections,
        })
    }

    /// Prices an Arrow record batch (any object with `__arrow_c_array__`: a
    /// `pyarrow.RecordBatch`, …) row by row and returns a `pyarrow.RecordBatch` of two
    /// columns: `cost` (decimal128(38, 18), exact; null when the row is not priced) and
    /// `error` (why not; null when priced). Columns read: `model`, `timestamp` or `date`,
    /// `input_tokens`, `output_tokens`, optional `cached_tokens`, `cache_write_tokens`,
    /// `cache_write_1h_tokens`, `mode` — or one `response` column of provider response JSON.
    #[pyo3(signature = (batch, date = None))]
    fn price_batch<'py>(
        &self,
        py: Python<'py>,
        batch: &Bound<'py, PyAny>,
        date: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let date = date_arg(date)?;
        let input = arrow::import_batch(batch)?;
        let out = py
            .allow_threads(|| arrow::price_rows(&self.book, date, &input))
            .map_err(RatebookError::new_err)?;
        arrow::export_batch(py, out)
    }

    /// Prices Arrow record batches (an iterable of objects with `__arrow_c_array__`, the
    /// columns of `price_batch`) into one log's totals, as `ratebook cost` would: a `Cost`.
    #[pyo3(signature = (batches, date = None))]
    fn cost_batches(
        &self,
        py: Python<'_>,
        batches: &Bound<'_, PyAny>,
        date: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Cost> {
        let mut ledger = Ledger::new(&self.book, date_arg(date)?);
        let mut rejections = Vec::new();
        let mut rows = 0u64;
        for batch in batches.try_iter()? {
            let input = arrow::import_batch(&batch?)?;
            py.allow_threads(|| {
                arrow::add_rows(
                    &mut ledger,
                    &input,
                    &mut rows,
                    &mut rejections,
                    MAX_REJECTIONS,
                )
            })
            .map_err(RatebookError::new_err)?;
        }
        ledger.finish();
        let summary = ledger.summary().map_err(core_err)?;
        Ok(Cost {
            summary,
            rejections,
        })
    }

    /// This book with an overlay file's rules applied (your negotiated prices, a discount):
    /// `toml` is the overlay's text, `name` the file name its errors are located in.
    #[pyo3(signature = (toml, name = "overlay.toml"))]
    fn with_overlay(&self, toml: &str, name: &str) -> PyResult<Book> {
        self.with_step(Step::Overlay {
            name: name.to_string(),
            text: toml.to_string(),
        })
    }

    /// This book with `PROVIDER_OR_MODEL:PERCENT` off every rate of it (`"openai:20%"`), as
    /// `ratebook --discount` takes it.
    fn discount(&self, spec: &str) -> PyResult<Book> {
        self.with_step(Step::Discount(spec.to_string()))
    }

    /// The ids of every model in the book.
    fn models(&self) -> Vec<String> {
        self.book.models().iter().map(|m| m.id.clone()).collect()
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py.import("ratebook._ratebook")?.getattr("_rebuild")?;
        let steps: Vec<(String, String, String)> =
            self.origin.steps.iter().map(Step::to_tuple).collect();
        let args = PyTuple::new(
            py,
            [
                self.origin.sources.clone().into_pyobject(py)?.into_any(),
                steps.into_pyobject(py)?.into_any(),
            ],
        )?;
        Ok((rebuild, args))
    }

    fn __repr__(&self) -> String {
        let from = match &self.origin.sources {
            None => "bundled".to_string(),
            Some(f) => format!("{} file(s)", f.len()),
        };
        format!(
            "<ratebook.Book {from}, {} models, {} overlay(s)>",
            self.book.models().len(),
            self.origin.steps.len()
        )
    }
}

/// Rejected lines a `Cost` lists with their reason (all are counted).
const MAX_REJECTIONS: usize = 20;

/// One request priced: its total and the line items that add up to it exactly.
#[pyclass(module = "ratebook", frozen)]
pub struct Estimate(CoreEstimate);

#[pymethods]
impl Estimate {
    /// The exact total in US dollars.
    #[getter]
    fn total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_decimal(py, self.0.total)
    }

    /// The model priced (after aliases and snapshots).
    #[getter]
    fn model(&self) -> &str {
        &self.0.model
    }

    #[getter]
    fn provider(&self) -> &str {
        &self.0.provider
    }

    /// The date priced at.
    #[getter]
    fn date<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_date(py, self.0.date)
    }

    /// `standard`, `batch`, `flex` or `priority`.
    #[getter]
    fn mode(&self) -> &str {
        self.0.mode.as_str()
    }

    /// Where the price comes from (the provider's pricing page).
    #[getter]
    fn source(&self) -> &str {
        &self.0.price.source
    }

    #[getter]
    fn line_items(&self) -> Vec<LineItem> {
        self.0.line_items.iter().cloned().map(LineItem).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Estimate(model={:?}, date={}, mode={}, total=Decimal('{}'))",
            self.0.model, self.0.date, self.0.mode, self.0.total
        )
    }
}

/// One line of an estimate: quantity × rate = amount, with the rule that set the rate.
#[pyclass(module = "ratebook", frozen)]
pub struct LineItem(CoreLineItem);

#[pymethods]
impl LineItem {
    /// `input_text`, `cache_read`, `output_image`, `fee:search`, …
    #[getter]
    fn meter(&self) -> String {
        self.0.meter()
    }

    /// Tokens (or units) billed.
    #[getter]
    fn quantity(&self) -> u64 {
        self.0.quantity
    }

    /// US dollars per million tokens (or per unit), after mode and overlays.
    #[getter]
    fn rate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_decimal(py, self.0.rate)
    }

    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_decimal(py, self.0.amount)
    }

    /// Which rule set the rate (mode discounts, tiers, overlays), in words.
    #[getter]
    fn rule(&self) -> String {
        self.0.rule()
    }

    /// The whole line as a sentence, as `ratebook estimate` prints it.
    #[getter]
    fn sentence(&self) -> String {
        self.0.sentence()
    }

    /// The overlay rules that changed this rate.
    #[getter]
    fn overlays(&self) -> Vec<String> {
        self.0.overlays.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "LineItem(meter={:?}, quantity={}, rate=Decimal('{}'), amount=Decimal('{}'))",
            self.0.meter(),
            self.0.quantity,
            self.0.rate,
            self.0.amount
        )
    }
}

/// A priced log: what `ratebook cost --json` reports, as Python values.
#[pyclass(module = "ratebook", frozen)]
pub struct Cost {
    summary: Summary,
    rejections: Vec<(u64, String)>,
}

#[pymethods]
impl Cost {
    /// The exact total in US dollars.
    #[getter]
    fn total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py_decimal(py, self.summary.total)
    }

    /// Responses priced.
    #[getter]
    fn records(&self) -> u64 {
        self.summary.records
    }

    /// Lines that could not be read or priced.
    #[getter]
    fn rejected(&self) -> u64 {
        self.summary.rejected
    }

    /// Failed requests (errors, expired batch lines): counted, not billed.
    #[getter]
    fn failed(&self) -> u64 {
        self.summary.failed
    }

    /// The first rejected lines (at most 20) as `(line number, reason)`.
    #[getter]
    fn rejections(&self) -> Vec<(u64, String)> {
        self.rejections.clone()
    }

    /// Rejected lines by kind (`unknown_model`, `json`, …).
    #[getter]
    fn rejected_kinds(&self) -> Vec<(String, u64)> {
        self.summary
            .rejected_kinds
            .iter()
            .map(|(k, n)| (k.as_str().to_string(), *n))
            .collect()
    }

    /// One `ModelCost` per model, dearest first.
    #[getter]
    fn by_model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self
            .summary
            .by_model
            .iter()
            .map(|m| {
                Ok(ModelCost {
                    model: m.model.clone(),
                    provider: m.provider.clone(),
                    records: m.records,
                    total: py_decimal(py, m.total)?.unbind(),
                    input_tokens: m.input_tokens,
                    cached_tokens: m.cached_tokens,
                    cache_write_tokens: m.cache_write_tokens,
                    output_tokens: m.output_tokens,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    fn __repr__(&self) -> String {
        format!(
            "Cost(total=Decimal('{}'), records={}, rejected={}, failed={})",
            self.summary.total, self.summary.records, self.summary.rejected, self.summary.failed
        )
    }
}

/// One model's share of a priced log.
#[pyclass(module = "ratebook", frozen, get_all)]
pub struct ModelCost {
    model: String,
    provider: String,
    records: u64,
    /// `decimal.Decimal`, exact.
    total: Py<PyAny>,
    input_tokens: u128,
    cached_tokens: u128,
    cache_write_tokens: u128,
    output_tokens: u128,
}

#[pymethods]
impl ModelCost {
    fn __repr__(&self, py: Python<'_>) -> String {
        let total = self
            .total
            .bind(py)
            .str()
            .map_or_else(|_| "?".into(), |s| s.to_string());
        format!(
            "ModelCost(model={:?}, records={}, total=Decimal('{total}'))",
            self.model, self.records
        )
    }
}

/// The compiled part of the `ratebook` package.
#[pymodule]
fn _ratebook(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RatebookError", m.py().get_type::<RatebookError>())?;
    m.add_class::<Book>()?;
    m.add_class::<Estimate>()?;
    m.add_class::<LineItem>()?;
    m.add_class::<Cost>()?;
    m.add_class::<ModelCost>()?;
    m.add_function(wrap_pyfunction!(bundled, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(_rebuild, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
