"""Estimates, logs and books from Python, checked against rates read off pricing/*.toml."""

from __future__ import annotations

import datetime
import pickle
import re
from decimal import Decimal

import pytest

import ratebook
from conftest import cli_cost

DAY = "2026-11-26"


def test_readme_example_runs(root, monkeypatch):
    """The README's Python section runs as written, from the repository's root."""
    text = (root / "README.md").read_text()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    monkeypatch.chdir(root)
    scope: dict = {}
    for code in blocks:
        exec(compile(code, "README.md", "exec"), scope)
    assert scope["est"].total == Decimal("0.0677")
    # tests/data/usage/openai_chat.jsonl, as in test_cost_of_lines.
    assert (scope["s"].total, scope["s"].records, scope["s"].rejected) == (Decimal("0.02602"), 3, 0)
    # gpt-4o-mini: 1,000 × $0.15/M + 100 × $0.60/M (pricing/openai.toml).
    assert scope["book"].price_batch(scope["batch"]).column("cost").to_pylist() == [
        Decimal("0.00021")
    ]


def test_image_model_line_items(book):
    # pricing/google.toml, gemini-3.1-flash-image: input $0.50/M, image output $60/M, 1,120
    # tokens per 1K image: 1,000 × 0.50/M + 1,120 × 60/M = 0.0005 + 0.0672 = $0.0677.
    est = book.estimate(
        "gemini-3.1-flash-image", input_tokens=1000, output_images=["1@1K"], date=DAY,
        mode="standard",
    )
    assert est.total == Decimal("0.0677")
    assert str(est.total) == "0.0677"
    assert est.model == "gemini-3.1-flash-image"
    assert est.provider == "google"
    assert est.date == datetime.date(2026, 11, 26)
    assert est.mode == "standard"
    items = [(li.meter, li.quantity, li.rate, li.amount) for li in est.line_items]
    assert items == [
        ("input_text", 1000, Decimal("0.50"), Decimal("0.0005")),
        ("output_image", 1120, Decimal("60.00"), Decimal("0.0672")),
    ]
    assert all(isinstance(li.amount, Decimal) for li in est.line_items)
    assert sum(li.amount for li in est.line_items) == est.total
    assert est.line_items[1].sentence == (
        "image output: 1 image at 1K: 1 × 1,120 tokens = 1,120 tokens × $60.00/M = $0.0672"
    )
    assert "standard rate" in est.line_items[0].rule


def test_batch_halves(book):
    # pricing/google.toml: batch = { multiplier = "0.5" } on gemini-3.1-flash-image.
    est = book.estimate(
        "gemini-3.1-flash-image", input_tokens=1000, output_images=["1@1K"], date=DAY,
        mode="batch",
    )
    assert est.total == Decimal("0.03385")


def test_cached_tokens(book):
    # pricing/openai.toml, gpt-4o-mini: input $0.15/M, cache_read $0.075/M, output $0.60/M.
    # 976 × 0.15 + 1,024 × 0.075 + 200 × 0.60 (per M) = 0.0001464 + 0.0000768 + 0.00012.
    est = book.estimate("gpt-4o-mini", 2000, 200, cached_tokens=1024, date=datetime.date(2026, 1, 5))
    assert est.total == Decimal("0.0003432")
    assert [li.meter for li in est.line_items] == ["input_text", "cache_read", "output_text"]


def test_cache_writes(book):
    # pricing/anthropic.toml, claude-sonnet-4-5: input $3, cache_read $0.30, cache_write_5m
    # $3.75, output $15 (per M): 7,000 × 3 + 2,000 × 0.30 + 1,000 × 3.75 + 1,000 × 15
    # = 0.021 + 0.0006 + 0.00375 + 0.015 = $0.04035.
    est = book.estimate(
        "claude-sonnet-4-5", 10_000, 1_000, cached_tokens=2_000, cache_write_tokens=1_000,
        date="2025-12-01",
    )
    assert est.total == Decimal("0.04035")


def test_errors_are_ratebook_errors(book):
    with pytest.raises(ratebook.RatebookError, match=r"unknown model `gpt-9-turbo`") as e:
        book.estimate("gpt-9-turbo", 1, 1, date=DAY)
    assert isinstance(e.value, ValueError)
    with pytest.raises(ratebook.RatebookError, match="unknown mode `cheap`"):
        book.estimate("gpt-4o", 1, 1, date=DAY, mode="cheap")
    with pytest.raises(ratebook.RatebookError, match="does not offer flex mode"):
        book.estimate("gpt-4o-mini", 1, 1, date=DAY, mode="flex")
    with pytest.raises(ratebook.RatebookError):
        book.estimate("gpt-4o", 1, 1, date="2026-13-01")
    with pytest.raises(ratebook.RatebookError, match="not a whole number"):
        book.estimate("gemini-3.1-flash-image", 1, output_images=["x@1K"], date=DAY)
    with pytest.raises(ratebook.RatebookError, match=r"cached tokens \(11\) plus cache writes \(0\) exceed the input tokens \(10\)"):
        book.estimate("gpt-4o", 10, 1, cached_tokens=11, date=DAY)


def test_load_directory_matches_bundled(root, book):
    loaded = ratebook.load(root / "pricing")
    for model, usage in [("gpt-4o-mini", (2000, 200)), ("claude-sonnet-4-5", (10_000, 1_000))]:
        a = loaded.estimate(model, *usage, date=DAY).total
        assert a == book.estimate(model, *usage, date=DAY).total
    assert sorted(loaded.models()) == sorted(book.models())


def test_load_errors_are_located(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text(
        '[provider]\nid = "acme"\nname = "Acme"\n\n[models."m"]\nname = "M"\n\n'
        '[[models."m".prices]]\neffective = "2026-01-01"\nsource = "https://example.com"\n'
        'checked = "2026-01-02"\ninput = 0.5\noutput = "1.00"\n'
    )
    with pytest.raises(ratebook.RatebookError) as e:
        ratebook.load(tmp_path)
    assert re.search(r"broken\.toml:12:9: bare float 0\.5 is not exact", str(e.value))
    with pytest.raises(ratebook.RatebookError, match="cannot read .*nothing-here"):
        ratebook.load(tmp_path / "nothing-here")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ratebook.RatebookError, match=r"has no \*\.toml pricing files"):
        ratebook.load(empty)


def test_discount_and_overlay_survive_pickling(book):
    # gpt-4o-mini as in test_cached_tokens ($0.0003432), 20% off: $0.00027456.
    off = book.discount("openai:20%")
    est = off.estimate("gpt-4o-mini", 2000, 200, cached_tokens=1024, date=DAY)
    assert est.total == Decimal("0.00027456")
    again = pickle.loads(pickle.dumps(off))
    assert again.estimate("gpt-4o-mini", 2000, 200, cached_tokens=1024, date=DAY).total == est.total
    assert book.estimate("gpt-4o-mini", 2000, 200, cached_tokens=1024, date=DAY).total == Decimal(
        "0.0003432"
    )
    with pytest.raises(ratebook.RatebookError):
        book.discount("nobody:20%")


def test_overlay_file(root, book):
    text = (root / "tests/data/overlays/acme.toml").read_text()
    mine = book.with_overlay(text, name="acme.toml")
    assert "1 overlay" in repr(mine)
    assert pickle.loads(pickle.dumps(mine)).models() == mine.models()


def test_price_response(book):
    # pricing/openai.toml, gpt-4o-mini: 1,000 × $0.15/M + 100 × $0.60/M = $0.00021, priced at
    # the response's own date (created 1763800000 = 2025-11-22).
    response = (
        '{"object":"chat.completion","created":1763800000,"model":"gpt-4o-mini",'
        '"usage":{"prompt_tokens":1000,"completion_tokens":100}}'
    )
    est = book.price_response(response, date=DAY)
    assert est.total == Decimal("0.00021")
    assert est.date == datetime.date(2025, 11, 22)
    with pytest.raises(ratebook.RatebookError, match="key must be a string at line 1 column 2"):
        book.price_response("{not json", date=DAY)


def test_cost_matches_the_command(root, book):
    for name in ["openai_chat.jsonl", "mixed.jsonl", "bad_lines.jsonl", "anthropic.jsonl"]:
        path = root / "tests/data/usage" / name
        want = cli_cost(path, DAY)
        with open(path) as f:
            got = book.cost(f, date=DAY)
        assert got.total == want["total"], name
        assert (got.records, got.rejected, got.failed) == (
            want["records"], want["rejected"], want["failed"]
        ), name
        assert {m.model: m.total for m in got.by_model} == {
            k: Decimal(v["total_usd"]) for k, v in want["by_model"].items()
        }, name


def test_cost_of_lines(root, book):
    # tests/data/usage/openai_chat.jsonl, by pricing/openai.toml: gpt-5 at priority ($2.50/M
    # in, $20/M out): 1,000 + 500 tokens = $0.0125; o4-mini ($1.10/M, $4.40/M): 2,000 + 1,500
    # = $0.0088; gpt-4o-2024-08-06 ($2.50/M, cache read $1.25/M, $10/M): 176 + 1,024 cached +
    # 300 out = $0.00472.
    lines = (root / "tests/data/usage/openai_chat.jsonl").read_text().splitlines()
    s = book.cost(lines, date=DAY)
    assert s.total == Decimal("0.02602")
    assert s.records == 3 and s.rejected == 0
    assert [(m.model, m.total) for m in s.by_model] == [
        ("gpt-5", Decimal("0.0125")),
        ("o4-mini", Decimal("0.0088")),
        ("gpt-4o-2024-08-06", Decimal("0.00472")),
    ]
    as_bytes = book.cost((line.encode() for line in lines), date=DAY)
    assert as_bytes.total == s.total
    bad = book.cost(["{", lines[0], b"\xff"], date=DAY)
    assert (bad.records, bad.rejected) == (1, 2)
    assert [n for n, _ in bad.rejections] == [1, 3]
