"""A frozen week over HTTP on the emulator: an import stamped before the close that arrives after
it is late, shown next to the ranking, changes nothing until an organiser's audited revision."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamodb.snapshots import EntrySnapshot
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.ingestion import run_id
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES
from chalicelib.services.week_results import BOUNDARY_RUN_GRACE
from contest_cli.__main__ import verify_week
from tests.functional.conftest import bearer
from tests.functional.test_metrics_ingestion import campaign, pump, publish, sqs  # noqa: F401 - fixtures
from tests.functional.test_review_and_results_api import ADMIN, EVERYONE_REVIEWS_THEIR_BRANCH, _valid_entry

JSON = {"Content-Type": "application/json"}
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _closed_week_with_one_entry() -> tuple[Campaign, str, str]:
    data = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-frozen-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1],
                **EVERYONE_REVIEWS_THEIR_BRANCH)
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    start, end = week_window(campaign, 1)
    entry_id = _valid_entry(campaign.id, "ha-noi-ba-dinh-kim-ma", "Khát vọng đóng băng", start - timedelta(days=7))
    video_id = f"f{uuid.uuid4().hex[:10]}"
    services().review.review(ADMIN, entry_id, {"decision": "approve"}, start - timedelta(days=7))
    services().review.publish(ADMIN, entry_id, {"platform": "tiktok", "video_id": video_id,
                                                "url": "https://www.tiktok.com/@kvhc/video/2",
                                                "published_at": (start + timedelta(hours=1)).isoformat()},
                              start + timedelta(hours=1))
    services().snapshot_store.put_many([EntrySnapshot(entry_id, campaign.id, Snapshot(
        end - timedelta(hours=1), "csv", {"likes": 300, "saves": 3, "shares": 3, "reposts": 3, "views": 3000}))])
    return campaign, entry_id, video_id


def test_a_late_import_is_shown_and_enters_only_through_an_audited_revision(client, tokens):
    campaign, entry_id, video_id = _closed_week_with_one_entry()
    admin, organiser = bearer(tokens["admin"]), bearer(tokens["organiser-ha-noi"])
    weeks = f"/campaigns/{campaign.id}/weeks/1"
    closed = client.http.post(f"{weeks}/close", headers={**admin, **JSON}, body="{}")
    assert closed.status_code == 200 and closed.json_body["outcome"] == "closed"

    # An organiser's sheet measured ten minutes before the week's end arrives after the close
    _, end = week_window(campaign, 1)
    when = (end - timedelta(minutes=10)).astimezone(VN).strftime("%d/%m/%Y %H:%M")
    sheet = f"Mã video;Lượt thích;Thời điểm đo\n{video_id};500;{when}\n"
    imported = client.http.post(f"/campaigns/{campaign.id}/metrics/imports", headers={**admin, **JSON},
                                body=json.dumps({"csv_text": sheet}))
    assert imported.status_code == 200 and imported.json_body["written"] == 1

    ranking = client.http.get(f"{weeks}/ranking").json_body
    assert (ranking["version"], ranking["hash"]) == (1, closed.json_body["hash"])
    assert ranking["late_readings"] == {"count": 1, "entries": [entry_id]}
    again = client.http.post(f"{weeks}/close", headers={**admin, **JSON}, body="{}")
    assert (again.status_code, again.json_body["outcome"]) == (200, "unchanged")
    assert verify_week(campaign.id, 1)["ok"]

    refused = client.http.post(f"{weeks}/revisions", headers={**organiser, **JSON}, body=json.dumps({"reason": "x"}))
    assert (refused.status_code, refused.json_body["error"]["code"]) == (403, "not_campaign_organiser")
    no_reason = client.http.post(f"{weeks}/revisions", headers={**admin, **JSON}, body="{}")
    assert (no_reason.status_code, no_reason.json_body["error"]["code"]) == (400, "revision_reason_required")
    revised = client.http.post(f"{weeks}/revisions", headers={**admin, **JSON},
                               body=json.dumps({"reason": "Số liệu TikTok Studio gửi muộn"}))
    assert revised.status_code == 200, revised.json_body
    assert (revised.json_body["version"], revised.json_body["late_readings_used"]) == (2, 1)

    v2 = client.http.get(f"{weeks}/ranking").json_body
    assert v2["version"] == 2 and v2["previous_hash"] == closed.json_body["hash"]
    assert next(p["value"] for p in v2["rows"][0]["breakdown"] if p["metric"] == "likes") == 500
    assert v2["late_readings"] == {"count": 0, "entries": []}
    report = verify_week(campaign.id, 1)
    assert report["ok"] and [v["version"] for v in report["versions"]] == [1, 2]
    [audit] = [a for a in services().audit_store.for_entity("week", f"{campaign.id}#1") if a.action == "revise_week"]
    assert (audit.actor, audit.reason, audit.after["version"]) == ("admin", "Số liệu TikTok Studio gửi muộn", 2)


def _measured_before_the_end(campaign: Campaign, week: int, entry_id: str) -> None:
    """Every weighted metric measured an hour before the week's end (saves and reposts come from a sheet)."""
    _, end = week_window(campaign, week)
    services().snapshot_store.put_many([EntrySnapshot(entry_id, campaign.id, Snapshot(
        end - timedelta(hours=1), "csv", {"likes": 40, "saves": 4, "shares": 4, "reposts": 4, "views": 400}))])


def test_the_close_waits_for_the_boundary_chunks_and_a_chunk_after_the_close_is_late(
    client, tokens, campaign, pump, live_tiktok  # noqa: F811 - fixtures
):
    weeks = services().week_results
    first, second = publish(campaign, 1, "8101"), publish(campaign, 2, "8201")
    _measured_before_the_end(campaign, 1, first)
    _measured_before_the_end(campaign, 2, second)
    live_tiktok.tiktok_videos.update({
        "8101": {"like_count": 90, "share_count": 9, "comment_count": 0, "view_count": 900},
        "8201": {"like_count": 70, "share_count": 7, "comment_count": 0, "view_count": 700}})
    _, end1 = week_window(campaign, 1)
    _, end2 = week_window(campaign, 2)

    # Week 1: the boundary reading is fanned out at the close's own instant, its chunk still queued
    services().engagement.fan_out(end1, "boundary", end1)
    waiting = weeks.close_week(campaign.id, 1, end1)
    assert (waiting["outcome"], waiting["boundary_run"]["run_id"]) == ("waiting_for_boundary", run_id(end1, 1))
    busy = client.http.post(f"/campaigns/{campaign.id}/weeks/1/close", headers={**JSON, **bearer(tokens["admin"])},
                            body="{}")
    assert (busy.status_code, busy.json_body["error"]["code"]) == (409, "boundary_reading_in_progress")
    assert pump.drain() >= 1
    closed = weeks.close_week(campaign.id, 1, end1 + timedelta(minutes=5))
    assert closed["outcome"] == "closed"
    ranking = client.http.get(f"/campaigns/{campaign.id}/weeks/1/ranking").json_body
    likes = next(p for p in ranking["rows"][0]["breakdown"] if p["metric"] == "likes")
    assert likes["value"] == 90 and ranking["late_readings"]["count"] == 0

    # Week 2: the boundary run never started within the grace, so the week closed without it;
    # the chunk that comes afterwards is late and the result stays as frozen
    closed2 = weeks.close_week(campaign.id, 2, end2 + BOUNDARY_RUN_GRACE)
    assert closed2["outcome"] == "closed"
    services().engagement.fan_out(end2, "boundary", end2 + BOUNDARY_RUN_GRACE)
    assert pump.drain() >= 1
    ranking2 = client.http.get(f"/campaigns/{campaign.id}/weeks/2/ranking").json_body
    assert (ranking2["version"], ranking2["hash"]) == (1, closed2["hash"])
    assert ranking2["late_readings"] == {"count": 1, "entries": [second]}
    again = weeks.close_week(campaign.id, 2, end2 + timedelta(days=1))
    assert (again["outcome"], again["hash"]) == ("unchanged", closed2["hash"])
    assert verify_week(campaign.id, 1)["ok"] and verify_week(campaign.id, 2)["ok"]

