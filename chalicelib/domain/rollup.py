"""Per-unit counters and branch roll-ups.

Storage grows with units, not entries: the adapter keeps one counter item per
(campaign, unit), keyed by the unit's `branch_key(path)` so a branch's counters
are one Query. The write path never scans entries: every status change of a
submission turns into a handful of ADD deltas on one counter item (see
`counter_deltas`), written in the same transaction as the submission's status
update with the condition `status = :old_status`, so a retried or duplicated
event cannot be counted twice. A report then sums at most one item per unit of
the branch, so reading a province is bounded by its unit count however many
entries it has.

When a unit moves (organisation_changes.plan_update), its counter items must be
re-keyed to the new path; the counts themselves do not change.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Union

from chalicelib.domain.entry_status import STATUS_COUNTERS
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import OrgTree, OrgUnit

Score = Union[int, Decimal, Fraction]

COUNTER_FIELDS: tuple[str, ...] = (
    "entries",
    "valid",
    "invalid",
    "approved",
    "published",
    "disqualified",
)



@dataclass(frozen=True)
class UnitCounters:
    entries: int = 0
    valid: int = 0
    invalid: int = 0
    approved: int = 0
    published: int = 0
    disqualified: int = 0
    best_weekly_score: Score | None = None

    def __add__(self, other: "UnitCounters") -> "UnitCounters":
        if not isinstance(other, UnitCounters):
            return NotImplemented
        return UnitCounters(
            **{name: getattr(self, name) + getattr(other, name) for name in COUNTER_FIELDS},
            best_weekly_score=_best(self.best_weekly_score, other.best_weekly_score),
        )

    @property
    def has_entries(self) -> bool:
        return self.entries > 0

    def count(self, counter: str) -> int:
        if counter not in COUNTER_FIELDS:
            raise ValueError(f"unknown counter {counter!r}")
        return getattr(self, counter)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> "UnitCounters":
        """From a storage item; DynamoDB hands numbers back as Decimal and omits unset ones."""
        counts = {name: int(item.get(name) or 0) for name in COUNTER_FIELDS}
        best = item.get("best_weekly_score")
        return cls(**counts, best_weekly_score=best)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in COUNTER_FIELDS}
        best = self.best_weekly_score
        data["best_weekly_score"] = None if best is None else _render_score(best)
        return data


ZERO = UnitCounters()


def _best(a: Score | None, b: Score | None) -> Score | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _render_score(score: Score) -> int | str:
    # Exact values travel as strings so JSON floats never round them.
    if isinstance(score, int):
        return score
    if isinstance(score, Fraction) and score.denominator == 1:
        return score.numerator
    return str(score)


# --- write path ------------------------------------------------------------


def counter_deltas(
    old_status: str | None,
    new_status: str | None,
    status_counters: Mapping[str | None, frozenset[str]] = STATUS_COUNTERS,
) -> dict[str, int]:
    """The ADD deltas one submission's status change applies to its unit's counter item.

    Only non-zero deltas are returned; an empty dict means "write nothing".
    Creation is `None -> status`, deletion `status -> None`.
    """
    for status in (old_status, new_status):
        if status not in status_counters:
            raise InvalidInput(
                f"Trạng thái bài dự thi “{status}” không xác định.",
                f"Unknown submission status “{status}”.",
                code="unknown_submission_status",
                status=status,
            )
    before, after = status_counters[old_status], status_counters[new_status]
    deltas = {name: 1 for name in after - before}
    deltas.update({name: -1 for name in before - after})
    return {name: deltas[name] for name in COUNTER_FIELDS if name in deltas}


def required_minimums(deltas: Mapping[str, int]) -> dict[str, int]:
    """Condition for the counter write: each decremented counter must be at least this.

    The adapter adds `counter >= :min` for each, so a bug that decrements twice
    fails loudly instead of driving a count negative.
    """
    return {name: -delta for name, delta in deltas.items() if delta < 0}


def apply_deltas(counters: UnitCounters, deltas: Mapping[str, int]) -> UnitCounters:
    """In-memory twin of the conditional ADD (for the local adapter and tests)."""
    unknown = set(deltas) - set(COUNTER_FIELDS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    updated = {name: getattr(counters, name) + deltas.get(name, 0) for name in COUNTER_FIELDS}
    negative = sorted(name for name, value in updated.items() if value < 0)
    if negative:
        raise InvalidInput(
            "Bộ đếm của đơn vị sẽ bị âm; thao tác bị từ chối.",
            "The unit's counters would go negative; the update is refused.",
            code="counter_underflow",
            counters=negative,
        )
    return replace(counters, **updated)


def raise_best_weekly_score(counters: UnitCounters, week_score: Score) -> UnitCounters:
    """The best weekly score only ever rises (adapter: SET with `best < :s` or absent).

    It is a record of the best week the unit achieved; a later disqualification
    does not lower it. Recompute from the weekly results if that is ever needed.
    """
    return replace(counters, best_weekly_score=_best(counters.best_weekly_score, week_score))


# --- read path -------------------------------------------------------------


@dataclass(frozen=True)
class BranchFigures:
    unit: OrgUnit
    totals: UnitCounters  # the unit's whole branch, itself included
    units_in_branch: int
    units_with_entries: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit.unit_id,
            "name": self.unit.name,
            "level": self.unit.level,
            "path": self.unit.path,
            "units_in_branch": self.units_in_branch,
            "units_with_entries": self.units_with_entries,
            **self.totals.to_dict(),
        }


@dataclass(frozen=True)
class BranchReport:
    unit: OrgUnit
    totals: UnitCounters  # whole branch
    own: UnitCounters  # entries attributed directly to the unit itself
    units_in_branch: int
    units_with_entries: int
    children: tuple[BranchFigures, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit.unit_id,
            "name": self.unit.name,
            "level": self.unit.level,
            "path": self.unit.path,
            "units_in_branch": self.units_in_branch,
            "units_with_entries": self.units_with_entries,
            "totals": self.totals.to_dict(),
            "own": self.own.to_dict(),
            "children": [child.to_dict() for child in self.children],
        }


def branch_totals(
    tree: OrgTree, unit_id: str, counters: Mapping[str, UnitCounters]
) -> dict[str, BranchFigures]:
    """Figures for every unit in `unit_id`'s branch, each summing its own branch.

    One bottom-up pass, so the cost is linear in the branch's unit count.
    Counter rows for units outside the branch are ignored, which keeps a report
    inside its scope even if the caller passed extra rows.
    """
    branch = tree.subtree(unit_id)
    figures: dict[str, BranchFigures] = {}
    for unit in reversed(branch):  # pre-order reversed: children before parents
        own = counters.get(unit.unit_id, ZERO)
        totals, units, active = own, 1, int(own.has_entries)
        for child in tree.children(unit.unit_id):
            below = figures[child.unit_id]
            totals = totals + below.totals
            units += below.units_in_branch
            active += below.units_with_entries
        figures[unit.unit_id] = BranchFigures(unit, totals, units, active)
    return figures


def build_branch_report(
    tree: OrgTree, unit_id: str, counters: Mapping[str, UnitCounters]
) -> BranchReport:
    """Totals for the unit's whole branch plus the same figures per direct child branch."""
    figures = branch_totals(tree, unit_id, counters)
    top = figures[unit_id]
    return BranchReport(
        unit=top.unit,
        totals=top.totals,
        own=counters.get(unit_id, ZERO),
        units_in_branch=top.units_in_branch,
        units_with_entries=top.units_with_entries,
        children=tuple(figures[child.unit_id] for child in tree.children(unit_id)),
    )


def counters_from_items(items: Iterable[Mapping[str, Any]]) -> dict[str, UnitCounters]:
    """Counter items (each with a `unit_id`) to the mapping the roll-up takes.

    Several items for one unit are summed, so the adapter may shard a busy
    unit's counter over a few items to avoid a hot key.
    """
    merged: dict[str, UnitCounters] = {}
    for item in items:
        unit_id = str(item["unit_id"])
        merged[unit_id] = merged.get(unit_id, ZERO) + UnitCounters.from_item(item)
    return merged


__all__ = [
    "COUNTER_FIELDS",
    "STATUS_COUNTERS",
    "BranchFigures",
    "BranchReport",
    "UnitCounters",
    "apply_deltas",
    "branch_totals",
    "build_branch_report",
    "counter_deltas",
    "counters_from_items",
    "raise_best_weekly_score",
    "required_minimums",
]
