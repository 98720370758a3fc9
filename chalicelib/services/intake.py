"""Validation on arrival: every uploaded object is judged against its campaign's rules.

Nothing here trusts the upload: the emulator does not enforce presigned POST
policies, and S3 delivers events at least once, late, and out of order. So each
event is re-checked (the key must be the entry's current upload, the object must
still be the one the event names) and every status change is conditional.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from chalicelib.adapters.dynamodb.campaigns import CampaignStore
from chalicelib.adapters.dynamodb.submissions import SubmissionStore
from chalicelib.adapters.s3 import UploadBucket
from chalicelib.adapters.s3_events import ObjectCreated
from chalicelib.domain.media.verdict import verdict_for
from chalicelib.domain.submission import submission_id_from_key
from chalicelib.observability import logger as log

STUCK_AFTER = timedelta(minutes=15)

Outcome = Literal[
    "valid", "invalid", "duplicate", "stale", "superseded", "deleted_unknown", "gone", "foreign_bucket"
]


def validation_error_verdict(reason: str) -> dict:
    return {
        "status": "validation_error",
        "checks": [
            {
                "code": "validation_error",
                "outcome": "fail",
                "message_vi": "Hệ thống chưa kiểm tra được video này. Ban tổ chức đã được báo và sẽ xử lý.",
                "message_en": "The system could not check this video. The organisers have been alerted.",
                "expected": None,
                "actual": reason[:300],
            }
        ],
        "facts": {},
    }


@dataclass
class IntakeService:
    campaigns: CampaignStore
    submissions: SubmissionStore
    bucket: UploadBucket

    def handle(self, created: ObjectCreated, now: datetime) -> Outcome:
        if created.bucket != self.bucket.name:
            log.warning("event for another bucket ignored", extra={"bucket": created.bucket})
            return "foreign_bucket"
        submission_id = submission_id_from_key(created.key)
        record = self.submissions.get(submission_id) if submission_id else None
        if record is None or created.key not in (record.upload_key, record.stored_key):
            # Nobody was given a URL for this key: it did not come through the API.
            log.warning("object under an unknown key deleted", extra={"key": created.key})
            self.bucket.delete(created.key)
            return "deleted_unknown"
        if created.key != record.upload_key:
            return "superseded"
        head = self.bucket.head(created.key)
        if head is None:
            return "gone"
        if created.etag and head.etag != created.etag:
            # The object was overwritten since this event; the newer event judges it.
            return "stale"
        object_id = f"{created.bucket}/{created.key}#{head.etag}"
        if not self.submissions.begin_validation(record, created.key, object_id, now):
            return "duplicate"
        campaign = self.campaigns.get(record.campaign_id)
        if campaign is None:
            raise LookupError(f"campaign {record.campaign_id} of entry {record.submission_id} is missing")
        verdict = verdict_for(self.bucket.reader(created.key, head), campaign)
        previous = record.stored_key
        if not self.submissions.finish_validation(record, created.key, object_id, verdict["status"], verdict, now):
            return "duplicate"
        if previous and previous != created.key:
            self.bucket.delete(previous)
        return verdict["status"]

    def give_up(self, created: ObjectCreated, reason: str, now: datetime) -> bool:
        """The last retry failed too: the entry shows validation_error instead of hanging in validating."""
        submission_id = submission_id_from_key(created.key)
        record = self.submissions.get(submission_id) if submission_id else None
        if record is None or record.upload_key != created.key:
            return False
        return self.submissions.mark_validation_error(record, validation_error_verdict(reason), now)

    def sweep_stuck(self, now: datetime) -> int:
        """Entries whose validation never finished (a crash or a timeout) become validation_error."""
        marked = 0
        for submission_id in self.submissions.stuck_in_validation(now - STUCK_AFTER):
            record = self.submissions.get(submission_id)
            if record and self.submissions.mark_validation_error(
                record, validation_error_verdict("validation did not finish in time"), now
            ):
                marked += 1
        return marked
