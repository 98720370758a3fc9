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

Reports do not sum the branch: every unit also has one aggregate per campaign
(`UnitAggregate`) holding its whole subtree, its own entries and how many units
of its subtree have entries. The same transaction that ADDs to the unit's own
counter item ADDs to the aggregate of every unit on its path (`path_deltas`:
at most four), so a report reads the unit's aggregate and one per direct child
(`report_from_aggregates`), whatever the depth or the number of entries.
Aggregates are keyed by unit id, not path: a moved subtree's aggregates stay
true, and only the ancestors that differ between the old and the new path
change (the rekey's per-entry transaction stages both paths, and the common
ancestors' deltas cancel out in `path_deltas`).
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


@dataclass(frozen=True)
class WeeklyBests:
    """A week's best scores, each to be written once: per unit with entries in the week, its best
    and the path its counter item is keyed by (`own`); per unit on any of their paths, the best of
    its subtree (`subtree`), so a shared ancestor is raised once, not once per descendant."""

    own: Mapping[str, tuple[str, Score]] = field(default_factory=dict)
    subtree: Mapping[str, Score] = field(default_factory=dict)


def weekly_bests(scores: Iterable[tuple[str, str, Score]]) -> WeeklyBests:
    """Best score per unit and per subtree from (unit_id, unit_path, score) rows, in one pass."""
    own: dict[str, tuple[str, Score]] = {}
    subtree: dict[str, Score] = {}
    for unit_id, unit_path, score in scores:
        if unit_id not in own or score > own[unit_id][1]:
            own[unit_id] = (unit_path, score)
    for unit_path, score in own.values():
        for ancestor in path_units(unit_path):
            subtree[ancestor] = _best(subtree.get(ancestor), score)
    return WeeklyBests(own, subtree)


# Field of an aggregate counting the units of its subtree whose own counter item has entries.
UNITS_WITH_ENTRIES = "units_with_entries"


def occupancy_change(entries_before: int, entries_delta: int) -> int:
    """+1 when a counter item gets its first entry, -1 when it loses its last, else 0."""
    after = entries_before + entries_delta
    return int(entries_before == 0 and after > 0) - int(entries_before > 0 and after == 0)


def path_units(path: str) -> list[str]:
    """Unit ids from the root down to the unit: a path is made of them."""
    return path.split("/")


def path_deltas(changes: Iterable[tuple[str, Mapping[str, int], int]]) -> dict[str, dict[str, int]]:
    """ADDs for the aggregates of every unit on each changed path, netted per unit.

    Each change is (path, counter deltas, occupancy change of the path's own
    counter item). One transaction may touch an item once, and a move's
    common ancestors must not change at all, so deltas on the same unit are
    summed and zeros dropped. The unit itself (last on the path) also gets its
    `own_*` deltas: its own entries do not change when it moves, and the two
    halves of a rekey cancel there too.
    """
    merged: dict[str, dict[str, int]] = {}
    for path, deltas, occupancy in changes:
        units = path_units(path)
        for unit_id in units:
            target = merged.setdefault(unit_id, {})
            for name, delta in deltas.items():
                target[name] = target.get(name, 0) + delta
            if occupancy:
                target[UNITS_WITH_ENTRIES] = target.get(UNITS_WITH_ENTRIES, 0) + occupancy
        own = merged[units[-1]]
        for name, delta in deltas.items():
            own[f"own_{name}"] = own.get(f"own_{name}", 0) + delta
    return {
        unit_id: nonzero
        for unit_id, target in merged.items()
        if (nonzero := {name: delta for name, delta in target.items() if delta})
    }


@dataclass(frozen=True)
class UnitAggregate:
    """One unit's stored roll-up in one campaign."""

    subtree: UnitCounters = field(default_factory=UnitCounters)  # the unit and everything below it
    own: UnitCounters = field(default_factory=UnitCounters)  # entries of the unit itself
    units_with_entries: int = 0

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> "UnitAggregate":
        own = {name: item.get(f"own_{name}") for name in COUNTER_FIELDS}
        return cls(
            subtree=UnitCounters.from_item(item),
            own=UnitCounters.from_item({**own, "best_weekly_score": item.get("own_best_weekly_score")}),
            units_with_entries=int(item.get(UNITS_WITH_ENTRIES) or 0),
        )

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {name: getattr(self.subtree, name) for name in COUNTER_FIELDS}
        item |= {f"own_{name}": getattr(self.own, name) for name in COUNTER_FIELDS}
        item[UNITS_WITH_ENTRIES] = self.units_with_entries
        item["best_weekly_score"] = self.subtree.best_weekly_score
        item["own_best_weekly_score"] = self.own.best_weekly_score
        return item


EMPTY_AGGREGATE = UnitAggregate()


def aggregates_from_counter_items(items: Iterable[tuple[str, UnitCounters]]) -> dict[str, UnitAggregate]:
    """Aggregates rebuilt from per-unit counter items, each given with the path it is filed under.

    The migration from per-unit counters, and a repair: each item counts for
    every unit on its path, exactly as the write path's ADDs do.
    """
    subtree: dict[str, UnitCounters] = {}
    own: dict[str, UnitCounters] = {}
    active: dict[str, int] = {}
    for path, counters in items:
        units = path_units(path)
        for unit_id in units:
            subtree[unit_id] = subtree.get(unit_id, ZERO) + counters
            active[unit_id] = active.get(unit_id, 0) + int(counters.has_entries)
        own[units[-1]] = own.get(units[-1], ZERO) + counters
    return {
        unit_id: UnitAggregate(totals, own.get(unit_id, ZERO), active[unit_id])
        for unit_id, totals in subtree.items()
    }


def branch_sizes(tree: OrgTree, unit_id: str) -> dict[str, int]:
    """Units in each branch below and including `unit_id`: one pass over the branch."""
    sizes: dict[str, int] = {}
    for unit in reversed(tree.subtree(unit_id)):
        sizes[unit.unit_id] = 1 + sum(sizes[c.unit_id] for c in tree.children(unit.unit_id))
    return sizes


def report_from_aggregates(
    tree: OrgTree, unit: OrgUnit, aggregates: Mapping[str, UnitAggregate], sizes: Mapping[str, int]
) -> BranchReport:
    """The same report as `build_branch_report`, from the unit's aggregate and its children's.

    `tree` supplies the children (those without entries have no aggregate and
    show zeros) and `sizes` the number of units per branch.
    """
    def figures(child: OrgUnit) -> BranchFigures:
        aggregate = aggregates.get(child.unit_id, EMPTY_AGGREGATE)
        return BranchFigures(child, aggregate.subtree, sizes[child.unit_id], aggregate.units_with_entries)

    top = aggregates.get(unit.unit_id, EMPTY_AGGREGATE)
    return BranchReport(
        unit=unit,
        totals=top.subtree,
        own=top.own,
        units_in_branch=sizes[unit.unit_id],
        units_with_entries=top.units_with_entries,
        children=tuple(figures(child) for child in tree.children(unit.unit_id)),
    )


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
    "UNITS_WITH_ENTRIES",
    "BranchFigures",
    "BranchReport",
    "UnitAggregate",
    "UnitCounters",
    "WeeklyBests",
    "aggregates_from_counter_items",
    "apply_deltas",
    "branch_sizes",
    "branch_totals",
    "build_branch_report",
    "counter_deltas",
    "counters_from_items",
    "occupancy_change",
    "path_deltas",
    "path_units",
    "raise_best_weekly_score",
    "report_from_aggregates",
    "required_minimums",
    "weekly_bests",
]
