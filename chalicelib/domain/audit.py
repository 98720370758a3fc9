"""One organiser or admin action as the audit log keeps it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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
