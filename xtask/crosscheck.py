"""Dumps the first-party Anthropic, OpenAI and Google (Gemini API) prices of two open price
databases, genai-prices and LiteLLM, as JSON on stdout, for `cargo xtask crosscheck`.

Usage: python crosscheck.py YYYY-MM-DD

The date picks genai-prices' price in force that day (its prices can be a list of dated
entries). Rates are USD per 1M tokens as exact decimal strings; where a rate has long-context
tiers, the base (below the first tier) rate is given. Only the plain rates are dumped:
input, output, cache_read, cache_write_5m and cache_write_1h.

Output:
  {"versions": {"genai-prices": "0.2.3", "litellm": "1.110.2"},
   "models": [{"source": "genai-prices", "provider": "openai", "id": "gpt-4o",
               "also": ["gpt-4o-2024-08-06", ...], "rates": {"input": "2.5", ...},
               "deprecated": false, "mode": null}, ...]}

`also` lists the literal ids in genai-prices' match rules (`equals` and `starts_with`
values), tried when `id` itself is unknown to the rate book.
"""

import datetime
import decimal
import importlib.metadata
import importlib.util
import json
import os
import sys

# genai-prices price keys -> ratebook pricing-file keys.
GENAI_KEYS = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cache_read",
    "cache_write_mtok": "cache_write_5m",
    "cache_write_1h_mtok": "cache_write_1h",
}

# LiteLLM per-token keys -> ratebook pricing-file keys.
LITELLM_KEYS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cache_read",
    "cache_creation_input_token_cost": "cache_write_5m",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
}

# LiteLLM's provider names for the first-party APIs -> ratebook provider ids.
LITELLM_PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "gemini": "google"}

# genai-prices' `google` provider also lists other makers' models hosted on Vertex AI.
NOT_GOOGLE_MADE = ("claude",)


def match_literals(clause, types):
    """The literal ids in a genai-prices match rule: `equals` and `starts_with` values
    reachable through `or` (an `and` narrows a match, so its literals are not ids)."""
    if isinstance(clause, types.ClauseEquals):
        return [clause.equals]
    if isinstance(clause, types.ClauseStartsWith):
        return [clause.starts_with]
    if isinstance(clause, types.ClauseOr):
        return [lit for inner in clause.or_ for lit in match_literals(inner, types)]
    return []


def plain(value):
    """An exact decimal as a plain string: no exponent, no trailing zeros."""
    return format(value.normalize(), "f")


def genai_prices(today):
    from genai_prices import data, types

    out = []
    for provider in data.providers:
        if provider.id not in ("anthropic", "openai", "google"):
            continue
        for model in provider.models:
            if provider.id == "google" and model.id.startswith(NOT_GOOGLE_MADE):
                continue
            price = current_price(model.prices, today, types)
            rates = {}
            if price is not None:
                for key, ours in GENAI_KEYS.items():
                    value = getattr(price, key, None)
                    if isinstance(value, types.TieredPrices):
                        value = value.base
                    if value is not None:
                        rates[ours] = plain(decimal.Decimal(value))
            out.append(
                {
                    "source": "genai-prices",
                    "provider": provider.id,
                    "id": model.id,
                    "also": [
                        lit
                        for lit in match_literals(model.match, types)
                        if lit != model.id
                    ],
                    "rates": rates,
                    "deprecated": bool(model.deprecated),
                    "mode": None,
                }
            )
    return out


def current_price(prices, today, types):
    """The ModelPrice in force on `today`: the last conditional price whose start date has
    passed (time-of-day prices, such as off-peak discounts, are not the base price)."""
    if not isinstance(prices, list):
        return prices
    chosen = None
    for conditional in prices:
        constraint = conditional.constraint
        if constraint is None:
            chosen = conditional.prices
        elif isinstance(constraint, types.StartDateConstraint):
            if constraint.start_date <= today:
                chosen = conditional.prices
    return chosen


def litellm(today):
    # Locate the bundled price file without importing litellm: importing it fetches the
    # newest price map from the network, and this report must show the pinned release.
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("litellm is not installed")
    path = os.path.join(
        list(spec.submodule_search_locations)[0],
        "model_prices_and_context_window_backup.json",
    )
    with open(path, encoding="utf-8") as f:
        entries = json.load(f, parse_float=decimal.Decimal)
    million = decimal.Decimal(1_000_000)
    out = []
    for model_id, entry in entries.items():
        if not isinstance(entry, dict):
            continue
        provider = LITELLM_PROVIDERS.get(entry.get("litellm_provider"))
        if provider is None:
            continue
        rates = {}
        for key, ours in LITELLM_KEYS.items():
            value = entry.get(key)
            if isinstance(value, (decimal.Decimal, int)):
                rates[ours] = plain(decimal.Decimal(value) * million)
        retired = str(entry.get("deprecation_date") or "")
        out.append(
            {
                "source": "litellm",
                "provider": provider,
                "id": model_id,
                "also": [],
                "rates": rates,
                "deprecated": bool(retired) and retired <= today.isoformat(),
                "mode": entry.get("mode"),
            }
        )
    return out


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: crosscheck.py YYYY-MM-DD")
    today = datetime.date.fromisoformat(sys.argv[1])
    result = {
        "versions": {
            "genai-prices": importlib.metadata.version("genai-prices"),
            "litellm": importlib.metadata.version("litellm"),
        },
        "models": genai_prices(today) + litellm(today),
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
