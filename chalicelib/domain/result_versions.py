"""A week's sealed result as kept: one numbered version after another (a
disqualification after the close adds the next version), and version 0 for a
close waiting for an organiser's confirmation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PENDING_VERSION = 0


@dataclass(frozen=True)
class StoredWeekResult:
    campaign_id: str
    week: int
    version: int  # 0: a close waiting for confirmation, not a result
    document: dict
    hash: str | None
    created_at: datetime
    created_by: str
    snapshots_as_of: datetime
    reason: str | None = None

    @property
    def pending(self) -> bool:
        return self.version == PENDING_VERSION
