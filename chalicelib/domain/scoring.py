"""Weekly score of one entry: weighted sum of the engagement gained inside its week.

Score = Σ weight(metric) × gain(metric), where gain = value at the week's close
minus value at the week's open. Boundary values are read from snapshots:

* A snapshot exactly at the boundary wins ("exact").
* An entry published at or after the boundary had nothing yet: 0, exact
  ("not_yet_published"). This is how "open value = 0 when published after the
  open" is expressed.
* Otherwise interpolate linearly between the last reading before and the first
  reading after the boundary ("interpolated", estimated). Publication itself is
  a reading of 0 for every counter, so an entry published before the open whose
  first snapshot comes after the open is interpolated from (published_at, 0).
* No reading after the boundary yet (typically: the close job runs before the
  first post-close snapshot): the latest reading before it is carried forward
  ("carried_forward", estimated). This undercounts rather than invents gain.
* Never measured: value None ("unmeasured"); it adds nothing to the score and
  the ranking row lists it in `unmeasured_metrics`.

Interpolated counters are rounded half-up to whole numbers: a counter is a
count, organisers read "≈1 234 likes", and whole inputs keep every score an
exact decimal (weights are decimals), so the frozen JSON is lossless.
Gains may be negative when a platform removes engagement; the score keeps the
truth and fraud.py flags the drop.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Iterable, Literal, Mapping, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.engagement import Snapshot, readings
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.exact_numbers import exact, parse_exact, render_exact, round_half_up
from chalicelib.domain.instants import iso_utc, parse_iso_utc, require_aware

BoundaryMethod = Literal[
    "exact", "not_yet_published", "interpolated", "carried_forward", "unmeasured"
]
ESTIMATED_METHODS: frozenset[str] = frozenset({"interpolated", "carried_forward"})
PUBLICATION_SOURCE = "publication"
_MICROSECOND = timedelta(microseconds=1)


# --- score ----------------------------------------------------------------


def campaign_weights(campaign: Campaign) -> dict[str, Fraction]:
    return {m: exact(w) for m, w in sorted(campaign.scoring.weights.items())}


@dataclass(frozen=True)
class MetricPoints:
    metric: str
    value: int | None
    weight: Fraction
    points: Fraction

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "value": self.value,
            "weight": render_exact(self.weight),
            "points": render_exact(self.points),
        }


@dataclass(frozen=True)
class ScoreBreakdown:
    total: Fraction
    parts: tuple[MetricPoints, ...]
    unmeasured: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "total": render_exact(self.total),
            "parts": [p.to_dict() for p in self.parts],
            "unmeasured_metrics": list(self.unmeasured),
        }


def weighted_score(
    values: Mapping[str, int | None], weights: Mapping[str, float | Fraction]
) -> ScoreBreakdown:
    """Σ weight × value. A weighted metric with no value counts 0 and is reported
    as unmeasured (only when its weight is positive: a zero weight cannot matter)."""
    parts: list[MetricPoints] = []
    unmeasured: list[str] = []
    for metric in sorted(weights):
        weight = exact(weights[metric])
        value = values.get(metric)
        if value is None and weight > 0:
            unmeasured.append(metric)
        parts.append(MetricPoints(metric, value, weight, weight * (value or 0)))
    return ScoreBreakdown(sum((p.points for p in parts), Fraction(0)), tuple(parts), tuple(unmeasured))


# --- boundary values --------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One measured value used to establish a boundary (kept as audit evidence)."""

    at: datetime
    source: str
    value: int

    def to_dict(self) -> dict:
        return {"at": iso_utc(self.at), "source": self.source, "value": self.value}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Reading":
        return cls(parse_iso_utc(data["at"]), data["source"], int(data["value"]))


@dataclass(frozen=True)
class BoundaryValue:
    at: datetime
    value: int | None
    method: BoundaryMethod
    basis: tuple[Reading, ...] = ()

    @property
    def estimated(self) -> bool:
        return self.method in ESTIMATED_METHODS

    def to_dict(self) -> dict:
        return {
            "at": iso_utc(self.at),
            "value": self.value,
            "method": self.method,
            "estimated": self.estimated,
            "basis": [r.to_dict() for r in self.basis],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "BoundaryValue":
        return cls(
            parse_iso_utc(data["at"]),
            data["value"],
            data["method"],
            tuple(Reading.from_dict(r) for r in data["basis"]),
        )


def _interpolate(before: Reading, after: Reading, at: datetime) -> int:
    span = (after.at - before.at) // _MICROSECOND
    elapsed = (at - before.at) // _MICROSECOND
    return round_half_up(before.value + Fraction((after.value - before.value) * elapsed, span))


def boundary_value(
    snapshots: Iterable[Snapshot], metric: str, boundary: datetime, published_at: datetime
) -> BoundaryValue:
    """Value of `metric` at `boundary` (see the module docstring for the rules)."""
    boundary = require_aware(boundary, "boundary")
    published_at = require_aware(published_at, "published_at")
    if published_at >= boundary:
        return BoundaryValue(boundary, 0, "not_yet_published")
    points = [Reading(s.at, s.source, s.values[metric]) for s in readings(snapshots, metric)]
    if not points:
        return BoundaryValue(boundary, None, "unmeasured")
    at_boundary = [p for p in points if p.at == boundary]
    if at_boundary:
        return BoundaryValue(boundary, at_boundary[0].value, "exact", (at_boundary[0],))
    before = [p for p in points if p.at < boundary]
    after = [p for p in points if p.at > boundary]
    if after:
        left = before[-1] if before else Reading(published_at, PUBLICATION_SOURCE, 0)
        right = after[0]
        return BoundaryValue(
            boundary, _interpolate(left, right, boundary), "interpolated", (left, right)
        )
    return BoundaryValue(boundary, before[-1].value, "carried_forward", (before[-1],))


# --- weekly gain ------------------------------------------------------------


@dataclass(frozen=True)
class MetricGain:
    metric: str
    open: BoundaryValue
    close: BoundaryValue

    @property
    def measured(self) -> bool:
        return self.close.value is not None

    @property
    def gain(self) -> int:
        return (self.close.value or 0) - (self.open.value or 0)

    @property
    def estimated(self) -> bool:
        return self.open.estimated or self.close.estimated

    def to_dict(self) -> dict:
        return {
            "open": self.open.to_dict(),
            "close": self.close.to_dict(),
            "gain": self.gain,
            "measured": self.measured,
            "estimated": self.estimated,
        }

    @classmethod
    def from_dict(cls, metric: str, data: Mapping) -> "MetricGain":
        return cls(
            metric, BoundaryValue.from_dict(data["open"]), BoundaryValue.from_dict(data["close"])
        )


@dataclass(frozen=True)
class WeekEntry:
    """Raw material for one entry's week: its publication time and every snapshot."""

    entry_id: str
    published_at: datetime
    snapshots: Sequence[Snapshot] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "published_at", require_aware(self.published_at, "published_at"))
        object.__setattr__(self, "snapshots", tuple(self.snapshots))


@dataclass(frozen=True)
class EntryInputs:
    """Everything about one entry that a frozen week result depends on."""

    entry_id: str
    published_at: datetime
    gains: Mapping[str, MetricGain]

    def gain(self, metric: str) -> int:
        found = self.gains.get(metric)
        return found.gain if found else 0

    def gain_values(self) -> dict[str, int | None]:
        return {m: (g.gain if g.measured else None) for m, g in self.gains.items()}

    def score(self, weights: Mapping[str, Fraction]) -> ScoreBreakdown:
        return weighted_score(self.gain_values(), weights)

    @property
    def estimated_metrics(self) -> tuple[str, ...]:
        return tuple(m for m in sorted(self.gains) if self.gains[m].estimated)

    def to_dict(self) -> dict:
        return {
            "entry_id": self.entry_id,
            "published_at": iso_utc(self.published_at),
            "metrics": {m: self.gains[m].to_dict() for m in sorted(self.gains)},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "EntryInputs":
        return cls(
            data["entry_id"],
            parse_iso_utc(data["published_at"]),
            {m: MetricGain.from_dict(m, g) for m, g in data["metrics"].items()},
        )


def weekly_gains(
    entry: WeekEntry, start: datetime, end: datetime, metrics: Iterable[str]
) -> EntryInputs:
    """Per-metric open/close values and gains of `entry` over [start, end)."""
    start, end = require_aware(start, "start"), require_aware(end, "end")
    if entry.published_at >= end:
        raise InvalidInput(
            f"Bài dự thi {entry.entry_id} được đăng sau khi tuần bình chọn kết thúc.",
            f"Entry {entry.entry_id} was published after the voting week ended.",
            code="published_after_week",
            entry_id=entry.entry_id,
        )
    gains = {
        metric: MetricGain(
            metric,
            boundary_value(entry.snapshots, metric, start, entry.published_at),
            boundary_value(entry.snapshots, metric, end, entry.published_at),
        )
        for metric in sorted(set(metrics))
    }
    return EntryInputs(entry.entry_id, entry.published_at, gains)


def parse_weights(data: Mapping[str, int | str]) -> dict[str, Fraction]:
    return {m: parse_exact(w) for m, w in sorted(data.items())}
