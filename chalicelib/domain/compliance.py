"""Participation rules: which units are checked, and minimum entries per unit (seed 004).

Weekly posting quotas (seed 001) are in `posting_quota`, on the same choice of units.

Which units "must" take part. The rules say "every unit", but a province's
branch holds districts and wards; holding every ward to the quota would bury
the organiser in false alarms. So the checked level is a parameter. By
default it is the lowest (most local) level at which anything was entered or
posted in the scope's branch, because that is the level the campaign evidently
runs at (seed 004: districts under the province). With no activity at all
the default is the level just below the scope unit (a grassroots organiser:
their own unit). A unit's figure counts its whole branch, so with
`level="district"` a clip entered by a ward counts towards its district.

The API's report reads stored aggregates instead (`units_to_check`,
`units_below_minimum_from_totals`): there the default level is the one just
below the scope, so a national or province report reads one aggregate per
direct child, however deep the tree and however many units have entries; a
deeper level is checked when asked for (`level=`), at one aggregate per unit
of that level.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import LEVEL_RANK, LEVELS, PATH_SEPARATOR, OrgTree, OrgUnit
from chalicelib.domain.rollup import COUNTER_FIELDS, ZERO, UnitCounters, branch_totals


# --- which units are checked -------------------------------------------------


def level_to_check(
    tree: OrgTree, scope: OrgUnit, level: str | None, active_unit_ids: Iterable[str]
) -> str:
    """The level asked for, else the most local level with activity, else the one below the scope."""
    if level is not None:
        if level not in LEVEL_RANK:
            raise InvalidInput(
                f"Cấp “{level}” không hợp lệ.", f"Unknown level “{level}”.", code="invalid_level"
            )
        if LEVEL_RANK[level] < LEVEL_RANK[scope.level]:
            raise InvalidInput(
                "Không thể kiểm tra cấp cao hơn đơn vị đang xem.",
                "Cannot check a level above the unit being viewed.",
                code="level_above_scope",
            )
        return level
    active_ranks = [
        LEVEL_RANK[unit.level]
        for unit_id in active_unit_ids
        if (unit := tree.find(unit_id)) is not None
    ]
    if active_ranks:
        return LEVELS[max(active_ranks)]
    return LEVELS[min(LEVEL_RANK[scope.level] + 1, len(LEVELS) - 1)]


def _branch_of(scope: OrgUnit, unit: OrgUnit) -> str:
    """Id of the scope's direct child whose branch holds `unit` (the scope itself for itself)."""
    if unit.unit_id == scope.unit_id:
        return scope.unit_id
    return unit.path.split(PATH_SEPARATOR)[scope.path.count(PATH_SEPARATOR) + 1]


def _branch_heads(tree: OrgTree, scope: OrgUnit, level: str) -> list[OrgUnit]:
    return [scope] if scope.level == level else list(tree.children(scope.unit_id))


# --- (1) minimum entries per unit --------------------------------------------


@dataclass(frozen=True)
class UnitShortfall:
    unit: OrgUnit
    count: int
    missing: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit.unit_id,
            "name": self.unit.name,
            "path": self.unit.path,
            "count": self.count,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class BranchShortfalls:
    branch: OrgUnit  # a direct child of the scope (or the scope itself)
    units_checked: int
    below: tuple[UnitShortfall, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.branch.unit_id,
            "name": self.branch.name,
            "units_checked": self.units_checked,
            "units_below": len(self.below),
            "below": [s.to_dict() for s in self.below],
        }


@dataclass(frozen=True)
class MinimumEntriesReport:
    scope: OrgUnit
    level: str
    minimum: int
    counter: str
    units_checked: int
    branches: tuple[BranchShortfalls, ...]

    @property
    def units_below(self) -> int:
        return sum(len(b.below) for b in self.branches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.scope.unit_id,
            "level": self.level,
            "minimum": self.minimum,
            "counter": self.counter,
            "units_checked": self.units_checked,
            "units_below": self.units_below,
            "branches": [b.to_dict() for b in self.branches],
        }


def units_below_minimum(
    tree: OrgTree,
    scope_unit_id: str,
    counters: Mapping[str, UnitCounters],
    minimum: int,
    level: str | None = None,
    counter: str = "valid",
) -> MinimumEntriesReport:
    """Units at `level` in the scope's branch with fewer than `minimum` entries.

    `minimum` is campaign.min_entries_per_unit. `counter` picks what counts as
    an entry: "valid" by default, so clips that failed the media checks or were
    disqualified do not make up the numbers ("entries" counts everything
    submitted). Grouped by the scope's direct children; every group is listed,
    with an empty `below` when all its units comply.
    """
    if counter not in COUNTER_FIELDS:
        raise ValueError(f"unknown counter {counter!r}")
    scope = tree.get(scope_unit_id)
    active = [
        unit_id
        for unit_id, unit_counters in counters.items()
        if unit_counters.entries > 0
        and (unit := tree.find(unit_id)) is not None
        and tree.is_within(unit.path, scope.path)
    ]
    checked_level = level_to_check(tree, scope, level, active)
    figures = branch_totals(tree, scope.unit_id, counters)
    totals = {unit_id: figure.totals for unit_id, figure in figures.items()}
    return units_below_minimum_from_totals(tree, scope.unit_id, checked_level, totals, minimum, counter)


def units_to_check(tree: OrgTree, scope_unit_id: str, level: str | None) -> tuple[str, tuple[OrgUnit, ...]]:
    """The level a report from stored aggregates checks and its units in the scope's branch.

    Without `level` it is the level just below the scope (its direct children;
    a grassroots scope checks itself): such a report reads one aggregate per
    direct child, whatever the depth of the branch. A deeper level is checked
    only when asked for, and reads one aggregate per unit of that level.
    """
    scope = tree.get(scope_unit_id)
    checked_level = level_to_check(tree, scope, level, ())
    return checked_level, tree.units_at_level(checked_level, within=scope.unit_id)


def units_below_minimum_from_totals(
    tree: OrgTree,
    scope_unit_id: str,
    checked_level: str,
    branch_totals_of: Mapping[str, UnitCounters],
    minimum: int,
    counter: str = "valid",
) -> MinimumEntriesReport:
    """`units_below_minimum` for the units of `checked_level`, from each one's branch totals
    (its stored aggregate; a unit without one has none), grouped by the scope's direct children."""
    if counter not in COUNTER_FIELDS:
        raise ValueError(f"unknown counter {counter!r}")
    scope = tree.get(scope_unit_id)
    checked = tree.units_at_level(checked_level, within=scope.unit_id)
    groups: dict[str, list[UnitShortfall]] = {
        head.unit_id: [] for head in _branch_heads(tree, scope, checked_level)
    }
    checked_per_group: dict[str, int] = dict.fromkeys(groups, 0)
    for unit in checked:
        group = _branch_of(scope, unit)
        checked_per_group[group] += 1
        count = branch_totals_of.get(unit.unit_id, ZERO).count(counter)
        if count < minimum:
            groups[group].append(UnitShortfall(unit, count, minimum - count))
    branches = tuple(
        BranchShortfalls(tree.get(head_id), checked_per_group[head_id], tuple(below))
        for head_id, below in groups.items()
    )
    return MinimumEntriesReport(scope, checked_level, minimum, counter, len(checked), branches)


__all__ = [
    "BranchShortfalls",
    "MinimumEntriesReport",
    "UnitShortfall",
    "level_to_check",
    "units_below_minimum",
    "units_below_minimum_from_totals",
    "units_to_check",
]
