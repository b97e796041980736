"""Throughput of the Python package: estimates per second, Arrow rows per second, and Spark
rows per second per core (local[1] and local[N]). Prints a Markdown table for docs/spark.md.

    python crates/ratebook-py/benches/throughput.py [--rows 2000000] [--cores 2]

Run it in an environment with the wheel, pyarrow and pyspark installed (the one
`cargo xtask test` makes is target/python-test-venv)."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import pyarrow as pa  # noqa: E402

import ratebook  # noqa: E402
import usage_log  # noqa: E402

DAY = "2026-11-26"


def timed(f):
    start = time.perf_counter()
    result = f()
    return result, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--estimates", type=int, default=200_000)
    args = ap.parse_args()
    book = ratebook.bundled()
    rows = []

    n = args.estimates

    def estimates(total: bool) -> None:
        for _ in range(n):
            est = book.estimate("gpt-4o-mini", 2000, 200, cached_tokens=1024, date=DAY)
            if total:
                est.total

    estimates(False)  # warm up
    _, t = timed(lambda: estimates(False))
    rows.append(("`book.estimate(...)` (3 line items)", n / t, "estimates/s"))
    _, t = timed(lambda: estimates(True))
    rows.append(("`book.estimate(...).total` (and its Decimal)", n / t, "estimates/s"))

    rs = usage_log.requests(args.rows)
    table = usage_log.table(rs)
    batches = table.to_batches(max_chunksize=65_536)
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        usage_log.write_jsonl(rs[:500_000], d / "log.jsonl")
        lines = (d / "log.jsonl").read_text().splitlines()
        c, t = timed(lambda: book.cost(lines, date=DAY))
        rows.append(("`book.cost(lines)` (JSON lines, one thread)", len(lines) / t, "lines/s"))

        c, t = timed(lambda: book.cost_batches(batches, date=DAY))
        rows.append(("`book.cost_batches` (Arrow usage columns → totals)", len(rs) / t, "rows/s"))
        _, t = timed(lambda: [book.price_batch(b, DAY) for b in batches])
        rows.append(("`book.price_batch` (Arrow → exact cost column)", len(rs) / t, "rows/s"))
        resp = pa.table({"response": lines}).to_batches(max_chunksize=65_536)
        _, t = timed(lambda: book.cost_batches(resp, date=DAY))
        rows.append(("`book.cost_batches` (Arrow column of response JSON)", len(lines) / t, "rows/s"))

        usage_log.write_parquet(rs, d / "usage.parquet", row_group_size=250_000)
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F

        from ratebook import spark as rbs

        for cores in sorted({1, args.cores}):
            spark = (
                SparkSession.builder.master(f"local[{cores}]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.memory", "2g")
                .getOrCreate()
            )
            spark.sparkContext.setLogLevel("ERROR")
            df = spark.read.parquet(str(d / "usage.parquet")).repartition(4 * cores).cache()
            df.count()
            rbs.cost(df, date=DAY)  # warm the Python workers
            s, t = timed(lambda: rbs.cost(df, date=DAY))
            assert s.total == c.total, (s.total, c.total)
            rows.append(
                (f"Spark `ratebook.spark.cost` local[{cores}], per core", len(rs) / t / cores, "rows/s")
            )
            total, t = timed(
                lambda: rbs.with_cost(df, date=DAY).agg(F.sum("cost")).first()[0]
            )
            assert total == c.total, (total, c.total)
            rows.append(
                (
                    f"Spark `with_cost` + `sum(cost)` local[{cores}], per core",
                    len(rs) / t / cores,
                    "rows/s",
                )
            )
            spark.stop()

    print(f"\n{len(rs):,} generated requests; total {c.total} USD\n")
    print("| what | throughput |\n|---|---:|")
    for what, rate, unit in rows:
        print(f"| {what} | {rate:,.0f} {unit} |")


if __name__ == "__main__":
    main()
