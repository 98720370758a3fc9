"""The audit log: one item per organiser or admin action, never updated."""
from __future__ import annotations

import uuid
from datetime import date

from chalicelib.adapters.dynamodb.models import AuditRecord
from chalicelib.domain.audit import VIETNAM, AuditEntry


def _entry(record: AuditRecord) -> AuditEntry:
    entity_type, _, entity_id = record.entity_key.partition("#")
    return AuditEntry(
        at=record.at, actor=record.actor, actor_role=record.actor_role, actor_unit=record.actor_unit,
        action=record.action, entity_type=entity_type, entity_id=entity_id, campaign_id=record.campaign_id,
        before=record.before, after=record.after, reason=record.reason,
    )


class AuditStore:
    def append(self, entry: AuditEntry) -> None:
        at_id = f"{entry.at.isoformat()}#{uuid.uuid4().hex[:12]}"
        AuditRecord(
            day=entry.at.astimezone(VIETNAM).date().isoformat(),
            at_id=at_id,
            at=entry.at,
            actor=entry.actor,
            actor_role=entry.actor_role,
            actor_unit=entry.actor_unit,
            action=entry.action,
            entity_key=f"{entry.entity_type}#{entry.entity_id}",
            campaign_id=entry.campaign_id,
            before=entry.before,
            after=entry.after,
            reason=entry.reason,
        ).save(condition=AuditRecord.at_id.does_not_exist())

    def on_day(self, day: date, limit: int = 500) -> list[AuditEntry]:
        return [_entry(r) for r in AuditRecord.query(day.isoformat(), scan_index_forward=False, limit=limit)]

    def for_entity(self, entity_type: str, entity_id: str, limit: int = 500) -> list[AuditEntry]:
        return [
            _entry(r)
            for r in AuditRecord.by_entity.query(f"{entity_type}#{entity_id}", scan_index_forward=False, limit=limit)
        ]

    def by_actor(self, actor: str, limit: int = 500) -> list[AuditEntry]:
        return [_entry(r) for r in AuditRecord.by_actor.query(actor, scan_index_forward=False, limit=limit)]
