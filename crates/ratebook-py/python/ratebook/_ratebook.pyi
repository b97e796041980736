"""Type stubs of ratebook's compiled module (``ratebook._ratebook``)."""

import datetime
import os
from decimal import Decimal
from typing import Any, Iterable, List, Optional, Tuple, Union

__version__: str

DateLike = Union[str, datetime.date, None]

class RatebookError(ValueError):
    """An error of ratebook's core, with its message (file:line:column for pricing files)."""

class LineItem:
    """One line of an estimate: quantity × rate = amount."""

    @property
    def meter(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def rate(self) -> Decimal:
        """US dollars per million tokens (or per unit), after mode and overlays."""
    @property
    def amount(self) -> Decimal: ...
    @property
    def rule(self) -> str: ...
    @property
    def sentence(self) -> str: ...
    @property
    def overlays(self) -> List[str]: ...

class Estimate:
    """One request priced."""

    @property
    def total(self) -> Decimal: ...
    @property
    def model(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def date(self) -> datetime.date: ...
    @property
    def mode(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def line_items(self) -> List[LineItem]: ...

class ModelCost:
    """One model's share of a priced log."""

    model: str
    provider: str
    records: int
    total: Decimal
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int

class Cost:
    """A priced log, as ``ratebook cost --json`` reports it."""

    @property
    def total(self) -> Decimal: ...
    @property
    def records(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def rejections(self) -> List[Tuple[int, str]]:
        """The first rejected lines (at most 20): (line number, reason)."""
    @property
    def rejected_kinds(self) -> List[Tuple[str, int]]: ...
    @property
    def by_model(self) -> List[ModelCost]: ...

class Book:
    """A rate book: the pricing files, checked, with any overlays applied. Picklable."""

    def estimate(
        self,
        model: str,
        input_tokens: int = 0,
        output_tokens: int = 0,
        *,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
        cache_write_1h_tokens: int = 0,
        output_images: Optional[List[str]] = None,
        date: DateLike = None,
        mode: str = "standard",
        allow_over_limits: bool = False,
    ) -> Estimate: ...
    def price_response(self, response: str, date: DateLike = None) -> Estimate: ...
    def cost(self, lines: Iterable[Union[str, bytes]], date: DateLike = None) -> Cost: ...
    def price_batch(self, batch: Any, date: DateLike = None) -> Any:
        """An Arrow record batch in (``__arrow_c_array__``), a ``pyarrow.RecordBatch`` of
        ``cost`` (decimal128(38, 18)) and ``error`` (string) out, one row per row."""
    def cost_batches(self, batches: Iterable[Any], date: DateLike = None) -> Cost: ...
    def with_overlay(self, toml: str, name: str = "overlay.toml") -> "Book": ...
    def discount(self, spec: str) -> "Book": ...
    def models(self) -> List[str]: ...

def bundled() -> Book: ...
def load(path: Union[str, "os.PathLike[str]"]) -> Book: ...
def _rebuild(sources: Optional[List[Tuple[str, str]]], steps: List[Tuple[str, str, str]]) -> Book: ...
