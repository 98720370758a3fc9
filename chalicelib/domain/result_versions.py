"""A week's sealed result as kept: one numbered version after another (a
disqualification after the close adds the next version), and version 0 for a
close waiting for an organiser's confirmation. A reading that reaches the
store after its week was closed, for an instant the close could have read, is
kept as a `LateReading` next to the result: it enters a result only through an
explicit revision."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.engagement import Snapshot

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


# A revision that took late readings in carries this in front of the organiser's reason.
LATE_REVISION_PREFIX = "late_readings: "


@dataclass(frozen=True)
class LateReading:
    entry_id: str
    snapshot: Snapshot
    recorded_at: datetime

    @property
    def key(self) -> tuple[str, datetime, str]:
        return (self.entry_id, self.snapshot.at, self.snapshot.source)
