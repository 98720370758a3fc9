"""Engagement snapshots in DynamoDB: one item per reading, keyed for time-range Queries.

The sort key starts with a fixed-width UTC instant (always with microseconds),
so string order is time order and "between two instants" is a key condition.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from chalicelib.adapters.dynamodb.models import ScoreRecord, SnapshotRecord, SubmissionRecord
from chalicelib.domain.engagement import Snapshot

# Above every source name in sort order ('~' sorts after letters, digits and '-').
_AFTER_ANY_SOURCE = "~"


def instant_key(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sort_key(at: datetime, source: str) -> str:
    return f"{instant_key(at)}#{source}"


@dataclass(frozen=True)
class EntrySnapshot:
    """A snapshot together with the entry (and campaign) it was read for."""

    submission_id: str
    campaign_id: str
    snapshot: Snapshot


def _to_snapshot(record: SnapshotRecord) -> Snapshot:
    return Snapshot(record.at, record.source, dict(record.values))


class SnapshotStore:
    def put_many(self, snapshots: Iterable[EntrySnapshot]) -> int:
        """Write readings; the same (entry, instant, source) written twice is one item."""
        written = 0
        snapshots = list(snapshots)
        with SnapshotRecord.batch_write() as batch:
            for item in snapshots:
                snapshot = item.snapshot
                batch.save(
                    SnapshotRecord(
                        submission_id=item.submission_id,
                        at_source=sort_key(snapshot.at, snapshot.source),
                        at=snapshot.at,
                        source=snapshot.source,
                        campaign_id=item.campaign_id,
                        values=dict(snapshot.values),
                    )
                )
                written += 1
        self._mark_bases_stale({item.submission_id for item in snapshots})
        return written

    @staticmethod
    def _mark_bases_stale(submission_ids: set[str]) -> None:
        """Readings written here bypass ingestion, which keeps each entry's boundary readings on
        its score item: mark those stale so the next round or close reads the entry's history."""
        if not submission_ids:
            return
        for record in SubmissionRecord.batch_get(sorted(submission_ids), attributes_to_get=["submission_id", "campaign_week"]):
            if record.campaign_week:
                ScoreRecord(campaign_week=record.campaign_week, submission_id=record.submission_id).update(
                    actions=[ScoreRecord.basis_stale.set(True)])

    def history(self, submission_id: str, start: datetime, end: datetime, limit: int | None = None) -> list[Snapshot]:
        """Readings with start <= at <= end, oldest first: one Query on the key."""
        condition = SnapshotRecord.at_source.between(instant_key(start), instant_key(end) + _AFTER_ANY_SOURCE)
        return [_to_snapshot(r) for r in SnapshotRecord.query(submission_id, condition, limit=limit)]

    def latest_before(self, submission_id: str, before: datetime, limit: int = 1) -> list[Snapshot]:
        """The last `limit` readings strictly before `before`, oldest first."""
        condition = SnapshotRecord.at_source < instant_key(before)
        found = SnapshotRecord.query(submission_id, condition, scan_index_forward=False, limit=limit)
        return sorted((_to_snapshot(r) for r in found), key=lambda s: (s.at, s.source))
