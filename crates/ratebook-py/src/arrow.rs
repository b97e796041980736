//! The Arrow entry point: record batches in and out through the Arrow C data interface
//! (`__arrow_c_array__` PyCapsules), so pyarrow, Polars, DuckDB and Spark's `mapInArrow` hand
//! ratebook whole columns, with no Python per row.
//!
//! Every row is priced by a [`Ledger`], as `ratebook cost` prices a line: a usage row becomes
//! the ledger's [`Record`] (the model id as given, resolved by the book; its usage; its mode;
//! its date), a `response` row is read as the line it is. One rule, one place: nothing here
//! prices.
//!
//! The cost column is `decimal128(38, 18)`: exact for every price the book can produce (rates
//! have at most a few decimal places per million tokens, 18 places is 10⁻¹⁸ dollars), summed
//! exactly by Spark, DuckDB, Polars and pyarrow, and 20 integer digits hold any total. A cost
//! that would not fit exactly is not rounded: the row gets an error instead.

use std::borrow::Cow;
use std::ffi::CString;
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, Decimal128Array, LargeStringArray, StringArray,
    StringViewArray, StructArray,
};
use arrow_schema::{DataType, Field, TimeUnit};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use ratebook::ingest::{
    Assumption, Assumptions, Ledger, LineOutcome, MAX_COUNT, Record, Shape, parse_timestamp,
};
use ratebook::{Date, Decimal, Mode, RateBook, Usage};

use crate::RatebookError;

/// The cost column's scale: decimal128(38, 18).
pub const SCALE: u32 = 18;

/// Reads a record batch from any object with `__arrow_c_array__` (it must export a struct
/// array: a record batch).
pub fn import_batch(obj: &Bound<'_, PyAny>) -> PyResult<StructArray> {
    if !obj.hasattr("__arrow_c_array__")? {
        return Err(RatebookError::new_err(format!(
            "expected an Arrow record batch (an object with __arrow_c_array__, such as \
             pyarrow.RecordBatch), got {}; for a table, price each of table.to_batches()",
            obj.get_type().name()?
        )));
    }
    let pair = obj.call_method0("__arrow_c_array__")?;
    let (schema, array): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
    let schema = schema.downcast::<PyCapsule>()?;
    let array = array.downcast::<PyCapsule>()?;
    let named = |c: &Bound<'_, PyCapsule>, want: &str| -> PyResult<()> {
        let name = c.name()?.map(|n| n.to_string_lossy().into_owned());
        if name.as_deref() == Some(want) {
            Ok(())
        } else {
            Err(RatebookError::new_err(format!(
                "__arrow_c_array__ returned a capsule named {name:?}, expected `{want}`"
            )))
        }
    };
    named(schema, "arrow_schema")?;
    named(array, "arrow_array")?;
    // SAFETY: the capsules are named as the Arrow PyCapsule interface names them, so their
    // pointers are an `ArrowSchema` and an `ArrowArray` of the C data interface. The array is
    // moved out (its release callback is cleared in the capsule, which then frees nothing);
    // the schema is only borrowed while the capsule is alive.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array.pointer().cast::<FFI_ArrowArray>());
        let schema = &*schema.pointer().cast::<FFI_ArrowSchema>();
        from_ffi(array, schema)
    }
    .map_err(|e| RatebookError::new_err(format!("reading the Arrow batch: {e}")))?;
    if !matches!(data.data_type(), DataType::Struct(_)) {
        return Err(RatebookError::new_err(format!(
            "expected a record batch, got an Arrow array of {}",
            data.data_type()
        )));
    }
    Ok(StructArray::from(data))
}

/// A column of strings of any Arrow string layout.
enum Strs<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strs<'a> {
    fn new(col: &'a ArrayRef, name: &str) -> Result<Strs<'a>, String> {
        match col.data_type() {
            DataType::Utf8 => Ok(Strs::Utf8(col.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Strs::Large(col.as_string::<i64>())),
            DataType::Utf8View => Ok(Strs::View(col.as_string_view())),
            other => Err(format!("column `{name}`: expected strings, got {other}")),
        }
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strs::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strs::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strs::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

fn ints<T: ArrowPrimitiveType>(col: &ArrayRef) -> Vec<i128>
where
    T::Native: Into<i128>,
{
    let a = col.as_primitive::<T>();
    (0..a.len())
        .map(|i| if a.is_valid(i) { a.value(i).into() } else { 0 })
        .collect()
}

/// A column of counts of any integer type, nulls read as 0.
fn counts(col: &ArrayRef, name: &str) -> Result<Vec<i128>, String> {
    Ok(match col.data_type() {
        DataType::Int8 => ints::<Int8Type>(col),
        DataType::Int16 => ints::<Int16Type>(col),
        DataType::Int32 => ints::<Int32Type>(col),
        DataType::Int64 => ints::<Int64Type>(col),
        DataType::UInt8 => ints::<UInt8Type>(col),
        DataType::UInt16 => ints::<UInt16Type>(col),
        DataType::UInt32 => ints::<UInt32Type>(col),
        DataType::UInt64 => ints::<UInt64Type>(col),
        other => {
            return Err(format!(
                "column `{name}`: expected integer token counts, got {other}"
            ));
        }
    })
}

/// One row's date: none (the run's date is used), a date, or why the value is not one.
type DateCell = Result<Option<Date>, String>;

fn unix(value: i64, per_second: i64) -> DateCell {
    Date::from_unix_seconds(value.div_euclid(per_second))
        .map(Some)
        .ok_or_else(|| format!("timestamp {value} is out of range"))
}

/// A column of dates: timestamps (any unit; the UTC day of the instant), dates, integers
/// (Unix seconds, like `created`) or strings (RFC 3339 or `YYYY-MM-DD`).
fn dates(col: &ArrayRef, name: &str) -> Result<Vec<DateCell>, String> {
    let n = col.len();
    let each = |f: &dyn Fn(usize) -> DateCell| -> Vec<DateCell> {
        (0..n)
            .map(|i| if col.is_valid(i) { f(i) } else { Ok(None) })
            .collect()
    };
    Ok(match col.data_type() {
        DataType::Timestamp(unit, _) => {
            let per_second = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            // Every timestamp unit is an `i64` buffer.
            let data = col.to_data();
            let values = arrow_buffer::ScalarBuffer::<i64>::new(
                data.buffers()[0].clone(),
                data.offset(),
                data.len(),
            );
            each(&|i| unix(values[i], per_second))
        }
        DataType::Date32 => {
            let a = col.as_primitive::<arrow_array::types::Date32Type>();
            each(&|i| {
                Date::from_unix_days(i64::from(a.value(i)))
                    .map(Some)
                    .ok_or_else(|| format!("date {} is out of range", a.value(i)))
            })
        }
        DataType::Date64 => {
            let a = col.as_primitive::<arrow_array::types::Date64Type>();
            each(&|i| unix(a.value(i), 1_000))
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => counts(col, name)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                if !col.is_valid(i) {
                    return Ok(None);
                }
                i64::try_from(v)
                    .map_err(|_| format!("timestamp {v} is out of range"))
                    .and_then(|s| unix(s, 1))
            })
            .collect(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = Strs::new(col, name)?;
            each(&|i| {
                let text = s.get(i).unwrap_or_default();
                parse_timestamp(text)
                    .map(Some)
                    .ok_or_else(|| format!("`{text}` is not a date or timestamp"))
            })
        }
        other => {
            return Err(format!(
                "column `{name}`: expected a timestamp, date, Unix seconds or text, got {other}"
            ));
        }
    })
}

/// The columns a batch is priced from.
enum Columns<'a> {
    /// One provider response (JSON text) per row.
    Responses(Strs<'a>),
    /// One request's usage per row.
    Usage {
        model: Strs<'a>,
        date: Option<Vec<DateCell>>,
        input: Vec<i128>,
        output: Vec<i128>,
        cached: Option<Vec<i128>>,
        write_5m: Option<Vec<i128>>,
        write_1h: Option<Vec<i128>>,
        mode: Option<Strs<'a>>,
    },
}

/// A token count as the core takes it: not negative, at most [`MAX_COUNT`].
fn count(v: i128, name: &str) -> Result<u64, String> {
    u64::try_from(v)
        .ok()
        .filter(|&n| n <= MAX_COUNT)
        .ok_or_else(|| format!("{name} {v} is not a token count (0 to {MAX_COUNT})"))
}

impl<'a> Columns<'a> {
    fn new(batch: &'a StructArray) -> Result<Columns<'a>, String> {
        let col = |name: &str| batch.column_by_name(name);
        if let Some(r) = col("response") {
            return Ok(Columns::Responses(Strs::new(r, "response")?));
        }
        let need = |name: &str| {
            col(name).ok_or_else(|| {
                let have: Vec<&str> = batch.column_names();
                format!(
                    "the batch has no `{name}` column (it has {}): expected model, timestamp or \
                     date, input_tokens, output_tokens (optional cached_tokens, \
                     cache_write_tokens, cache_write_1h_tokens, mode), or one `response` \
                     column of response JSON",
                    have.join(", ")
                )
            })
        };
        let optional = |name: &str| col(name).map(|c| counts(c, name)).transpose();
        let date = match col("timestamp")
            .map(|c| (c, "timestamp"))
            .or_else(|| col("date").map(|c| (c, "date")))
        {
            Some((c, name)) => Some(dates(c, name)?),
            None => None,
        };
        Ok(Columns::Usage {
            model: Strs::new(need("model")?, "model")?,
            date,
            input: counts(need("input_tokens")?, "input_tokens")?,
            output: counts(need("output_tokens")?, "output_tokens")?,
            cached: optional("cached_tokens")?,
            write_5m: optional("cache_write_tokens")?,
            write_1h: optional("cache_write_1h_tokens")?,
            mode: col("mode").map(|c| Strs::new(c, "mode")).transpose()?,
        })
    }

    /// Adds row `i` to `ledger`: `Ok` when it was priced, else why not.
    fn add_row(&self, ledger: &mut Ledger<'_>, i: usize) -> Result<(), String> {
        match self {
            Columns::Responses(lines) => {
                let Some(line) = lines.get(i) else {
                    return Err("no response (null)".into());
                };
                match ledger.add_line(line) {
                    LineOutcome::Priced => Ok(()),
                    LineOutcome::Failed => Err("a failed request: counted, not billed".into()),
                    LineOutcome::Streamed => Err(
                        "a stream event: the stream is billed at the row of its final usage".into(),
                    ),
                    LineOutcome::Blank => Err("blank".into()),
                    LineOutcome::Rejected(e) => Err(e.message),
                }
            }
            Columns::Usage {
                model,
                date,
                input,
                output,
                cached,
                write_5m,
                write_1h,
                mode,
            } => {
                let Some(model) = model.get(i) else {
                    let e = "no model (null)";
                    ledger.count_rejected(ratebook::ingest::RejectKind::NoModel);
                    return Err(e.into());
                };
                let at = |c: &Option<Vec<i128>>| c.as_ref().map_or(0, |v| v[i]);
                let read = || -> Result<(Usage, Mode, Option<Date>), String> {
                    let mut usage = Usage::text(
                        count(input[i], "input_tokens")?,
                        count(output[i], "output_tokens")?,
                    );
                    usage.cached = count(at(cached), "cached_tokens")?;
                    usage.cache_write_5m = count(at(write_5m), "cache_write_tokens")?;
                    usage.cache_write_1h = count(at(write_1h), "cache_write_1h_tokens")?;
                    let mode = match mode.as_ref().and_then(|m| m.get(i)) {
                        Some(m) => m.parse::<Mode>().map_err(|e| e.message)?,
                        None => Mode::Standard,
                    };
                    let day = match date {
                        Some(d) => d[i].clone()?,
                        None => None,
                    };
                    Ok((usage, mode, day))
                };
                let (usage, mode, day) = read().inspect_err(|_| {
                    ledger.count_rejected(ratebook::ingest::RejectKind::InvalidUsage);
                })?;
                let mut assumptions = Assumptions::NONE;
                if day.is_none() {
                    assumptions.insert(Assumption::NoTimestamp);
                }
                let record = Record {
                    // The columns follow the crate's own convention, which is OpenAI's (input
                    // includes cache reads and writes); the shape is not used in pricing.
                    shape: Shape::OpenAiChat,
                    model: Cow::Borrowed(model),
                    usage,
                    mode,
                    date: day,
                    reported_cost: None,
                    assumptions,
                };
                ledger.add_record(&record).map_err(|e| e.message)
            }
        }
    }
}

/// Each row's exact cost (as decimal128 units of 10⁻¹⁸) or why it has none.
pub struct Priced {
    costs: Vec<Option<i128>>,
    errors: Vec<Option<String>>,
}

/// `d` in units of 10⁻¹⁸, if it fits decimal128(38, 18) exactly.
fn scaled(d: Decimal) -> Option<i128> {
    let d = if d.scale() > SCALE { d.normalize() } else { d };
    let up = SCALE.checked_sub(d.scale())?;
    let v = d.mantissa().checked_mul(10i128.checked_pow(up)?)?;
    (v.unsigned_abs() < 10u128.pow(38)).then_some(v)
}

/// Prices every row of `batch` on its own (a ledger for the batch, keeping each record's
/// cost): the cost column of [`export_batch`].
pub fn price_rows(book: &RateBook, date: Date, batch: &StructArray) -> Result<Priced, String> {
    let columns = Columns::new(batch)?;
    let mut ledger = Ledger::new(book, date).record_costs();
    let n = batch.len();
    let mut out = Priced {
        costs: Vec::with_capacity(n),
        errors: Vec::with_capacity(n),
    };
    for i in 0..n {
        let cost = columns.add_row(&mut ledger, i).and_then(|()| {
            let total = ledger
                .take_record_costs()
                .pop()
                .map(|r| r.total)
                .ok_or_else(|| "priced, but its cost was not kept".to_string())?;
            scaled(total)
                .ok_or_else(|| format!("cost {total} does not fit decimal128(38, 18) exactly"))
        });
        match cost {
            Ok(v) => {
                out.costs.push(Some(v));
                out.errors.push(None);
            }
            Err(e) => {
                out.costs.push(None);
                out.errors.push(Some(e));
            }
        }
    }
    Ok(out)
}

/// Adds every row of `batch` to `ledger` (a log's totals); the first `keep` rejected rows
/// are listed as (row number, counting from 1 across batches, reason).
pub fn add_rows(
    ledger: &mut Ledger<'_>,
    batch: &StructArray,
    rows: &mut u64,
    rejections: &mut Vec<(u64, String)>,
    keep: usize,
) -> Result<(), String> {
    let columns = Columns::new(batch)?;
    for i in 0..batch.len() {
        *rows = rows.saturating_add(1);
        if let Err(e) = columns.add_row(ledger, i) {
            if rejections.len() < keep && !e.starts_with("a stream event") {
                rejections.push((*rows, e));
            }
        }
    }
    Ok(())
}

/// A record batch ready to be taken through `__arrow_c_array__` (once).
#[pyclass(module = "ratebook", frozen)]
pub struct ArrowBatch {
    parts: Mutex<Option<(FFI_ArrowArray, FFI_ArrowSchema)>>,
}

#[pymethods]
impl ArrowBatch {
    /// The Arrow PyCapsule interface: (schema capsule, array capsule).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let (array, schema) = self
            .parts
            .lock()
            .map_err(|_| RatebookError::new_err("the batch's lock is poisoned"))?
            .take()
            .ok_or_else(|| RatebookError::new_err("this Arrow batch was already taken"))?;
        let name = |s: &str| CString::new(s).map_err(|e| RatebookError::new_err(e.to_string()));
        Ok((
            PyCapsule::new(py, schema, Some(name("arrow_schema")?))?,
            PyCapsule::new(py, array, Some(name("arrow_array")?))?,
        ))
    }
}

/// The priced rows as a `pyarrow.RecordBatch` of `cost` and `error`.
pub fn export_batch(py: Python<'_>, out: Priced) -> PyResult<Bound<'_, PyAny>> {
    let arrow_err = |e: arrow_schema::ArrowError| RatebookError::new_err(e.to_string());
    let cost = Decimal128Array::from(out.costs)
        .with_precision_and_scale(38, SCALE as i8)
        .map_err(arrow_err)?;
    let error = StringArray::from(out.errors);
    let batch = StructArray::from(vec![
        (
            Arc::new(Field::new(
                "cost",
                DataType::Decimal128(38, SCALE as i8),
                true,
            )),
            Arc::new(cost) as ArrayRef,
        ),
        (
            Arc::new(Field::new("error", DataType::Utf8, true)),
            Arc::new(error) as ArrayRef,
        ),
    ]);
    let (array, schema) = to_ffi(&batch.to_data()).map_err(arrow_err)?;
    let holder = Bound::new(
        py,
        ArrowBatch {
            parts: Mutex::new(Some((array, schema))),
        },
    )?;
    py.import("pyarrow")?
        .call_method1("record_batch", (holder,))
}
