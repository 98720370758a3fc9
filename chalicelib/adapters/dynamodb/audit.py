"""The audit log: one item per organiser or admin action, never updated."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamodb.models import AuditRecord

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    actor_role: str
    actor_unit: str | None
    action: str
    entity_type: str
    entity_id: str
    campaign_id: str | None = None
    before: Any = None
    after: Any = None
    reason: str | None = None

    def to_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "at_vietnam": self.at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M:%S"),
            "actor": self.actor,
            "actor_role": self.actor_role,
            "actor_unit": self.actor_unit,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "campaign_id": self.campaign_id,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }


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
