"""Frozen week results, versioned: version n is written once and never changed.

A week of a few thousand entries outgrows DynamoDB's 400 KB item even gzip'd, so
a large document is archived in S3 under a key derived from its content, written
before the item that points to it: an item never points to a missing document.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from typing import Protocol, Sequence

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb.models import WeekResultRecord
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.week_result import top_rows
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.result_versions import PENDING_VERSION, LateReading, StoredWeekResult

# Below DynamoDB's 400 KB item limit with room for the item's other attributes.
INLINE_DOCUMENT_BYTES = 300 * 1024


class DocumentArchive(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...


def campaign_week_key(campaign_id: str, week: int) -> str:
    return f"{campaign_id}#{week}"


def _conditional_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _latest_record(campaign_id: str, week: int, attributes: list[str] | None = None) -> WeekResultRecord | None:
    """The item of the highest frozen version (>= 1): one Query of one item, strongly consistent."""
    found = WeekResultRecord.query(
        campaign_week_key(campaign_id, week), WeekResultRecord.version >= 1, scan_index_forward=False, limit=1,
        consistent_read=True, attributes_to_get=attributes,
    )
    return next(iter(found), None)


class WeekResultStore:
    def __init__(self, archive: DocumentArchive) -> None:
        self._archive = archive

    def record_for(self, result: StoredWeekResult) -> WeekResultRecord:
        """The item for a version, archiving a document too large to keep inline first."""
        text = json.dumps(result.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        compressed = gzip.compress(text.encode("utf-8"), mtime=0)
        record = WeekResultRecord(
            campaign_week=campaign_week_key(result.campaign_id, result.week),
            version=result.version,
            hash=result.hash,
            created_at=result.created_at,
            created_by=result.created_by,
            snapshots_as_of=result.snapshots_as_of,
            reason=result.reason,
            top=None if result.pending else top_rows(result.document),
        )
        if len(compressed) <= INLINE_DOCUMENT_BYTES:
            record.document_gz = compressed
        else:
            digest = hashlib.sha256(compressed).hexdigest()
            key = f"results/{result.campaign_id}/week-{result.week}/v{result.version}-{digest[:20]}.json.gz"
            self._archive.put(key, compressed)
            record.document_key = key
        return record

    def _stored(self, record: WeekResultRecord) -> StoredWeekResult:
        campaign_id, _, week = record.campaign_week.rpartition("#")
        compressed = record.document_gz if record.document_gz is not None else self._archive.get(record.document_key)
        return StoredWeekResult(
            campaign_id=campaign_id,
            week=int(week),
            version=int(record.version),
            document=json.loads(gzip.decompress(compressed).decode("utf-8")),
            hash=record.hash,
            created_at=record.created_at,
            created_by=record.created_by,
            snapshots_as_of=record.snapshots_as_of,
            reason=record.reason,
        )

    def latest(self, campaign_id: str, week: int) -> StoredWeekResult | None:
        """The highest frozen version (>= 1), or None when the week is not closed."""
        record = _latest_record(campaign_id, week)
        return None if record is None else self._stored(record)

    def latest_top(self, campaign_id: str, week: int) -> tuple[int, str, list[dict]] | None:
        """(version, hash, first rows) of the latest version, from its item alone (never the
        document); None when the week is not closed or its result predates the kept rows."""
        record = _latest_record(campaign_id, week, ["campaign_week", "version", "hash", "top"])
        if record is None or record.top is None:
            return None
        return int(record.version), record.hash, list(record.top)

    def get(self, campaign_id: str, week: int, version: int) -> StoredWeekResult | None:
        try:
            return self._stored(WeekResultRecord.get(campaign_week_key(campaign_id, week), version, consistent_read=True))
        except WeekResultRecord.DoesNotExist:
            return None

    def pending(self, campaign_id: str, week: int) -> StoredWeekResult | None:
        return self.get(campaign_id, week, PENDING_VERSION)

    def versions(self, campaign_id: str, week: int) -> list[StoredWeekResult]:
        """Every frozen version, oldest first."""
        return [
            self._stored(r)
            for r in WeekResultRecord.query(
                campaign_week_key(campaign_id, week), WeekResultRecord.version >= 1, consistent_read=True
            )
        ]

    def add(self, result: StoredWeekResult) -> bool:
        """Write a new version; False when that version already exists (someone else wrote it)."""
        if result.pending:
            raise ValueError("use put_pending for version 0")
        try:
            self.record_for(result).save(condition=WeekResultRecord.version.does_not_exist())
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def put_pending(self, pending: StoredWeekResult) -> None:
        """The latest close waiting for confirmation; a newer attempt replaces it."""
        if not pending.pending:
            raise ValueError("a pending close is version 0")
        self.record_for(pending).save()


LATE_READING_BY = "late_reading"


def late_reading_version(reading: LateReading) -> int:
    """A negative sort key derived from (entry, instant, source): below every result version,
    one item per reading, and the same reading recorded twice lands on the same item."""
    name = f"{reading.entry_id}#{iso_utc(reading.snapshot.at)}#{reading.snapshot.source}"
    return -(int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:15], 16) + 1)


class LateReadingStore:
    """Late readings of a week, kept in the week-results table under negative versions, so a
    week's results and its late readings are one partition and listing them is one Query."""

    def add(self, campaign_id: str, week: int, readings: Sequence[LateReading]) -> None:
        with WeekResultRecord.batch_write() as batch:
            for reading in readings:
                document = {"entry_id": reading.entry_id, **reading.snapshot.to_dict()}
                batch.save(WeekResultRecord(
                    campaign_week=campaign_week_key(campaign_id, week),
                    version=late_reading_version(reading),
                    document_gz=gzip.compress(json.dumps(document, sort_keys=True).encode("utf-8"), mtime=0),
                    created_at=reading.recorded_at,
                    created_by=LATE_READING_BY,
                    snapshots_as_of=reading.snapshot.at,
                ))

    def for_week(self, campaign_id: str, week: int) -> list[LateReading]:
        found = []
        for record in WeekResultRecord.query(
            campaign_week_key(campaign_id, week), WeekResultRecord.version < 0, consistent_read=True
        ):
            document = json.loads(gzip.decompress(record.document_gz).decode("utf-8"))
            found.append(LateReading(document["entry_id"], Snapshot.from_dict(document), record.created_at))
        return sorted(found, key=lambda r: (r.entry_id, r.snapshot.at, r.snapshot.source))
