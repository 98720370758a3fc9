"""Engagement snapshots and the exact-number helpers every ranking module shares.

A snapshot is one reading of an entry's public counters at one instant, from
one source (platform API, manual entry by an organiser, ...). A counter that
the source could not read is `None`, which is different from a measured zero.

Scores must never drift between a computation and its re-computation, so
numbers that feed a score are kept as `Fraction` internally and rendered for
JSON as an `int` when integral, otherwise as an exact decimal string ("12.5").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, localcontext
from fractions import Fraction
from types import MappingProxyType
from typing import Iterable, Mapping, get_args

from chalicelib.domain.campaign import Metric
from chalicelib.domain.errors import InvalidInput

METRICS: tuple[str, ...] = get_args(Metric)
VIEWS = "views"
# Interactions a viewer performs on purpose; views are exposure, not engagement.
ENGAGEMENT_METRICS: tuple[str, ...] = tuple(m for m in METRICS if m != VIEWS)

Number = int | Fraction


# --- time ---------------------------------------------------------------


def require_aware(moment: datetime, what: str = "time") -> datetime:
    """Return `moment` in UTC; a naive datetime is refused because its zone is a guess."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise InvalidInput(
            f"Thời điểm “{what}” phải kèm múi giờ.",
            f"The {what} must carry a time zone.",
            code="naive_datetime",
            field=what,
        )
    return moment.astimezone(timezone.utc)


def iso_utc(moment: datetime) -> str:
    """Canonical text of an instant: UTC, 'Z' suffix, microseconds only when present."""
    text = moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return text + "Z"


def parse_iso_utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return require_aware(parsed, "timestamp")


# --- exact numbers --------------------------------------------------------


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


# --- snapshots ------------------------------------------------------------


def _check_values(values: Mapping[str, int | Decimal | None]) -> dict[str, int | None]:
    checked: dict[str, int | None] = {}
    for metric, value in values.items():
        if metric not in METRICS:
            raise InvalidInput(
                f"Chỉ số “{metric}” không được hỗ trợ.",
                f"Unknown metric {metric!r}.",
                code="unknown_metric",
                metric=metric,
            )
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)  # boto3 hands DynamoDB numbers back as Decimal
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise InvalidInput(
                f"Giá trị của “{metric}” phải là số nguyên không âm hoặc để trống.",
                f"{metric} must be a non-negative integer or None.",
                code="invalid_metric_value",
                metric=metric,
            )
        checked[metric] = value
    return checked


@dataclass(frozen=True)
class Snapshot:
    """Counters read at `at` (normalised to UTC) from `source`.

    A metric missing from `values` is treated exactly like `None`: not measured.
    Counters are non-negative ints (an integral Decimal is accepted and converted).
    """

    at: datetime
    source: str
    values: Mapping[str, int | None] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_aware(self.at, "snapshot.at"))
        object.__setattr__(self, "values", MappingProxyType(_check_values(self.values)))

    def value(self, metric: str) -> int | None:
        return self.values.get(metric)

    def measured(self, metric: str) -> bool:
        return self.values.get(metric) is not None

    def to_dict(self) -> dict:
        return {
            "at": iso_utc(self.at),
            "source": self.source,
            "values": {m: self.values[m] for m in sorted(self.values)},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Snapshot":
        return cls(parse_iso_utc(data["at"]), data["source"], dict(data["values"]))


def chronological(snapshots: Iterable[Snapshot]) -> list[Snapshot]:
    """Oldest first; two readings at the same instant are ordered by source so the
    choice between them never depends on the order the database returned them."""
    return sorted(snapshots, key=lambda s: (s.at, s.source))


def readings(snapshots: Iterable[Snapshot], metric: str) -> list[Snapshot]:
    """Snapshots that actually measured `metric`, oldest first, one per instant
    (the last source in name order wins a same-instant clash)."""
    by_instant: dict[datetime, Snapshot] = {}
    for snapshot in chronological(snapshots):
        if snapshot.measured(metric):
            by_instant[snapshot.at] = snapshot
    return [by_instant[at] for at in sorted(by_instant)]
