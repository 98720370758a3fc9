"""Organisers' and judges' routes over HTTP: scopes, specific errors, exports.

Two campaigns, both copies of seed 000 under their own ids so nothing here
touches the shared sample: `live` has its voting weeks ahead (review and
publication happen now), `past` ran in 2025 and is closed through the
services with a controlled clock, so its rankings, pool and results exist.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.scope import Principal
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES, live_copy
from chalicelib.services.spreadsheets import XLSX_TYPE as XLSX_CONTENT_TYPE
from tests.functional.conftest import bearer, follow_download, judge_valid, publish_and_close_week_one

JSON = {"Content-Type": "application/json"}
ADMIN = Principal(user_id="sub-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")


# Seed 000's rules, run from the centre for every unit with review delegated to the callers these
# tests use, each for their own branch (as the national sample does for the provinces): the tests
# here are about review, weeks and results in a branch; who reviews is test_campaign_roles.py's.
EVERYONE_REVIEWS_THEIR_BRANCH = {"organiser_unit": "tw", "eligible_units": ["tw"],
                                 "review_delegated_to": ["ha-noi", "ha-noi-ba-dinh", "hcm"]}


def _sample() -> Campaign:
    return load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").model_copy(
        update=EVERYONE_REVIEWS_THEIR_BRANCH)


def _on_the_panel(campaign: Campaign) -> None:
    from chalicelib.domain.jury import JudgeAssignment

    services().judge_panel_store.assign(JudgeAssignment(campaign.id, "jury-1", "admin", datetime.now(timezone.utc)))


def _valid_entry(campaign_id: str, unit_id: str, title: str, now: datetime) -> str:
    """An entry the validator has judged valid, through the store's own transitions."""
    created = services().participants.create(campaign_id, {
        "title": title, "unit_id": unit_id, "authors": [{"name": "Phạm D", "email": "d@example.vn"}],
        "file_name": "a.mp4", "content_type": "video/mp4", "size_bytes": 1000,
        "accepted_terms_version": services().campaign_store.require(campaign_id).terms.version,
    }, now)
    return judge_valid(created["submission_id"], now)


def _titled_table(lines: list[list]) -> tuple[dict, list, list[list]]:
    """A download's title block (label → value), header and rows: the header follows the first blank line."""
    blank = next(i for i, line in enumerate(lines) if not any(v not in (None, "") for v in line))
    title = {line[0]: line[1] for line in lines[:blank]}
    return title, lines[blank + 1], lines[blank + 2:]


def post(client, path, token, body=None, raw=None):
    return client.http.post(path, headers={**JSON, **bearer(token)}, body=raw if raw is not None else json.dumps(body or {}))


def error_of(response):
    return response.status_code, response.json_body["error"]["code"]


@pytest.fixture(scope="module")
def live(seeded_cloud):
    campaign = live_copy(_sample(), datetime.now(timezone.utc).date()).model_copy(
        update={"id": f"kvhc-live-{uuid.uuid4().hex[:8]}"})
    services().campaign_store.put(campaign)
    _on_the_panel(campaign)
    return campaign


@pytest.fixture(scope="module")
def past(seeded_cloud):
    """A one-week campaign in 2025, reviewed, published, measured and closed."""
    data = _sample().shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-past-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1])
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    _on_the_panel(campaign)
    start, end = week_window(campaign, 1)
    created = start - timedelta(days=7)
    units = {"kim-ma": "ha-noi-ba-dinh-kim-ma", "ben-nghe": "hcm-q1-ben-nghe", "bao-chi": "dk-tw-bo-tttt-bc"}
    ids = {name: _valid_entry(campaign.id, unit, f"Tác phẩm “{name}” – Đoàn phường", created)
           for name, unit in units.items()}
    publish_and_close_week_one(campaign, ids, start, end, created, ADMIN)
    return SimpleNamespace(campaign=campaign, ids=ids, end=end)


# --- review ----------------------------------------------------------------


def test_an_organiser_approves_in_their_branch_and_the_action_is_audited(client, tokens, live):
    entry = _valid_entry(live.id, "ha-noi-ba-dinh-kim-ma", "Khát vọng", datetime.now(timezone.utc))
    outside = post(client, f"/submissions/{entry}/review", tokens["organiser-hcm"], {"decision": "approve"})
    assert error_of(outside) == (404, "submission_not_found")
    assert error_of(post(client, f"/submissions/{entry}/review", tokens["jury-1"], {"decision": "approve"})) == (
        403, "role_not_allowed")
    ok = post(client, f"/submissions/{entry}/review", tokens["organiser-ba-dinh"], {"decision": "approve"})
    assert ok.status_code == 200 and ok.json_body["status"] == "approved"
    twice = post(client, f"/submissions/{entry}/review", tokens["organiser-ba-dinh"], {"decision": "approve"})
    assert error_of(twice) == (409, "not_reviewable")
    assert "duyệt" in twice.json_body["error"]["message"]
    [audit] = services().audit_store.for_entity("submission", entry)
    assert (audit.actor, audit.action, audit.before["status"], audit.after["status"]) == (
        "organiser-ba-dinh", "approve", "valid", "approved")


def test_a_rejection_needs_a_reason_and_the_participant_sees_it(client, tokens, live):
    entry = _valid_entry(live.id, "ha-noi-ba-dinh-kim-ma", "Khát vọng", datetime.now(timezone.utc))
    path = f"/submissions/{entry}/review"
    assert error_of(post(client, path, tokens["organiser-ha-noi"], {"decision": "reject"})) == (
        400, "rejection_reason_required")
    ok = post(client, path, tokens["organiser-ha-noi"], {"decision": "reject", "reason": "Âm thanh bị rè."})
    assert ok.json_body["review"]["rejection_reason"] == "Âm thanh bị rè."


def test_a_client_can_never_set_status_or_other_protected_fields(client, tokens, live):
    entry = _valid_entry(live.id, "ha-noi-ba-dinh-kim-ma", "Khát vọng", datetime.now(timezone.utc))
    for field, value in (("status", "published"), ("unit_id", "hcm"), ("verdict", {}), ("stored_key", "x"),
                         ("score", 10**6)):
        response = post(client, f"/submissions/{entry}/review", tokens["admin"], {"decision": "approve", field: value})
        assert error_of(response) == (400, "invalid_fields")
        assert response.json_body["error"]["details"]["problems"][0]["code"] == "extra_forbidden"
    assert error_of(post(client, f"/submissions/{entry}/review", tokens["admin"], {"decision": "maybe"})) == (
        400, "invalid_fields")
    assert error_of(post(client, f"/submissions/{entry}/review", tokens["admin"], raw="{not json")) == (
        400, "invalid_json")
    assert services().submission_store.get(entry).status == "valid"


# --- publication and disqualification ----------------------------------------


def test_publication_places_the_entry_in_the_week_containing_it(client, tokens, live):
    now = datetime.now(timezone.utc)
    entry = _valid_entry(live.id, "hcm-q1-ben-nghe", "Khát vọng", now)
    path = f"/submissions/{entry}/publication"
    body = {"platform": "tiktok", "video_id": f"74{entry[:12]}", "url": "https://www.tiktok.com/@kvhc/video/74",
            "published_at": (now - timedelta(minutes=5)).isoformat()}
    assert error_of(post(client, path, tokens["organiser-hcm"], body)) == (409, "not_publishable")
    post(client, f"/submissions/{entry}/review", tokens["organiser-hcm"], {"decision": "approve"})
    assert error_of(post(client, path, tokens["organiser-hcm"], {**body, "platform": "youtube"})) == (
        400, "platform_not_in_campaign")
    assert error_of(post(client, path, tokens["organiser-hcm"], {**body, "published_at": "2026-01-01T10:00:00"})) == (
        400, "invalid_fields")
    future = (now + timedelta(days=1)).isoformat()
    assert error_of(post(client, path, tokens["organiser-hcm"], {**body, "published_at": future})) == (
        400, "published_in_future")
    assert error_of(post(client, path, tokens["organiser-hcm"], {**body, "week": 9})) == (400, "unknown_week")
    assert error_of(post(client, path, tokens["organiser-hcm"], {**body, "campaign_week": "x#1"})) == (
        400, "invalid_fields")
    ok = post(client, path, tokens["organiser-hcm"], body)
    assert ok.status_code == 200, ok.json_body
    # Published before voting starts: it competes in week 1 (seed 000 posts entries ahead of the weeks).
    assert (ok.json_body["status"], ok.json_body["campaign_week"]) == ("published", f"{live.id}#1")
    other = _valid_entry(live.id, "hcm-q1-ben-nghe", "Khác", now)
    post(client, f"/submissions/{other}/review", tokens["organiser-hcm"], {"decision": "approve"})
    assert error_of(post(client, f"/submissions/{other}/publication", tokens["organiser-hcm"], body)) == (
        409, "video_already_linked")

    assert error_of(post(client, f"/submissions/{entry}/disqualification", tokens["organiser-hcm"], {})) == (
        400, "invalid_fields")
    out = post(client, f"/submissions/{entry}/disqualification", tokens["organiser-hcm"], {"reason": "Mua lượt thích"})
    assert out.status_code == 200 and out.json_body["status"] == "disqualified"
    assert error_of(post(client, f"/submissions/{entry}/disqualification", tokens["organiser-hcm"],
                         {"reason": "lần nữa"})) == (409, "already_disqualified")


def test_an_entrys_snapshot_history_is_for_its_branch(client, tokens, past):
    entry = past.ids["kim-ma"]
    ok = client.http.get(f"/submissions/{entry}/snapshots", headers=bearer(tokens["organiser-ba-dinh"]))
    assert ok.status_code == 200 and ok.json_body["snapshots"][0]["values"]["likes"] == 300
    other = client.http.get(f"/submissions/{entry}/snapshots", headers=bearer(tokens["organiser-hcm"]))
    assert error_of(other) == (404, "submission_not_found")


# --- weeks, closing, rankings, exports -----------------------------------------


def test_weeks_show_vietnam_dates_and_state(client, live, past):
    weeks = client.http.get(f"/campaigns/{live.id}/weeks").json_body["weeks"]
    assert [w["state"] for w in weeks] == ["upcoming"] * 4
    assert weeks[0]["starts_at_local"]["iso"].endswith("T00:00:00+07:00")
    assert weeks[0]["starts_at_local"]["text"].startswith("Thứ Hai, ")
    [closed] = client.http.get(f"/campaigns/{past.campaign.id}/weeks").json_body["weeks"]
    assert (closed["state"], closed["latest_version"]) == ("closed", 1)
    assert error_of(client.http.get("/campaigns/khong-co/weeks")) == (404, "campaign_not_found")


def test_closing_is_for_the_campaigns_organisers_and_only_after_the_week(client, tokens, live, past):
    assert error_of(post(client, f"/campaigns/{live.id}/weeks/1/close", tokens["organiser-ha-noi"])) == (
        403, "not_campaign_organiser")
    assert error_of(post(client, f"/campaigns/{live.id}/weeks/1/close", tokens["admin"])) == (409, "week_not_over")
    assert error_of(post(client, f"/campaigns/{live.id}/weeks/abc/close", tokens["admin"])) == (400, "invalid_week")
    assert error_of(post(client, f"/campaigns/{live.id}/weeks/9/close", tokens["admin"])) == (400, "unknown_week")
    assert error_of(post(client, f"/campaigns/{live.id}/weeks/1/close", tokens["admin"], {"force": True})) == (
        400, "invalid_fields")
    again = post(client, f"/campaigns/{past.campaign.id}/weeks/1/close", tokens["admin"])
    assert again.status_code == 200 and again.json_body["outcome"] == "unchanged"


def test_an_open_week_points_to_the_live_leaderboard(client, live):
    response = client.http.get(f"/campaigns/{live.id}/weeks/1/ranking")
    assert error_of(response) == (409, "week_not_closed")
    assert response.json_body["error"]["details"]["live_leaderboard"] == f"/campaigns/{live.id}/weeks/1/leaderboard"


def test_a_frozen_rankings_file_is_kept_and_a_second_click_does_not_build_it_again(client, past, monkeypatch):
    path = f"/campaigns/{past.campaign.id}/weeks/1/ranking?format=xlsx"
    first = client.http.get(path)
    kept_key = first.headers["Location"].split("?")[0]
    assert "/exports/kept/rankings/" in kept_key and kept_key.endswith(".xlsx")

    def not_again(*_args):
        raise AssertionError("the frozen ranking's file was built again")

    monkeypatch.setattr(services().week_results, "ranking_sheet", not_again)
    second = client.http.get(path)
    assert second.status_code == 303 and second.headers["Location"].split("?")[0] == kept_key
    assert follow_download(second).body == follow_download(first).body
    csv_path = f"/campaigns/{past.campaign.id}/weeks/1/ranking?format=csv"
    monkeypatch.undo()
    assert follow_download(client.http.get(csv_path)).headers["Content-Type"].startswith("text/csv")


def test_a_frozen_ranking_as_json_csv_and_xlsx(client, past):
    path = f"/campaigns/{past.campaign.id}/weeks/1/ranking"
    ranking = client.http.get(path).json_body
    assert ranking["version"] == 1 and [r["score"] for r in ranking["rows"]] == [300, 200, 100]
    assert ranking["rows"][0]["unit_name"] == "Đoàn phường Kim Mã"
    assert error_of(client.http.get(path + "?version=7")) == (404, "week_result_version_not_found")
    assert error_of(client.http.get(path + "?version=x")) == (400, "invalid_version")
    assert error_of(client.http.get(path + "?format=pdf")) == (400, "invalid_format")

    csv_response = follow_download(client.http.get(path + "?format=csv"))
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    text = csv_response.body.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM Excel needs to read UTF-8
    # The title block comes first (issue 11 item 6), a blank line, then the table: the header is no
    # longer the first line, and its columns are the ones people asked for, metrics in the rules' order.
    title, header, rows = _titled_table(list(csv.reader(io.StringIO(text.lstrip("\ufeff")))))
    assert title["Bảng xếp hạng bình chọn"] == past.campaign.name_vi
    assert (title["Phiên bản"], title["Mã băm (SHA-256)"]) == ("1", ranking["hash"])
    assert header[:11] == ["STT", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên", "Liên kết TikTok",
                           "Lượt thích", "Lượt lưu", "Lượt chia sẻ", "Lượt đăng lại"]
    first = rows[0]
    assert "Tác phẩm “kim-ma” – Đoàn phường" in first and "Đoàn phường Kim Mã" in first
    assert first[3:7] == ["Phạm D", "Đoàn phường Kim Mã", "Quận đoàn Ba Đình", "https://www.tiktok.com/@kvhc/video/1"]
    assert first[header.index("Mã tác phẩm")] == past.ids["kim-ma"]

    # A plain browser link (no Accept header) is sent to the file: it used to be refused.
    xlsx = follow_download(client.http.get(path + "?format=xlsx"))
    assert xlsx.status_code == 200 and xlsx.headers["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    title, header, rows = _titled_table([list(r) for r in sheet.values])
    assert title["Bảng xếp hạng bình chọn"] == past.campaign.name_vi
    assert header[:6] == ["STT", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên"]
    assert rows[0][2] == "Tác phẩm “kim-ma” – Đoàn phường" and rows[0][header.index("Điểm")] == 300
    assert xlsx.body[:2] == b"PK"


def test_fraud_flags_are_for_organisers(client, tokens, past):
    ok = client.http.get(f"/campaigns/{past.campaign.id}/weeks/1/flags", headers=bearer(tokens["organiser-ha-noi"]))
    # Only the caller's branch is counted: kim-ma is in Hà Nội, ben-nghe and bao-chi are not.
    assert ok.status_code == 200 and ok.json_body["entries_checked"] == 1
    everything = client.http.get(f"/campaigns/{past.campaign.id}/weeks/1/flags", headers=bearer(tokens["admin"]))
    assert everything.status_code == 200 and everything.json_body["entries_checked"] == 3
    denied = client.http.get(f"/campaigns/{past.campaign.id}/weeks/1/flags", headers=bearer(tokens["jury-1"]))
    assert error_of(denied) == (403, "role_not_allowed")


# --- final round ------------------------------------------------------------------


def test_the_jury_scores_finalists_but_not_their_own_subtree(client, tokens, live, past):
    assert error_of(client.http.get(f"/campaigns/{live.id}/finalists", headers=bearer(tokens["jury-1"]))) == (
        409, "weeks_not_frozen")
    pool = client.http.get(f"/campaigns/{past.campaign.id}/finalists", headers=bearer(tokens["jury-1"]))
    assert pool.status_code == 200
    can = {f["entry_id"]: f["can_score"] for f in pool.json_body["finalists"]}
    assert can == {past.ids["kim-ma"]: True, past.ids["ben-nghe"]: True, past.ids["bao-chi"]: False}
    assert client.http.get(f"/campaigns/{past.campaign.id}/finalists",
                           headers=bearer(tokens["organiser-hcm"])).status_code == 403

    def put(entry, token, body):
        return client.http.put(f"/campaigns/{past.campaign.id}/jury/scores/{entry}",
                               headers={**JSON, **bearer(token)}, body=json.dumps(body))

    points = {"message": 35, "creativity": 25, "craft": 28.5}
    own = put(past.ids["bao-chi"], tokens["jury-1"], {"points": points})
    assert error_of(own) == (403, "judge_own_subtree")
    assert error_of(put(past.ids["kim-ma"], tokens["admin"], {"points": points})) == (403, "role_not_allowed")
    assert error_of(put("khong-co", tokens["jury-1"], {"points": points})) == (404, "finalist_not_found")
    bad = put(past.ids["kim-ma"], tokens["jury-1"], {"points": {**points, "craft": 31}})
    assert error_of(bad) == (400, "invalid_jury_score")
    assert error_of(put(past.ids["kim-ma"], tokens["jury-1"], {"points": points, "judge_id": "x"})) == (
        400, "invalid_fields")
    ok = put(past.ids["kim-ma"], tokens["jury-1"], {"points": points})
    assert ok.status_code == 200 and ok.json_body["total"] == "88.5"
    put(past.ids["ben-nghe"], tokens["jury-1"], {"points": {"message": 30, "creativity": 20, "craft": 20}})

    results = client.http.get(f"/campaigns/{past.campaign.id}/results", headers=bearer(tokens["admin"]))
    assert results.status_code == 200
    standings = results.json_body["standings"]
    assert [(s["entry_id"], s["prize"]) for s in standings] == [
        (past.ids["kim-ma"], "first"), (past.ids["ben-nghe"], "second")]
    assert results.json_body["unscored"] == [past.ids["bao-chi"]]
    assert error_of(client.http.get(f"/campaigns/{past.campaign.id}/results", headers=bearer(tokens["jury-1"]))) == (
        403, "role_not_allowed")
    csv_text = follow_download(client.http.get(f"/campaigns/{past.campaign.id}/results?format=csv",
                                               headers=bearer(tokens["admin"]))).body.decode("utf-8")
    # A title block, then the table (issue 11 item 6): prize first, authors and units for certificates.
    assert csv_text.startswith("\ufeff")
    title, header, rows = _titled_table(list(csv.reader(io.StringIO(csv_text[1:]))))
    assert title["Kết quả chung khảo"] == past.campaign.name_vi and title["Trạng thái"].startswith("Tạm tính")
    assert header[:8] == ["Giải", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên", "Tuần",
                          "Điểm trung bình"]
    assert header[8] == "Nội dung, thông điệp"
    assert rows[0][:6] == ["Giải Nhất", "1", "Tác phẩm “kim-ma” – Đoàn phường", "Phạm D", "Đoàn phường Kim Mã",
                           "Quận đoàn Ba Đình"]
    assert "d@example.vn" not in csv_text  # contacts are not for this file (issue item 5)
    xlsx = follow_download(client.http.get(f"/campaigns/{past.campaign.id}/results?format=xlsx",
                                           headers=bearer(tokens["admin"])))
    title, header, rows = _titled_table([list(r) for r in load_workbook(io.BytesIO(xlsx.body)).active.values])
    assert header[0] == "Giải" and rows[0][0] == "Giải Nhất" and rows[0][header.index("Điểm trung bình")] == 88.5


def test_special_awards_for_the_campaigns_organisers(client, tokens, past):
    response = client.http.get(f"/campaigns/{past.campaign.id}/awards", headers=bearer(tokens["admin"]))
    assert response.status_code == 200 and response.json_body["provisional"] is False
    awards = {a["kind"]: a for a in response.json_body["awards"]}
    assert len(awards["most_entries_unit"]["winners"]) == 3 and awards["most_entries_unit"]["tied"]
    assert awards["most_viewed_entry"]["winners"] == [past.ids["kim-ma"]]
    denied = client.http.get(f"/campaigns/{past.campaign.id}/awards", headers=bearer(tokens["organiser-hcm"]))
    assert error_of(denied) == (403, "not_campaign_organiser")


def test_a_disqualified_entry_leaves_the_live_leaderboard_and_is_no_longer_measured(client, tokens, live):
    from chalicelib.adapters.dynamodb.engagement import PublishedEntries
    from chalicelib.adapters.dynamodb.models import ScoreRecord

    now = datetime.now(timezone.utc)
    entry = _valid_entry(live.id, "ha-noi-ba-dinh-kim-ma", "Bị loại", now)
    post(client, f"/submissions/{entry}/review", tokens["organiser-ha-noi"], {"decision": "approve"})
    published = post(client, f"/submissions/{entry}/publication", tokens["organiser-ha-noi"], {
        "platform": "tiktok", "video_id": f"dq{entry[:12]}", "url": "https://www.tiktok.com/@kvhc/video/9",
        "published_at": (now - timedelta(minutes=1)).isoformat()}).json_body
    week = published["campaign_week"]
    ScoreRecord(week, entry, score=999, breakdown={"total": 999}, unit_id="ha-noi-ba-dinh-kim-ma",
                title="Bị loại", updated_at=now).save()
    leaderboard = f"/campaigns/{live.id}/weeks/{week.rsplit('#', 1)[1]}/leaderboard"
    assert entry in json.dumps(client.http.get(leaderboard).json_body)
    assert entry in [e.submission_id for e in PublishedEntries().in_week(week)]

    out = post(client, f"/submissions/{entry}/disqualification", tokens["organiser-ha-noi"], {"reason": "Tăng tương tác ảo"})
    assert out.status_code == 200
    assert entry not in json.dumps(client.http.get(leaderboard).json_body)
    assert entry not in [e.submission_id for e in PublishedEntries().in_week(week)]
