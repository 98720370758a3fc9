"""In-memory twins of the notification ports: the events services publish, the log, the mailer."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from chalicelib.domain.notifications import NotificationEvent, OutgoingEmail


class RecordedEvents:
    """NotificationEvents: what services published, in order."""

    def __init__(self) -> None:
        self.events: list[NotificationEvent] = []

    def publish(self, events: Sequence[NotificationEvent]) -> None:
        self.events.extend(events)

    def kinds(self) -> list[str]:
        return [e.key for e in self.events]


class FakeNotificationLog:
    """The DynamoDB log's conditions: a claim holds unless the record failed or its lease ran out."""

    LEASE = timedelta(minutes=2)

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict] = {}
        self.languages: dict[str, str] = {}
        self.opt_outs: set[str] = set()
        self.contacts: dict[str, set[str]] = {}

    def claim(self, submission_id: str, event_key: str, campaign_id: str, unit_path: str, now: datetime) -> bool:
        record = self.records.get((submission_id, event_key))
        if record and not (record["status"] == "failed" or
                           (record["status"] == "sending" and record["lease_until"] < now)):
            return False
        attempts = (record or {}).get("attempts", 0) + 1
        self.records[(submission_id, event_key)] = {
            "status": "sending", "lease_until": now + self.LEASE, "attempts": attempts,
            "campaign_id": campaign_id, "unit_path": unit_path, "at": now}
        return True

    def sent(self, submission_id: str, event_key: str, channel: str, message_id: str, now: datetime) -> None:
        self.records[(submission_id, event_key)].update(status="sent", channel=channel, message_id=message_id, at=now)

    def failed(self, submission_id: str, event_key: str, error: str, now: datetime) -> None:
        self.records[(submission_id, event_key)].update(status="failed", error=error, at=now)

    def skipped(self, submission_id: str, event_key: str, why: str, now: datetime) -> None:
        self.records[(submission_id, event_key)].update(status="skipped", error=why, at=now)

    def failures(self, campaign_id: str, unit_path: str, limit: int) -> list[dict]:
        rows = [
            {"submission_id": s, "event": e, "unit_path": r["unit_path"], "attempts": r["attempts"],
             "error": r.get("error"), "failed_at": r["at"].isoformat()}
            for (s, e), r in self.records.items()
            if r["status"] == "failed" and r["campaign_id"] == campaign_id
            and (not unit_path or (r["unit_path"] + "/").startswith(unit_path + "/"))
        ]
        return sorted(rows, key=lambda r: r["failed_at"], reverse=True)[:limit]

    def remember_language(self, submission_id: str, language: str) -> None:
        self.languages[submission_id] = language

    def language(self, submission_id: str) -> str | None:
        return self.languages.get(submission_id)

    def opt_out(self, contact_key: str, now: datetime) -> None:
        self.opt_outs.add(contact_key)

    def opted_out(self, contact_key: str) -> bool:
        return contact_key in self.opt_outs

    def remember_contact(self, contact_key: str, submission_id: str) -> None:
        self.contacts.setdefault(contact_key, set()).add(submission_id)


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failures: list[Exception] = []  # raised, one per send, before anything is sent

    def send(self, email: OutgoingEmail) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(email)
        return f"msg-{len(self.sent)}"


class FakeAccessLinks:
    """The contact index, one-time links and rate counters, as the DynamoDB log keeps them."""

    def __init__(self, log: FakeNotificationLog) -> None:
        self.log = log
        self.links: dict[str, tuple[str, datetime]] = {}
        self.counters: dict[tuple[str, datetime], int] = {}

    def entries_for_contact(self, contact_key: str, limit: int) -> list[str]:
        return sorted(self.log.contacts.get(contact_key, set()))[:limit]

    def count(self, counter: str, window_start: datetime, window: timedelta) -> int:
        self.counters[(counter, window_start)] = self.counters.get((counter, window_start), 0) + 1
        return self.counters[(counter, window_start)]

    def put_access_link(self, token_hash: str, contact_key: str, language: str, expires_at: datetime) -> None:
        self.links[token_hash] = (contact_key, expires_at)

    def take_access_link(self, token_hash: str, now: datetime) -> str | None:
        found = self.links.pop(token_hash, None)
        return found[0] if found and found[1] > now else None
