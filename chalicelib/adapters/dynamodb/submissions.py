"""Entries in DynamoDB. Every status change is a conditional write, so a
duplicated or late event can never move an entry twice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.models import ScoreRecord, SubmissionRecord, WeekResultRecord
from chalicelib.adapters.dynamodb.week_results import StoredWeekResult
from chalicelib.domain.organisation import branch_key

VALIDATION_WATCH = "validating"


def _conditional_failed(error: Exception) -> bool:
    cause = getattr(error, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def status_sort(status: str, created_at: datetime, submission_id: str) -> str:
    return f"{status}#{created_at.isoformat()}#{submission_id}"


def unit_sort(unit_path: str, created_at: datetime, submission_id: str) -> str:
    return f"{branch_key(unit_path)}{created_at.isoformat()}#{submission_id}"


@dataclass(frozen=True)
class NewSubmission:
    submission_id: str
    campaign_id: str
    unit_id: str
    unit_path: str
    title: str
    description: str
    category: str
    authors: list[dict[str, Any]]
    file_name: str
    content_type: str
    declared_size: int
    access_token_hash: str
    upload_key: str
    upload_kind: str
    multipart_upload_id: str | None
    created_at: datetime


class SubmissionStore:
    def create(self, new: NewSubmission) -> SubmissionRecord:
        record = SubmissionRecord(
            submission_id=new.submission_id,
            campaign_id=new.campaign_id,
            unit_id=new.unit_id,
            unit_path=new.unit_path,
            unit_sort=unit_sort(new.unit_path, new.created_at, new.submission_id),
            status="awaiting_upload",
            status_sort=status_sort("awaiting_upload", new.created_at, new.submission_id),
            status_changed_at=new.created_at,
            created_at=new.created_at,
            title=new.title,
            description=new.description or None,
            category=new.category or None,
            authors=new.authors,
            file_name=new.file_name,
            content_type=new.content_type,
            declared_size=new.declared_size,
            access_token_hash=new.access_token_hash,
            upload_key=new.upload_key,
            upload_kind=new.upload_kind,
            multipart_upload_id=new.multipart_upload_id,
        )
        record.save(condition=SubmissionRecord.submission_id.does_not_exist())
        return record

    def get(self, submission_id: str) -> SubmissionRecord | None:
        try:
            return SubmissionRecord.get(submission_id, consistent_read=True)
        except DoesNotExist:
            return None

    @staticmethod
    def _status_actions(record: SubmissionRecord, new_status: str, at: datetime, actions: Iterable[Any]) -> list:
        return [
            SubmissionRecord.status.set(new_status),
            SubmissionRecord.status_sort.set(status_sort(new_status, record.created_at, record.submission_id)),
            SubmissionRecord.status_changed_at.set(at),
            *actions,
        ]

    def _transition(
        self,
        record: SubmissionRecord,
        new_status: str,
        at: datetime,
        condition: Condition,
        actions: Iterable[Any] = (),
    ) -> bool:
        """Apply a status change if `condition` still holds; False means someone else moved it first."""
        try:
            record.update(actions=self._status_actions(record, new_status, at, actions), condition=condition)
        except (UpdateError, PutError) as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def replace_upload(
        self, record: SubmissionRecord, upload_key: str, kind: str, multipart_upload_id: str | None,
        file_name: str, content_type: str, declared_size: int, reuploadable: Iterable[str], at: datetime,
    ) -> bool:
        return self._transition(
            record,
            "awaiting_upload",
            at,
            SubmissionRecord.status.is_in(*reuploadable),
            [
                SubmissionRecord.upload_key.set(upload_key),
                SubmissionRecord.upload_kind.set(kind),
                SubmissionRecord.multipart_upload_id.set(multipart_upload_id)
                if multipart_upload_id
                else SubmissionRecord.multipart_upload_id.remove(),
                SubmissionRecord.file_name.set(file_name),
                SubmissionRecord.content_type.set(content_type),
                SubmissionRecord.declared_size.set(declared_size),
                SubmissionRecord.validation_watch.remove(),
                SubmissionRecord.validating_since.remove(),
            ],
        )

    def begin_validation(self, record: SubmissionRecord, key: str, object_id: str, at: datetime) -> bool:
        """Claim the object for validation. Refused when the key is no longer the entry's
        current upload, or when this very object already has a verdict (a duplicate event)."""
        already_judged = (SubmissionRecord.processed_object == object_id) & SubmissionRecord.status.is_in(
            "valid", "invalid", "validation_error", "approved", "rejected", "published", "disqualified"
        )
        condition = (
            (SubmissionRecord.upload_key == key)
            & SubmissionRecord.status.is_in("awaiting_upload", "validating", "valid", "invalid", "validation_error")
            & ~already_judged
        )
        return self._transition(
            record,
            "validating",
            at,
            condition,
            [
                SubmissionRecord.processed_object.set(object_id),
                SubmissionRecord.validation_watch.set(VALIDATION_WATCH),
                SubmissionRecord.validating_since.set(at),
                SubmissionRecord.validation_attempts.add(1),
            ],
        )

    def finish_validation(
        self, record: SubmissionRecord, key: str, object_id: str, status: str, verdict: dict, at: datetime
    ) -> bool:
        condition = (
            (SubmissionRecord.status == "validating")
            & (SubmissionRecord.upload_key == key)
            & (SubmissionRecord.processed_object == object_id)
        )
        return self._transition(
            record,
            status,
            at,
            condition,
            [
                SubmissionRecord.verdict.set(verdict),
                SubmissionRecord.validated_at.set(at),
                SubmissionRecord.stored_key.set(key),
                SubmissionRecord.validation_watch.remove(),
                SubmissionRecord.validating_since.remove(),
            ],
        )

    def mark_validation_error(self, record: SubmissionRecord, reason: dict, at: datetime) -> bool:
        return self._transition(
            record,
            "validation_error",
            at,
            SubmissionRecord.status == "validating",
            [
                SubmissionRecord.verdict.set(reason),
                SubmissionRecord.validation_watch.remove(),
                SubmissionRecord.validating_since.remove(),
            ],
        )

    def stuck_in_validation(self, started_before: datetime) -> list[str]:
        return [
            r.submission_id
            for r in SubmissionRecord.in_validation.query(
                VALIDATION_WATCH, SubmissionRecord.validating_since < started_before
            )
        ]

    # --- review and publication (organisers) ----------------------------------
    # Each change is conditional on the status the organiser saw, so two
    # organisers acting at once cannot both win, and nothing skips a step.

    def approve(self, record: SubmissionRecord, review: dict, at: datetime) -> bool:
        return self._transition(
            record, "approved", at, SubmissionRecord.status == "valid", [SubmissionRecord.review.set(review)]
        )

    def reject(self, record: SubmissionRecord, review: dict, at: datetime) -> bool:
        return self._transition(
            record, "rejected", at, SubmissionRecord.status == "valid", [SubmissionRecord.review.set(review)]
        )

    def publish(
        self, record: SubmissionRecord, review: dict, platform_video: str, campaign_week: str,
        published_at: datetime, at: datetime,
    ) -> bool:
        return self._transition(
            record,
            "published",
            at,
            SubmissionRecord.status == "approved",
            [
                SubmissionRecord.review.set(review),
                SubmissionRecord.platform_video.set(platform_video),
                SubmissionRecord.campaign_week.set(campaign_week),
                SubmissionRecord.published_at.set(published_at),
            ],
        )

    def disqualify(
        self, record: SubmissionRecord, review: dict, at: datetime, revised_result: StoredWeekResult | None = None
    ) -> bool:
        """Disqualify an entry that is still in the status the caller read, in one
        transaction with what must change alongside: its live leaderboard row goes, and
        when its week is already closed, the week's next result version is written."""
        condition = SubmissionRecord.status == record.status
        actions = self._status_actions(record, "disqualified", at, [SubmissionRecord.review.set(review)])
        try:
            with TransactWrite(connection=Connection(region=SubmissionRecord.Meta.region)) as transaction:
                transaction.update(record, actions=actions, condition=condition)
                if record.campaign_week:
                    transaction.delete(ScoreRecord(record.campaign_week, record.submission_id))
                if revised_result is not None:
                    transaction.save(revised_result.to_record(), condition=WeekResultRecord.version.does_not_exist())
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                return False
            raise
        return True

    # --- reads for ranking, awards and the final ----------------------------

    def in_voting_week(self, campaign_week: str) -> list[SubmissionRecord]:
        """Every entry ever published into the week (published or since disqualified)."""
        return list(SubmissionRecord.by_voting_week.query(campaign_week))

    def in_status(self, campaign_id: str, status: str) -> list[SubmissionRecord]:
        return list(
            SubmissionRecord.by_campaign_status.query(
                campaign_id, SubmissionRecord.status_sort.startswith(f"{status}#")
            )
        )

    def by_platform_video(self, platform_video: str) -> list[str]:
        return [r.submission_id for r in SubmissionRecord.by_platform_video.query(platform_video)]

    def many(self, submission_ids: Iterable[str]) -> dict[str, SubmissionRecord]:
        ids = sorted(set(submission_ids))
        if not ids:
            return {}
        return {r.submission_id: r for r in SubmissionRecord.batch_get(ids)}
