"""Participants hear back on the local cloud: events through SQS, the log on DynamoDB, mail through SES."""
from __future__ import annotations

import email
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.bootstrap import bootstrap, installed, services
from chalicelib.config import read_settings
from chalicelib.domain import notifications as notify
from chalicelib.domain.scope import Principal
from tests.integration.test_intake import _post_upload

ADMIN = Principal(user_id="sub-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")


def sent_to(address: str) -> list[email.message.Message]:
    """What moto's SES accepted for `address`, oldest first, as the recipient's mail program reads it."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"]
    return [email.message_from_string(m.raw_data) for m in backend.sent_messages
            if address in m.destinations]


def text_of(message: email.message.Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def _new_entry(videos, address: str, language: str = "vi", video: str = "valid-faststart.mp4") -> dict:
    data = (videos / video).read_bytes()
    body = {"title": "Tuổi trẻ Bộ Công Thương", "unit_id": "dk-tw-bo-ct-vp", "category": "Clip",
            "authors": [{"name": "Nguyễn Văn A", "email": address}], "file_name": video,
            "content_type": "video/mp4", "size_bytes": len(data),
            "accepted_terms_version": "2024-1"}
    created = services().participants.create("khat-vong-hung-cuong", body, datetime.now(timezone.utc), language=language)
    _post_upload(created["upload"], data)
    return created


def test_a_participant_hears_that_the_entry_arrived_then_its_verdict(seeded_cloud, pump, videos):
    address = f"p-{uuid.uuid4().hex[:8]}@example.vn"
    created = _new_entry(videos, address)

    pump.drain()

    received, verdict = sent_to(address)
    assert received["X-Contest-Event"] == "received" and received["X-Contest-Entry"] == created["submission_id"]
    assert f"#token={created['access_token']}" in text_of(received)
    assert verdict["X-Contest-Event"].startswith("verdict#")
    assert "hợp lệ" in str(email.header.make_header(email.header.decode_header(verdict["Subject"])))
    assert received["From"].endswith("<no-reply@contest.local>")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {p.get_content_type() for p in received.walk()} >= {"text/plain", "text/html"}


def test_the_same_event_delivered_twice_sends_one_message(seeded_cloud, pump, videos):
    address = f"p-{uuid.uuid4().hex[:8]}@example.vn"
    created = _new_entry(videos, address, language="en")
    pump.drain()
    entry_id = created["submission_id"]
    services().review.review(ADMIN, entry_id, {"decision": "approve"}, datetime.now(timezone.utc))
    approved = notify.review_decided(entry_id, "approve").to_message()

    services().notifications_queue.send_json_batch([approved, approved])  # SQS delivers at least once
    pump.drain()

    events = [m["X-Contest-Event"] for m in sent_to(address)]
    assert events.count("approved") == 1
    assert [m["Subject"] for m in sent_to(address) if m["X-Contest-Event"] == "approved"][0].startswith("Entry")


class RefusingMailer:
    def send(self, outgoing) -> str:
        raise RuntimeError("MessageRejected: Email address is not verified.")


def test_a_failed_message_is_listed_for_the_organisers_then_cleared_by_its_retry(seeded_cloud, videos, pump):
    address = f"p-{uuid.uuid4().hex[:8]}@example.vn"
    created = _new_entry(videos, address)
    pump.drain()
    entry_id = created["submission_id"]
    event = notify.review_decided(entry_id, "approve")
    now = datetime.now(timezone.utc)
    refusing = bootstrap(read_settings(), mailer=RefusingMailer())

    with installed(refusing), pytest.raises(RuntimeError):
        refusing.notifier.deliver(event, now)

    organiser = Principal.for_unit("sub-o", "organiser", services().org_unit_store.find("dk-tw"), "organiser-dk-tw")
    other = Principal.for_unit("sub-h", "organiser", services().org_unit_store.find("ha-noi"), "organiser-ha-noi")
    failures = services().notification_failures
    [failure] = [f for f in failures.for_campaign(organiser, "khat-vong-hung-cuong")["failures"]
                 if f["submission_id"] == entry_id]
    assert failure["event"] == "approved" and "MessageRejected" in failure["error"] and failure["attempts"] == 1
    assert not [f for f in failures.for_campaign(other, "khat-vong-hung-cuong")["failures"]
                if f["submission_id"] == entry_id]

    assert services().notifier.deliver(event, now + timedelta(seconds=5)) == "sent"
    assert services().notifier.deliver(event, now + timedelta(seconds=6)) == "already_sent"
    assert not [f for f in failures.for_campaign(ADMIN, "khat-vong-hung-cuong")["failures"]
                if f["submission_id"] == entry_id]
    assert [m["X-Contest-Event"] for m in sent_to(address)].count("approved") == 1


def test_a_participant_recovers_access_through_the_link_sent_to_their_address(seeded_cloud, pump, videos):
    from chalice.test import Client

    import app

    address = f"p-{uuid.uuid4().hex[:8]}@example.vn"
    created = _new_entry(videos, address)
    pump.drain()
    with Client(app.app, stage_name="local") as client:
        asked = client.http.post("/access-links", headers={"Content-Type": "application/json"},
                                 body=json.dumps({"contact": address.upper()}))
        unknown = client.http.post("/access-links", headers={"Content-Type": "application/json"},
                                   body=json.dumps({"contact": f"never-{address}"}))
        assert (asked.status_code, asked.body) == (unknown.status_code, unknown.body) == (202, asked.body)
        pump.drain()
        [link] = [m for m in sent_to(address) if m["X-Contest-Event"] == "access_link"]
        assert not sent_to(f"never-{address}")
        token = text_of(link).split("#recover=")[1].split()[0]

        opened = client.http.post("/access-links/redeem", headers={"Content-Type": "application/json"},
                                  body=json.dumps({"token": token}))
        reused = client.http.post("/access-links/redeem", headers={"Content-Type": "application/json"},
                                  body=json.dumps({"token": token}))

    [entry] = json.loads(opened.body)["entries"]
    assert entry["submission_id"] == created["submission_id"]
    assert services().participants.view(entry["submission_id"], entry["access_token"])["title"] == "Tuổi trẻ Bộ Công Thương"
    with pytest.raises(Exception):
        services().participants.view(entry["submission_id"], created["access_token"])  # the old code is replaced
    assert reused.status_code == 400 and json.loads(reused.body)["error"]["code"] == "access_link_invalid"


def test_a_prize_published_twice_sends_one_message_and_a_changed_prize_its_own(seeded_cloud, pump):
    address = f"p-{uuid.uuid4().hex[:8]}@example.vn"
    body = {"title": "Tuổi trẻ Kim Mã", "unit_id": "ha-noi-ba-dinh-kim-ma", "category": "Clip",
            "authors": [{"name": "Nguyễn Văn A", "email": address}], "file_name": "a.mp4",
            "content_type": "video/mp4", "size_bytes": 1000,
            "accepted_terms_version": services().campaign_store.require("thanh-nien-sang-tao").terms.version}
    entry_id = services().participants.create("thanh-nien-sang-tao", body, datetime.now(timezone.utc))["submission_id"]
    first = notify.prize_awarded(entry_id, "first").to_message()

    services().notifications_queue.send_json_batch([first, first])  # two publications of the same prize
    pump.drain()
    services().notifications_queue.send_json_batch([notify.prize_awarded(entry_id, "second").to_message()])
    pump.drain()

    events = [m["X-Contest-Event"] for m in sent_to(address)]
    assert events.count("prize#first") == 1 and events.count("prize#second") == 1


def test_a_close_telling_many_entries_queues_bundles_that_reach_each_participant_once(seeded_cloud, pump, videos):
    from chalicelib.adapters.notification_queue import SINGLE_MESSAGES_UP_TO, bundles

    address = f"p-{uuid.uuid4().hex[:8]}@example.vn"
    entry_id = _new_entry(videos, address)["submission_id"]
    pump.drain()
    events = [notify.NotificationEvent(notify.WEEK_RESULT, entry_id, occurrence=str(week),
                                       details={"week": week, "rank": 1, "score": 10, "winner": False, "entries": 3})
              for week in range(1, SINGLE_MESSAGES_UP_TO + 11)]
    # Packed small, every event kept in order
    packed = bundles(events, limit=2_000)
    assert len(packed) > 1 and all(len(json.dumps(b, ensure_ascii=False).encode()) <= 2_000 for b in packed)
    assert [m["occurrence"] for b in packed for m in b["bundle"]] == [e.occurrence for e in events]

    # When a close publishes more events than go one per message, one bundle is queued
    queue = services().notifications_queue
    sent = []
    original = queue.send_json_batch
    queue.send_json_batch = lambda messages: sent.append(list(messages)) or original(messages)
    try:
        services().notification_events.publish(events)
        assert len(sent) == 1 and len(sent[0]) == 1 and len(sent[0][0]["bundle"]) == len(events)
        # And the notifier sends its events on one per message; delivered twice, it still mails each once
        services().notification_events.publish(events)
        pump.drain()
    finally:
        queue.send_json_batch = original
    results = [m["X-Contest-Event"] for m in sent_to(address) if m["X-Contest-Event"].startswith("week_result")]
    assert sorted(results) == sorted({e.key for e in events})
