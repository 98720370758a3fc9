"""Issue 11 item 5 over HTTP: the terms' acceptance stored with each entry, withdrawal before
publication, authors' contacts for the entry's reviewers only (each view or export audited,
nowhere else), and erasure that leaves frozen results verifying."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.jury import JudgeAssignment
from chalicelib.domain.scope import Principal
from chalicelib.domain.week_result import verify
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES, live_copy
from tests.functional.conftest import bearer, follow_download, judge_valid, publish_and_close_week_one
from tests.functional.test_review_and_results_api import EVERYONE_REVIEWS_THEIR_BRANCH

JSON = {"Content-Type": "application/json"}
ADMIN = Principal(user_id="sub-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")
EMAIL, PHONE = "tac-gia.rieng@example.vn", "0912 000 111"
TERMS_VERSION = "2024-1"


def _sample() -> Campaign:
    # Seed 000's rules run from the centre, each caller here reviewing their own branch (who reviews is
    # test_campaign_roles.py's): Hà Nội's organisers are these entries' reviewers.
    return load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").model_copy(
        update=EVERYONE_REVIEWS_THEIR_BRANCH)


def _body(unit_id: str = "ha-noi-ba-dinh-kim-ma", **changes) -> dict:
    return {"title": "Khát vọng tuổi trẻ", "unit_id": unit_id,
            "authors": [{"name": "Vũ Thị E", "email": EMAIL}, {"name": "Đỗ F", "phone": PHONE}],
            "file_name": "a.mp4", "content_type": "video/mp4", "size_bytes": 1000,
            "accepted_terms_version": TERMS_VERSION, **changes}


def _post(client, path, body=None, headers=None):
    return client.http.post(path, headers={**JSON, **(headers or {})}, body=json.dumps(body or {}))


def error_of(response):
    return response.status_code, response.json_body["error"]["code"]


def _valid(campaign_id: str, unit_id: str, title: str, at: datetime) -> str:
    return judge_valid(services().participants.create(campaign_id, _body(unit_id, title=title), at)["submission_id"], at)


@pytest.fixture(scope="module")
def live(seeded_cloud):
    campaign = live_copy(_sample(), datetime.now(timezone.utc).date()).model_copy(
        update={"id": f"privacy-live-{uuid.uuid4().hex[:8]}"})
    services().campaign_store.put(campaign)
    return campaign


@pytest.fixture(scope="module")
def past(seeded_cloud):
    """A one-week campaign in 2025 with three published entries, closed."""
    data = _sample().shifted_by_weeks(52).model_dump()
    data.update(id=f"privacy-past-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1])
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    services().judge_panel_store.assign(JudgeAssignment(campaign.id, "jury-1", "admin", datetime.now(timezone.utc)))
    start, end = week_window(campaign, 1)
    created = start - timedelta(days=7)
    units = {"kim-ma": "ha-noi-ba-dinh-kim-ma", "ben-nghe": "hcm-q1-ben-nghe", "bao-chi": "dk-tw-bo-tttt-bc"}
    ids = {name: _valid(campaign.id, unit, f"Tác phẩm {name}", created) for name, unit in units.items()}
    publish_and_close_week_one(campaign, ids, start, end, created, ADMIN)
    unpublished = _valid(campaign.id, "ha-noi-ba-dinh-kim-ma", "Chưa đăng", created)
    return SimpleNamespace(campaign=campaign, ids=ids, unpublished=unpublished)


# --- terms ---------------------------------------------------------------------


def test_an_entry_is_taken_only_with_the_current_terms_accepted_and_the_acceptance_is_kept(client, live):
    path = f"/campaigns/{live.id}/submissions"
    terms = client.http.get(f"/campaigns/{live.id}").json_body["terms"]
    assert terms["version"] == TERMS_VERSION and "cuộc thi khác" in terms["text_vi"] and terms["text_en"]

    missing = _post(client, path, {k: v for k, v in _body().items() if k != "accepted_terms_version"})
    assert error_of(missing) == (422, "terms_not_accepted")
    assert "điều khoản" in missing.json_body["error"]["message"]
    assert error_of(_post(client, path, _body(accepted_terms_version="2023-9"))) == (409, "terms_version_outdated")

    created = _post(client, path, _body(), headers={"User-Agent": "Mozilla/5.0 (Điện thoại)"})
    assert created.status_code == 201
    consent = services().submission_store.get(created.json_body["submission_id"]).consent
    assert consent["terms_version"] == TERMS_VERSION and consent["accepted_at"].endswith("Z")
    assert consent["user_agent"] == "Mozilla/5.0 (Điện thoại)"


# --- withdrawal ------------------------------------------------------------------


def test_a_participant_withdraws_an_unpublished_entry_once(client, live):
    created = _post(client, f"/campaigns/{live.id}/submissions", _body()).json_body
    entry, token = created["submission_id"], created["access_token"]
    own = {"X-Participant-Token": token}
    assert client.http.get(f"/submissions/{entry}", headers=own).json_body["can_withdraw"] is True

    assert error_of(_post(client, f"/submissions/{entry}/withdraw")) == (401, "missing_participant_token")
    assert error_of(_post(client, f"/submissions/{entry}/withdraw", headers={"X-Participant-Token": "x"})) == (
        404, "submission_not_found")
    withdrawn = _post(client, f"/submissions/{entry}/withdraw", headers=own)
    assert withdrawn.status_code == 200
    assert (withdrawn.json_body["status"], withdrawn.json_body["can_withdraw"]) == ("withdrawn", False)
    assert withdrawn.json_body["status_label"]["vi"] == "Đã rút khỏi cuộc thi"
    assert error_of(_post(client, f"/submissions/{entry}/withdraw", headers=own)) == (409, "already_withdrawn")
    # It left the organisers' queue of entries to review.
    queue = client.http.get(f"/campaigns/{live.id}/submissions?status=valid",
                            headers=bearer(_admin_token(client)))
    assert entry not in {e["submission_id"] for e in queue.json_body["entries"]}


def _admin_token(client) -> str:
    answer = _post(client, "/auth/token", {"username": "admin", "password": "Local-Contest-2026!"})
    return answer.json_body["id_token"]


def test_a_published_entry_cannot_be_withdrawn(client, tokens, live):
    now = datetime.now(timezone.utc)
    created = services().participants.create(live.id, _body(), now)
    entry = judge_valid(created["submission_id"], now)
    store = services().submission_store
    services().review.review(ADMIN, entry, {"decision": "approve"}, now)
    start, _ = week_window(live, 1)
    services().review.publish(ADMIN, entry, {"platform": "tiktok", "video_id": f"w{entry[:12]}",
                                             "url": "https://www.tiktok.com/@kvhc/video/2",
                                             "published_at": start.isoformat()}, max(now, start))
    refused = _post(client, f"/submissions/{entry}/withdraw", headers={"X-Participant-Token": created["access_token"]})
    assert error_of(refused) == (409, "entry_already_published")
    assert store.get(entry).status == "published"


# --- contacts: the entry's reviewers, and nowhere else --------------------------


def test_a_reviewer_reads_an_entrys_contacts_and_the_read_is_audited(client, tokens, past):
    entry = past.ids["kim-ma"]
    path = f"/submissions/{entry}/contacts"
    ok = client.http.get(path, headers=bearer(tokens["organiser-ha-noi"]))
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    assert ok.json_body["authors"] == [{"name": "Vũ Thị E", "email": EMAIL, "phone": ""},
                                       {"name": "Đỗ F", "email": "", "phone": PHONE}]
    assert ok.json_body["consent"]["terms_version"] == TERMS_VERSION
    audited = [a for a in services().audit_store.for_entity("submission", entry) if a.action == "view_contacts"]
    assert [(a.actor, a.campaign_id) for a in audited] == [("organiser-ha-noi", past.campaign.id)]

    assert error_of(client.http.get(path, headers=bearer(tokens["organiser-hcm"]))) == (404, "submission_not_found")
    assert error_of(client.http.get(path, headers=bearer(tokens["jury-1"]))) == (403, "role_not_allowed")
    assert client.http.get(path).status_code == 401
    # Refusals read nothing, so they leave no "viewed" record.
    assert len([a for a in services().audit_store.for_entity("submission", entry) if a.action == "view_contacts"]) == 1


def test_a_reviewers_entries_export_carries_contacts_and_is_audited(client, tokens, past):
    response = follow_download(client.http.get(f"/campaigns/{past.campaign.id}/submissions?format=csv",
                                               headers=bearer(tokens["organiser-ha-noi"])))
    header, *rows = list(csv.reader(io.StringIO(response.body.decode("utf-8").lstrip("\ufeff"))))
    assert header[-2:] == ["Email tác giả", "Số điện thoại tác giả"]
    assert {tuple(r[-2:]) for r in rows} == {(EMAIL, PHONE)}
    assert all(r[3].startswith("ha-noi") for r in rows)  # the caller's branch only
    [export] = [a for a in services().audit_store.for_entity("campaign", past.campaign.id)
                if a.action == "export_contacts"]
    assert export.actor == "organiser-ha-noi" and export.after["entries_with_contacts"] == len(rows) == 2


def test_contacts_appear_in_no_other_view_or_export(client, tokens, past):
    campaign = past.campaign.id
    admin, judge, organiser = (bearer(tokens[n]) for n in ("admin", "jury-1", "organiser-ha-noi"))
    reads = {
        "entries list": (f"/campaigns/{campaign}/submissions", organiser),
        "ranking": (f"/campaigns/{campaign}/weeks/1/ranking", {}),
        "ranking csv": (f"/campaigns/{campaign}/weeks/1/ranking?format=csv", {}),
        "leaderboard": (f"/campaigns/{campaign}/weeks/1/leaderboard", {}),
        "flags": (f"/campaigns/{campaign}/weeks/1/flags", admin),
        "finalists for a judge": (f"/campaigns/{campaign}/finalists", judge),
        "results": (f"/campaigns/{campaign}/results", admin),
        "results csv": (f"/campaigns/{campaign}/results?format=csv", admin),
        "awards": (f"/campaigns/{campaign}/awards", admin),
        "public counter": (f"/campaigns/{campaign}/stats", {}),
        "unit report csv": (f"/campaigns/{campaign}/reports/units/ha-noi?format=csv", organiser),
        "video links for a judge": (f"/submissions/{past.ids['kim-ma']}/video", judge),
    }
    for name, (path, headers) in reads.items():
        response = client.http.get(path, headers=headers)
        if response.status_code == 303:  # a file: read it where the link points
            response = follow_download(response)
        else:
            assert response.status_code in (200, 403, 404, 409), (name, response.status_code)
        text = response.body.decode("utf-8") if isinstance(response.body, bytes) else str(response.body)
        assert EMAIL not in text and PHONE not in text, name


# --- erasure -------------------------------------------------------------------


def test_erasure_removes_contacts_keeps_published_names_and_frozen_results_still_verify(client, tokens, past,
                                                                                       seeded_cloud):
    import boto3

    from chalicelib.local.cloud import LOCAL_REGION

    campaign = past.campaign.id
    before = services().week_result_store.latest(campaign, 1)
    now = datetime.now(timezone.utc)
    bucket = services().upload_bucket
    s3 = boto3.client("s3", region_name=LOCAL_REGION, endpoint_url=seeded_cloud.config.endpoint_url)
    unpublished_video = services().submission_store.get(past.unpublished).upload_key
    s3.put_object(Bucket=bucket.name, Key=unpublished_video, Body=b"video")

    outcome = services().privacy.erase_campaign(campaign, now)
    assert outcome["complete"] and outcome["erased"] == 4
    assert services().privacy.erase_campaign(campaign, now)["erased"] == 0  # idempotent

    store = services().submission_store
    assert bucket.head(unpublished_video) is None  # never shown: the author's video goes too
    assert store.get(past.ids["kim-ma"]).authors == [{"name": "Vũ Thị E"}, {"name": "Đỗ F"}]
    assert store.get(past.unpublished).authors == []
    consent = store.get(past.unpublished).consent
    assert consent["terms_version"] == TERMS_VERSION and "user_agent" not in consent and "client_ip" not in consent
    after = services().week_result_store.latest(campaign, 1)
    assert (after.version, after.hash) == (before.version, before.hash) and verify(after.document)
    ranking = follow_download(client.http.get(f"/campaigns/{campaign}/weeks/1/ranking?format=csv"))
    assert "Vũ Thị E; Đỗ F" in ranking.body.decode("utf-8")
    export = follow_download(client.http.get(f"/campaigns/{campaign}/submissions?format=csv",
                                             headers=bearer(tokens["admin"])))
    assert EMAIL not in export.body.decode("utf-8")
    [audit] = [a for a in services().audit_store.for_entity("campaign", campaign) if a.action == "erase_personal_data"]
    assert audit.actor == "system:personal-data-erasure" and audit.after["erased"] == 4
