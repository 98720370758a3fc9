"""The validator trusts nothing: unknown keys, duplicates, stale and failing events."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from chalicelib.adapters.s3_events import ObjectCreated
from chalicelib.bootstrap import services
from tests.conftest import load_event
from tests.fixtures.make_videos import case
from tests.integration.test_intake import _create_entry, _post_upload


def _exists(s3, key):
    try:
        s3.head_object(Bucket=services().upload_bucket.name, Key=key)
        return True
    except ClientError:
        return False


def _record(submission_id):
    return services().submission_store.get(submission_id)


def test_an_object_under_a_key_nobody_was_given_is_deleted(s3, pump, videos):
    bucket = services().upload_bucket.name
    for key in ("uploads/khat-vong-hung-cuong/forged/x.mp4", "uploads/ khong hop le.mp4"):
        s3.put_object(Bucket=bucket, Key=key, Body=case("valid-faststart.mp4").path(videos).read_bytes())
    pump.drain()
    assert not _exists(s3, "uploads/khat-vong-hung-cuong/forged/x.mp4")
    assert not _exists(s3, "uploads/ khong hop le.mp4")


def test_duplicate_events_give_exactly_one_outcome(s3, videos):
    path = case("valid-faststart.mp4").path(videos)
    created = _create_entry(path)
    key = created["upload"]["key"]
    s3.put_object(Bucket=services().upload_bucket.name, Key=key, Body=path.read_bytes())
    head = services().upload_bucket.head(key)
    event = ObjectCreated(services().upload_bucket.name, key, head.size, head.etag, "01")
    service = services().intake
    outcomes = [service.handle(event, datetime.now(timezone.utc)) for _ in range(3)]
    assert outcomes == ["valid", "duplicate", "duplicate"]
    assert _record(created["submission_id"]).validation_attempts == 1


def test_an_event_for_an_overwritten_object_is_stale(s3, videos):
    path = case("valid-faststart.mp4").path(videos)
    created = _create_entry(path)
    key = created["upload"]["key"]
    bucket = services().upload_bucket.name
    first = s3.put_object(Bucket=bucket, Key=key, Body=b"first version, not a video")["ETag"].strip('"')
    s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
    service = services().intake
    late = ObjectCreated(bucket, key, 26, first, "01")
    assert service.handle(late, datetime.now(timezone.utc)) == "stale"
    assert _record(created["submission_id"]).status == "awaiting_upload"


def test_the_newest_upload_replaces_and_deletes_the_previous_object(s3, pump, videos):
    first_path, second_path = case("landscape-1920x1080.mp4").path(videos), case("valid-faststart.mp4").path(videos)
    created = _create_entry(first_path)
    _post_upload(created["upload"], first_path.read_bytes())
    pump.drain()
    assert _record(created["submission_id"]).status == "invalid"
    service = services().participants
    again = service.new_upload(created["submission_id"], created["access_token"],
                               {"file_name": "b.mp4", "content_type": "video/mp4", "size_bytes": second_path.stat().st_size},
                               datetime.now(timezone.utc))
    _post_upload(again["upload"], second_path.read_bytes())
    pump.drain()
    record = _record(created["submission_id"])
    assert record.status == "valid" and record.stored_key == again["upload"]["key"]
    assert not _exists(s3, created["upload"]["key"])
    assert _exists(s3, again["upload"]["key"])


def test_a_late_upload_to_a_replaced_url_changes_nothing(s3, pump, videos):
    path = case("valid-faststart.mp4").path(videos)
    created = _create_entry(path)
    service = services().participants
    service.new_upload(created["submission_id"], created["access_token"],
                       {"file_name": "b.mp4", "content_type": "video/mp4", "size_bytes": path.stat().st_size},
                       datetime.now(timezone.utc))
    _post_upload(created["upload"], path.read_bytes())
    pump.drain()
    assert _record(created["submission_id"]).status == "awaiting_upload"
    assert not _exists(s3, created["upload"]["key"])


def test_a_message_that_keeps_failing_marks_the_entry_and_goes_to_the_dead_letter_queue(
    s3, sqs, pump, videos, monkeypatch
):
    path = case("valid-faststart.mp4").path(videos)
    created = _create_entry(path)
    service = services().intake

    def broken_reader(key, head):
        raise ConnectionError("S3 is having a bad day")

    monkeypatch.setattr(service.bucket, "reader", broken_reader)
    _post_upload(created["upload"], path.read_bytes())
    names = services().settings.intake_queue_name
    dlq_url = sqs.get_queue_url(QueueName=names + "-dlq")["QueueUrl"]
    dead = []
    deadline = datetime.now() + timedelta(seconds=20)
    while not dead and datetime.now() < deadline:
        pump.poll_once(pump._bindings[0], wait_seconds=1)
        dead = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages", [])
    assert dead, "the failing message should reach the dead-letter queue after 3 tries"
    assert unquote_plus(json.loads(dead[0]["Body"])["Records"][0]["s3"]["object"]["key"]) == created["upload"]["key"]
    record = _record(created["submission_id"])
    assert record.status == "validation_error"
    assert record.verdict["checks"][0]["code"] == "validation_error"
    assert record.validation_attempts == 3


def test_entries_stuck_in_validation_are_swept_to_validation_error(videos, s3):
    path = case("valid-faststart.mp4").path(videos)
    created = _create_entry(path)
    record = _record(created["submission_id"])
    long_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    assert services().submission_store.begin_validation(record, record.upload_key, "x#1", long_ago)
    marked = services().intake.sweep_stuck(datetime.now(timezone.utc))
    assert marked >= 1
    assert _record(created["submission_id"]).status == "validation_error"


def test_the_sample_sqs_event_runs_through_the_lambda_handler(seeded_cloud):
    from chalicelib.triggers.intake import validate_upload

    event = load_event("sqs_s3_object_created.json")
    assert validate_upload(event, None) == {"batchItemFailures": []}


def test_an_object_overwritten_while_it_is_read_is_stale_at_once(s3, videos, caplog):
    """The ranged GETs are pinned to the ETag read first: PreconditionFailed means a newer object,
    whose own event judges it; no ERROR, no retry spent."""
    from dataclasses import replace

    path = case("valid-faststart.mp4").path(videos)
    created = _create_entry(path)
    key = created["upload"]["key"]
    bucket = services().upload_bucket
    s3.put_object(Bucket=bucket.name, Key=key, Body=path.read_bytes())
    judged_head = bucket.head(key)
    s3.put_object(Bucket=bucket.name, Key=key, Body=path.read_bytes() + b"\0")  # a newer object

    class HeadReadBeforeTheOverwrite:
        name = bucket.name

        def head(self, _key):
            return judged_head

        def reader(self, _key, head):
            return bucket.reader(_key, head)

    service = replace(services().intake, bucket=HeadReadBeforeTheOverwrite())
    event = ObjectCreated(bucket.name, key, judged_head.size, judged_head.etag, "01")
    with caplog.at_level("ERROR"):
        assert service.handle(event, datetime.now(timezone.utc)) == "stale"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
