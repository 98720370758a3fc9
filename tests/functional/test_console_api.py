"""The API the console needs, over HTTP: overview, score curves, an entry's chart with fraud
evidence, bulk approval, reason templates, import preview, and the public campaign page.
Each route is also in the scope matrix (test_scope_matrix.py); here each answer's content and
each refusal is checked."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters.dynamodb.models import SnapshotRecord, SubmissionRecord
from chalicelib.adapters.dynamodb.snapshots import EntrySnapshot
from chalicelib.adapters.dynamodb.submissions import status_sort, unit_sort
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.ingestion import PublishedEntry, campaign_week_key
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES, live_copy
from tests.functional.test_review_and_results_api import EVERYONE_REVIEWS_THEIR_BRANCH
from tests.functional.conftest import bearer

JSON = {"Content-Type": "application/json"}


def _sample() -> Campaign:
    # Each caller here reviews their own branch (who reviews is test_campaign_roles.py's).
    return load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").model_copy(
        update=EVERYONE_REVIEWS_THEIR_BRANCH)


def get(client, path, token=None, **headers):
    return client.http.get(path, headers={**(bearer(token) if token else {}), **headers})


def send(client, method, path, token, body):
    return getattr(client.http, method)(path, headers={**JSON, **bearer(token)}, body=json.dumps(body))


def error_of(response):
    return response.status_code, response.json_body["error"]["code"]


def _entry(campaign, unit_id, status, created, title=None, week=None, video_id=None, published_at=None,
           verdict=None, description=None):
    """An entry as the flows leave it, written straight in (the flows are tested elsewhere)."""
    unit = services().org_unit_store.find(unit_id)
    submission_id = f"s-{uuid.uuid4().hex[:12]}"
    review = None
    if video_id:
        review = {"publication": {"platform": "tiktok", "video_id": video_id,
                                  "url": f"https://www.tiktok.com/@kvhc/video/{video_id}"}}
    SubmissionRecord(
        submission_id=submission_id, campaign_id=campaign.id, unit_id=unit.unit_id, unit_path=unit.path,
        unit_sort=unit_sort(unit.path, created, submission_id), status=status,
        status_sort=status_sort(status, created, submission_id), status_changed_at=created, created_at=created,
        title=title or f"Tác phẩm {submission_id[-4:]}", authors=[{"name": "Nguyễn Văn A", "email": "a@example.vn"}],
        file_name="a.mp4", content_type="video/mp4", declared_size=1, access_token_hash="x",
        upload_key=f"uploads/{submission_id}", upload_kind="post", review=review, verdict=verdict,
        description=description,
        campaign_week=campaign_week_key(campaign.id, week) if week else None,
        platform_video=f"tiktok#{video_id}" if video_id else None, published_at=published_at,
    ).save()
    return submission_id


def _readings(campaign, entry_id, *points):
    services().snapshot_store.put_many(
        EntrySnapshot(entry_id, campaign.id, Snapshot(at, "csv", {"likes": likes, "saves": 0, "shares": 0,
                                                                   "reposts": 0, "views": 10 * likes}))
        for at, likes in points)


def _refresh(campaign, week, *entry_ids):
    found = services().submission_store.many(entry_ids)
    services().engagement.refresh_scores(campaign, week, [
        PublishedEntry(e.submission_id, "tiktok", e.platform_video.split("#")[1], e.published_at, e.unit_id, e.title)
        for e in found.values()], datetime.now(timezone.utc),
        {e: services().snapshot_writer.for_entry(e) for e in entry_ids})


@pytest.fixture(scope="module")
def live(seeded_cloud):
    """Seed 000 under a fresh id with its weeks ahead, organised by the central unit."""
    campaign = live_copy(_sample(), datetime.now(timezone.utc).date()).model_copy(
        update={"id": f"kvhc-console-{uuid.uuid4().hex[:8]}", "min_entries_per_unit": 1})
    services().campaign_store.put(campaign)
    return campaign


@pytest.fixture(scope="module")
def voted(seeded_cloud):
    """A campaign in 2025 whose week 1 has three published entries with hourly readings and live scores."""
    data = _sample().shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-voted-{uuid.uuid4().hex[:8]}")
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    start, end = week_window(campaign, 1)
    created = start - timedelta(days=5)
    ids = {}
    for name, unit, likes_per_hour in (("ba-dinh", "ha-noi-ba-dinh-kim-ma", 30), ("hcm", "hcm-q1-ben-nghe", 20),
                                       ("ha-noi", "ha-noi-ba-dinh", 10)):
        published = start + timedelta(hours=1)
        ids[name] = _entry(campaign, unit, "published", created, title=f"Bài của {name}", week=1,
                           video_id=f"v-{name}-{uuid.uuid4().hex[:6]}", published_at=published)
        _readings(campaign, ids[name], *[(published + timedelta(hours=h), likes_per_hour * h) for h in range(0, 7)])
    # The Kim Mã entry's likes fall once: a public counter went down (a fraud flag with a point on the chart).
    _readings(campaign, ids["ba-dinh"], (start + timedelta(hours=8), 150))
    _refresh(campaign, 1, *ids.values())
    return campaign, ids, start, end


# --- overview -------------------------------------------------------------------


def test_the_overview_counts_todays_entries_by_status_in_the_callers_branch(client, tokens, live):
    now = datetime.now(timezone.utc)
    _entry(live, "ha-noi-ba-dinh-kim-ma", "valid", now - timedelta(minutes=5))
    _entry(live, "ha-noi-ba-dinh-kim-ma", "awaiting_upload", now - timedelta(minutes=4))
    _entry(live, "hcm-q1-ben-nghe", "valid", now - timedelta(minutes=3))
    _entry(live, "ha-noi-ba-dinh-kim-ma", "valid", now - timedelta(days=40))  # long before this week
    mine = get(client, f"/campaigns/{live.id}/overview", tokens["organiser-ba-dinh"])
    assert mine.status_code == 200, mine.json_body
    today = mine.json_body["entries"]["today"]
    assert (today["total"], today["by_status"]["valid"], today["by_status"]["awaiting_upload"]) == (2, 1, 1)
    assert today["first_day"] == now.astimezone(live.zone).date().isoformat()
    week = mine.json_body["entries"]["this_week"]
    assert week["total"] == 2 and week["first_day"] <= today["first_day"]
    assert mine.json_body["scope_unit_id"] == "ha-noi-ba-dinh"
    everything = get(client, f"/campaigns/{live.id}/overview", tokens["admin"]).json_body
    assert everything["entries"]["today"]["total"] == 3
    assert everything["status_labels"]["valid"] == {"vi": "Hợp lệ", "en": "Valid"}


def test_the_overview_names_units_below_the_minimum_and_the_jobs_due_next(client, tokens, live):
    body = get(client, f"/campaigns/{live.id}/overview", tokens["organiser-ha-noi"]).json_body
    [alert] = [a for a in body["compliance_alerts"] if a["kind"] == "minimum_entries"]
    assert alert["minimum"] == 1 and alert["units_below"] >= 1 and len(alert["units"]) <= 10
    assert "đơn vị chưa đủ" in alert["message_vi"]
    jobs = [j["job"] for j in body["next_jobs"]]
    assert "week_close" in jobs and "submissions_close" in jobs
    assert [j["at"] for j in body["next_jobs"]] == sorted(j["at"] for j in body["next_jobs"])
    first_close = next(j for j in body["next_jobs"] if j["job"] == "week_close")
    assert first_close["week"] == 1 and first_close["label_vi"] == "Chốt kết quả tuần"


def test_the_overview_shows_dead_lettered_chunks_as_an_ingestion_gap(client, tokens, live):
    runs = services().ingestion_run_store
    at = datetime.now(timezone.utc) - timedelta(minutes=30)
    runs.start(live.id, f"{at.isoformat()}#w001", 1, at, "hourly", 4, 2, 0, at)
    runs.chunk_ok(live.id, f"{at.isoformat()}#w001", 0, 2, 0)
    runs.chunk_failed(live.id, f"{at.isoformat()}#w001", 1, "TikTok is down", True)
    health = get(client, f"/campaigns/{live.id}/overview", tokens["admin"]).json_body["ingestion"]
    assert health["last_run"]["state"] == "gap" and health["dead_lettered_chunks"] == 1
    assert [r["run_id"] for r in health["runs_with_gaps"]] == [f"{at.isoformat()}#w001"]
    assert health["overdue"] is False


def test_the_overview_refuses_the_jury_strangers_and_unknown_campaigns(client, tokens, live):
    assert error_of(get(client, f"/campaigns/{live.id}/overview", tokens["jury-1"])) == (403, "role_not_allowed")
    assert error_of(get(client, f"/campaigns/{live.id}/overview")) == (401, "missing_token")
    assert error_of(get(client, "/campaigns/khong-co/overview", tokens["admin"])) == (404, "campaign_not_found")


# --- score curves and charts ----------------------------------------------------------


def test_the_leaders_score_curves_come_in_one_call_and_hide_entries_outside_the_branch(client, tokens, voted):
    campaign, ids, start, _ = voted
    answer = get(client, f"/campaigns/{campaign.id}/weeks/1/score-history?top=3", tokens["admin"])
    assert answer.status_code == 200, answer.json_body
    leaders = answer.json_body["entries"]
    assert [e["entry_id"] for e in leaders] == [ids["ba-dinh"], ids["hcm"], ids["ha-noi"]]
    hcm = leaders[1]["series"]
    # 20 likes an hour from an hour after the week opened: the score at each reading inside the week
    assert [p["score"] for p in hcm] == [0, 20, 40, 60, 80, 100, 120]
    assert hcm[0]["at"] == (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    mine = get(client, f"/campaigns/{campaign.id}/weeks/1/score-history?top=3", tokens["organiser-ba-dinh"]).json_body
    hidden = next(e for e in mine["entries"] if e["rank"] == 2)
    assert hidden == {"rank": 2, "score": 120, "outside_branch": True, "series": None}
    assert mine["entries"][0]["entry_id"] == ids["ba-dinh"] and mine["entries"][0]["series"][-1]["score"] == 150


@pytest.mark.parametrize("query, code", [("top=0", "invalid_top"), ("top=11", "invalid_top"), ("top=x", "invalid_top"),
                                        ("top=%C2%B2", "invalid_top"), ("top=" + "9" * 5000, "invalid_top")])
def test_score_curves_are_bounded(client, tokens, voted, query, code):
    campaign = voted[0]
    assert error_of(get(client, f"/campaigns/{campaign.id}/weeks/1/score-history?{query}", tokens["admin"])) == (
        400, code)
    assert error_of(get(client, f"/campaigns/{campaign.id}/weeks/9/score-history", tokens["admin"])) == (
        404, "week_not_found")


def test_an_entrys_chart_places_its_fraud_evidence_on_the_time_axis(client, tokens, voted):
    campaign, ids, start, end = voted
    chart = get(client, f"/submissions/{ids['ba-dinh']}/chart", tokens["organiser-ba-dinh"])
    assert chart.status_code == 200, chart.json_body
    body = chart.json_body
    assert body["week"] == 1 and body["title"] == "Bài của ba-dinh"
    assert body["series"][-1]["score"] == 150 and len(body["readings"]) == 8
    [flag] = [f for f in body["flags"] if f["kind"] == "counter_decrease"]
    fell_at = (start + timedelta(hours=8)).isoformat().replace("+00:00", "Z")
    assert flag["marks"] == [{"at": fell_at, "metric": "likes", "drop": 30},
                             {"at": fell_at, "metric": "views", "drop": 300}]
    assert "không phải quyết định loại bài" in flag["message_vi"]


def test_an_entrys_chart_is_refused_outside_the_branch_and_before_publication(client, tokens, voted, live):
    campaign, ids, _, _ = voted
    assert error_of(get(client, f"/submissions/{ids['hcm']}/chart", tokens["organiser-ba-dinh"])) == (
        404, "submission_not_found")
    waiting = _entry(live, "ha-noi-ba-dinh-kim-ma", "valid", datetime.now(timezone.utc))
    assert error_of(get(client, f"/submissions/{waiting}/chart", tokens["organiser-ba-dinh"])) == (
        409, "not_published")
    assert error_of(get(client, f"/submissions/{ids['hcm']}/chart", tokens["jury-1"])) == (403, "role_not_allowed")


def test_the_leaderboard_rows_carry_unit_names_links_and_which_parts_were_measured(client, voted):
    campaign, ids, _, _ = voted
    rows = get(client, f"/campaigns/{campaign.id}/weeks/1/leaderboard").json_body["rows"]
    top = rows[0]
    assert top["entry_id"] == ids["ba-dinh"] and top["unit_name"] == "Đoàn phường Kim Mã"
    assert top["url"].startswith("https://www.tiktok.com/@kvhc/video/")
    likes = next(p for p in top["breakdown"] if p["metric"] == "likes")
    assert likes == {"metric": "likes", "value": 150, "weight": 1, "points": 150, "measured": True}


def test_the_review_queue_rows_carry_unit_name_description_and_measured_facts(client, tokens, live):
    facts = {"duration_seconds": 62.5, "width": 1080, "height": 1920, "size_bytes": 48_000_000}
    entry = _entry(live, "ha-noi-ba-dinh-kim-ma", "valid", datetime.now(timezone.utc), title="Hàng đợi",
                   verdict={"status": "valid", "facts": facts}, description="Video về tuổi trẻ Ba Đình")
    page = get(client, f"/campaigns/{live.id}/submissions?status=valid&limit=100", tokens["organiser-ba-dinh"])
    assert page.status_code == 200, page.json_body
    row = next(r for r in page.json_body["entries"] if r["submission_id"] == entry)
    assert (row["unit_name"], row["description"], row["facts"]) == (
        "Đoàn phường Kim Mã", "Video về tuổi trẻ Ba Đình", facts)


# --- bulk approval ------------------------------------------------------------------


def test_bulk_approval_approves_each_entry_on_its_own_and_reports_every_refusal(client, tokens, live):
    now = datetime.now(timezone.utc)
    mine = [_entry(live, "ha-noi-ba-dinh-kim-ma", "valid", now) for _ in range(3)]
    approved_before = _entry(live, "ha-noi-ba-dinh-kim-ma", "approved", now)
    elsewhere = _entry(live, "hcm-q1-ben-nghe", "valid", now)
    other_campaign = _entry(live.model_copy(update={"id": "khat-vong-hung-cuong"}), "ha-noi-ba-dinh-kim-ma", "valid",
                            now)
    selection = [*mine, approved_before, elsewhere, other_campaign, "khong-co", mine[0]]
    answer = send(client, "post", f"/campaigns/{live.id}/bulk-approvals", tokens["organiser-ba-dinh"],
                  {"submission_ids": selection})
    assert answer.status_code == 200, answer.json_body
    body = answer.json_body
    assert (body["approved"], body["refused"]) == (3, 4)
    outcome = {r["submission_id"]: r for r in body["results"]}
    assert len(body["results"]) == 7  # the repeated id counts once
    assert all(outcome[i] == {"submission_id": i, "ok": True, "status": "approved"} for i in mine)
    assert outcome[approved_before]["error"]["code"] == "not_reviewable"
    for refused in (elsewhere, other_campaign, "khong-co"):
        assert outcome[refused]["error"]["code"] == "submission_not_found"
    assert services().submission_store.get(elsewhere).status == "valid"
    # Each approval is audited as a single one would be, and the request once more as a whole
    [single] = services().audit_store.for_entity("submission", mine[0])
    assert (single.action, single.actor, single.after["status"]) == ("approve", "organiser-ba-dinh", "approved")
    bulk = services().audit_store.for_entity("campaign", live.id)
    assert bulk[0].action == "bulk_approve" and bulk[0].after["approved"] == mine


@pytest.mark.parametrize("body, code", [
    ({}, "empty_selection"),
    ({"submission_ids": []}, "empty_selection"),
    ({"submission_ids": "abc"}, "empty_selection"),
    ({"submission_ids": [1, 2]}, "empty_selection"),
    ({"submission_ids": [f"id-{n}" for n in range(101)]}, "selection_too_large"),
])
def test_bulk_approval_refuses_a_bad_selection(client, tokens, live, body, code):
    answer = send(client, "post", f"/campaigns/{live.id}/bulk-approvals", tokens["admin"], body)
    assert error_of(answer) == (400, code)
    assert answer.json_body["error"]["message_en"] and answer.json_body["error"]["message_vi"]


def test_bulk_approval_is_for_organisers_and_admins_only(client, tokens, live):
    path = f"/campaigns/{live.id}/bulk-approvals"
    assert error_of(send(client, "post", path, tokens["jury-1"], {"submission_ids": ["x"]})) == (403, "role_not_allowed")
    assert client.http.post(path, headers=JSON, body='{"submission_ids": ["x"]}').status_code == 401
    assert error_of(send(client, "post", "/campaigns/khong-co/bulk-approvals", tokens["admin"],
                         {"submission_ids": ["x"]})) == (404, "campaign_not_found")


# --- reason templates ------------------------------------------------------------------


def _run_by(unit_id: str) -> Campaign:
    campaign = live_copy(_sample(), datetime.now(timezone.utc).date()).model_copy(
        update={"id": f"kvhc-reasons-{uuid.uuid4().hex[:8]}", "organiser_unit": unit_id})
    services().campaign_store.put(campaign)
    return campaign


def test_reason_templates_start_from_the_defaults_and_the_campaigns_organisers_replace_them(client, tokens):
    campaign = _run_by("ha-noi")
    path = f"/campaigns/{campaign.id}/reason-templates"
    defaults = get(client, path, tokens["organiser-ba-dinh"]).json_body
    assert defaults["version"] == 0 and defaults["defaults"] is True and len(defaults["templates"]) >= 5
    assert all(t["text_vi"] and t["text_en"] for t in defaults["templates"])
    new = {"version": 0, "templates": [{"id": "am-thanh", "text_vi": "Âm thanh bị rè.", "text_en": "Distorted sound."},
                                       {"text_vi": "Thiếu phụ đề tiếng Việt."}]}
    # A branch organiser below the organising unit reads them but does not edit them
    assert error_of(send(client, "put", path, tokens["organiser-ba-dinh"], new)) == (403, "not_campaign_organiser")
    saved = send(client, "put", path, tokens["organiser-ha-noi"], new)
    assert saved.status_code == 200, saved.json_body
    assert saved.json_body["version"] == 1
    assert saved.json_body["templates"][1] == {"id": "mau-2", "text_vi": "Thiếu phụ đề tiếng Việt.",
                                               "text_en": "Thiếu phụ đề tiếng Việt."}
    assert get(client, path, tokens["organiser-ba-dinh"]).json_body["templates"] == saved.json_body["templates"]
    # An edit made on the list as it was before is refused rather than overwriting
    assert error_of(send(client, "put", path, tokens["admin"], new)) == (409, "templates_changed")
    [audit] = services().audit_store.for_entity("campaign", campaign.id)
    assert (audit.action, audit.actor, audit.before) == ("replace_reason_templates", "organiser-ha-noi", None)


@pytest.mark.parametrize("body, code", [
    ({"templates": [{"text_vi": "Được"}]}, "version_required"),
    ({"version": -1, "templates": []}, "version_required"),
    ({"version": 0}, "invalid_reason_templates"),
    ({"version": 0, "templates": [{"text_vi": "  "}]}, "invalid_reason_templates"),
    ({"version": 0, "templates": [{"text_vi": "x" * 501}]}, "invalid_reason_templates"),
    ({"version": 0, "templates": [{"text_vi": "a", "id": "x"}, {"text_vi": "b", "id": "x"}]},
     "invalid_reason_templates"),
    ({"version": 0, "templates": [{"text_vi": "a"}] * 31}, "invalid_reason_templates"),
    ({"version": 0, "templates": ["a"]}, "invalid_reason_templates"),
])
def test_reason_templates_refuse_bad_lists(client, tokens, body, code):
    campaign = _run_by("tw")
    assert error_of(send(client, "put", f"/campaigns/{campaign.id}/reason-templates", tokens["admin"], body)) == (
        400, code)


def test_reason_templates_are_not_for_the_jury(client, tokens, live):
    assert error_of(get(client, f"/campaigns/{live.id}/reason-templates", tokens["jury-1"])) == (
        403, "role_not_allowed")
    assert error_of(get(client, "/campaigns/khong-co/reason-templates", tokens["admin"])) == (
        404, "campaign_not_found")


# --- import preview ---------------------------------------------------------------------


def test_an_import_preview_shows_matched_rows_and_unknown_ids_and_writes_nothing(client, tokens, voted):
    campaign, ids, start, _ = voted
    video = services().submission_store.get(ids["ba-dinh"]).platform_video.split("#")[1]
    other = services().submission_store.get(ids["hcm"]).platform_video.split("#")[1]
    when = (start + timedelta(hours=20)).astimezone(campaign.zone).strftime("%d/%m/%Y %H:%M")
    sheet = f"Mã video;Lượt lưu;Thời điểm đo\n{video};7;{when}\n{other};3;{when}\nkhong-co;1;{when}\n"
    stored_before = len(list(SnapshotRecord.query(ids["ba-dinh"])))
    preview = send(client, "post", f"/campaigns/{campaign.id}/metrics/imports/preview", tokens["organiser-ba-dinh"],
                   {"csv_text": sheet})
    assert preview.status_code == 200, preview.json_body
    body = preview.json_body
    # The HCM row is outside the caller's branch: reported exactly like an unknown id
    assert (body["dry_run"], body["rows"], body["matched"], body["written"], body["would_write"]) == (
        True, 3, 1, 0, 1)
    assert body["unknown_video_ids"] == [other, "khong-co"]
    [row] = body["matched_rows"]
    assert (row["line"], row["entry_id"], row["title"], row["values"], row["changes_stored"]) == (
        2, ids["ba-dinh"], "Bài của ba-dinh", {"saves": 7}, True)
    assert len(list(SnapshotRecord.query(ids["ba-dinh"]))) == stored_before
    assert not [a for a in services().audit_store.for_entity("campaign", campaign.id) if a.action == "import_metrics"]


def test_an_import_preview_refuses_what_the_import_refuses(client, tokens, voted):
    campaign = voted[0]
    path = f"/campaigns/{campaign.id}/metrics/imports/preview"
    assert error_of(send(client, "post", path, tokens["admin"], {})) == (400, "missing_import_file")
    assert error_of(send(client, "post", path, tokens["jury-1"], {"csv_text": "a"})) == (403, "role_not_allowed")


# --- the public page ------------------------------------------------------------------------


def test_the_public_board_shows_the_shown_week_with_only_public_fields(client, voted):
    campaign, ids, _, _ = voted
    answer = get(client, f"/campaigns/{campaign.id}/public-board")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "public, max-age=60"
    board = answer.json_body
    assert (board["name_vi"], board["week"]) == (campaign.name_vi, len(campaign.voting_weeks))
    services().public_board.clear()


def test_the_public_board_rows_are_title_unit_link_and_score(client, seeded_cloud):
    data = _sample().shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-public-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1])
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    start, _ = week_window(campaign, 1)
    video_id = f"public-{uuid.uuid4().hex[:8]}"  # platform video ids are matched across campaigns
    entry = _entry(campaign, "hcm-q1-ben-nghe", "published", start - timedelta(days=2), title="Khát vọng xanh",
                   week=1, video_id=video_id, published_at=start + timedelta(hours=1))
    _readings(campaign, entry, (start + timedelta(hours=1), 0), (start + timedelta(hours=3), 40))
    _refresh(campaign, 1, entry)
    board = get(client, f"/campaigns/{campaign.id}/public-board").json_body
    assert board["week"] == 1 and board["week_window"]["starts_at"].endswith("Z")
    assert board["rows"] == [{"rank": 1, "title": "Khát vọng xanh", "unit_name": "Đoàn phường Bến Nghé",
                              "url": f"https://www.tiktok.com/@kvhc/video/{video_id}", "score": 40}]
    assert "a@example.vn" not in json.dumps(board) and "Nguyễn Văn A" not in json.dumps(board)


def test_an_unknown_or_draft_campaign_has_no_public_board(client, seeded_cloud):
    assert error_of(get(client, "/campaigns/khong-co/public-board")) == (404, "campaign_not_found")
    draft = _sample().model_copy(update={"id": f"kvhc-draft-{uuid.uuid4().hex[:8]}", "status": "draft"})
    services().campaign_store.put(draft)
    assert error_of(get(client, f"/campaigns/{draft.id}/public-board")) == (404, "campaign_not_found")


def test_the_page_may_not_be_framed_and_the_widget_may(client, live):
    page = get(client, f"/c/{live.id}")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert b'lang="vi"' in page.body and b"/c-assets/public.js" in page.body
    widget = get(client, f"/c/{live.id}/widget")
    assert widget.status_code == 200 and "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    for policy in (page.headers["Content-Security-Policy"], widget.headers["Content-Security-Policy"]):
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe-inline" not in policy
    assert get(client, "/c-assets/public.js").headers["Content-Type"].startswith("text/javascript")
    assert get(client, "/c-assets/public.css").headers["Content-Type"].startswith("text/css")
