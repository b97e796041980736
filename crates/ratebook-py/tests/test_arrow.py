"""The Arrow entry point: columns in, an exact cost column out, priced as `ratebook cost`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

import ratebook
import usage_log
from conftest import cli_cost

DAY = "2026-11-26"
NOV = 1763600400  # 2025-11-20T01:00:00Z


def test_cost_column(book):
    batch = pa.record_batch(
        {
            "model": ["gpt-4o", "gpt-4o-mini", "gpt-9-turbo", "gpt-4o-mini", None],
            "timestamp": pa.array([NOV * 1_000_000] * 5, pa.timestamp("us", tz="UTC")),
            "input_tokens": pa.array([1000, 2000, 5, 1000, 1], pa.int32()),
            "output_tokens": pa.array([100, 200, 1, 100, 1], pa.uint64()),
            "cached_tokens": [0, 1024, 0, 0, 0],
            "mode": ["standard", None, "standard", "batch", "standard"],
        }
    )
    out = book.price_batch(batch)
    assert isinstance(out, pa.RecordBatch)
    assert out.schema == pa.schema([("cost", pa.decimal128(38, 18)), ("error", pa.string())])
    costs = out.column("cost").to_pylist()
    errors = out.column("error").to_pylist()
    # pricing/openai.toml: gpt-4o $2.50/M in, $10/M out: 0.0025 + 0.001.
    assert costs[0] == Decimal("0.0035")
    # gpt-4o-mini $0.15 / cache read $0.075 / $0.60 per M: 976, 1,024 and 200 tokens.
    assert costs[1] == Decimal("0.0003432")
    # Batch halves gpt-4o-mini: (1,000 × 0.15 + 100 × 0.60) / 2 per M.
    assert costs[3] == Decimal("0.000105")
    assert costs[2] is None and errors[2].startswith("unknown model `gpt-9-turbo`")
    assert costs[4] is None and errors[4] == "no model (null)"
    assert errors[0] is None and errors[1] is None


@pytest.mark.parametrize(
    "column",
    [
        pa.array([datetime.date(2025, 11, 20)], pa.date32()),
        pa.array(["2025-11-20T01:00:00Z"]),
        pa.array([NOV], pa.int64()),
        pa.array([NOV * 1000], pa.timestamp("ms")),
    ],
)
def test_date_columns(book, column):
    # gpt-4o-mini at its 2024-07-18 price, whatever form the date takes.
    batch = pa.record_batch(
        {"model": ["gpt-4o-mini"], "date": column, "input_tokens": [1000], "output_tokens": [100]}
    )
    assert book.price_batch(batch).column("cost").to_pylist() == [Decimal("0.00021")]


def test_date_before_any_price(book):
    batch = pa.record_batch(
        {"model": ["gpt-4o-mini"], "date": ["2020-01-01"], "input_tokens": [1], "output_tokens": [1]}
    )
    out = book.price_batch(batch)
    assert out.column("cost").to_pylist() == [None]
    assert "2020-01-01" in out.column("error").to_pylist()[0]


def test_rows_without_a_date_take_the_run_date(book):
    batch = pa.record_batch(
        {"model": ["gpt-4o-mini"], "input_tokens": [1000], "output_tokens": [100]}
    )
    assert book.price_batch(batch, date=DAY).column("cost").to_pylist() == [Decimal("0.00021")]
    s = book.cost_batches([batch], date=DAY)
    assert (s.total, s.records) == (Decimal("0.00021"), 1)


def test_response_column(book, root):
    lines = (root / "tests/data/usage/openai_chat.jsonl").read_text().splitlines()
    batch = pa.record_batch({"response": lines + ["{"]})
    out = book.price_batch(batch, date=DAY)
    # As in test_estimate.test_cost_of_lines.
    assert out.column("cost").to_pylist() == [
        Decimal("0.00472"), Decimal("0.0088"), Decimal("0.0125"), None,
    ]
    assert out.column("error").to_pylist()[3] is not None
    s = book.cost_batches([batch], date=DAY)
    assert (s.total, s.records, s.rejected) == (Decimal("0.02602"), 3, 1)


def test_bad_batches(book):
    with pytest.raises(ratebook.RatebookError, match="no `input_tokens` column"):
        book.price_batch(pa.record_batch({"model": ["gpt-4o"], "output_tokens": [1]}))
    with pytest.raises(ratebook.RatebookError, match="expected integer token counts"):
        book.price_batch(
            pa.record_batch({"model": ["gpt-4o"], "input_tokens": [1.5], "output_tokens": [1]})
        )
    with pytest.raises(ratebook.RatebookError, match="__arrow_c_array__"):
        book.price_batch([1, 2, 3])
    negative = pa.record_batch({"model": ["gpt-4o"], "input_tokens": [-1], "output_tokens": [1]})
    assert "not a token count" in book.price_batch(negative, date=DAY).column("error")[0].as_py()


def test_batches_match_the_command(book, tmp_path):
    rs = usage_log.requests(3000, seed=7)
    usage_log.write_jsonl(rs, tmp_path / "log.jsonl")
    want = cli_cost(tmp_path / "log.jsonl", DAY)
    batches = usage_log.table(rs).to_batches(max_chunksize=700)
    got = book.cost_batches(batches, date=DAY)
    assert got.total == want["total"]
    assert (got.records, got.rejected) == (want["records"], want["rejected"])
    assert {m.model: m.total for m in got.by_model} == {
        k: Decimal(v["total_usd"]) for k, v in want["by_model"].items()
    }
    # Row by row, the cost column adds up to the same total.
    column_sum = sum(
        (c for b in batches for c in book.price_batch(b, DAY).column("cost").to_pylist() if c),
        Decimal(0),
    )
    assert column_sum == want["total"]
