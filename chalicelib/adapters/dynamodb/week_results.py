"""Frozen week results, versioned: version n is written once and never changed."""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb.models import WeekResultRecord

PENDING_VERSION = 0


def campaign_week_key(campaign_id: str, week: int) -> str:
    return f"{campaign_id}#{week}"


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

    def to_record(self) -> WeekResultRecord:
        text = json.dumps(self.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return WeekResultRecord(
            campaign_week=campaign_week_key(self.campaign_id, self.week),
            version=self.version,
            document_gz=gzip.compress(text.encode("utf-8"), mtime=0),
            hash=self.hash,
            created_at=self.created_at,
            created_by=self.created_by,
            snapshots_as_of=self.snapshots_as_of,
            reason=self.reason,
        )


def _stored(record: WeekResultRecord) -> StoredWeekResult:
    campaign_id, _, week = record.campaign_week.rpartition("#")
    return StoredWeekResult(
        campaign_id=campaign_id,
        week=int(week),
        version=int(record.version),
        document=json.loads(gzip.decompress(record.document_gz).decode("utf-8")),
        hash=record.hash,
        created_at=record.created_at,
        created_by=record.created_by,
        snapshots_as_of=record.snapshots_as_of,
        reason=record.reason,
    )


def _conditional_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


class WeekResultStore:
    def latest(self, campaign_id: str, week: int) -> StoredWeekResult | None:
        """The highest frozen version (>= 1), or None when the week is not closed."""
        for record in WeekResultRecord.query(
            campaign_week_key(campaign_id, week),
            WeekResultRecord.version >= 1,
            scan_index_forward=False,
            limit=1,
            consistent_read=True,
        ):
            return _stored(record)
        return None

    def get(self, campaign_id: str, week: int, version: int) -> StoredWeekResult | None:
        try:
            return _stored(WeekResultRecord.get(campaign_week_key(campaign_id, week), version, consistent_read=True))
        except WeekResultRecord.DoesNotExist:
            return None

    def pending(self, campaign_id: str, week: int) -> StoredWeekResult | None:
        return self.get(campaign_id, week, PENDING_VERSION)

    def versions(self, campaign_id: str, week: int) -> list[StoredWeekResult]:
        """Every frozen version, oldest first."""
        return [
            _stored(r)
            for r in WeekResultRecord.query(
                campaign_week_key(campaign_id, week), WeekResultRecord.version >= 1, consistent_read=True
            )
        ]

    def add(self, result: StoredWeekResult) -> bool:
        """Write a new version; False when that version already exists (someone else wrote it)."""
        if result.pending:
            raise ValueError("use put_pending for version 0")
        try:
            result.to_record().save(condition=WeekResultRecord.version.does_not_exist())
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def put_pending(self, pending: StoredWeekResult) -> None:
        """The latest close waiting for confirmation; a newer attempt replaces it."""
        if not pending.pending:
            raise ValueError("a pending close is version 0")
        pending.to_record().save()
