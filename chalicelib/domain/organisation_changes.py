"""What re-importing the organisation changes: units added, renamed, moved or removed."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.organisation import Level, OrgTree, OrgUnit, is_within


@dataclass(frozen=True)
class Renamed:
    unit_id: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class PathChange:
    unit_id: str
    old_path: str
    new_path: str
    old_level: Level
    new_level: Level


@dataclass(frozen=True)
class Moved:
    """A unit that got a new parent, with every existing descendant re-pathed along with it."""

    unit_id: str
    old_parent_id: str | None
    new_parent_id: str | None
    old_path: str
    new_path: str
    descendants: tuple[PathChange, ...]


HistoryKind = Literal["added", "renamed", "moved", "path_changed", "removed"]


@dataclass(frozen=True)
class UnitHistoryEvent:
    unit_id: str
    kind: HistoryKind
    at: datetime
    actor: str | None = None
    from_path: str | None = None
    to_path: str | None = None
    from_name: str | None = None
    to_name: str | None = None


@dataclass(frozen=True)
class TreeChange:
    """What an import changes, in the order the adapter should write it.

    1. `added`, parents before children, so a parent exists when a child is written;
    2. `path_changes` (every unit whose path changes: moved units and their
       descendants; ids stay the same, so entries stay attributed to the unit;
       items keyed by path, such as per-unit counters, must be re-keyed);
    3. `renamed`;
    4. `removed`, children before parents.
    """

    added: tuple[OrgUnit, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    moved: tuple[Moved, ...] = ()
    path_changes: tuple[PathChange, ...] = ()
    removed: tuple[OrgUnit, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.renamed or self.path_changes or self.removed)

    def history_events(self, at: datetime, actor: str | None = None) -> tuple[UnitHistoryEvent, ...]:
        """One event per change, all stamped with the caller's clock reading."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise InvalidInput(
                "Thời điểm ghi lịch sử phải có múi giờ.",
                "The history timestamp must be timezone-aware.",
                code="naive_datetime",
            )
        moved_ids = {m.unit_id for m in self.moved}
        events: list[UnitHistoryEvent] = []
        events += [
            UnitHistoryEvent(u.unit_id, "added", at, actor, to_path=u.path, to_name=u.name)
            for u in self.added
        ]
        events += [
            UnitHistoryEvent(
                c.unit_id,
                "moved" if c.unit_id in moved_ids else "path_changed",
                at,
                actor,
                from_path=c.old_path,
                to_path=c.new_path,
            )
            for c in self.path_changes
        ]
        events += [
            UnitHistoryEvent(
                r.unit_id, "renamed", at, actor, from_name=r.old_name, to_name=r.new_name
            )
            for r in self.renamed
        ]
        events += [
            UnitHistoryEvent(u.unit_id, "removed", at, actor, from_path=u.path, from_name=u.name)
            for u in self.removed
        ]
        return tuple(events)


def plan_update(current: OrgTree, incoming: OrgTree) -> TreeChange:
    """The difference between the stored tree and a newly imported one."""
    added = tuple(u for u in incoming if u.unit_id not in current)
    removed = tuple(reversed([u for u in current if u.unit_id not in incoming]))
    renamed: list[Renamed] = []
    path_changes: list[PathChange] = []
    moved_units: list[tuple[OrgUnit, OrgUnit]] = []
    for new in incoming:
        old = current.find(new.unit_id)
        if old is None:
            continue
        if old.name != new.name:
            renamed.append(Renamed(new.unit_id, old.name, new.name))
        if old.path != new.path:
            path_changes.append(
                PathChange(new.unit_id, old.path, new.path, old.level, new.level)
            )
        if old.parent_id != new.parent_id:
            moved_units.append((old, new))
    moved = tuple(
        Moved(
            unit_id=new.unit_id,
            old_parent_id=old.parent_id,
            new_parent_id=new.parent_id,
            old_path=old.path,
            new_path=new.path,
            descendants=tuple(
                c
                for c in path_changes
                if c.unit_id != new.unit_id and is_within(c.new_path, new.path)
            ),
        )
        for old, new in moved_units
    )
    return TreeChange(
        added=added,
        renamed=tuple(renamed),
        moved=moved,
        path_changes=tuple(path_changes),
        removed=removed,
    )


def refuse_removing_units_in_use(change: TreeChange, units_in_use: Collection[str]) -> None:
    """Raise Conflict when an update would delete units that still own entries or users.

    Deleting them would orphan their entries; the organiser should move or
    merge them instead. `units_in_use` comes from the adapter.
    """
    blocked = sorted(u.unit_id for u in change.removed if u.unit_id in units_in_use)
    if blocked:
        ids = ", ".join(blocked)
        raise Conflict(
            f"Không thể xoá đơn vị đang có bài dự thi hoặc tài khoản: {ids}.",
            f"Cannot remove units that still have entries or accounts: {ids}.",
            code="unit_in_use",
            unit_ids=blocked,
        )


__all__ = [
    "HistoryKind",
    "Moved",
    "PathChange",
    "Renamed",
    "TreeChange",
    "UnitHistoryEvent",
    "plan_update",
    "refuse_removing_units_in_use",
]
