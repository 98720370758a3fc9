"""The organisation tree, one item per unit under a single partition.

The sort key is the unit's branch key ("tw/ha-noi/"), so begins_with on a
unit's branch key reads that unit and its whole branch in one Query.
"""
from __future__ import annotations

from collections.abc import Iterable

from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.counters import transaction_connection
from chalicelib.adapters.dynamodb.models import OrgUnitRecord, UnitHistoryRecord
from chalicelib.domain.organisation import OrgTree, OrgUnit, branch_key
from chalicelib.domain.organisation_changes import TreeChange, UnitHistoryEvent
from chalicelib.domain.text import fold

TREE_PARTITION = "org"


def _to_unit(record: OrgUnitRecord) -> OrgUnit:
    return OrgUnit(
        unit_id=record.unit_id,
        name=record.name,
        parent_id=record.parent_id,
        level=record.level,  # type: ignore[arg-type]
        path=record.path.rstrip("/"),
    )


class OrgUnitStore:
    def put_tree(self, tree: OrgTree) -> None:
        with OrgUnitRecord.batch_write() as batch:
            for unit in tree:
                batch.save(_record(unit))

    def find(self, unit_id: str) -> OrgUnit | None:
        for record in OrgUnitRecord.by_unit_id.query(unit_id, limit=1):
            return _to_unit(record)
        return None

    def branch(self, path: str) -> list[OrgUnit]:
        return [
            _to_unit(r)
            for r in OrgUnitRecord.query(TREE_PARTITION, OrgUnitRecord.path.startswith(path.rstrip("/") + "/"))
        ]

    def root(self) -> OrgUnit | None:
        """Every path starts with the root's id, so the root's key sorts first: one item read."""
        for record in OrgUnitRecord.query(TREE_PARTITION, limit=1):
            return _to_unit(record)
        return None

    def _all_units(self) -> list[OrgUnit]:
        return [_to_unit(r) for r in OrgUnitRecord.query(TREE_PARTITION)]

    def whole_tree(self) -> OrgTree:
        return OrgTree(self._all_units())

    def whole_tree_or_none(self) -> OrgTree | None:
        """None before the first import (an empty table is not a tree)."""
        units = self._all_units()
        return OrgTree(units) if units else None


# At most 100 operations per TransactWriteItems call.
TRANSACTION_LIMIT = 100


def _record(unit: OrgUnit) -> OrgUnitRecord:
    return OrgUnitRecord(
        tree=TREE_PARTITION,
        path=unit.branch_key,
        unit_id=unit.unit_id,
        name=unit.name,
        parent_id=unit.parent_id,
        level=unit.level,
        search_key=fold(unit.name),
    )


def _apply_groups(incoming: OrgTree, change: TreeChange) -> list[list[tuple[str, OrgUnitRecord]]]:
    """The writes of a change, grouped so that a unit's delete-and-put never splits across transactions."""
    groups: list[list[tuple[str, OrgUnitRecord]]] = []
    groups += [[("put", _record(unit))] for unit in change.added]
    re_pathed = set()
    for moved in change.path_changes:
        re_pathed.add(moved.unit_id)
        old = OrgUnitRecord(tree=TREE_PARTITION, path=branch_key(moved.old_path))
        groups.append([("delete", old), ("put", _record(incoming.get(moved.unit_id)))])
    groups += [
        [("put", _record(incoming.get(renamed.unit_id)))]
        for renamed in change.renamed
        if renamed.unit_id not in re_pathed
    ]
    groups += [
        [("delete", OrgUnitRecord(tree=TREE_PARTITION, path=unit.branch_key))] for unit in change.removed
    ]
    return groups


class OrgTreeWriter:
    """Writes a planned tree change (domain.organisation_changes.plan_update) in order.

    Each unit's own writes are atomic (a moved unit is deleted at its old path
    and written at its new one in one transaction), and the groups are packed
    into transactions of up to 100 operations in the plan's order: parents
    before children, removals last. An import interrupted half-way leaves a
    prefix of the plan applied; importing the same file again applies the rest,
    because the plan is a diff against what is stored.
    """

    def apply(self, incoming: OrgTree, change: TreeChange) -> int:
        batches: list[list[tuple[str, OrgUnitRecord]]] = [[]]
        for group in _apply_groups(incoming, change):
            if len(batches[-1]) + len(group) > TRANSACTION_LIMIT:
                batches.append([])
            batches[-1].extend(group)
        written = 0
        for batch in batches:
            if not batch:
                continue
            with TransactWrite(connection=transaction_connection()) as tx:
                for operation, record in batch:
                    if operation == "put":
                        tx.save(record)
                    else:
                        tx.delete(record)
            written += len(batch)
        return written


class UnitHistoryStore:
    """Append-only history per unit; moves stay flagged until entries and counters follow them."""

    PENDING = "pending"

    def append(self, events: Iterable[UnitHistoryEvent]) -> None:
        with UnitHistoryRecord.batch_write() as batch:
            for event in events:
                batch.save(
                    UnitHistoryRecord(
                        unit_id=event.unit_id,
                        at_kind=f"{event.at.isoformat()}#{event.kind}",
                        kind=event.kind,
                        at=event.at,
                        actor=event.actor,
                        from_path=event.from_path,
                        to_path=event.to_path,
                        from_name=event.from_name,
                        to_name=event.to_name,
                        # Only the top of a moved branch is re-keyed: its old prefix covers the descendants.
                        rekey_state=self.PENDING if event.kind == "moved" else None,
                    )
                )

    def for_unit(self, unit_id: str, limit: int = 100) -> list[UnitHistoryEvent]:
        return [
            _event(r) for r in UnitHistoryRecord.query(unit_id, scan_index_forward=False, limit=limit)
        ]

    def pending_moves(self) -> list[UnitHistoryEvent]:
        """Moves still being re-keyed, oldest first (a sparse index: finished moves are not read)."""
        return [_event(r) for r in UnitHistoryRecord.rekey_pending.query(self.PENDING)]

    def finish_move(self, event: UnitHistoryEvent) -> None:
        record = UnitHistoryRecord(unit_id=event.unit_id, at_kind=f"{event.at.isoformat()}#{event.kind}")
        record.update(actions=[UnitHistoryRecord.rekey_state.remove()])


def _event(record: UnitHistoryRecord) -> UnitHistoryEvent:
    return UnitHistoryEvent(
        unit_id=record.unit_id,
        kind=record.kind,  # type: ignore[arg-type]
        at=record.at,
        actor=record.actor,
        from_path=record.from_path,
        to_path=record.to_path,
        from_name=record.from_name,
        to_name=record.to_name,
    )
