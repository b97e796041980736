"""Times genai-prices on the first lines of the benchmark log, for `cargo xtask bench`.

Usage: python bench_genai_prices.py FILE LINES

Each line is parsed with `json.loads`, unwrapped if it is a batch output line (OpenAI Batch,
Gemini batch, Anthropic Message Batches), and priced with genai-prices' `extract_usage` and
`calc_price` for its provider and API flavour at the response's timestamp, the way a project
using genai-prices would price a log. Failed batch lines are counted and skipped. A line the
library cannot price (a model it does not know) is counted, not fatal.

Prints one JSON object: lines read, priced, failed, unpriced, seconds spent (the whole loop,
JSON parsing included) and the total in USD.
"""

import json
import sys
import time
from datetime import datetime, timezone

import genai_prices


def unwrap(v):
    """(provider_id, api_flavor, response, unix seconds or None), or None for a failed line."""
    if "custom_id" in v and "result" in v:  # Anthropic Message Batches
        r = v["result"]
        if r.get("type") != "succeeded":
            return None
        return ("anthropic", "default", r["message"], None)
    if "custom_id" in v and "response" in v:  # OpenAI Batch
        r = v.get("response")
        if not r or r.get("status_code") != 200 or v.get("error"):
            return None
        v = r["body"]
    if "key" in v and "response" in v:  # Gemini batch
        v = v["response"]
    if "usageMetadata" in v:
        return ("google", "default", v, None)
    if v.get("type") == "message":
        return ("anthropic", "default", v, None)
    if v.get("object") == "response":
        return ("openai", "responses", v, v.get("created_at"))
    if v.get("object") == "chat.completion":
        return ("openai", "chat", v, v.get("created"))
    raise ValueError("unknown line shape")


def main():
    path, limit = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        lines = [line for _, line in zip(range(limit), f)]
    priced = failed = unpriced = 0
    total = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for line in lines:
        u = unwrap(json.loads(line))
        if u is None:
            failed += 1
            continue
        provider, flavor, response, created = u
        when = datetime.fromtimestamp(created, tz=timezone.utc) if created else None
        try:
            extracted = genai_prices.extract_usage(response, provider_id=provider, api_flavor=flavor)
            model_ref = response.get("model") or response.get("modelVersion", "")
            price = genai_prices.calc_price(
                extracted.usage, model_ref, provider_id=provider, genai_request_timestamp=when
            )
            total += price.total_price
            priced += 1
        except LookupError:
            unpriced += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(
        json.dumps(
            {
                "version": genai_prices.__version__,
                "lines": len(lines),
                "priced": priced,
                "failed": failed,
                "unpriced": unpriced,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "total_usd": str(total),
            }
        )
    )


if __name__ == "__main__":
    main()
