"""Engagement storage: published entries by week and by platform video, snapshots,
live scores (the board served from each week's kept top rows) and ingestion runs."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

from chalicelib.adapters.dynamodb.batch_writer import BatchWriter
from chalicelib.adapters.dynamodb.models import (
    IngestionRunRecord,
    LiveTopRecord,
    ScoreRecord,
    SnapshotRecord,
    SubmissionRecord,
)
from chalicelib.adapters.dynamodb.snapshots import sort_key
from chalicelib.adapters.dynamodb.submissions import to_entry
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_status import is_competing
from chalicelib.domain.ingestion import (
    LeaderboardRow,
    live_top,
    PublishedEntry,
    RunStatus,
    snapshots_from_items,
    snapshots_to_items,
    split_platform_video,
)


def snapshot_key(snapshot: Snapshot) -> str:
    """Same instant and source = same item: a repeated reading overwrites itself.

    The fixed-width key of adapters/dynamodb/snapshots.py, so range queries by time
    (the weekly close) see these readings in time order."""
    return sort_key(snapshot.at, snapshot.source)


PUBLISHED_ENTRY_ATTRIBUTES = ("submission_id", "status", "platform_video", "published_at", "unit_id", "title",
                              "unit_name", "review")


class PublishedEntries:
    def in_week(self, campaign_week: str) -> list[PublishedEntry]:
        """One Query (paginated) on the sparse by-voting-week index; never a Scan."""
        entries = []
        # Only what a chunk carries: a national week is 100,000 items, read every hour.
        found = SubmissionRecord.by_voting_week.query(campaign_week, attributes_to_get=list(PUBLISHED_ENTRY_ATTRIBUTES))
        for record in found:
            # A disqualified entry keeps its week (its results stay readable) but no longer competes.
            if not is_competing(record.status) or not record.platform_video or record.published_at is None:
                continue
            platform, video_id = split_platform_video(record.platform_video)
            link = ((record.review or {}).get("publication") or {}).get("url")
            entries.append(PublishedEntry(record.submission_id, platform, video_id, record.published_at,
                                          record.unit_id, record.title, record.unit_name, link))
        return entries

    def ids_for_video(self, platform_video: str) -> list[str]:
        return [r.submission_id for r in SubmissionRecord.by_platform_video.query(platform_video)]

    def many(self, submission_ids: Iterable[str]) -> dict[str, Entry]:
        return {r.submission_id: to_entry(r) for r in SubmissionRecord.batch_get(list(dict.fromkeys(submission_ids)))}


class SnapshotWriter:
    def __init__(self, writer: BatchWriter) -> None:
        self._writer = writer

    def write(self, rows: Sequence[tuple[str, str, Snapshot]]) -> int:
        """(submission_id, campaign_id, snapshot) rows, in batches of 25 with retries."""
        items = [
            SnapshotRecord(
                submission_id=submission_id, at_source=snapshot_key(snapshot), at=snapshot.at,
                source=snapshot.source, campaign_id=campaign_id, values=dict(snapshot.values),
            ).serialize()
            for submission_id, campaign_id, snapshot in rows
        ]
        return self._writer.put_items(SnapshotRecord.Meta.table_name, items)

    def for_entry(self, submission_id: str) -> list[Snapshot]:
        return [Snapshot(r.at, r.source, r.values) for r in SnapshotRecord.query(submission_id)]

    def stored_values(self, readings: Sequence[tuple[str, Snapshot]]) -> list[dict | None]:
        """For each (submission_id, reading), the values already stored for the same
        instant and source, or None when there are none."""
        keys = [(submission_id, snapshot_key(snapshot)) for submission_id, snapshot in readings]
        found = {(r.submission_id, r.at_source): r.values for r in SnapshotRecord.batch_get(list(dict.fromkeys(keys)))}
        return [found.get(key) for key in keys]


class ScoreStore:
    def __init__(self, writer: BatchWriter) -> None:
        self._writer = writer

    def put_many(self, rows: Sequence[LeaderboardRow]) -> int:
        # A round rewrites every score item: an item kept under 1 KB costs one write unit, not two
        # (no flags is no attribute, not an empty list).
        items = [
            ScoreRecord(
                campaign_week=row.campaign_week, submission_id=row.submission_id, score=row.score,
                breakdown=row.breakdown, unit_id=row.unit_id, title=row.title, flags=row.flags or None,
                updated_at=row.updated_at, basis=snapshots_to_items(row.basis), unit_name=row.unit_name, url=row.url,
            ).serialize()
            for row in rows
        ]
        return self._writer.put_items(ScoreRecord.Meta.table_name, items)

    def of_entry(self, campaign_week: str, submission_id: str) -> LeaderboardRow | None:
        try:
            r = ScoreRecord.get(campaign_week, submission_id)
        except ScoreRecord.DoesNotExist:
            return None
        return _row(r)

    def many(self, campaign_week: str, submission_ids: Sequence[str]) -> dict[str, LeaderboardRow]:
        keys = [(campaign_week, s) for s in dict.fromkeys(submission_ids)]
        return {r.submission_id: _row(r) for r in ScoreRecord.batch_get(keys)}

    def bases(self, campaign_week: str, submission_ids: Sequence[str]) -> dict[str, tuple[Snapshot, ...] | None]:
        """Each entry's kept boundary readings, by BatchGetItem (100 keys a call, unprocessed keys
        retried by PynamoDB): absent = no score item yet, None = its history must be read."""
        keys = [(campaign_week, s) for s in dict.fromkeys(submission_ids)]
        found = ScoreRecord.batch_get(keys, attributes_to_get=["submission_id", "basis", "basis_stale"])
        return {r.submission_id: _basis(r) for r in found}

    def week_bases(self, campaign_week: str) -> dict[str, tuple[Snapshot, ...] | None]:
        """Every entry's kept boundary readings for the week: one Query of the week's partition,
        1 MB a page, never one request per entry."""
        found = ScoreRecord.query(campaign_week, attributes_to_get=["submission_id", "basis", "basis_stale"])
        return {r.submission_id: _basis(r) for r in found}

    def mark_basis_stale(self, campaign_week: str, submission_id: str) -> None:
        """Readings were written around ingestion: the next round or close reads this entry's history."""
        ScoreRecord(campaign_week=campaign_week, submission_id=submission_id).update(
            actions=[ScoreRecord.basis_stale.set(True)])

    def top(self, campaign_week: str, limit: int) -> list[LeaderboardRow]:
        """The leaderboard page: the week's kept top rows, one GetItem. A week never ranked yet
        (or whose rows a disqualification dropped) is ranked now, once."""
        try:
            kept = LiveTopRecord.get(campaign_week)
        except LiveTopRecord.DoesNotExist:
            return self.rank(campaign_week)[:limit]
        return [_row_from_item(campaign_week, item) for item in kept.rows[:limit]]

    def rank(self, campaign_week: str) -> list[LeaderboardRow]:
        """Keep the week's first rows by score: one Query of its partition (1 MB pages, without the
        kept readings) and one PutItem. Run once a round's chunks are all in, and after an import."""
        shown = [name for name in ScoreRecord.get_attributes() if name not in ("basis", "basis_stale")]
        rows = live_top(_row(r) for r in ScoreRecord.query(campaign_week, attributes_to_get=shown))
        LiveTopRecord(campaign_week=campaign_week, rows=[_row_item(r) for r in rows],
                      entries=len(rows), ranked_at=datetime.now(timezone.utc)).save()
        return rows


def _status(record: IngestionRunRecord) -> RunStatus:
    return RunStatus(
        campaign_id=record.campaign_id, run_id=record.run_id, week=int(record.week), at=record.at,
        trigger=record.trigger, entries_planned=int(record.entries_planned),
        chunks_planned=int(record.chunks_planned), chunks_ok=frozenset(record.chunks_ok or ()),
        chunks_dead_lettered=frozenset(record.chunks_dead_lettered or ()),
        failed_attempts=int(record.failed_attempts or 0), snapshots_written=int(record.snapshots_written or 0),
        videos_not_returned=int(record.videos_not_returned or 0),
        entries_without_source=int(record.entries_without_source or 0), last_error=record.last_error,
    )


class IngestionRunStore:
    def start(self, campaign_id: str, run_id: str, week: int, at: datetime, trigger: str,
              entries_planned: int, chunks_planned: int, entries_without_source: int, now: datetime) -> None:
        # Written before any chunk is sent, so a run whose sending fails half-way still shows as pending.
        IngestionRunRecord(
            campaign_id=campaign_id, run_id=run_id, week=week, at=at, trigger=trigger,
            entries_planned=entries_planned, chunks_planned=chunks_planned,
            entries_without_source=entries_without_source, created_at=now,
        ).save()

    def chunk_ok(self, campaign_id: str, run_id: str, number: int, snapshots: int, not_returned: int) -> RunStatus | None:
        """The run as this chunk left it (the update's ALL_NEW answer: no second read)."""
        record = IngestionRunRecord(campaign_id=campaign_id, run_id=run_id)
        record.update(actions=[
            IngestionRunRecord.chunks_ok.add({str(number)}),
            IngestionRunRecord.snapshots_written.add(snapshots),
            IngestionRunRecord.videos_not_returned.add(not_returned),
        ])
        return _status(record) if record.chunks_planned is not None else None

    def chunk_failed(self, campaign_id: str, run_id: str, number: int, error: str, dead_lettered: bool) -> RunStatus | None:
        actions = [IngestionRunRecord.failed_attempts.add(1), IngestionRunRecord.last_error.set(error[:500])]
        if dead_lettered:
            actions.append(IngestionRunRecord.chunks_dead_lettered.add({str(number)}))
        record = IngestionRunRecord(campaign_id=campaign_id, run_id=run_id)
        record.update(actions=actions)
        return _status(record) if record.chunks_planned is not None else None

    def get(self, campaign_id: str, run_id: str) -> RunStatus | None:
        try:
            return _status(IngestionRunRecord.get(campaign_id, run_id, consistent_read=True))
        except IngestionRunRecord.DoesNotExist:
            return None

    def recent(self, campaign_id: str, limit: int) -> list[RunStatus]:
        return [_status(r) for r in IngestionRunRecord.query(campaign_id, scan_index_forward=False, limit=limit)]


def _basis(record: ScoreRecord) -> tuple[Snapshot, ...] | None:
    if record.basis_stale or record.basis is None:
        return None
    return snapshots_from_items(record.basis)


def _row_item(row: LeaderboardRow) -> dict[str, Any]:
    item = {f.name: getattr(row, f.name) for f in dataclasses.fields(row) if f.name not in ("basis", "campaign_week")}
    item["updated_at"] = row.updated_at.isoformat()
    return item


def _row_from_item(campaign_week: str, item: Mapping[str, Any]) -> LeaderboardRow:
    known = {f.name for f in dataclasses.fields(LeaderboardRow)}
    values = {k: v for k, v in item.items() if k in known}
    values["updated_at"] = datetime.fromisoformat(item["updated_at"])
    return LeaderboardRow(campaign_week=campaign_week, **values)


def _row(r: ScoreRecord) -> LeaderboardRow:
    return LeaderboardRow(
        campaign_week=r.campaign_week, submission_id=r.submission_id, score=r.score,
        breakdown=r.breakdown, unit_id=r.unit_id, title=r.title, flags=list(r.flags or []),
        updated_at=r.updated_at, unit_name=r.unit_name, url=r.url,
    )
