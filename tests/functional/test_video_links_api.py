"""GET /submissions/{id}/video over HTTP against the local cloud: the links really serve
the uploaded bytes (whole, and by Range as a browser seeks), to the entry's reviewers and
to judges of the final pool only, and every answer is in the audit log.

One campaign, a copy of seed 000 run in 2025 with one voting week, closed through the
services: its three published entries are the final pool. The Ba Đình entry carries a real
video, uploaded with its presigned POST and validated by the intake as in production.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.jury import JudgeAssignment
from chalicelib.domain.scope import Principal
from chalicelib.domain.uploads import ObjectCreated
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES
from tests.fixtures.make_videos import ensure_videos
from tests.functional.conftest import bearer, judge_valid, publish_and_close_week_one
from tests.functional.test_review_and_results_api import EVERYONE_REVIEWS_THEIR_BRANCH

ADMIN = Principal(user_id="sub-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")
TITLE = "Khát vọng hùng cường"
VIDEO = "valid-faststart.mp4"


def _create(campaign_id: str, unit_id: str, title: str, at: datetime, size: int) -> dict:
    return services().participants.create(campaign_id, {
        "title": title, "unit_id": unit_id, "authors": [{"name": "Lê Thị B", "email": "b@example.vn"}],
        "file_name": "clip.mp4", "content_type": "video/mp4", "size_bytes": size,
        "accepted_terms_version": services().campaign_store.require(campaign_id).terms.version,
    }, at)


def _upload_and_validate(created: dict, data: bytes, at: datetime) -> None:
    upload = created["upload"]
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": ("clip.mp4", data, "video/mp4")},
                         timeout=30)
    assert sent.status_code in (200, 204), sent.text
    bucket = services().upload_bucket
    head = bucket.head(upload["key"])
    outcome = services().intake.handle(ObjectCreated(bucket.name, upload["key"], head.size, head.etag, None), at)
    assert outcome == "valid"


def _validated_without_a_file(campaign_id: str, unit_id: str, title: str, at: datetime) -> str:
    return judge_valid(_create(campaign_id, unit_id, title, at, 1000)["submission_id"], at)


@pytest.fixture(scope="module")
def contest(seeded_cloud):
    sample = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    data = sample.shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-video-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1],
                **EVERYONE_REVIEWS_THEIR_BRANCH)
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    services().judge_panel_store.assign(JudgeAssignment(campaign.id, "jury-1", "admin", datetime.now(timezone.utc)))
    start, end = week_window(campaign, 1)
    created_at = start - timedelta(days=7)
    video = (ensure_videos() / VIDEO).read_bytes()
    kim_ma = _create(campaign.id, "ha-noi-ba-dinh-kim-ma", TITLE, created_at, len(video))
    _upload_and_validate(kim_ma, video, created_at)
    ids = {
        "kim-ma": kim_ma["submission_id"],
        "ben-nghe": _validated_without_a_file(campaign.id, "hcm-q1-ben-nghe", "Bến Nghé", created_at),
        "bao-chi": _validated_without_a_file(campaign.id, "dk-tw-bo-tttt-bc", "Báo chí", created_at),
    }
    publish_and_close_week_one(campaign, ids, start, end, created_at, ADMIN)
    # Valid, never published: not in the final pool.
    ids["not-final"] = _validated_without_a_file(campaign.id, "ha-noi-ba-dinh-kim-ma", "Chưa đăng", created_at)
    ids["no-video"] = _create(campaign.id, "ha-noi-ba-dinh-kim-ma", "Chưa tải lên", created_at, 1000)["submission_id"]
    return SimpleNamespace(campaign=campaign, ids=ids, video=video)


def _video(client, submission_id: str, token: str | None):
    return client.http.get(f"/submissions/{submission_id}/video", headers=bearer(token) if token else {})


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json_body["error"]["code"]


def test_an_organiser_of_the_branch_streams_and_downloads_the_uploaded_bytes(client, tokens, contest):
    asked_at = datetime.now(timezone.utc)
    response = _video(client, contest.ids["kim-ma"], tokens["organiser-ba-dinh"])
    assert response.status_code == 200, response.body
    links = response.json_body
    assert links["content_type"] == "video/mp4" and links["size_bytes"] == len(contest.video)
    expires_at = datetime.fromisoformat(links["expires_at"].replace("Z", "+00:00"))
    assert asked_at < expires_at <= asked_at + timedelta(minutes=5, seconds=5)

    stream = requests.get(links["stream_url"], timeout=30)
    assert stream.status_code == 200 and stream.content == contest.video
    assert stream.headers["Content-Type"] == "video/mp4"
    assert stream.headers["Content-Disposition"].startswith('inline; filename="Khat-vong-hung-cuong.mp4"')

    download = requests.get(links["download_url"], timeout=30)
    assert download.status_code == 200 and download.content == contest.video
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Khat-vong-hung-cuong.mp4"; ')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == f"{TITLE}.mp4"


def test_a_browser_seeks_with_range_requests(client, tokens, contest):
    links = _video(client, contest.ids["kim-ma"], tokens["organiser-ha-noi"]).json_body
    middle = len(contest.video) // 2
    seek = requests.get(links["stream_url"], headers={"Range": f"bytes={middle}-{middle + 999}"}, timeout=30)
    assert seek.status_code == 206
    assert seek.content == contest.video[middle:middle + 1000]
    assert seek.headers["Content-Range"] == f"bytes {middle}-{middle + 999}/{len(contest.video)}"


def test_the_links_are_signed_and_expire_in_five_minutes(client, tokens, contest):
    links = _video(client, contest.ids["kim-ma"], tokens["admin"]).json_body
    for url in (links["stream_url"], links["download_url"]):
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["300"]
        assert query["X-Amz-Signature"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


def test_a_judge_watches_a_finalist_outside_their_own_subtree(client, tokens, contest):
    response = _video(client, contest.ids["kim-ma"], tokens["jury-1"])
    assert response.status_code == 200, response.body
    assert requests.get(response.json_body["stream_url"], timeout=30).content == contest.video


@pytest.mark.parametrize("caller, entry", [
    ("organiser-hcm", "kim-ma"),        # another branch: like a missing entry
    ("jury-1", "not-final"),            # not in the final pool
    ("jury-1", "bao-chi"),              # a finalist from the judge's own subtree (dk-tw)
    ("organiser-ba-dinh", "missing"),
])
def test_nobody_else_learns_the_entry_exists(client, tokens, contest, caller, entry):
    submission_id = contest.ids.get(entry, uuid.uuid4().hex)
    assert _error(_video(client, submission_id, tokens[caller])) == (404, "submission_not_found")


def test_an_anonymous_caller_must_sign_in(client, contest):
    assert _error(_video(client, contest.ids["kim-ma"], None)) == (401, "missing_token")


def test_an_entry_without_a_validated_video_has_nothing_to_watch(client, tokens, contest):
    assert _error(_video(client, contest.ids["no-video"], tokens["organiser-ba-dinh"])) == (
        409, "video_not_available")


def test_every_answer_is_in_the_audit_log(client, tokens, contest):
    entry = contest.ids["kim-ma"]
    assert _video(client, entry, tokens["organiser-ba-dinh"]).status_code == 200
    assert _video(client, entry, tokens["organiser-hcm"]).status_code == 404
    records = [e for e in services().audit_store.for_entity("submission", entry) if e.action == "view_video"]
    by_actor = {e.actor: e for e in records}
    granted = by_actor["organiser-ba-dinh"]
    assert granted.after["granted"] is True and granted.campaign_id == contest.campaign.id
    assert by_actor["organiser-hcm"].after == {"granted": False, "code": "submission_not_found"}
