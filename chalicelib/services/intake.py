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

from chalicelib.domain.entry import Entry
from chalicelib.domain.media.verdict import verdict_for
from chalicelib.domain.submission import submission_id_from_key
from chalicelib.domain.uploads import ObjectCreated, ObjectReplaced
from chalicelib.domain import entry_status
from chalicelib.domain import notifications as notify
from chalicelib.observability import logger as log
from chalicelib.services.notifications import SILENT
from chalicelib.services.ports import Campaigns, IntakeEntries, NotificationEvents, UploadedObjects

STUCK_AFTER = timedelta(minutes=15)

Outcome = Literal[
    "valid", "invalid", "duplicate", "stale", "superseded", "deleted_unknown", "gone", "foreign_bucket"
]


def validation_error_verdict(reason: str) -> dict:
    return {
        "status": entry_status.VALIDATION_ERROR,
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
    campaigns: Campaigns
    submissions: IntakeEntries
    bucket: UploadedObjects
    notifications: NotificationEvents = SILENT

    def _entry_for(self, key: str) -> Entry | None:
        submission_id = submission_id_from_key(key)
        return self.submissions.get(submission_id) if submission_id else None

    def handle(self, created: ObjectCreated, now: datetime) -> Outcome:
        if created.bucket != self.bucket.name:
            log.warning("event for another bucket ignored", extra={"bucket": created.bucket})
            return "foreign_bucket"
        entry = self._entry_for(created.key)
        if entry is None or created.key not in (entry.upload_key, entry.stored_key):
            # Nobody was given a URL for this key: it did not come through the API.
            log.warning("object under an unknown key deleted", extra={"key": created.key})
            self.bucket.delete(created.key)
            return "deleted_unknown"
        if created.key != entry.upload_key:
            return "superseded"
        head = self.bucket.head(created.key)
        if head is None:
            return "gone"
        if created.etag and head.etag != created.etag:
            # The object was overwritten since this event; the newer event judges it.
            return "stale"
        object_id = f"{created.bucket}/{created.key}#{head.etag}"
        claimed = self.submissions.begin_validation(entry, created.key, object_id, now)
        if not claimed:
            return "duplicate"
        campaign = self.campaigns.get(entry.campaign_id)
        if campaign is None:
            raise LookupError(f"campaign {entry.campaign_id} of entry {entry.submission_id} is missing")
        try:
            verdict = verdict_for(self.bucket.reader(created.key, head), campaign)
        except ObjectReplaced:
            # Overwritten while being read: the newer object's own event judges it, so no retry.
            return "stale"
        previous = entry.stored_key
        if not self.submissions.finish_validation(claimed, created.key, object_id, verdict["status"], verdict, now):
            return "duplicate"
        self.notifications.publish([notify.verdict_given(entry.submission_id, verdict["status"], now)])
        if previous and previous != created.key:
            self.bucket.delete(previous)
        return verdict["status"]

    def give_up(self, created: ObjectCreated, reason: str, now: datetime) -> bool:
        """The last retry failed too: the entry shows validation_error instead of hanging in validating."""
        entry = self._entry_for(created.key)
        if entry is None or entry.upload_key != created.key:
            return False
        return bool(self.submissions.mark_validation_error(entry, validation_error_verdict(reason), now))

    def sweep_stuck(self, now: datetime) -> int:
        """Entries whose validation never finished (a crash or a timeout) become validation_error."""
        marked = 0
        for submission_id in self.submissions.stuck_in_validation(now - STUCK_AFTER):
            entry = self.submissions.get(submission_id)
            if entry and self.submissions.mark_validation_error(
                entry, validation_error_verdict("validation did not finish in time"), now
            ):
                marked += 1
        return marked
