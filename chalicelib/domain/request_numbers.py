"""Whole numbers from request text (path segments, query values): one rule for every parameter.

ASCII digits only: `str.isdigit()` and `int()` accept "²", "١٢" or " 12 ", and a number of more
than 4,300 digits makes `int()` raise. The length is capped before any conversion.
"""
from __future__ import annotations

from chalicelib.domain.errors import InvalidInput

MAX_DIGITS = 9  # every bound the API uses fits; more is never a valid value
_ASCII_DIGITS = frozenset("0123456789")


def whole_number(raw: str | None, name: str, low: int, high: int, default: int | None = None,
                 code: str | None = None) -> int:
    """`raw` as an int in [low, high], `default` when absent, else a 400 `invalid_<name>`."""
    if raw is None and default is not None:
        return default
    text = raw or ""
    if 0 < len(text) <= MAX_DIGITS and set(text) <= _ASCII_DIGITS:
        value = int(text)
        if low <= value <= high:
            return value
    raise InvalidInput(
        f"Tham số {name} phải là số nguyên từ {low} đến {high}.",
        f"{name} must be a whole number from {low} to {high}.",
        code=code or f"invalid_{name}",
        minimum=low,
        maximum=high,
    )


MAX_WEEK = 1_000  # a campaign of twenty years still fits
MAX_VERSION = 1_000_000
