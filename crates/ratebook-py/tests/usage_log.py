"""A deterministic usage log, written twice: as a Parquet file of usage columns (what a data
warehouse keeps) and as the JSON Lines of the providers' own responses (what `ratebook cost`
reads). Both describe the same requests, so both must price to the same total."""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass
from typing import List, Optional

# Models as the responses name them, with the modes they are served in here. The last one is
# not in the book: those rows are rejected on both sides.
OPENAI = [
    ("gpt-4o-2024-08-06", ["standard", "batch", "priority"]),
    ("gpt-4o-mini", ["standard", "batch", "priority"]),
    ("gpt-5", ["standard", "batch", "flex", "priority"]),
    ("o4-mini", ["standard", "flex", "batch"]),
]
GEMINI = ["gemini-2.5-flash", "gemini-2.5-pro"]
ANTHROPIC = ["claude-sonnet-4-5", "claude-haiku-4-5"]
UNKNOWN = "gpt-9-turbo"

START = datetime.datetime(2025, 11, 1, tzinfo=datetime.timezone.utc)
SPAN_SECONDS = 90 * 86400


@dataclass(frozen=True)
class Request:
    provider: str
    model: str
    created: int  # Unix seconds
    input_tokens: int  # every prompt token, cache reads and writes included
    output_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    mode: str


def requests(n: int, seed: int = 20261126) -> List[Request]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        created = int(START.timestamp()) + rng.randrange(SPAN_SECONDS)
        inp = rng.randrange(1, 60_000)
        outp = rng.randrange(0, 8_000)
        cached = rng.randrange(0, inp) if rng.random() < 0.4 else 0
        kind = rng.random()
        if kind < 0.01:
            out.append(Request("openai", UNKNOWN, created, inp, outp, cached, 0, "standard"))
        elif kind < 0.55:
            model, modes = rng.choice(OPENAI)
            out.append(
                Request("openai", model, created, inp, outp, cached, 0, rng.choice(modes))
            )
        elif kind < 0.8:
            # Under 200k prompt tokens: gemini-2.5-pro's long-context tier is not reached.
            out.append(
                Request("google", rng.choice(GEMINI), created, inp, outp, cached, 0, "standard")
            )
        else:
            writes = rng.randrange(0, inp - cached) if rng.random() < 0.3 else 0
            out.append(
                Request(
                    "anthropic", rng.choice(ANTHROPIC), created, inp, outp, cached, writes,
                    "standard",
                )
            )
    return out


def _iso(ts: int) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )


def response(r: Request, i: int) -> dict:
    """The provider's response (or batch output line) for `r`."""
    if r.provider == "openai":
        tier = {"standard": "default", "batch": "default"}.get(r.mode, r.mode)
        body = {
            "id": f"chatcmpl-{i}",
            "object": "chat.completion",
            "created": r.created,
            "model": r.model,
            "choices": [],
            "usage": {
                "prompt_tokens": r.input_tokens,
                "completion_tokens": r.output_tokens,
                "total_tokens": r.input_tokens + r.output_tokens,
                "prompt_tokens_details": {"cached_tokens": r.cached_tokens, "audio_tokens": 0},
            },
            "service_tier": tier,
        }
        if r.mode == "batch":
            return {
                "id": f"batch_req_{i}",
                "custom_id": f"request-{i}",
                "response": {"status_code": 200, "request_id": f"req_{i}", "body": body},
                "error": None,
            }
        return body
    if r.provider == "google":
        usage = {
            "promptTokenCount": r.input_tokens,
            "candidatesTokenCount": r.output_tokens,
            "totalTokenCount": r.input_tokens + r.output_tokens,
        }
        if r.cached_tokens:
            usage["cachedContentTokenCount"] = r.cached_tokens
        return {
            "candidates": [
                {
                    "content": {"parts": [{"text": "OK"}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": usage,
            "modelVersion": r.model,
            "createTime": _iso(r.created),
            "responseId": f"resp-{i}",
        }
    # Anthropic counts input without cache reads and writes.
    return {
        "id": f"msg_{i}",
        "type": "message",
        "role": "assistant",
        "model": r.model,
        "content": [],
        "created_at": _iso(r.created),
        "usage": {
            "input_tokens": r.input_tokens - r.cached_tokens - r.cache_write_tokens,
            "cache_creation_input_tokens": r.cache_write_tokens,
            "cache_read_input_tokens": r.cached_tokens,
            "output_tokens": r.output_tokens,
            "service_tier": "standard",
        },
    }


def write_jsonl(rs: List[Request], path) -> None:
    with open(path, "w") as f:
        for i, r in enumerate(rs):
            f.write(json.dumps(response(r, i)) + "\n")


def table(rs: List[Request]):
    import pyarrow as pa

    return pa.table(
        {
            "model": pa.array([r.model for r in rs], pa.string()),
            "timestamp": pa.array(
                [r.created * 1_000_000 for r in rs], pa.timestamp("us", tz="UTC")
            ),
            "input_tokens": pa.array([r.input_tokens for r in rs], pa.int64()),
            "output_tokens": pa.array([r.output_tokens for r in rs], pa.int64()),
            "cached_tokens": pa.array([r.cached_tokens for r in rs], pa.int64()),
            "cache_write_tokens": pa.array([r.cache_write_tokens for r in rs], pa.int64()),
            "mode": pa.array([r.mode for r in rs], pa.string()),
        }
    )


def write_parquet(rs: List[Request], path, row_group_size: Optional[int] = None) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table(rs), path, row_group_size=row_group_size)
