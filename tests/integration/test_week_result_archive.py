"""A frozen week too large for one DynamoDB item is archived in S3 and read back whole."""
import os
from datetime import datetime, timezone

from chalicelib.adapters.dynamodb.models import WeekResultRecord
from chalicelib.adapters.dynamodb.week_results import INLINE_DOCUMENT_BYTES, StoredWeekResult
from chalicelib.bootstrap import services


def _result(campaign_id: str, document: dict) -> StoredWeekResult:
    now = datetime(2024, 8, 12, 17, tzinfo=timezone.utc)
    return StoredWeekResult(campaign_id, 1, 1, document, "h" * 64, now, "admin", now)


def test_a_large_week_is_archived_in_s3_and_a_small_one_stays_inline(seeded_cloud, s3):
    store = services().week_result_store
    # Random text barely compresses: well past the inline limit once gzip'd.
    rows = [{"entry_id": os.urandom(16).hex(), "evidence": os.urandom(64).hex()} for _ in range(6000)]
    large = _result("archive-large", {"rows": rows})
    assert store.add(large)
    record = WeekResultRecord.get("archive-large#1", 1)
    assert record.document_gz is None and record.document_key.startswith("results/archive-large/week-1/v1-")
    archived = s3.get_object(Bucket=services().upload_bucket.name, Key=record.document_key)["Body"].read()
    assert len(archived) > INLINE_DOCUMENT_BYTES
    assert store.latest("archive-large", 1).document == {"rows": rows}

    small = _result("archive-small", {"rows": rows[:3]})
    assert store.add(small)
    record = WeekResultRecord.get("archive-small#1", 1)
    assert record.document_key is None and record.document_gz
    assert store.get("archive-small", 1, 1).document == {"rows": rows[:3]}
