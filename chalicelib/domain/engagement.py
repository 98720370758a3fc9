"""Engagement snapshots: one reading of an entry's public counters at one instant.

A snapshot comes from one source (platform API, manual entry by an organiser,
...). A counter that the source could not read is `None`, which is different
from a measured zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Iterable, Mapping, get_args

from chalicelib.domain.campaign import Metric
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.instants import iso_utc, parse_iso_utc, require_aware

METRICS: tuple[str, ...] = get_args(Metric)
VIEWS = "views"
# Interactions a viewer performs on purpose; views are exposure, not engagement.
ENGAGEMENT_METRICS: tuple[str, ...] = tuple(m for m in METRICS if m != VIEWS)


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
