"""The four-level organisation tree: central -> province -> district -> grassroots.

Every unit carries a materialised `path` of unit ids from the root, joined by
"/" (e.g. "tw/ha-noi/ha-noi-ba-dinh"), so one key-range read returns a branch.

Sibling prefix trap: "tw/ha-noi" is a string prefix of "tw/ha-noi-2", so a
plain begins_with(path) would leak a sibling's data. Unit ids can never contain
"/", so the rule is: a unit is inside a branch when its path equals the branch
path or starts with the branch path followed by "/" (`is_within`). For storage,
keep `branch_key(path)` (the path with a trailing "/") as the sort key: then a
single begins_with(sort_key, branch_key(scope_path)) returns the scope unit and
its whole branch, and never "tw/ha-noi-2/". If an item stores the bare path
instead, query begins_with(path, branch_key(scope)) and read the unit itself
with an exact-match get.

Trees are built from a unit list by `organisation_file.build_tree`, and
compared with the stored one by `organisation_changes.plan_update`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.errors import NotFound

Level = Literal["central", "province", "district", "grassroots"]
LEVELS: tuple[Level, ...] = ("central", "province", "district", "grassroots")
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
LEVEL_NAMES_VI: dict[str, str] = {
    "central": "Trung ương",
    "province": "Tỉnh/Thành",
    "district": "Quận/Huyện",
    "grassroots": "Cơ sở",
}
PATH_SEPARATOR = "/"
UNIT_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True)
class OrgUnit:
    unit_id: str
    name: str
    parent_id: str | None
    level: Level
    path: str

    @property
    def depth(self) -> int:
        return LEVEL_RANK[self.level]

    @property
    def branch_key(self) -> str:
        return branch_key(self.path)


def branch_key(path: str) -> str:
    """Sort-key form of a path: begins_with on it matches the unit and its branch only."""
    return path + PATH_SEPARATOR


def is_within(unit_path: str, scope_path: str) -> bool:
    """True when `unit_path` is the scope unit itself or anywhere below it.

    An empty scope path matches nothing: "everything" is expressed by not
    filtering at all (see scope.scope_prefix), never by an empty prefix.
    """
    if not scope_path or not unit_path:
        return False
    return unit_path == scope_path or unit_path.startswith(branch_key(scope_path))


def unit_not_found() -> NotFound:
    """The one 404 for units: missing and out-of-scope look identical to the caller."""
    return NotFound(
        "Không tìm thấy đơn vị.", "Unit not found.", code="unit_not_found"
    )


@dataclass(frozen=True)
class RawUnitRow:
    """A unit as one flat row: what an import file holds before validation, and
    what `OrgTree.to_rows` exports. `parent_id` is "" for the root."""

    row: int
    unit_id: str
    name: str
    parent_id: str
    level: str


class OrgTree:
    """A validated, immutable tree. Build it with `build_tree`; iteration is pre-order.

    The constructor also accepts units already validated and stored (with
    their paths), either the whole tree or one branch read with a single
    begins_with query: the top unit is the one whose parent is not among them.
    A branch answers every question about itself; `ancestors` stops at its top.
    """

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        # Trusts its input: `build_tree` is the only validating constructor.
        self._units: dict[str, OrgUnit] = {}
        self._children: dict[str, list[str]] = {}
        for unit in units:
            self._units[unit.unit_id] = unit
            self._children.setdefault(unit.unit_id, [])
        # Storage returns units sorted by path, not in file order; children keep
        # the order they are given in.
        for unit in self._units.values():
            if unit.parent_id in self._units:
                self._children[unit.parent_id].append(unit.unit_id)
        roots = [u for u in self._units.values() if u.parent_id not in self._units]
        if len(roots) != 1:
            raise ValueError("an OrgTree needs exactly one top unit; use build_tree")
        self._root = roots[0]
        self._by_path = {unit.path: unit for unit in self._units.values()}

    # lookups
    @property
    def root(self) -> OrgUnit:
        """The top unit: the central root for a whole tree, the branch head for a branch."""
        return self._root

    def find(self, unit_id: str) -> OrgUnit | None:
        return self._units.get(unit_id)

    def get(self, unit_id: str) -> OrgUnit:
        unit = self._units.get(unit_id)
        if unit is None:
            raise unit_not_found()
        return unit

    def find_by_path(self, path: str) -> OrgUnit | None:
        return self._by_path.get(path)

    def path_of(self, unit_id: str) -> str:
        return self.get(unit_id).path

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[OrgUnit]:
        return iter(self.subtree(self._root.unit_id))

    # structure
    def children(self, unit_id: str) -> tuple[OrgUnit, ...]:
        self.get(unit_id)
        return tuple(self._units[c] for c in self._children[unit_id])

    def subtree(self, unit_id: str, include_self: bool = True) -> tuple[OrgUnit, ...]:
        """The unit's branch in pre-order (parents before children, siblings in file order)."""
        start = self.get(unit_id)
        ordered: list[OrgUnit] = []
        stack = [start.unit_id]
        while stack:
            current = stack.pop()
            ordered.append(self._units[current])
            stack.extend(reversed(self._children[current]))
        return tuple(ordered if include_self else ordered[1:])

    def ancestors(self, unit_id: str) -> tuple[OrgUnit, ...]:
        """From the top unit down to the parent; empty for the top unit."""
        unit = self.get(unit_id)
        chain: list[OrgUnit] = []
        while unit.parent_id in self._units:
            unit = self._units[unit.parent_id]
            chain.append(unit)
        return tuple(reversed(chain))

    @staticmethod
    def is_within(unit_path: str, scope_path: str) -> bool:
        return is_within(unit_path, scope_path)

    def level_counts(self, unit_id: str | None = None) -> dict[str, int]:
        """Units per level in a branch (the whole tree by default); every level is present."""
        counts = {level: 0 for level in LEVELS}
        for unit in self.subtree(unit_id or self._root.unit_id):
            counts[unit.level] += 1
        return counts

    def units_at_level(self, level: str, within: str | None = None) -> tuple[OrgUnit, ...]:
        return tuple(
            u for u in self.subtree(within or self._root.unit_id) if u.level == level
        )

    def to_rows(self) -> list[RawUnitRow]:
        """Rows that `build_tree` turns back into this tree (export); whole trees only."""
        return [
            RawUnitRow(
                row=position,
                unit_id=u.unit_id,
                name=u.name,
                parent_id=u.parent_id or "",
                level=u.level,
            )
            for position, u in enumerate(self, start=1)
        ]


__all__ = [
    "LEVELS",
    "LEVEL_NAMES_VI",
    "LEVEL_RANK",
    "PATH_SEPARATOR",
    "UNIT_ID_PATTERN",
    "Level",
    "OrgTree",
    "OrgUnit",
    "RawUnitRow",
    "branch_key",
    "is_within",
    "unit_not_found",
]
