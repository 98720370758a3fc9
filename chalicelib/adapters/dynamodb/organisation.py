"""The organisation tree, one item per unit under a single partition.

The sort key is the unit's branch key ("tw/ha-noi/"), so begins_with on a
unit's branch key reads that unit and its whole branch in one Query.
"""
from __future__ import annotations

from chalicelib.adapters.dynamodb.models import OrgUnitRecord
from chalicelib.domain.organisation import OrgTree, OrgUnit
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
                batch.save(
                    OrgUnitRecord(
                        tree=TREE_PARTITION,
                        path=unit.branch_key,
                        unit_id=unit.unit_id,
                        name=unit.name,
                        parent_id=unit.parent_id,
                        level=unit.level,
                        search_key=fold(unit.name),
                    )
                )

    def find(self, unit_id: str) -> OrgUnit | None:
        for record in OrgUnitRecord.by_unit_id.query(unit_id, limit=1):
            return _to_unit(record)
        return None

    def branch(self, path: str) -> list[OrgUnit]:
        return [
            _to_unit(r)
            for r in OrgUnitRecord.query(TREE_PARTITION, OrgUnitRecord.path.startswith(path.rstrip("/") + "/"))
        ]

    def whole_tree(self) -> OrgTree:
        return OrgTree(_to_unit(r) for r in OrgUnitRecord.query(TREE_PARTITION))
