"""The Zalo ZNS adapter against a loopback fake of its API: what it sends, and each error it answers."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.adapters.zalo import ZaloRefused, ZaloZns
from chalicelib.domain import notifications as notify
from chalicelib.services.notifications import Notifier
from tests.fakes.notifications import FakeMailer, FakeNotificationLog
from tests.fakes.world import build_world
from tests.fakes.zalo import FakeZnsServer

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)
CREDENTIALS = {"access_token": "zalo-token", "templates": {"approved": "301001", "received": "301001"}}


@pytest.fixture
def zns():
    with FakeZnsServer() as server:
        yield server


def adapter(zns, credentials=CREDENTIALS) -> ZaloZns:
    return ZaloZns(lambda: credentials, zns.base_url)


def test_a_message_goes_to_the_phone_in_84_form_with_its_template_and_data(zns):
    msg_id = adapter(zns).send("84912345678", "301001", {"title": "Bài 1"}, "e1#approved")

    assert msg_id == "zns-1"
    assert zns.state.received == [{"phone": "84912345678", "template_id": "301001",
                                    "template_data": {"title": "Bài 1"}, "tracking_id": "e1#approved"}]


@pytest.mark.parametrize("change, code, retryable", [
    ({"access_token": "expired"}, -124, True),
    ({"phone": "0912345678"}, -108, False),
    ({"template": "999"}, -109, False),
])
def test_zalos_refusals_say_whether_trying_again_can_help(zns, change, code, retryable):
    credentials = {**CREDENTIALS, "access_token": change.get("access_token", "zalo-token")}

    with pytest.raises(ZaloRefused) as refused:
        adapter(zns, credentials).send(change.get("phone", "84912345678"), change.get("template", "301001"),
                                       {"title": "Bài 1"}, "e1#approved")

    assert (refused.value.code, refused.value.retryable) == (code, retryable)
    assert zns.state.received == []


def test_an_exhausted_daily_quota_and_a_server_error_are_retried_by_the_queue(zns):
    zns.state.daily_quota = 0
    with pytest.raises(ZaloRefused) as quota:
        adapter(zns).send("84912345678", "301001", {"title": "Bài 1"}, "t")
    zns.state.fail_with_status = 502
    with pytest.raises(ZaloRefused) as outage:
        adapter(zns).send("84912345678", "301001", {"title": "Bài 1"}, "t")

    assert (quota.value.code, quota.value.retryable) == (-144, True)
    assert outage.value.retryable is True


def test_without_credentials_zalo_is_off(zns):
    off = ZaloZns(lambda: None, zns.base_url)

    assert off.template_for("approved") is None
    with pytest.raises(ZaloRefused):
        off.send("84912345678", "301001", {"title": "x"}, "t")


def notifier_with_zalo(zns, world):
    log, mailer = FakeNotificationLog(), FakeMailer()
    notifier = Notifier(world.entries, world.campaigns, log, mailer, lambda: b"k", "https://contest.example.vn",
                        zalo=adapter(zns))
    return notifier, log, mailer


def test_a_participant_who_gave_only_a_phone_hears_by_zalo_once(zns):
    world = build_world()
    notifier, log, mailer = notifier_with_zalo(zns, world)
    entry = world.entry(status="approved", authors=[{"name": "B", "phone": "0912 345 678"}])
    event = notify.review_decided(entry.submission_id, "approve")

    assert notifier.deliver(event, NOW) == "sent"
    assert notifier.deliver(event, NOW) == "already_sent"

    [sent] = zns.state.received
    assert sent["phone"] == "84912345678" and sent["template_id"] == "301001"
    assert sent["template_data"]["link"].endswith(f"submission={entry.submission_id}")
    assert mailer.sent == [] and log.records[(entry.submission_id, "approved")]["channel"] == "zalo"


def test_an_event_without_a_zalo_template_is_not_sent_by_zalo(zns):
    world = build_world()
    notifier, log, _ = notifier_with_zalo(zns, world)
    entry = world.entry(status="published", authors=[{"name": "B", "phone": "0912345678"}])

    assert notifier.deliver(notify.published(entry.submission_id), NOW) == "no_address"
    assert zns.state.received == []


def test_a_wrong_number_is_listed_as_failed_without_retrying_and_an_outage_is_retried(zns):
    world = build_world()
    notifier, log, _ = notifier_with_zalo(zns, world)
    wrong = world.entry(status="approved", authors=[{"name": "B", "phone": "+1 555 0100 99"}])
    later = world.entry(status="approved", authors=[{"name": "C", "phone": "0912345679"}])

    assert notifier.deliver(notify.review_decided(wrong.submission_id, "approve"), NOW) == "refused"
    assert "-108" in log.records[(wrong.submission_id, "approved")]["error"]
    zns.state.fail_with_status = 503
    with pytest.raises(ZaloRefused):
        notifier.deliver(notify.review_decided(later.submission_id, "approve"), NOW)
    zns.state.fail_with_status = None
    assert notifier.deliver(notify.review_decided(later.submission_id, "approve"), NOW) == "sent"
