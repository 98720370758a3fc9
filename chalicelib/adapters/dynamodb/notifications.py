"""The notification log on DynamoDB: one item per (entry, event), claimed with a conditional write."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from chalicelib.adapters.dynamodb.models import NotificationRecord
from chalicelib.domain.instants import iso_utc

# A delivery that crashed mid-send leaves its claim; past this, another delivery may take it over.
SENDING_LEASE = timedelta(minutes=2)
LANGUAGE_KEY = "#language"
OPT_OUT_KEY = "optout"
CONTACT_KEY = "contact"
RECOVERY_KEY = "recovery"
RATE_KEY = "rate"


def _refused(error: UpdateError) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


class NotificationLogStore:
    def claim(self, submission_id: str, event_key: str, campaign_id: str, unit_path: str, now: datetime) -> bool:
        R = NotificationRecord
        lease_over = (R.status == "sending") & (R.lease_until < int(now.timestamp()))
        try:
            R(submission_id, event_key).update(
                actions=[
                    R.status.set("sending"),
                    R.lease_until.set(int((now + SENDING_LEASE).timestamp())),
                    R.attempts.add(1),
                    R.campaign_id.set(campaign_id),
                    R.unit_path.set(unit_path),
                    R.updated_at.set(now),
                ],
                condition=R.pk.does_not_exist() | (R.status == "failed") | lease_over,
            )
        except UpdateError as error:
            if _refused(error):
                return False
            raise
        return True

    def _finish(self, submission_id: str, event_key: str, now: datetime, actions: list) -> None:
        R = NotificationRecord
        R(submission_id, event_key).update(actions=[R.updated_at.set(now), R.lease_until.remove(), *actions])

    def sent(self, submission_id: str, event_key: str, channel: str, message_id: str, now: datetime) -> None:
        R = NotificationRecord
        self._finish(submission_id, event_key, now, [
            R.status.set("sent"), R.channel.set(channel), R.message_id.set(message_id), R.error.remove(),
            R.failed_campaign.remove(), R.failed_order.remove(),
        ])

    def failed(self, submission_id: str, event_key: str, error: str, now: datetime) -> None:
        R = NotificationRecord
        record = R.get(submission_id, event_key)
        self._finish(submission_id, event_key, now, [
            R.status.set("failed"), R.error.set(error),
            R.failed_campaign.set(record.campaign_id or ""),
            R.failed_order.set(f"{record.unit_path or ''}/{submission_id}#{event_key}"),
        ])

    def skipped(self, submission_id: str, event_key: str, why: str, now: datetime) -> None:
        R = NotificationRecord
        self._finish(submission_id, event_key, now, [R.status.set("skipped"), R.error.set(why)])

    def failures(self, campaign_id: str, unit_path: str, limit: int) -> list[dict]:
        R = NotificationRecord
        # The separator keeps a sibling whose id extends this unit's ("hcm2" beside "hcm") out.
        condition = R.failed_order.startswith(unit_path + "/") if unit_path else None
        found = [
            {
                "submission_id": r.pk,
                "event": r.sk,
                "unit_path": r.unit_path,
                "attempts": int(r.attempts or 0),
                "error": r.error,
                "failed_at": iso_utc(r.updated_at) if r.updated_at else None,
            }
            for r in R.failed.query(campaign_id, range_key_condition=condition, limit=limit)
        ]
        return sorted(found, key=lambda f: f["failed_at"] or "", reverse=True)

    def remember_language(self, submission_id: str, language: str) -> None:
        NotificationRecord(submission_id, LANGUAGE_KEY, language=language).save()

    def language(self, submission_id: str) -> str | None:
        try:
            return NotificationRecord.get(submission_id, LANGUAGE_KEY).language
        except DoesNotExist:
            return None

    def opt_out(self, contact_key: str, now: datetime) -> None:
        NotificationRecord(f"{OPT_OUT_KEY}#{contact_key}", OPT_OUT_KEY, status="opted_out", updated_at=now).save()

    def opted_out(self, contact_key: str) -> bool:
        try:
            NotificationRecord.get(f"{OPT_OUT_KEY}#{contact_key}", OPT_OUT_KEY)
        except DoesNotExist:
            return False
        return True

    # --- recovering access ------------------------------------------------------------
    def remember_contact(self, contact_key: str, submission_id: str) -> None:
        NotificationRecord(f"{CONTACT_KEY}#{contact_key}", submission_id).save()

    def entries_for_contact(self, contact_key: str, limit: int) -> list[str]:
        return [r.sk for r in NotificationRecord.query(f"{CONTACT_KEY}#{contact_key}", limit=limit)]

    def count(self, counter: str, window_start: datetime, window: timedelta) -> int:
        """Adds one to the counter of the window and returns it; the item expires with its window."""
        R = NotificationRecord
        record = R(f"{RATE_KEY}#{counter}", window_start.isoformat())
        record.update(actions=[R.count.add(1), R.expires_at.set(window_start + window + timedelta(minutes=5))])
        return int(record.count or 0)

    def put_access_link(self, token_hash: str, contact_key: str, language: str, expires_at: datetime) -> None:
        NotificationRecord(f"{RECOVERY_KEY}#{token_hash}", RECOVERY_KEY, contact_key=contact_key,
                           language=language, expires_at=expires_at).save()

    def take_access_link(self, token_hash: str, now: datetime) -> str | None:
        """The address a link was sent to, once: the link is gone after this (None: unknown, used or expired).
        DynamoDB deletes expired items only eventually, so the expiry is checked here."""
        R = NotificationRecord
        try:
            record = R.get(f"{RECOVERY_KEY}#{token_hash}", RECOVERY_KEY)
        except DoesNotExist:
            return None
        try:
            record.delete(condition=R.pk.exists())
        except DeleteError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return None
            raise
        if record.expires_at is None or record.expires_at <= now:
            return None
        return record.contact_key
