"""Participants hear back, on fakes: which service says what, and the notifier sends each message once."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import notifications as notify
from chalicelib.domain.errors import InvalidInput
from chalicelib.services.intake import IntakeService
from chalicelib.services.notifications import NotificationFailures, Notifier
from chalicelib.services.participants import ParticipantService
from chalicelib.services.review import ReviewService
from chalicelib.services.week_results import WeekResultsService
from tests.fakes.notifications import FakeMailer, FakeNotificationLog, RecordedEvents
from tests.fakes.world import ADMIN, DURING_SUBMISSIONS, NATIONAL_FILE, build_world, organiser_of
from tests.unit.services.test_intake_service import arrived, video
from tests.unit.services.test_week_close_service import AFTER_WEEK_1, published as published_in_week_1

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)  # voting week 1 of the sample campaign
KEY = b"test-signing-key"
HA_NOI = organiser_of("ha-noi")


@pytest.fixture
def events() -> RecordedEvents:
    return RecordedEvents()


@pytest.fixture
def log() -> FakeNotificationLog:
    return FakeNotificationLog()


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
def notifier(world, log, mailer) -> Notifier:
    return Notifier(world.entries, world.campaigns, log, mailer, lambda: KEY, "https://contest.example.vn")


@pytest.fixture
def weeks(world, events) -> WeekResultsService:
    return WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                              world.audit, world.best_scores, notifications=events)


@pytest.fixture
def review(world, weeks, events) -> ReviewService:
    return ReviewService(world.entries, world.snapshots, weeks, world.audit, world.units, notifications=events)



@pytest.fixture
def world():
    """The national sample: the provinces review their own branch (who reviews is test_review_rules.py's)."""
    world = build_world(NATIONAL_FILE)
    return world

def declared(email: str = "a@example.vn") -> dict:
    return {"title": "Tuổi trẻ <Kim Mã>", "unit_id": "ha-noi-ba-dinh-kim-ma", "category": "Clip",
            "authors": [{"name": "Nguyễn Văn A", "email": email}], "file_name": "a.mp4",
            "content_type": "video/mp4", "size_bytes": 1000,
            "accepted_terms_version": "2024-1"}


def publication(video_id: str = "v1") -> dict:
    return {"platform": "tiktok", "video_id": video_id, "url": f"https://www.tiktok.com/@kvhc/video/{video_id}",
            "published_at": "2024-08-05T09:00:00+07:00"}


# --- where the events come from -----------------------------------------------------------

def test_creating_an_entry_announces_it_with_its_access_token_and_the_participants_language(world, events):
    participants = ParticipantService(world.campaigns, world.units, world.entries, world.bucket, notifications=events)

    created = participants.create(world.campaign.id, declared(), DURING_SUBMISSIONS, language="en")

    [event] = events.events
    assert (event.kind, event.submission_id) == (notify.RECEIVED, created["submission_id"])
    assert event.details == {"access_token": created["access_token"], "language": "en"}


def test_a_verdict_is_announced_once_the_validator_wrote_it(world, events):
    intake = IntakeService(world.campaigns, world.entries, world.bucket, notifications=events)
    entry = world.entry()

    upload = arrived(world, entry.upload_key, video("valid-faststart.mp4"))

    assert intake.handle(upload, DURING_SUBMISSIONS) == "valid"
    assert intake.handle(upload, DURING_SUBMISSIONS) == "duplicate"  # S3 delivered its event twice

    [event] = events.events
    assert (event.kind, event.details["status"]) == (notify.VERDICT, "valid")


def test_review_publication_and_disqualification_each_announce_themselves(world, review, events):
    approved, rejected = world.entry(status="valid"), world.entry(status="valid")

    review.review(HA_NOI, approved.submission_id, {"decision": "approve"}, NOW)
    review.review(HA_NOI, rejected.submission_id, {"decision": "reject", "reason": "Sai chủ đề"}, NOW)
    review.publish(HA_NOI, approved.submission_id, publication(), NOW)
    review.disqualify(HA_NOI, approved.submission_id, {"reason": "Tăng tương tác ảo"}, NOW)

    assert [(e.kind, e.submission_id) for e in events.events] == [
        (notify.APPROVED, approved.submission_id), (notify.REJECTED, rejected.submission_id),
        (notify.PUBLISHED, approved.submission_id), (notify.DISQUALIFIED, approved.submission_id)]


def test_a_refused_review_announces_nothing(world, review, events):
    entry = world.entry(status="approved")

    with pytest.raises(Exception):
        review.review(HA_NOI, entry.submission_id, {"decision": "approve"}, NOW)
    assert events.events == []


def test_closing_a_week_tells_every_ranked_entry_its_rank_and_the_finalists_their_news(world, weeks, events):
    strong = published_in_week_1(world, "ha-noi-ba-dinh-kim-ma", {"likes": 90, "saves": 9, "shares": 9,
                                                                 "reposts": 9, "comments": 1, "views": 900})
    weak = published_in_week_1(world, "hcm-q1-da-kao", {"likes": 10, "saves": 1, "shares": 1, "reposts": 0,
                                                        "comments": 0, "views": 100})

    weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)
    weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1 + timedelta(days=1))  # unchanged: nothing new

    results = {e.submission_id: e for e in events.events if e.kind == notify.WEEK_RESULT}
    assert (results[strong].details["rank"], results[strong].details["winner"]) == (1, True)
    assert (results[weak].details["rank"], results[weak].details["winner"]) == (2, False)
    assert results[strong].key == "week_result#1"
    assert {e.submission_id for e in events.events if e.kind == notify.FINALIST} == {strong, weak}
    assert len(events.events) == 4


# --- the notifier ---------------------------------------------------------------------------

def test_the_received_message_carries_the_follow_link_with_the_code_in_the_fragment(world, notifier, mailer):
    entry = world.entry()

    outcome = notifier.deliver(notify.entry_received(entry.submission_id, "secret-code", "vi"), NOW)

    assert outcome == "sent"
    [email] = mailer.sent
    assert email.to == "a@example.vn"
    assert f"https://contest.example.vn/upload?submission={entry.submission_id}#token=secret-code" in email.message.text
    assert "Đã nhận bài dự thi" in email.message.subject
    assert email.unsubscribe_url.startswith("https://contest.example.vn/notifications/unsubscribe?token=")
    assert email.unsubscribe_url in email.message.text


def test_the_same_event_delivered_twice_sends_one_message(world, notifier, mailer, log):
    entry = world.entry(status="approved")
    event = notify.review_decided(entry.submission_id, "approve")

    assert notifier.deliver(event, NOW) == "sent"
    assert notifier.deliver(event, NOW + timedelta(seconds=1)) == "already_sent"

    assert len(mailer.sent) == 1
    assert log.records[(entry.submission_id, "approved")]["status"] == "sent"


def test_a_delivery_in_progress_elsewhere_is_not_duplicated_until_its_lease_runs_out(world, notifier, mailer, log):
    entry = world.entry(status="approved")
    log.claim(entry.submission_id, "approved", entry.campaign_id, entry.unit_path, NOW)  # a crashed delivery

    assert notifier.deliver(notify.review_decided(entry.submission_id, "approve"), NOW) == "already_sent"
    assert notifier.deliver(notify.review_decided(entry.submission_id, "approve"), NOW + timedelta(minutes=3)) == "sent"
    assert len(mailer.sent) == 1


def test_a_failed_send_is_recorded_for_the_organisers_and_the_retry_sends_it_once(world, notifier, mailer, log):
    entry = world.entry(status="approved")
    event = notify.review_decided(entry.submission_id, "approve")
    mailer.failures.append(RuntimeError("Throttling: Maximum sending rate exceeded"))
    failures = NotificationFailures(world.campaigns, log)

    with pytest.raises(RuntimeError):
        notifier.deliver(event, NOW)
    [failure] = failures.for_campaign(HA_NOI, world.campaign.id)["failures"]
    assert (failure["submission_id"], failure["event"], failure["attempts"]) == (entry.submission_id, "approved", 1)
    assert "Throttling" in failure["error"]
    assert failures.for_campaign(organiser_of("hcm"), world.campaign.id)["failures"] == []  # another branch

    assert notifier.deliver(event, NOW + timedelta(seconds=30)) == "sent"
    assert notifier.deliver(event, NOW + timedelta(seconds=60)) == "already_sent"
    assert len(mailer.sent) == 1
    assert failures.for_campaign(ADMIN, world.campaign.id)["failures"] == []


def test_the_participants_language_is_kept_from_their_entry(world, notifier, mailer):
    entry = world.entry(status="rejected", review={"rejection_reason": "Video sai chủ đề"})

    notifier.deliver(notify.entry_received(entry.submission_id, "code", "en"), NOW)
    notifier.deliver(notify.review_decided(entry.submission_id, "reject"), NOW)

    received, rejected = mailer.sent
    assert received.message.subject.startswith("Entry") and "&lang=en" in received.message.text
    assert "The organisers' reason: Video sai chủ đề" in rejected.message.text


def test_an_invalid_verdict_lists_what_failed_and_how_to_fix_it(world, notifier, mailer):
    verdict = {"status": "invalid", "checks": [
        {"code": "duration", "outcome": "fail", "message_vi": "Video quá ngắn", "message_en": "Too short",
         "expected": "15–180 s", "actual": 4},
        {"code": "codec", "outcome": "pass", "message_vi": "Mã hóa H.264", "message_en": "H.264"}]}
    entry = world.entry(status="invalid", verdict=verdict)

    notifier.deliver(notify.verdict_given(entry.submission_id, "invalid", NOW), NOW)

    text = mailer.sent[0].message.text
    assert "- Video quá ngắn (yêu cầu: 15–180 s)" in text
    assert "Mã hóa H.264" not in text
    assert "Cách khắc phục" in text and f"submission={entry.submission_id}" in text


def test_the_publication_message_gives_the_link_the_week_in_vietnam_time_and_how_votes_count(world, notifier, mailer):
    entry = world.entry(status="published", campaign_week=f"{world.campaign.id}#1", platform_video="tiktok#v1",
                        published_at=NOW, review={"publication": publication()})

    notifier.deliver(notify.published(entry.submission_id), NOW)

    text = mailer.sent[0].message.text
    assert "https://www.tiktok.com/@kvhc/video/v1" in text
    assert "tuần 1: từ 05/08/2024 00:00 – 12/08/2024 00:00 (giờ Việt Nam)" in text
    assert "1 điểm / lượt thích" in text and "5 điểm / lượt đăng lại" in text


def test_html_escapes_what_participants_wrote(world, notifier, mailer):
    entry = world.entry(title="<script>alert(1)</script>")

    notifier.deliver(notify.entry_received(entry.submission_id, "code", "vi"), NOW)

    html = mailer.sent[0].message.html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://contest.example.vn/notifications/unsubscribe?token=' in html


def test_an_unsubscribed_address_hears_nothing_more(world, notifier, mailer, log):
    entry = world.entry(status="approved")
    notifier.deliver(notify.entry_received(entry.submission_id, "code", "vi"), NOW)
    token = mailer.sent[0].unsubscribe_url.split("token=")[1]

    assert notifier.unsubscribe(token, NOW) == {"unsubscribed": True}
    assert notifier.deliver(notify.review_decided(entry.submission_id, "approve"), NOW) == "unsubscribed"
    assert len(mailer.sent) == 1


@pytest.mark.parametrize("token", ["", "abc", "0" * 64 + ".forged", None])
def test_a_forged_unsubscribe_token_is_refused(notifier, token):
    with pytest.raises(InvalidInput) as refused:
        notifier.unsubscribe(token, NOW)
    assert refused.value.code == "invalid_unsubscribe_token"


def test_an_entry_without_an_email_is_skipped_and_a_missing_entry_ignored(world, notifier, mailer, log):
    entry = world.entry(authors=[{"name": "B", "phone": "0912345678"}])

    assert notifier.deliver(notify.review_decided(entry.submission_id, "approve"), NOW) == "no_address"
    assert notifier.deliver(notify.review_decided("e-missing", "approve"), NOW) == "no_entry"
    assert mailer.sent == []
    assert log.records[(entry.submission_id, "approved")]["status"] == "skipped"


def test_events_survive_the_queue_as_they_were():
    event = notify.NotificationEvent(notify.WEEK_RESULT, "e1", "2", {"week": 2, "rank": 3, "score": "12.5"})

    assert notify.NotificationEvent.from_message(event.to_message()) == event
    with pytest.raises(ValueError):
        notify.NotificationEvent.from_message({"kind": "party", "submission_id": "e1"})


def test_a_prize_is_sent_once_per_prize_and_a_changed_prize_is_a_new_message(world, notifier, mailer):
    entry = world.entry(status="published")

    assert notifier.deliver(notify.prize_awarded(entry.submission_id, "first"), NOW) == "sent"
    assert notifier.deliver(notify.prize_awarded(entry.submission_id, "first"), NOW) == "already_sent"
    assert notifier.deliver(notify.prize_awarded(entry.submission_id, "second"), NOW) == "sent"

    subjects = [sent.message.subject for sent in mailer.sent]
    assert len(subjects) == 2 and "Giải Nhất" in subjects[0] and "Giải Nhì" in subjects[1]
