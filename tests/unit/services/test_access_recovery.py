"""Recovering access on fakes: the same answer for every address, a link only to a known one,
once and briefly, new codes for each entry, and the rate limits."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import notifications as notify
from chalicelib.domain.errors import InvalidInput, TooManyRequests
from chalicelib.domain.submission import token_matches
from chalicelib.services.access_recovery import LINK_VALID, AccessRecovery
from chalicelib.services.notifications import Notifier
from tests.fakes.notifications import FakeAccessLinks, FakeMailer, FakeNotificationLog, RecordedEvents

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)
KEY = b"k"


@pytest.fixture
def parts(world):
    log, mailer, events = FakeNotificationLog(), FakeMailer(), RecordedEvents()
    recovery = AccessRecovery(world.entries, FakeAccessLinks(log), events, mailer, lambda: KEY, "https://c.vn")
    notifier = Notifier(world.entries, world.campaigns, log, mailer, lambda: KEY, "https://c.vn")
    return recovery, notifier, mailer, events


def entered(world, notifier, email="a@example.vn"):
    entry = world.entry(authors=[{"name": "A", "email": email}, {"name": "B", "phone": "0912345678"}])
    notifier.deliver(notify.entry_received(entry.submission_id, "old-code", "vi"), NOW)
    return entry


def queued_link(recovery, events, now=NOW):
    """The trigger's work: the queued request becomes a message, or nothing."""
    return [recovery.send_link(e, now) for e in events.events if e.kind == notify.ACCESS_LINK]


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_link(world, parts):
    recovery, notifier, mailer, events = parts
    entered(world, notifier)
    sent_before = len(mailer.sent)

    known = recovery.request(" A@Example.vn ", "1.2.3.4", "vi", NOW)
    unknown = recovery.request("nobody@example.vn", "1.2.3.4", "vi", NOW)

    assert known == unknown
    assert queued_link(recovery, events) == ["sent", "unknown_address"]
    [link] = mailer.sent[sent_before:]
    assert link.to == "a@example.vn" and "#recover=" in link.message.text
    assert "/notifications/unsubscribe?token=" in link.unsubscribe_url


def test_the_link_lists_the_entries_once_with_new_codes(world, parts):
    recovery, notifier, mailer, events = parts
    first, second = entered(world, notifier), entered(world, notifier)
    recovery.request("a@example.vn", "1.2.3.4", "en", NOW)
    queued_link(recovery, events)
    token = mailer.sent[-1].message.text.split("#recover=")[1].split()[0]

    found = recovery.redeem(token, NOW + timedelta(minutes=5))["entries"]

    assert {e["submission_id"] for e in found} == {first.submission_id, second.submission_id}
    for listed in found:
        assert token_matches(listed["access_token"], world.entries.get(listed["submission_id"]).access_token_hash)
    with pytest.raises(InvalidInput) as again:
        recovery.redeem(token, NOW + timedelta(minutes=6))
    assert again.value.code == "access_link_invalid"


def test_the_phone_an_entry_gave_finds_it_too_but_without_zalo_no_link_is_sent(world, parts):
    recovery, notifier, mailer, events = parts
    entered(world, notifier)
    before = len(mailer.sent)

    recovery.request("+84 912 345 678", "1.2.3.4", "vi", NOW)

    assert queued_link(recovery, events) == ["no_channel"]
    assert len(mailer.sent) == before


def test_an_expired_link_is_refused(world, parts):
    recovery, notifier, mailer, events = parts
    entered(world, notifier)
    recovery.request("a@example.vn", "1.2.3.4", "vi", NOW)
    queued_link(recovery, events)
    token = mailer.sent[-1].message.text.split("#recover=")[1].split()[0]

    with pytest.raises(InvalidInput):
        recovery.redeem(token, NOW + LINK_VALID + timedelta(seconds=1))


@pytest.mark.parametrize("token", [None, "", "short", "x" * 43, 42])
def test_a_link_never_issued_is_refused(parts, token):
    recovery = parts[0]
    with pytest.raises(InvalidInput):
        recovery.redeem(token, NOW)


@pytest.mark.parametrize("contact", ["", "abc", "12", None, 5, "a@b"])
def test_something_neither_an_email_nor_a_phone_is_refused(parts, contact):
    with pytest.raises(InvalidInput) as refused:
        parts[0].request(contact, "1.2.3.4", "vi", NOW)
    assert refused.value.code == "invalid_contact"


def test_requests_are_limited_per_address_and_per_client(parts):
    recovery, _, _, events = parts
    for _ in range(3):
        recovery.request("a@example.vn", "1.2.3.4", "vi", NOW)
    with pytest.raises(TooManyRequests):
        recovery.request("a@example.vn", "5.6.7.8", "vi", NOW)  # the address's limit, from anywhere
    for n in range(6):
        recovery.request(f"b{n}@example.vn", "9.9.9.9", "vi", NOW)
    for n in range(4):
        recovery.request(f"c{n}@example.vn", "9.9.9.9", "vi", NOW)
    with pytest.raises(TooManyRequests):
        recovery.request("d@example.vn", "9.9.9.9", "vi", NOW)  # the client's limit, whatever the address
    recovery.request("a@example.vn", "1.2.3.4", "vi", NOW + timedelta(hours=1))  # a new hour
    assert len(events.events) == 3 + 6 + 4 + 1
