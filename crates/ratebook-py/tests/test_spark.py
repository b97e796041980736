"""ratebook inside Spark (local[2]): a generated Parquet file priced by `ratebook.spark` gives
the same total, to the last digit, as `ratebook cost` on the same requests' responses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from ratebook import spark as rbs
import usage_log
from conftest import cli_cost

DAY = "2026-11-26"
ROWS = 20_000


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    d = tmp_path_factory.mktemp("spark")
    rs = usage_log.requests(ROWS)
    usage_log.write_parquet(rs, d / "usage.parquet", row_group_size=5_000)
    usage_log.write_jsonl(rs, d / "responses.jsonl")
    return d, cli_cost(d / "responses.jsonl", DAY)


def test_spark_total_equals_the_command(spark, log):
    d, want = log
    assert want["records"] + want["rejected"] == ROWS and want["rejected"] > 0
    df = spark.read.parquet(str(d / "usage.parquet")).repartition(4)
    got = rbs.cost(df, date=DAY)
    assert isinstance(got.total, Decimal)
    assert got.total == want["total"]
    assert str(got.total.normalize()) == str(want["total"].normalize())
    assert (got.records, got.rejected, got.partitions) == (want["records"], want["rejected"], 4)
    assert {m.model: m.total for m in got.by_model} == {
        k: Decimal(v["total_usd"]) for k, v in want["by_model"].items()
    }
    assert {m.model: m.records for m in got.by_model} == {
        k: v["records"] for k, v in want["by_model"].items()
    }


def test_spark_cost_column_sums_to_the_command(spark, log):
    d, want = log
    df = spark.read.parquet(str(d / "usage.parquet")).repartition(3)
    priced = rbs.with_cost(df, date=DAY)
    assert dict(priced.dtypes)["cost"] == "decimal(38,18)"
    row = priced.agg(
        F.sum("cost").alias("total"),
        F.count("cost").alias("priced"),
        F.count("cost_error").alias("errors"),
    ).first()
    assert row["total"] == want["total"]
    assert (row["priced"], row["errors"]) == (want["records"], want["rejected"])
    unknown = priced.where(F.col("cost").isNull()).select("model", "cost_error").distinct().collect()
    assert [r["model"] for r in unknown] == [usage_log.UNKNOWN]
    assert unknown[0]["cost_error"].startswith("unknown model")


def test_spark_prices_raw_responses(spark, log):
    d, want = log
    df = spark.read.text(str(d / "responses.jsonl")).withColumnRenamed("value", "response")
    got = rbs.cost(df.repartition(2), date=DAY)
    assert got.total == want["total"]
    assert (got.records, got.rejected) == (want["records"], want["rejected"])
    summed = rbs.with_cost(df, date=DAY).agg(F.sum("cost")).first()[0]
    assert summed == want["total"]
