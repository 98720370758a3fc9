"""Creating an entry: specific errors for bad input, and an upload pinned by policy."""
import base64
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters.dynamodb.models import SubmissionRecord
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.local.seed import SAMPLES

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "khat-vong-hung-cuong"
MIB = 1024**2


def entry(**overrides):
    body = {
        "title": "Ước mơ của tôi",
        "description": "Video về khát vọng thanh niên",
        "category": "Clip ngắn",
        "unit_id": "dk-tw-bo-ct-vp",  # seed 000: the branches under Đoàn Khối
        "authors": [{"name": "Trần Thị B", "email": "b@example.vn"}, {"name": "Lê C", "phone": "+84 912 345 678"}],
        "file_name": "uoc mo.mp4",
        "content_type": "video/mp4",
        "size_bytes": 5 * MIB,
        "accepted_terms_version": "2024-1",
    }
    body.update(overrides)
    return body


def post_entry(client, body, campaign=CAMPAIGN):
    return client.http.post(f"/campaigns/{campaign}/submissions", headers=JSON, body=json.dumps(body))


@pytest.fixture(scope="module")
def closed_campaign(seeded_cloud):
    campaign = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    closed = campaign.model_copy(update={"id": "da-ket-thuc-2024"})
    services().campaign_store.put(closed)
    return closed.id


def test_an_entry_gets_a_one_time_token_and_a_presigned_post_pinned_by_its_policy(client):
    response = post_entry(client, entry())
    assert response.status_code == 201
    created = response.json_body
    assert created["status"] == "awaiting_upload" and len(created["access_token"]) >= 40
    upload = created["upload"]
    assert upload["method"] == "POST"
    key = upload["key"]
    assert key.startswith(f"uploads/{CAMPAIGN}/{created['submission_id']}/") and key.endswith(".mp4")
    assert "uoc" not in key, "the key must never come from the participant's file name"
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": key} in conditions
    assert {"Content-Type": "video/mp4"} in conditions
    campaign = services().campaign_store.get(CAMPAIGN)
    assert ["content-length-range", 1, campaign.media.max_file_size_bytes] in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert expires - datetime.now(timezone.utc) <= timedelta(minutes=15)


def test_the_token_is_stored_only_as_a_hash(client):
    created = post_entry(client, entry()).json_body
    record = SubmissionRecord.get(created["submission_id"], consistent_read=True)  # the item as stored
    assert created["access_token"] not in json.dumps(record.attribute_values, default=str)


def test_large_files_get_a_resumable_multipart_upload(client):
    created = post_entry(client, entry(size_bytes=300 * MIB)).json_body
    upload = created["upload"]
    assert upload["method"] == "MULTIPART"
    assert upload["part_count"] == len(upload["parts"]) == -(-300 * MIB // upload["part_size"])
    headers = {"X-Participant-Token": created["access_token"]}
    progress = client.http.get(f"/submissions/{created['submission_id']}/uploads/current/parts", headers=headers)
    assert progress.status_code == 200
    assert progress.json_body["uploaded"] == [] and len(progress.json_body["parts"]) == upload["part_count"]
    incomplete = client.http.post(f"/submissions/{created['submission_id']}/uploads/current/complete", headers=headers)
    assert incomplete.status_code == 409
    assert incomplete.json_body["error"]["code"] == "parts_missing"


@pytest.mark.parametrize(
    "body, status, code",
    [
        (entry(content_type="video/webm", file_name="a.webm"), 400, "content_type_not_allowed"),
        (entry(size_bytes=3 * 1024**3), 400, "file_too_large"),
        (entry(unit_id="khong-ton-tai"), 400, "unknown_unit"),
        (entry(unit_id="ha-noi-ba-dinh-kim-ma"), 400, "unit_not_eligible"),  # a Hà Nội commune: not Đoàn Khối's
        ({k: v for k, v in entry().items() if k != "title"}, 400, "invalid_fields"),
        (entry(title="x" * 201), 400, "invalid_fields"),
        (entry(authors=[]), 400, "invalid_fields"),
        (entry(authors=[{"name": "Không liên lạc"}]), 400, "invalid_fields"),
        (entry(authors=[{"name": "A", "email": "not-an-email"}]), 400, "invalid_fields"),
        (entry(size_bytes=0), 400, "invalid_fields"),
        (entry(status="approved"), 400, "invalid_fields"),
    ],
    ids=["type", "size", "unit", "ineligible-unit", "missing-title", "long-title", "no-authors", "author-unreachable",
         "bad-email", "zero-size", "client-sets-status"],
)
def test_bad_entries_are_refused_with_a_specific_code(client, body, status, code):
    response = post_entry(client, body)
    assert response.status_code == status
    error = response.json_body["error"]
    assert error["code"] == code
    assert error["message_vi"] and error["message_en"]


def test_field_errors_name_the_field(client):
    body = {k: v for k, v in entry().items() if k != "title"}
    problems = post_entry(client, body).json_body["error"]["details"]["problems"]
    assert [p["field"] for p in problems] == ["title"]


def test_unknown_and_closed_campaigns_are_refused(client, closed_campaign):
    unknown = post_entry(client, entry(), campaign="khong-co")
    assert (unknown.status_code, unknown.json_body["error"]["code"]) == (404, "campaign_not_found")
    closed = post_entry(client, entry(), campaign=closed_campaign)
    assert (closed.status_code, closed.json_body["error"]["code"]) == (409, "campaign_closed")


def test_an_entry_is_visible_only_with_its_own_token(client):
    mine = post_entry(client, entry()).json_body
    theirs = post_entry(client, entry(title="Của người khác")).json_body
    path = f"/submissions/{mine['submission_id']}"
    ok = client.http.get(path, headers={"X-Participant-Token": mine["access_token"]})
    assert ok.status_code == 200 and ok.json_body["title"] == "Ước mơ của tôi"
    assert ok.json_body["status_label"] == {"vi": "Đang chờ tải video lên", "en": "Waiting for the video upload"}
    assert ok.json_body["can_replace_video"] is True
    missing = client.http.get(path)
    assert (missing.status_code, missing.json_body["error"]["code"]) == (401, "missing_participant_token")
    wrong = client.http.get(path, headers={"X-Participant-Token": theirs["access_token"]})
    assert (wrong.status_code, wrong.json_body["error"]["code"]) == (404, "submission_not_found")
    assert "Của người khác" not in wrong.body.decode()


def test_a_new_upload_can_be_requested_until_the_entry_is_approved(client):
    created = post_entry(client, entry()).json_body
    headers = {**JSON, "X-Participant-Token": created["access_token"]}
    again = client.http.post(f"/submissions/{created['submission_id']}/uploads", headers=headers,
                             body=json.dumps({"file_name": "v2.mov", "content_type": "video/quicktime", "size_bytes": MIB}))
    assert again.status_code == 201
    assert again.json_body["upload"]["key"].endswith(".mov")
    assert again.json_body["upload"]["key"] != created["upload"]["key"]
    record = SubmissionRecord.get(created["submission_id"], consistent_read=True)
    record.update(actions=[type(record).status.set("approved")])
    locked = client.http.post(f"/submissions/{created['submission_id']}/uploads", headers=headers,
                              body=json.dumps({"file_name": "v3.mp4", "content_type": "video/mp4", "size_bytes": MIB}))
    assert (locked.status_code, locked.json_body["error"]["code"]) == (409, "entry_locked")
    view = client.http.get(f"/submissions/{created['submission_id']}", headers=headers).json_body
    assert view["can_replace_video"] is False  # the page stops offering what the API would refuse


def test_a_retried_create_with_the_same_idempotency_key_returns_the_same_entry(client):
    headers = {**JSON, "Idempotency-Key": "phone-retry-7f3a"}
    first = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers=headers, body=json.dumps(entry()))
    again = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers=headers, body=json.dumps(entry()))
    assert first.status_code == again.status_code == 201
    assert again.json_body["submission_id"] == first.json_body["submission_id"]
    other = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers=headers,
                             body=json.dumps(entry(title="Một bài khác")))
    assert (other.status_code, other.json_body["error"]["code"]) == (409, "idempotency_key_reused")


def test_the_upload_page_loads_its_three_scripts_in_order_each_served_as_javascript(client):
    html = client.http.get("/upload").body.decode()
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', html)
    assert scripts == ["upload/upload-texts.js", "upload/upload-transfer.js", "upload/upload.js"]
    for src in scripts:
        response = client.http.get(f"/{src}")
        assert response.status_code == 200 and response.body.strip()
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
