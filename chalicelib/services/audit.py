"""Every organiser and admin action goes through here, so none is left unrecorded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.scope import Principal
from chalicelib.services.ports import AuditTrail


@dataclass
class AuditLog:
    store: AuditTrail

    def record(
        self,
        principal: Principal,
        action: str,
        entity_type: str,
        entity_id: str,
        at: datetime,
        *,
        campaign_id: str | None = None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            at=at,
            actor=principal.username or principal.user_id,
            actor_role=principal.role,
            actor_unit=principal.unit_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            campaign_id=campaign_id,
            before=before,
            after=after,
            reason=reason,
        )
        self.store.append(entry)
        return entry
