"""The readings ingestion keeps on a score item decide a week's boundaries exactly as the whole
history does, and keeping them round after round gives what keeping them once would."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import boto3
from botocore.stub import ANY, Stubber

from chalicelib.adapters.sqs import MAX_BATCH_BYTES, Queue
from chalicelib.domain.engagement import METRICS, Snapshot
from chalicelib.domain.ingestion import (
    ENTRIES_PER_CHUNK,
    MAX_CHUNK_MESSAGE_BYTES,
    PublishedEntry,
    boundary_basis,
    merge_basis,
    plan_chunks,
)
from chalicelib.domain.scoring import boundary_value

START = datetime(2024, 8, 11, 17, tzinfo=timezone.utc)
END = START + timedelta(days=7)
PUBLISHED = START - timedelta(days=3)


def history(rng: random.Random, count: int) -> list[Snapshot]:
    """Readings from two sources around and inside the week, some metrics unmeasured, some on the boundaries."""
    found = {}
    for _ in range(count):
        at = START + timedelta(hours=rng.randrange(-60, 7 * 24 + 60))
        if rng.random() < 0.1:
            at = rng.choice((START, END))
        source = rng.choice(("tiktok-display-api", "organiser-import"))
        values = {m: (rng.randrange(1000) if rng.random() < 0.7 else None) for m in METRICS}
        found[(at, source)] = Snapshot(at, source, values)
    return list(found.values())


def boundaries(snapshots) -> list:
    return [boundary_value(snapshots, m, b, PUBLISHED) for m in METRICS for b in (START, END)]


def test_the_kept_readings_decide_every_boundary_like_the_whole_history():
    rng = random.Random(7)
    for _ in range(200):
        readings = history(rng, rng.randrange(0, 40))
        kept = boundary_basis(readings, (START, END))
        assert boundaries(kept) == boundaries(readings)
        assert len(kept) <= 3 * 2 * len(METRICS)


def test_keeping_round_after_round_is_keeping_once():
    rng = random.Random(11)
    for _ in range(100):
        readings = history(rng, 30)
        kept: tuple = ()
        for start in range(0, len(readings), 3):
            kept = merge_basis(kept, readings[start:start + 3], (START, END))
        assert set(kept) == set(boundary_basis(readings, (START, END)))


def test_a_rewritten_reading_that_drops_a_metric_asks_for_the_history():
    first = Snapshot(START + timedelta(hours=1), "organiser-import", {"likes": 1})
    older = Snapshot(END - timedelta(hours=2), "organiser-import", {"likes": 5})
    newer = Snapshot(END - timedelta(hours=1), "organiser-import", {"likes": 9})
    kept = boundary_basis([first, older, newer], (START, END))
    assert older not in kept  # neither the first after the open nor the last before the close
    blanked = Snapshot(newer.at, newer.source, {"likes": None})
    assert merge_basis(kept, [blanked], (START, END)) is None


def entries(count: int, title: str) -> list[PublishedEntry]:
    return [PublishedEntry(f"s-{n:06d}", "tiktok", f"74{n:017d}", START, "ha-noi-ba-dinh", title) for n in range(count)]


def test_a_chunk_of_long_titles_shrinks_by_whole_batches_to_fit_an_sqs_message():
    # Given 1,000 entries whose titles are 200 Vietnamese characters (SQS takes 256 KB a message)
    plan = plan_chunks("c", 1, START, entries(1000, "Khát vọng hùng cường tuổi trẻ Việt Nam " * 5), {"tiktok": 20})
    # Then every chunk fits, and is a multiple of 100 entries (full calls, full 25-item batches)
    assert all(len(c.entries) % 100 == 0 and len(c.entries) < ENTRIES_PER_CHUNK for c in plan.chunks)
    import json

    assert all(len(json.dumps(c.to_message(), ensure_ascii=False).encode()) <= MAX_CHUNK_MESSAGE_BYTES + 1024
               for c in plan.chunks)
    assert sum(len(c.entries) for c in plan.chunks) == 1000


def test_messages_go_to_sqs_in_batches_under_its_256_kb_limit_which_moto_does_not_enforce():
    client = boto3.client("sqs", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x")
    queue = Queue(client, "metrics")
    queue._url = "https://sqs.ap-southeast-1.amazonaws.com/1/metrics"
    messages = [{"n": n, "text": "x" * 100_000} for n in range(5)]
    with Stubber(client) as stubber:
        for size in (2, 2, 1):
            stubber.add_response("send_message_batch", {"Successful": [], "Failed": []},
                                 {"QueueUrl": queue._url, "Entries": ANY})
        assert queue.send_json_batch(messages) == 5
        stubber.assert_no_pending_responses()
    assert 2 * 100_000 < MAX_BATCH_BYTES < 3 * 100_000
