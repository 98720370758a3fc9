"""Exact numbers shared by scoring, ranking and the jury.

Scores must never drift between a computation and its re-computation, so
numbers that feed a score are kept as `Fraction` internally and rendered for
JSON as an `int` when integral, otherwise as an exact decimal string ("12.5").
"""
from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

Number = int | Fraction


def exact(value: int | float | str | Decimal | Fraction) -> Fraction:
    """An exact rational for a config number; floats go through their shortest repr
    so that a weight written as 0.1 in JSON means exactly one tenth."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number here")
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    return Fraction(value)


def _decimal_places(denominator: int) -> int | None:
    """Places needed to write 1/denominator exactly, or None if it never terminates."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def render_exact(q: Fraction | int) -> int | str:
    """Lossless JSON form: int when integral, decimal string when the decimal
    terminates, otherwise "numerator/denominator"."""
    q = Fraction(q)
    if q.denominator == 1:
        return int(q.numerator)
    places = _decimal_places(q.denominator)
    if places is None:
        return f"{q.numerator}/{q.denominator}"
    scaled = abs(q.numerator) * (10**places // q.denominator)  # exact by construction
    digits = str(scaled).rjust(places + 1, "0")
    sign = "-" if q < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")


def render_rounded(q: Fraction | int, places: int = 2) -> int | str:
    """Display form for averages that need not terminate (jury means)."""
    q = Fraction(q)
    if q.denominator == 1:
        return int(q.numerator)
    with localcontext() as ctx:
        ctx.prec = len(str(abs(q.numerator))) + places + 10
        value = (Decimal(q.numerator) / Decimal(q.denominator)).quantize(
            Decimal(1).scaleb(-places)
        )
    if value == value.to_integral_value():
        return int(value)
    return format(value, "f")


def parse_exact(value: int | str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not an exact number: {value!r}")
    return Fraction(value)


def round_half_up(q: Fraction) -> int:
    # Python's round() is banker's rounding; estimated counters use the rule people expect.
    return int((q + Fraction(1, 2)).__floor__())
