from typing import Any

import pytest
from chalice.test import Client


@pytest.fixture(scope="session")
def app_module(seeded_cloud):
    import app

    return app


@pytest.fixture
def client(app_module):
    with Client(app_module.app, stage_name="local") as client:
        yield client


@pytest.fixture(scope="session")
def tokens(seeded_cloud):
    """An ID token for every seeded account, obtained the way a script would."""
    from chalicelib.bootstrap import services

    pool = services().user_pool
    return {name: pool.sign_in(a.username, a.password).id_token for name, a in seeded_cloud.accounts.items()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def judge_valid(submission_id: str, at) -> str:
    """The validator's two steps on an entry that has no file: claimed, then judged valid."""
    from chalicelib.bootstrap import services

    store = services().submission_store
    record = store.get(submission_id)
    object_id = f"test/{record.upload_key}#etag"
    assert store.begin_validation(record, record.upload_key, object_id, at)
    record = store.get(submission_id)
    assert store.finish_validation(record, record.upload_key, object_id, "valid", {"status": "valid"}, at)
    return submission_id


def publish_and_close_week_one(campaign, ids: dict, start, end, reviewed_at, admin) -> None:
    """Approve and publish each entry of `ids` into week 1 (an hour apart), record the week's
    closing likes (300, 200, 100, ...) and close the week: the shape the results and jury tests share."""
    from datetime import timedelta

    from chalicelib.adapters.dynamodb.snapshots import EntrySnapshot
    from chalicelib.bootstrap import services
    from chalicelib.domain.engagement import Snapshot

    review, snapshots = services().review, []
    for number, entry_id in enumerate(ids.values()):
        review.review(admin, entry_id, {"decision": "approve"}, reviewed_at)
        published = start + timedelta(hours=number + 1)
        review.publish(admin, entry_id, {"platform": "tiktok", "video_id": f"v{entry_id[:10]}",
                                         "url": "https://www.tiktok.com/@kvhc/video/1",
                                         "published_at": published.isoformat()}, published)
        likes = 300 - 100 * number
        snapshots.append(EntrySnapshot(entry_id, campaign.id, Snapshot(end, "csv", {
            "likes": likes, "saves": 0, "shares": 0, "reposts": 0, "views": 10 * likes})))
    services().snapshot_store.put_many(snapshots)
    services().week_results.close_week(campaign.id, 1, end, admin)


class Downloaded:
    """A file as the browser gets it from the presigned link an export answers with."""

    def __init__(self, status_code: int, headers: Any, body: bytes, url: str) -> None:
        self.status_code, self.headers, self.body, self.url = status_code, headers, body, url


def follow_download(response) -> Downloaded:
    """Follow an export's 303 to its presigned S3 URL (on the loopback emulator) and fetch the file."""
    import urllib.request

    assert response.status_code == 303, f"not a download link: {response.status_code} {response.body[:300]!r}"
    location = response.headers["Location"]
    with urllib.request.urlopen(location, timeout=10) as answer:
        return Downloaded(answer.status, answer.headers, answer.read(), location)
