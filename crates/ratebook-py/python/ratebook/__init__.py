"""ratebook: exact, explained cost estimates for LLM APIs.

Every price comes from ratebook's Rust core (the rules of the ``ratebook`` command), and every
amount is a :class:`decimal.Decimal` built from the core's exact decimal text.

>>> import ratebook
>>> book = ratebook.bundled()
>>> book.estimate("gemini-3.1-flash-image", input_tokens=1000, output_images=["1@1K"],
...               date="2026-11-26").total
Decimal('0.0677')
"""

from ._ratebook import (
    Book,
    Cost,
    Estimate,
    LineItem,
    ModelCost,
    RatebookError,
    __version__,
    bundled,
    load,
)

__all__ = [
    "Book",
    "Cost",
    "Estimate",
    "LineItem",
    "ModelCost",
    "RatebookError",
    "__version__",
    "bundled",
    "load",
]
