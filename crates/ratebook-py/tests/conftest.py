"""Shared fixtures: the repository, the `ratebook` command to compare totals with, and a local
Spark session."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from decimal import Decimal

import pytest

import ratebook

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(pathlib.Path(__file__).parent))


def cli(*args: str) -> str:
    """Runs the `ratebook` command (`RATEBOOK_CLI`, set by `cargo xtask test`, or cargo run)."""
    exe = os.environ.get("RATEBOOK_CLI")
    cmd = [exe] if exe else ["cargo", "run", "-q", "-p", "ratebook-cli", "--"]
    done = subprocess.run(
        cmd + list(args), check=True, capture_output=True, text=True, cwd=ROOT
    )
    return done.stdout


def cli_cost(path, date: str) -> dict:
    """`ratebook cost PATH --json --date DATE`, with `total_usd` as a Decimal."""
    out = json.loads(cli("cost", str(path), "--json", "--date", date))
    out["total"] = Decimal(out["total_usd"])
    return out


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def book() -> ratebook.Book:
    return ratebook.bundled()


@pytest.fixture(scope="session")
def spark():
    # Executors run this interpreter, which has the wheel installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    # Everything on the loopback interface.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("ratebook-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
