"""ratebook inside Apache Spark: every executor core prices its partitions with the same exact
engine, through the Arrow entry point (``Book.price_batch`` / ``Book.cost_batches``) and
``DataFrame.mapInArrow`` — no Python per row, no float.

A DataFrame of usage has the columns ``model``, ``timestamp`` (or ``date``), ``input_tokens``,
``output_tokens`` and optionally ``cached_tokens``, ``cache_write_tokens``,
``cache_write_1h_tokens``, ``mode`` (``input_tokens`` counts every prompt token, cache reads
and writes included). A DataFrame of raw provider responses has one string column
``response`` (``spark.read.text(path).withColumnRenamed("value", "response")``).

>>> from ratebook import spark as rbs
>>> priced = rbs.with_cost(df)            # df + cost decimal(38,18) + cost_error
>>> summary = rbs.cost(df)                # exact total, records, rejected, by model
>>> summary.total
Decimal('1234.5678')

The book travels to the executors pickled (the bundled book by name, a loaded book with its
files and overlays), and is rebuilt once per Python worker.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple, Union

from ._ratebook import Book, bundled

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow
    from pyspark.sql import DataFrame

__all__ = ["COST_TYPE", "USAGE_COLUMNS", "ModelTotal", "SparkCost", "cost", "with_cost"]

#: The cost column's Spark type: exact, and summed exactly by Spark.
COST_TYPE = "decimal(38,18)"

#: The columns the usage path reads (those present are sent to Python; others stay in the JVM).
USAGE_COLUMNS = (
    "model",
    "timestamp",
    "date",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "mode",
)

_SUMMARY_SCHEMA = "model string, provider string, total string, records long, rejected long"


def _run_date(date: Union[str, datetime.date, None]) -> str:
    """The date for rows without a timestamp, fixed on the driver so every executor agrees."""
    if date is None:
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    if isinstance(date, str):
        return date
    return date.isoformat()[:10]


def _priced_columns(df: "DataFrame") -> List[str]:
    if "response" in df.columns:
        return ["response"]
    return [c for c in USAGE_COLUMNS if c in df.columns]


def with_cost(
    df: "DataFrame",
    book: Optional[Book] = None,
    date: Union[str, datetime.date, None] = None,
    cost_col: str = "cost",
    error_col: str = "cost_error",
) -> "DataFrame":
    """``df`` with two more columns: ``cost`` (decimal(38,18), exact, null when the row is not
    priced) and ``cost_error`` (why not). Each row is priced as ``ratebook cost`` prices a
    response; ``F.sum("cost")`` is then exact in Spark."""
    from pyspark.sql.types import DecimalType, StringType, StructField, StructType

    book = book if book is not None else bundled()
    run_date = _run_date(date)
    schema = StructType(
        list(df.schema.fields)
        + [
            StructField(cost_col, DecimalType(38, 18), True),
            StructField(error_col, StringType(), True),
        ]
    )
    names = [f.name for f in schema.fields]

    def price(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        import pyarrow as pa

        for batch in batches:
            out = book.price_batch(batch, run_date)
            yield pa.RecordBatch.from_arrays(
                list(batch.columns) + [out.column(0), out.column(1)], names=names
            )

    return df.mapInArrow(price, schema)


@dataclass(frozen=True)
class ModelTotal:
    """One model's share of a DataFrame's cost."""

    model: str
    provider: str
    records: int
    total: Decimal


@dataclass(frozen=True)
class SparkCost:
    """A DataFrame priced: the exact total, as ``ratebook cost`` would report it."""

    total: Decimal
    records: int
    rejected: int
    by_model: List[ModelTotal] = field(default_factory=list)
    #: Partitions priced (each by one ledger on one executor core).
    partitions: int = 0


def cost(
    df: "DataFrame",
    book: Optional[Book] = None,
    date: Union[str, datetime.date, None] = None,
) -> SparkCost:
    """Prices every row of ``df`` (usage columns or a ``response`` column) into one total.

    Each partition is priced by one ledger (``Book.cost_batches``: the sums ``ratebook cost``
    keeps), which sends back a row per model; the driver adds the partitions' exact decimal
    totals. Only the priced columns leave the JVM."""
    import pyarrow as pa

    book = book if book is not None else bundled()
    run_date = _run_date(date)
    schema = pa.schema(
        [
            ("model", pa.string()),
            ("provider", pa.string()),
            ("total", pa.string()),
            ("records", pa.int64()),
            ("rejected", pa.int64()),
        ]
    )

    def summarize(
        batches: Iterator["pyarrow.RecordBatch"],
    ) -> Iterator["pyarrow.RecordBatch"]:
        c = book.cost_batches(batches, run_date)
        rows = [(m.model, m.provider, str(m.total), m.records, 0) for m in c.by_model]
        # The partition's own line: its total and what it rejected.
        rows.append((None, None, str(c.total), c.records, c.rejected))
        yield pa.RecordBatch.from_pylist(
            [dict(zip(schema.names, r)) for r in rows], schema=schema
        )

    rows = df.select(*_priced_columns(df)).mapInArrow(summarize, _SUMMARY_SCHEMA).collect()
    # Decimal sums are exact only within the context's precision: give them room.
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        total = Decimal(0)
        records = rejected = partitions = 0
        models: Dict[str, Tuple[str, int, Decimal]] = {}
        for r in rows:
            if r["model"] is None:
                partitions += 1
                total += Decimal(r["total"])
                records += r["records"]
                rejected += r["rejected"]
            else:
                provider, n, t = models.get(r["model"], (r["provider"], 0, Decimal(0)))
                models[r["model"]] = (provider, n + r["records"], t + Decimal(r["total"]))
    by_model = sorted(
        (ModelTotal(m, p, n, t) for m, (p, n, t) in models.items()),
        key=lambda m: (-m.total, m.model),
    )
    return SparkCost(total, records, rejected, by_model, partitions)
