"""Dumps the first-party Anthropic, OpenAI and Google (Gemini API) prices of two open price
databases, genai-prices and LiteLLM, as JSON on stdout, for `cargo xtask crosscheck`.

Usage: python crosscheck.py YYYY-MM-DD [KNOWN.toml]

The date picks genai-prices' price in force that day (its prices can be a list of dated
entries). Rates are USD per 1M tokens as exact decimal strings; where a rate has long-context
tiers, the base (below the first tier) rate is given. Only the plain rates are dumped:
input, output, cache_read, cache_write_5m and cache_write_1h.

Output:
  {"versions": {"genai-prices": "0.2.3", "litellm": "1.110.2"},
   "models": [{"source": "genai-prices", "provider": "openai", "id": "gpt-4o",
               "also": ["gpt-4o-2024-08-06", ...], "prefixes": [],
               "rates": {"input": "2.5", ...}, "deprecated": false, "mode": null,
               "image": null}, ...],
   "known": [{"provider": "openai", "ids": ["ft:*"], "reason": "..."}, ...]}

`also` lists the literal ids in genai-prices' match rules (`equals`, `starts_with` and
`contains` values), tried when `id` itself is unknown to the rate book; `prefixes` repeats the
`starts_with` values, which the rate book matches against the start of its ids when no literal
resolves.

LiteLLM's per-image keys (`<quality>/<W>-x-<H>/<model>` and `<W>-x-<H>/<model>`) are not
models: they are dumped with `"image": {"model": ..., "size": "WxH", "quality": ... or null,
"price": "USD per image"}` and no token rates.

`known` is the list of ids the rate book deliberately does not price, read from the TOML file
given as the second argument (tables of `[[known]]` with `provider`, `ids` and `reason`),
passed through unchecked: the caller validates it.
"""

import datetime
import decimal
import importlib.metadata
import importlib.util
import json
import os
import re
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


# LiteLLM's per-image price keys: `<quality>/<W>-x-<H>/<model>` or `<W>-x-<H>/<model>`.
IMAGE_KEY = re.compile(r"^(?:(?P<quality>[a-z]+)/)?(?P<w>\d+)-x-(?P<h>\d+)/(?P<model>[^/]+)$")


def match_literals(clause, types, kinds=("equals", "starts_with", "contains")):
    """The literal ids in a genai-prices match rule: `equals`, `starts_with` and `contains`
    values (those of `kinds`) reachable through `or` (an `and` narrows a match, so its
    literals are not ids)."""
    if isinstance(clause, types.ClauseEquals):
        return [clause.equals] if "equals" in kinds else []
    if isinstance(clause, types.ClauseStartsWith):
        return [clause.starts_with] if "starts_with" in kinds else []
    if isinstance(clause, types.ClauseContains):
        return [clause.contains] if "contains" in kinds else []
    if isinstance(clause, types.ClauseOr):
        return [lit for inner in clause.or_ for lit in match_literals(inner, types, kinds)]
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
                    "prefixes": match_literals(model.match, types, ("starts_with",)),
                    "rates": rates,
                    "deprecated": bool(model.deprecated),
                    "mode": None,
                    "image": None,
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
        image = None
        per_image = IMAGE_KEY.match(model_id)
        if per_image:
            # A price per generated image under a size (and quality) key, not a model. LiteLLM
            # writes it as `input_cost_per_image` on these keys (`output_cost_per_image` on a
            # few others).
            price = entry.get("input_cost_per_image", entry.get("output_cost_per_image"))
            if isinstance(price, (decimal.Decimal, int)):
                image = {
                    "model": per_image["model"],
                    "size": f"{per_image['w']}x{per_image['h']}",
                    "quality": per_image["quality"],
                    "price": plain(decimal.Decimal(price)),
                }
        else:
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
                "prefixes": [],
                "rates": rates,
                "deprecated": bool(retired) and retired <= today.isoformat(),
                "mode": entry.get("mode"),
                "image": image,
            }
        )
    return out


def known(path):
    """The `[[known]]` tables of the rate book's list of ids it does not price."""
    if path is None:
        return []
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        raise SystemExit("crosscheck.py needs Python 3.11 or later (tomllib) to read " + path)
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    extra = sorted(set(doc) - {"known"})
    if extra:
        raise SystemExit(f"{path}: unknown top-level key(s) {', '.join(extra)}; expected [[known]]")
    return doc.get("known", [])


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: crosscheck.py YYYY-MM-DD [KNOWN.toml]")
    today = datetime.date.fromisoformat(sys.argv[1])
    result = {
        "versions": {
            "genai-prices": importlib.metadata.version("genai-prices"),
            "litellm": importlib.metadata.version("litellm"),
        },
        "models": genai_prices(today) + litellm(today),
        "known": known(sys.argv[2] if len(sys.argv) == 3 else None),
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
