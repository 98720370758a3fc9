"""Scheduled ingestion end to end in the local cloud: fan-out through the metrics queue,
the event pump delivering chunks, snapshots and live scores appearing, the leaderboard,
organisers' imports, and a failing chunk dead-lettered and shown as a gap."""
from __future__ import annotations

import base64
import io
import itertools
import json
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import boto3
import pytest

from chalicelib.adapters.dynamodb.models import ScoreRecord, SnapshotRecord, SubmissionRecord
from chalicelib.adapters.dynamodb.submissions import status_sort, unit_sort
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.ingestion import campaign_week_key
from chalicelib.domain.weeks import week_window
from chalicelib.local.cloud import LOCAL_REGION
from chalicelib.local.pump import EventPump, sqs_bindings
from chalicelib.local.seed import SAMPLES
from tests.conftest import load_event  # at import time: importing it re-applies the test environment
from tests.functional.conftest import bearer

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_SHIFTS = itertools.count(10, 10)


@pytest.fixture(scope="module")
def sqs(seeded_cloud):
    return boto3.client("sqs", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)


@pytest.fixture(scope="module")
def pump(sqs, app_module):
    bindings = [b for b in sqs_bindings(app_module.app) if b.handler_name == "ingest_metrics_chunk"]
    return EventPump(sqs, bindings, LOCAL_REGION)


@pytest.fixture
def campaign(seeded_cloud):
    """The seed-000 campaign under a fresh id, moved whole weeks into the past (all weeks
    closed) by a different amount for each test, so no schedule reads another test's entries."""
    sample = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    # Run from the centre with Hà Nội reviewing its branch: organiser-ha-noi imports its figures.
    copy = sample.shifted_by_weeks(-next(_SHIFTS)).model_copy(update={
        "id": f"kvhc-{uuid.uuid4().hex[:8]}", "organiser_unit": "tw", "eligible_units": ["tw"],
        "review_delegated_to": ["ha-noi"]})
    services().campaign_store.put(copy)
    return copy


def publish(campaign, week, video_id, unit_id="ha-noi-ba-dinh", platform="tiktok", hours_after_open=2, title=None):
    """A published entry as the review flow leaves it (publishing is another branch's work)."""
    start, _ = week_window(campaign, week)
    unit = services().org_unit_store.find(unit_id)
    created = start - timedelta(days=3)
    submission_id = f"s-{uuid.uuid4().hex[:12]}"
    SubmissionRecord(
        submission_id=submission_id, campaign_id=campaign.id, unit_id=unit.unit_id, unit_path=unit.path,
        unit_sort=unit_sort(unit.path, created, submission_id), status="published",
        status_sort=status_sort("published", created, submission_id), status_changed_at=created,
        created_at=created, title=title or f"Video {video_id}", authors=[], file_name="a.mp4",
        content_type="video/mp4", declared_size=1, access_token_hash="x", upload_key=f"uploads/{submission_id}",
        upload_kind="post", campaign_week=campaign_week_key(campaign.id, week),
        platform_video=f"{platform}#{video_id}", published_at=start + timedelta(hours=hours_after_open),
    ).save()
    return submission_id


def queued(sqs, name):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def run_of(client, token, campaign):
    response = client.http.get(f"/campaigns/{campaign.id}/ingestion", headers=bearer(token))
    assert response.status_code == 200
    return response.json_body["runs"]


def test_an_hourly_run_fans_out_chunks_and_the_pump_turns_them_into_snapshots_and_scores(
    client, tokens, campaign, sqs, pump
):
    # Given 130 TikTok entries competing in week 2 (the local stage reads the simulator)
    entries = [publish(campaign, 2, f"73{n:05d}") for n in range(130)]
    start, _ = week_window(campaign, 2)
    at = start + timedelta(days=2)
    # When the hourly schedule fires
    summary = services().engagement.fan_out(at, "hourly", datetime.now(timezone.utc))
    # Then ceil(130 / 500) = 1 chunk message (up to 500 entries: 25 calls of 20 ids) waits on the metrics queue
    [run] = [r for r in summary["runs"] if r["campaign_id"] == campaign.id]
    assert (run["week"], run["entries"], run["chunks"]) == (2, 130, 1)
    # (campaigns other tests left running in this process get their own chunks: one message per chunk)
    chunks = sum(r["chunks"] for r in summary["runs"])
    assert queued(sqs, services().settings.metrics_queue_name) == chunks
    # When the event pump delivers it to the chunk handler
    assert pump.drain() == chunks
    # Then every entry has a snapshot at `at` saying per metric whether it was measured
    [snapshot] = list(SnapshotRecord.query(entries[0]))
    assert snapshot.at == at and snapshot.source == "simulator"
    assert set(snapshot.values) == {"likes", "saves", "shares", "reposts", "comments", "views"}
    # And a live score per entry, served as a leaderboard from the week's kept board (ranked by the run's last chunk)
    week_key = campaign_week_key(campaign.id, 2)
    assert ScoreRecord.count(week_key) == 130
    board = client.http.get(f"/campaigns/{campaign.id}/weeks/2/leaderboard?limit=5").json_body
    assert len(board["rows"]) == 5
    scores = [r["score"] for r in board["rows"]]
    assert scores == sorted(scores, key=float, reverse=True) and board["rows"][0]["rank"] == 1
    # And the run is complete for organisers
    [status] = run_of(client, tokens["organiser-ha-noi"], campaign)
    assert status["state"] == "complete" and status["chunks"]["ok"] == 1 and status["snapshots_written"] == 130


def csv_body(text, **extra):
    return json.dumps({"csv_text": text, **extra})


def test_seed_000_worked_example_scores_500_through_ingestion_and_the_leaderboard(
    client, tokens, campaign, pump, live_tiktok
):
    # Given an entry published in week 2 and a weaker one, on TikTok
    entry = publish(campaign, 2, "7301", title="Khát vọng tuổi trẻ")
    other = publish(campaign, 2, "7302")
    live_tiktok.tiktok_videos["7301"] = {"like_count": 100, "share_count": 50, "comment_count": 4, "view_count": 900}
    live_tiktok.tiktok_videos["7302"] = {"like_count": 10, "share_count": 1, "comment_count": 0, "view_count": 50}
    _, close = week_window(campaign, 2)
    # When the week-boundary schedule reads TikTok at Monday 00:00 (likes and shares; no saves or reposts)
    boundary = services().engagement.fan_out(close, "boundary", datetime.now(timezone.utc))
    assert [r["chunks"] for r in boundary["runs"] if r["campaign_id"] == campaign.id] == [1]
    assert pump.drain() == sum(r["chunks"] for r in boundary["runs"])
    # And the organiser imports saves and reposts for the same instant from TikTok Studio
    when = close.astimezone(VN).strftime("%d/%m/%Y %H:%M")  # Monday 00:00 on the organiser's clock
    sheet = f"Mã video;Lượt lưu;Lượt đăng lại;Thời điểm đo\n7301;50;30;{when}\n7302;2;0;{when}\n999;1;1;{when}\n"
    organiser = bearer(tokens["organiser-ha-noi"])
    response = client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=csv_body(sheet),
                                headers={**organiser, "Content-Type": "application/json"})
    assert response.status_code == 200, response.json_body
    assert response.json_body | {"file_sha256": None} == {
        "file_sha256": None, "rows": 3, "matched": 2, "written": 2, "unchanged": 0,
        "unknown_video_ids": ["999"], "metrics": ["saves", "reposts"], "ignored_columns": []}
    # Then the entry gained 100 likes, 50 saves, 50 shares, 30 reposts in its week: 500 points, exact
    board = client.http.get(f"/campaigns/{campaign.id}/weeks/2/leaderboard?limit=20").json_body
    top = board["rows"][0]
    assert (top["rank"], top["entry_id"], top["title"], top["score"]) == (1, entry, "Khát vọng tuổi trẻ", 500)
    assert {p["metric"]: p["points"] for p in top["breakdown"]} == {"likes": 100, "saves": 100, "shares": 150, "reposts": 150}
    assert top["flags"] == [] and top["unmeasured_metrics"] == [] and top["estimated_metrics"] == []
    assert board["rows"][1]["entry_id"] == other and board["rows"][1]["score"] == 17
    # And importing the same file again changes nothing
    again = client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=csv_body(sheet),
                             headers={**organiser, "Content-Type": "application/json"}).json_body
    assert (again["written"], again["unchanged"]) == (0, 2)
    assert len(list(SnapshotRecord.query(entry))) == 2
    # And the import is in the audit log
    audit = client.http.get(f"/audit?entity_type=campaign&entity_id={campaign.id}", headers=bearer(tokens["admin"]))
    assert [e["action"] for e in audit.json_body["entries"]] == ["import_metrics", "import_metrics"]


def test_an_xlsx_with_vietnamese_headers_is_imported_and_out_of_branch_rows_read_as_unknown(
    client, tokens, campaign
):
    from openpyxl import Workbook

    mine = publish(campaign, 1, "8801", unit_id="ha-noi-ba-dinh")
    publish(campaign, 1, "8802", unit_id="hcm")
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã video", "Lượt thích", "Lượt lưu", "Lượt chia sẻ", "Lượt đăng lại", "Lượt xem"])
    sheet.append(["https://www.tiktok.com/@doan/video/8801", 1234, 5, 6, 7, 10000])
    sheet.append([8802, 1, 1, 1, 1, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    body = json.dumps({"file_name": "so-lieu.xlsx", "content_base64": base64.b64encode(buffer.getvalue()).decode(),
                       "measured_at": (week_window(campaign, 1)[0] + timedelta(days=3)).isoformat()})
    # An organiser of Hà Nội sees the Hồ Chí Minh City entry as unknown, exactly like a wrong id
    response = client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=body,
                                headers={**bearer(tokens["organiser-ha-noi"]), "Content-Type": "application/json"})
    assert response.status_code == 200, response.json_body
    assert (response.json_body["matched"], response.json_body["unknown_video_ids"]) == (1, ["8802"])
    [snapshot] = list(SnapshotRecord.query(mine))
    assert snapshot.values == {"likes": 1234, "saves": 5, "shares": 6, "reposts": 7, "comments": None, "views": 10000}
    assert snapshot.at == week_window(campaign, 1)[0] + timedelta(days=3)
    # The admin sees both
    admin = client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=body,
                             headers={**bearer(tokens["admin"]), "Content-Type": "application/json"}).json_body
    assert (admin["matched"], admin["written"], admin["unchanged"], admin["unknown_video_ids"]) == (2, 1, 1, [])


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "missing_import_file"),
    ({"file_name": "a.xlsx", "content_base64": "%%%"}, 400, "invalid_base64"),
    ({"file_name": "a.pdf", "content_base64": "YWJj"}, 400, "unsupported_import_format"),
    ({"file_name": "a.xlsx", "content_base64": "YWJj", "measured_at": "2024-08-08"}, 400, "unreadable_import_file"),
    ({"csv_text": "video_id,likes\n1,2\n"}, 400, "measured_at_required"),
    ({"csv_text": "video_id,likes\n1,nhiều\n", "measured_at": "2024-08-08T00:00:00Z"}, 400, "invalid_import_rows"),
    ({"csv_text": "video_id,likes\n1,2\n", "measured_at": "hôm qua"}, 400, "invalid_measured_at"),
])
def test_a_bad_import_is_refused_with_a_code_and_a_message_in_both_languages(client, tokens, campaign, body, status, code):
    response = client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=json.dumps(body),
                                headers={**bearer(tokens["organiser-ha-noi"]), "Content-Type": "application/json"})
    assert response.status_code == status
    error = response.json_body["error"]
    assert error["code"] == code and error["message_vi"] and error["message_en"]


def test_only_organisers_and_admins_import_and_read_runs(client, tokens, campaign):
    body = json.dumps({"csv_text": "video_id,likes\n1,2\n", "measured_at": "2024-08-08T00:00:00Z"})
    jury = {**bearer(tokens["jury-1"]), "Content-Type": "application/json"}
    assert client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=body, headers=jury).status_code == 403
    assert client.http.post(f"/campaigns/{campaign.id}/metrics/imports", body=body,
                            headers={"Content-Type": "application/json"}).status_code == 401
    assert client.http.get(f"/campaigns/{campaign.id}/ingestion", headers=bearer(tokens["jury-1"])).status_code == 403
    missing = client.http.get("/campaigns/khong-co/ingestion", headers=bearer(tokens["admin"]))
    assert (missing.status_code, missing.json_body["error"]["code"]) == (404, "campaign_not_found")


@pytest.mark.parametrize("path, status, code", [
    ("/campaigns/{c}/weeks/9/leaderboard", 404, "week_not_found"),
    ("/campaigns/{c}/weeks/x/leaderboard", 400, "invalid_week"),
    ("/campaigns/{c}/weeks/1/leaderboard?limit=0", 400, "invalid_limit"),
    ("/campaigns/{c}/weeks/1/leaderboard?limit=101", 400, "invalid_limit"),
    ("/campaigns/khong-co/weeks/1/leaderboard", 404, "campaign_not_found"),
])
def test_leaderboard_input_errors(client, campaign, path, status, code):
    response = client.http.get(path.format(c=campaign.id) + ("&" if "?" in path else "?") + "lang=en")
    assert (response.status_code, response.json_body["error"]["code"]) == (status, code)


def test_equal_scores_share_a_rank_on_the_leaderboard(client, campaign):
    now = datetime.now(timezone.utc)
    for submission_id, score in (("a", 30), ("b", 20), ("c", 20), ("d", 5)):
        ScoreRecord(campaign_week=campaign_week_key(campaign.id, 3), submission_id=submission_id, score=score,
                    breakdown={"total": score, "parts": [], "unmeasured_metrics": []}, unit_id="hcm",
                    title=submission_id, flags=[], updated_at=now).save()
    rows = client.http.get(f"/campaigns/{campaign.id}/weeks/3/leaderboard").json_body["rows"]
    assert [(r["entry_id"] in ("b", "c"), r["rank"]) for r in rows] == [(False, 1), (True, 2), (True, 2), (False, 4)]


def test_a_chunk_that_keeps_failing_is_dead_lettered_and_shown_as_a_gap(
    client, tokens, campaign, sqs, pump, monkeypatch
):
    publish(campaign, 2, "9901")
    start, _ = week_window(campaign, 2)

    class Down:
        name, platform, ids_per_call = "tiktok-display-api", "tiktok", 20

        def fetch(self, videos, at):
            raise ConnectionError("TikTok is down")

    monkeypatch.setattr(services().engagement, "source_for", lambda platform: Down())
    services().engagement.fan_out(start + timedelta(hours=30), "hourly", datetime.now(timezone.utc))
    dlq_url = sqs.get_queue_url(QueueName=services().settings.metrics_queue_name + "-dlq")["QueueUrl"]
    dead = []
    deadline = datetime.now() + timedelta(seconds=20)
    while not dead and datetime.now() < deadline:
        pump.poll_once(pump._bindings[0], wait_seconds=1)
        dead = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages", [])
    assert dead, "the failing chunk should reach the dead-letter queue after 3 tries"
    assert json.loads(dead[0]["Body"])["campaign_id"] == campaign.id
    sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=dead[0]["ReceiptHandle"])
    [status] = run_of(client, tokens["admin"], campaign)
    assert status["state"] == "gap"
    assert status["chunks"] == {"planned": 1, "ok": 0, "dead_lettered": 1, "pending": 0, "failed_attempts": 3}
    assert "TikTok is down" in status["last_error"]


def test_the_schedules_are_hourly_and_at_monday_midnight_vietnam(app_module):
    expressions = {s.name: s.schedule_expression.to_string() if hasattr(s.schedule_expression, "to_string")
                   else s.schedule_expression for s in app_module.app.event_sources if hasattr(s, "schedule_expression")}
    assert expressions["schedule_metrics_ingestion"] == "rate(1 hour)"
    assert expressions["snapshot_week_boundary"] == "cron(0 17 ? * SUN *)"


def test_the_boundary_lambda_reads_at_the_boundary_instant_itself(campaign, sqs, pump):
    from chalicelib.triggers.engagement import snapshot_week_boundary

    entry = publish(campaign, 1, "5501")
    _, close = week_window(campaign, 1)
    event = load_event("scheduled_event.json")
    event["time"] = close.strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = snapshot_week_boundary(event, None)
    assert {(r["campaign_id"], r["week"]) for r in summary["runs"]} >= {(campaign.id, 1)}
    pump.drain()
    [snapshot] = list(SnapshotRecord.query(entry))
    assert snapshot.at == close
