"""The participant's status page over HTTP follows the entry: publication, week, live score, rank."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.ingestion import LeaderboardRow
from chalicelib.domain.review import campaign_week_key
from chalicelib.domain.scope import Principal
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES

ADMIN = Principal(user_id="sub-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")


@pytest.fixture(scope="module")
def campaign(seeded_cloud) -> Campaign:
    data = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").model_dump()
    data.update(organiser_unit="tw", eligible_units=["tw"], review_delegated_to=["ha-noi", "ha-noi-ba-dinh", "hcm"])
    data["id"] = f"kvhc-status-{uuid.uuid4().hex[:8]}"
    data["voting_weeks"] = data["voting_weeks"][:1]
    copy = Campaign.model_validate(data)
    services().campaign_store.put(copy)
    return copy


def _valid_entry(campaign: Campaign, at: datetime) -> dict:
    created = services().participants.create(campaign.id, {
        "title": "Theo dõi bài", "unit_id": "ha-noi-ba-dinh-kim-ma", "category": "Clip",
        "authors": [{"name": "A", "email": "status@example.vn"}], "file_name": "clip.mp4",
        "content_type": "video/mp4", "size_bytes": 1000,
        "accepted_terms_version": campaign.terms.version}, at)
    store = services().submission_store
    record = store.get(created["submission_id"])
    object_id = f"test/{record.upload_key}#etag"
    assert store.begin_validation(record, record.upload_key, object_id, at)
    record = store.get(created["submission_id"])
    assert store.finish_validation(record, record.upload_key, object_id, "valid", {"status": "valid"}, at)
    return created


def _page(client, created: dict) -> dict:
    answer = client.http.get(f"/submissions/{created['submission_id']}?lang=en",
                             headers={"X-Participant-Token": created["access_token"]})
    assert answer.status_code == 200
    return json.loads(answer.body)


def test_after_publication_the_page_shows_the_link_the_week_and_the_live_score_then_the_rank(client, campaign):
    start, end = week_window(campaign, 1)
    created = _valid_entry(campaign, start - timedelta(days=3))
    assert _page(client, created)["voting_week"] is None

    review = services().review
    review.review(ADMIN, created["submission_id"], {"decision": "approve"}, start - timedelta(days=2))
    review.publish(ADMIN, created["submission_id"], {
        "platform": "tiktok", "video_id": f"v{uuid.uuid4().hex[:8]}", "url": "https://www.tiktok.com/@kvhc/video/7",
        "published_at": (start + timedelta(hours=1)).isoformat()}, start + timedelta(hours=1))
    services().score_store.put_many([LeaderboardRow(
        campaign_week_key(campaign.id, 1), created["submission_id"], 12,
        {"total": "12", "parts": [{"metric": "likes", "value": 12, "weight": "1", "points": "12"}]},
        "ha-noi-ba-dinh-kim-ma", "Theo dõi bài", [], start + timedelta(hours=2))])

    page = _page(client, created)

    assert page["publication"]["url"] == "https://www.tiktok.com/@kvhc/video/7"
    assert page["voting_week"]["number"] == 1
    assert page["voting_week"]["starts_at_local"]["iso"].endswith("T00:00:00+07:00")
    assert page["live_score"]["score"] == "12" and page["live_score"]["breakdown"][0]["metric"] == "likes"
    assert page["week_result"] is None

    from chalicelib.adapters.dynamodb.snapshots import EntrySnapshot
    from chalicelib.domain.engagement import Snapshot

    services().snapshot_store.put_many([EntrySnapshot(created["submission_id"], campaign.id, Snapshot(
        end, "csv", {"likes": 40, "saves": 0, "shares": 0, "reposts": 0, "views": 400}))])
    services().week_results.close_week(campaign.id, 1, end, ADMIN)

    closed = _page(client, created)
    assert closed["voting_week"]["state"] == "closed"
    assert (closed["week_result"]["rank"], closed["week_result"]["of"], closed["week_result"]["winner"]) == (1, 1, True)
