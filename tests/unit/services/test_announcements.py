"""Organisers' announcements on fakes: the filtered set within their branch, once each, audited, limited."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import notifications as notify
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.scope import Principal
from chalicelib.services.announcements import PER_ORGANISER_PER_DAY, Announcements
from chalicelib.services.notifications import Notifier
from tests.fakes.notifications import FakeAccessLinks, FakeMailer, FakeNotificationLog, RecordedEvents
from tests.fakes.world import ADMIN, organiser_of

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)
HA_NOI = organiser_of("ha-noi")
MESSAGE = {"subject_vi": "Nhắc nộp bài", "message_vi": "Còn 3 ngày để gửi bài.\n\nChúc các bạn thành công!",
           "subject_en": "Reminder", "message_en": "Three days left."}


@pytest.fixture
def events() -> RecordedEvents:
    return RecordedEvents()


@pytest.fixture
def announcements(world, events) -> Announcements:
    return Announcements(world.campaigns, world.units, world.entries, events, FakeAccessLinks(FakeNotificationLog()),
                         world.audit)


def test_an_organiser_reaches_the_entries_of_their_branch_that_match_the_filter(world, announcements, events):
    valid_here = world.entry("ha-noi-ba-dinh-kim-ma", status="valid")
    world.entry("ha-noi-ba-dinh-kim-ma", status="invalid")
    world.entry("hcm-q1-da-kao", status="valid")  # another branch

    sent = announcements.send(HA_NOI, world.campaign.id, {**MESSAGE, "filter": {"status": "valid"}}, NOW)

    assert sent["recipients"] == 1
    [event] = events.events
    assert (event.kind, event.submission_id, event.occurrence) == (
        notify.ANNOUNCEMENT, valid_here.submission_id, sent["announcement_id"])
    [audited] = world.audit_trail.entries
    assert (audited.action, audited.after["recipients"], audited.after["filter"]["status"]) == ("announce", 1, "valid")


def test_the_week_and_unit_filters_narrow_it_and_admins_reach_everyone(world, announcements, events):
    in_week = world.entry("hcm-q1-da-kao", status="published", campaign_week=f"{world.campaign.id}#1")
    world.entry("hcm-q1-da-kao", status="published", campaign_week=f"{world.campaign.id}#2")
    world.entry("ha-noi-ba-dinh-kim-ma", status="published", campaign_week=f"{world.campaign.id}#1")

    by_week = announcements.send(ADMIN, world.campaign.id, {**MESSAGE, "filter": {"week": 1, "unit_id": "hcm"}}, NOW)
    everyone = announcements.send(ADMIN, world.campaign.id, MESSAGE, NOW)

    assert by_week["recipients"] == 1 and events.events[0].submission_id == in_week.submission_id
    assert everyone["recipients"] == 3


def test_a_unit_outside_the_branch_looks_missing_and_bad_filters_are_refused(world, announcements, events):
    with pytest.raises(NotFound):
        announcements.send(HA_NOI, world.campaign.id, {**MESSAGE, "filter": {"unit_id": "hcm"}}, NOW)
    with pytest.raises(InvalidInput):
        announcements.send(HA_NOI, world.campaign.id, {**MESSAGE, "filter": {"status": "famous"}}, NOW)
    with pytest.raises(NotFound):
        announcements.send(HA_NOI, world.campaign.id, {**MESSAGE, "filter": {"week": 99}}, NOW)
    with pytest.raises(InvalidInput):
        announcements.send(HA_NOI, world.campaign.id, {"subject_vi": "", "message_vi": "x"}, NOW)
    with pytest.raises(Forbidden):
        announcements.send(Principal(user_id="j", role="jury"), world.campaign.id, MESSAGE, NOW)
    assert events.events == [] and world.audit_trail.entries == []


def test_an_organiser_sends_a_few_announcements_a_day(world, announcements):
    for _ in range(PER_ORGANISER_PER_DAY):
        announcements.send(HA_NOI, world.campaign.id, MESSAGE, NOW)
    with pytest.raises(TooManyRequests):
        announcements.send(HA_NOI, world.campaign.id, MESSAGE, NOW)
    announcements.send(HA_NOI, world.campaign.id, MESSAGE, NOW + timedelta(days=1))


def test_each_participant_gets_the_announcement_once_in_their_language(world, announcements, events):
    entry = world.entry("ha-noi-ba-dinh-kim-ma", status="valid")
    log, mailer = FakeNotificationLog(), FakeMailer()
    notifier = Notifier(world.entries, world.campaigns, log, mailer, lambda: b"k", "https://c.vn")
    log.remember_language(entry.submission_id, "en")
    announcements.send(HA_NOI, world.campaign.id, MESSAGE, NOW)

    for event in events.events * 2:  # delivered twice
        notifier.deliver(event, NOW)

    [email] = mailer.sent
    assert email.message.subject == "Reminder" and "Three days left." in email.message.text
