"""Roll-up counters move in the same transaction as the entry: exact under races and retries."""
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters.dynamodb.counters import CounterStore
from chalicelib.adapters.dynamodb.submissions import NewSubmission, SubmissionStore
from chalicelib.domain.rollup import UnitCounters

KIM_MA = ("ha-noi-ba-dinh-kim-ma", "tw/ha-noi/ha-noi-ba-dinh/ha-noi-ba-dinh-kim-ma")
HANG_BAC = ("ha-noi-hoan-kiem-hang-bac", "tw/ha-noi/ha-noi-hoan-kiem/ha-noi-hoan-kiem-hang-bac")


def new_entry(store, campaign_id, unit=KIM_MA, created_at=None):
    submission_id = uuid.uuid4().hex
    created_at = created_at or datetime.now(timezone.utc)
    return store.create(NewSubmission(
        submission_id=submission_id, campaign_id=campaign_id, unit_id=unit[0], unit_path=unit[1],
        title="Bài thử", description="", category="", authors=[{"name": "A", "email": "a@example.vn"}],
        file_name="a.mp4", content_type="video/mp4", declared_size=1, access_token_hash="x",
        upload_key=f"uploads/{campaign_id}/{submission_id}/k.mp4", upload_kind="post",
        multipart_upload_id=None, created_at=created_at))


def validate(store, record, status="valid"):
    """The intake's two steps: claim the object, then record the verdict."""
    key = record.upload_key
    object_id = f"bucket/{key}#etag"
    now = datetime.now(timezone.utc)
    assert (claimed := store.begin_validation(record, key, object_id, now))
    return store.finish_validation(claimed, key, object_id, status, {"status": status}, now)


@pytest.fixture
def dynamodb_serialises_writes(monkeypatch):
    """Real DynamoDB applies each conditional write and transaction atomically; moto's
    threaded server checks and writes without a lock, so two racing conditional
    writes can both pass there. Serialise its write paths as AWS would."""
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def serialised(self, *args, __original=original, **kwargs):
            with lock:
                return __original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, serialised)


@pytest.fixture
def campaign_id(seeded_cloud):
    return f"counters-{uuid.uuid4().hex[:8]}"


def test_creating_and_validating_entries_counts_them_for_their_unit_and_branch(campaign_id):
    store, counters = SubmissionStore(), CounterStore()
    first, second, third = (new_entry(store, campaign_id) for _ in range(3))
    validate(store, first, "valid")
    validate(store, second, "invalid")
    other = new_entry(store, campaign_id, HANG_BAC)
    validate(store, other, "valid")

    ba_dinh = counters.branch(campaign_id, "tw/ha-noi/ha-noi-ba-dinh")
    assert ba_dinh == {KIM_MA[0]: UnitCounters(entries=3, valid=1, invalid=1)}
    ha_noi = counters.branch(campaign_id, "tw/ha-noi")
    assert set(ha_noi) == {KIM_MA[0], HANG_BAC[0]}
    assert counters.branch(campaign_id, "tw/hcm") == {}
    assert third.status == "awaiting_upload"


def test_a_retried_transition_is_refused_and_not_counted_twice(campaign_id):
    store, counters = SubmissionStore(), CounterStore()
    record = new_entry(store, campaign_id)
    stale = store.get(record.submission_id)
    validate(store, record, "valid")
    # The same event delivered again, holding the entry as it was before.
    key, object_id = stale.upload_key, f"bucket/{stale.upload_key}#etag"
    assert store.begin_validation(stale, key, object_id, datetime.now(timezone.utc)) is False
    assert store.finish_validation(stale, key, object_id, "valid", {}, datetime.now(timezone.utc)) is False
    assert counters.branch(campaign_id, KIM_MA[1]) == {KIM_MA[0]: UnitCounters(entries=1, valid=1)}


def test_racing_transitions_end_with_exact_counts(campaign_id, dynamodb_serialises_writes):
    store, counters = SubmissionStore(), CounterStore()
    records = [new_entry(store, campaign_id) for _ in range(12)]

    def race(submission_id, verdict):
        # Each thread reads its own copy, as two Lambda invocations would.
        record = store.get(submission_id)
        key, object_id = record.upload_key, f"bucket/{record.upload_key}#etag"
        claimed = store.begin_validation(record, key, object_id, datetime.now(timezone.utc))
        finished = claimed and store.finish_validation(claimed, key, object_id, verdict, {}, datetime.now(timezone.utc))
        return submission_id, verdict, bool(finished)

    jobs = [(r.submission_id, v) for r in records for v in ("valid", "invalid", "valid")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda job: race(*job), jobs))

    final = {r.submission_id: store.get(r.submission_id).status for r in records}
    winners = [o for o in outcomes if o[2]]
    assert len(winners) == len(records), "exactly one verdict per entry wins"
    expected = UnitCounters(
        entries=12,
        valid=sum(1 for s in final.values() if s == "valid"),
        invalid=sum(1 for s in final.values() if s == "invalid"),
    )
    assert counters.branch(campaign_id, "tw/ha-noi") == {KIM_MA[0]: expected}


def test_entries_count_on_their_vietnam_day_not_their_utc_day(campaign_id):
    store, counters = SubmissionStore(), CounterStore()
    # 16:59 UTC is 23:59 in Hà Nội; 17:01 UTC is already the next day there.
    before = datetime(2026, 3, 1, 16, 59, tzinfo=timezone.utc)
    new_entry(store, campaign_id, created_at=before)
    validate(store, new_entry(store, campaign_id, created_at=before + timedelta(minutes=2)))
    assert [(d.isoformat(), r, v) for d, r, v in counters.daily(campaign_id)] == [
        ("2026-03-01", 1, 0), ("2026-03-02", 1, 1)]


def test_the_best_weekly_score_only_rises(campaign_id):
    counters = CounterStore()
    assert counters.raise_best_weekly_score(campaign_id, KIM_MA[0], KIM_MA[1], 500)
    assert not counters.raise_best_weekly_score(campaign_id, KIM_MA[0], KIM_MA[1], 300)
    assert counters.branch(campaign_id, KIM_MA[1])[KIM_MA[0]].best_weekly_score == 500
