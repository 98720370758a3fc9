"""The intake on fakes: every outcome of an upload's arrival, a give-up and the sweeper."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.domain.uploads import ObjectCreated
from chalicelib.services.intake import STUCK_AFTER, IntakeService

from tests.fakes.world import DURING_SUBMISSIONS as NOW

VIDEOS = Path(__file__).resolve().parents[2] / "fixtures" / "videos"


def video(name: str) -> bytes:
    path = VIDEOS / name
    if not path.exists():
        pytest.skip(f"{name} not generated yet (make fixtures)")
    return path.read_bytes()


@pytest.fixture
def intake(world) -> IntakeService:
    return IntakeService(world.campaigns, world.entries, world.bucket)


def arrived(world, key: str, data: bytes) -> ObjectCreated:
    """The participant's browser stored `data` under `key`; S3 announces it."""
    head = world.bucket.put(key, data)
    return ObjectCreated(world.bucket.name, key, head.size, head.etag, "01")


def test_a_conforming_video_makes_the_entry_valid(world, intake):
    entry = world.entry()
    event = arrived(world, entry.upload_key, video("valid-faststart.mp4"))

    assert intake.handle(event, NOW) == "valid"

    stored = world.entries.get(entry.submission_id)
    assert (stored.status, stored.stored_key, stored.verdict["status"]) == ("valid", entry.upload_key, "valid")
    assert stored.validation_attempts == 1


def test_a_video_breaking_the_rules_makes_the_entry_invalid_with_the_checks(world, intake):
    entry = world.entry()
    event = arrived(world, entry.upload_key, video("too-short-5s.mp4"))

    assert intake.handle(event, NOW) == "invalid"

    stored = world.entries.get(entry.submission_id)
    assert stored.status == "invalid"
    assert any(check["outcome"] == "fail" for check in stored.verdict["checks"])


def test_the_same_event_delivered_twice_is_judged_once(world, intake):
    entry = world.entry()
    event = arrived(world, entry.upload_key, video("valid-faststart.mp4"))

    assert [intake.handle(event, NOW), intake.handle(event, NOW)] == ["valid", "duplicate"]
    assert world.entries.get(entry.submission_id).validation_attempts == 1


def test_an_event_for_an_overwritten_object_is_stale(world, intake):
    entry = world.entry()
    first = arrived(world, entry.upload_key, video("too-short-5s.mp4"))
    arrived(world, entry.upload_key, video("valid-faststart.mp4"))  # overwritten before the first event

    assert intake.handle(first, NOW) == "stale"
    assert world.entries.get(entry.submission_id).status == "awaiting_upload"


def test_an_event_for_the_previous_upload_is_superseded(world, intake):
    entry = world.entry(status="invalid")
    old_key = entry.upload_key
    world.entries.put(replace(entry, stored_key=old_key, upload_key=old_key.replace("a.mp4", "b.mp4")))
    event = arrived(world, old_key, video("valid-faststart.mp4"))

    assert intake.handle(event, NOW) == "superseded"
    assert old_key in world.bucket.objects  # still the entry's stored video until the new one is judged


def test_an_object_nobody_was_given_a_url_for_is_deleted(world, intake):
    event = arrived(world, "uploads/khat-vong-hung-cuong/forged/x.mp4", b"anything")

    assert intake.handle(event, NOW) == "deleted_unknown"
    assert "uploads/khat-vong-hung-cuong/forged/x.mp4" not in world.bucket.objects


def test_an_object_deleted_before_its_event_is_gone(world, intake):
    entry = world.entry()
    event = arrived(world, entry.upload_key, video("valid-faststart.mp4"))
    world.bucket.delete(entry.upload_key)

    assert intake.handle(event, NOW) == "gone"
    assert world.entries.get(entry.submission_id).status == "awaiting_upload"


def test_an_event_from_another_bucket_is_ignored(world, intake):
    entry = world.entry()
    event = ObjectCreated("someone-elses-bucket", entry.upload_key, 10, "etag", "01")

    assert intake.handle(event, NOW) == "foreign_bucket"
    assert world.entries.get(entry.submission_id).status == "awaiting_upload"


def test_a_replaced_video_is_judged_and_the_previous_one_deleted(world, intake):
    entry = world.entry(status="invalid")
    old_key, new_key = entry.upload_key, entry.upload_key.replace("a.mp4", "b.mp4")
    world.bucket.put(old_key, video("too-short-5s.mp4"))
    world.entries.put(replace(entry, stored_key=old_key, upload_key=new_key))
    event = arrived(world, new_key, video("valid-faststart.mp4"))

    assert intake.handle(event, NOW) == "valid"
    assert old_key not in world.bucket.objects and new_key in world.bucket.objects


def test_giving_up_after_the_last_retry_marks_a_validation_error(world, intake):
    entry = world.entry()
    event = arrived(world, entry.upload_key, video("valid-faststart.mp4"))
    world.entries.begin_validation(entry, entry.upload_key, "claimed-by-a-crashed-run", NOW)

    assert intake.give_up(event, "S3 is having a bad day", NOW) is True

    stored = world.entries.get(entry.submission_id)
    assert stored.status == "validation_error"
    assert stored.verdict["checks"][0]["actual"] == "S3 is having a bad day"


def test_giving_up_on_an_upload_that_is_no_longer_current_changes_nothing(world, intake):
    entry = world.entry(status="validating")
    event = ObjectCreated(world.bucket.name, entry.upload_key.replace("a.mp4", "old.mp4"), 1, "e", "01")

    assert intake.give_up(event, "boom", NOW) is False
    assert world.entries.get(entry.submission_id).status == "validating"


def test_the_sweeper_marks_only_validations_stuck_past_the_limit(world, intake):
    stuck, recent = world.entry(), world.entry()
    world.entries.begin_validation(stuck, stuck.upload_key, "o1", NOW)
    world.entries.begin_validation(recent, recent.upload_key, "o2", NOW + STUCK_AFTER)

    assert intake.sweep_stuck(NOW + STUCK_AFTER + timedelta(seconds=1)) == 1

    assert world.entries.get(stuck.submission_id).status == "validation_error"
    assert world.entries.get(recent.submission_id).status == "validating"
