"""Campaigns over HTTP, against the emulated DynamoDB: create a draft, edit it on its ETag, open,
close, archive or delete it, and read its versions."""
from __future__ import annotations

import json
import uuid

from tests.functional.conftest import bearer
from tests.functional.test_scope_matrix import _campaign_file

JSON = {"Content-Type": "application/json"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def _create(client, tokens, who="admin", unit="ha-noi-ba-dinh", **changes):
    body = {**_campaign_file(unit), **changes}
    return client.http.post("/campaigns", headers={**JSON, **bearer(tokens[who])}, body=json.dumps(body))


def test_a_draft_is_created_with_its_version_as_etag_and_seen_only_by_its_editors(client, tokens):
    created = _create(client, tokens, who="organiser-ba-dinh")

    assert created.status_code == 201, created.body
    campaign = created.json_body
    assert (campaign["status"], campaign["version"], created.headers["ETag"]) == ("draft", 1, '"1"')
    public = {c["id"] for c in client.http.get("/campaigns").json_body["campaigns"]}
    editor = {c["id"] for c in client.http.get(
        "/campaigns", headers=bearer(tokens["organiser-ba-dinh"])).json_body["campaigns"]}
    assert campaign["id"] not in public and campaign["id"] in editor
    assert client.http.get(f"/campaigns/{campaign['id']}").status_code == 404
    seen = client.http.get(f"/campaigns/{campaign['id']}", headers=bearer(tokens["admin"]))
    assert (seen.status_code, seen.headers["ETag"]) == (200, '"1"')
    assert client.http.get("/campaigns", headers=bearer("not-a-token")).status_code == 401


def test_a_bad_campaign_names_each_field_in_the_error_shape(client, tokens):
    response = _create(client, tokens, scoring={"weights": {"likes": -1}}, colour="red")

    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "invalid_fields"
    fields = {p["field"] for p in error["details"]["problems"]}
    assert {"scoring.weights", "colour"} <= fields
    assert "colour" in error["message_vi"] and "colour" in error["message_en"]


def test_edits_name_their_version_and_a_stale_one_is_refused(client, tokens):
    campaign_id = _create(client, tokens).json_body["id"]
    headers = {**MERGE_PATCH, **bearer(tokens["organiser-ba-dinh"])}

    first = client.http.patch(f"/campaigns/{campaign_id}", headers={**headers, "If-Match": '"1"'},
                              body=json.dumps({"name_en": "First edit", "hashtag": None}))
    second = client.http.patch(f"/campaigns/{campaign_id}", headers={**headers, "If-Match": '"1"'},
                               body=json.dumps({"name_en": "Second edit"}))
    unnamed = client.http.patch(f"/campaigns/{campaign_id}", headers=headers, body=json.dumps({"name_en": "x"}))
    garbled = client.http.patch(f"/campaigns/{campaign_id}", headers={**headers, "If-Match": "latest"},
                                body=json.dumps({"name_en": "x"}))

    assert (first.status_code, first.headers["ETag"], first.json_body["name_en"]) == (200, '"2"', "First edit")
    assert "hashtag" not in first.json_body or first.json_body["hashtag"] is None
    assert (second.status_code, second.json_body["error"]["code"]) == (409, "campaign_version_conflict")
    assert second.json_body["error"]["details"]["current_version"] == 2
    assert (unnamed.status_code, unnamed.json_body["error"]["code"]) == (400, "version_required")
    assert (garbled.status_code, garbled.json_body["error"]["code"]) == (400, "invalid_if_match")

    replaced = client.http.put(f"/campaigns/{campaign_id}", headers={**JSON, **bearer(tokens["admin"])},
                               body=json.dumps({**_campaign_file("ha-noi-ba-dinh"), "id": campaign_id, "version": 2}))
    assert (replaced.status_code, replaced.json_body["version"]) == (200, 3)


def test_the_lifecycle_and_its_versions_over_http(client, tokens):
    campaign_id = _create(client, tokens).json_body["id"]
    admin = {**JSON, **bearer(tokens["admin"])}

    opened = client.http.post(f"/campaigns/{campaign_id}/open", headers=admin)
    reopened = client.http.post(f"/campaigns/{campaign_id}/open", headers=admin)
    deleted_open = client.http.delete(f"/campaigns/{campaign_id}", headers=admin)
    closed = client.http.post(f"/campaigns/{campaign_id}/close", headers={**admin, "If-Match": '"2"'})
    archived = client.http.post(f"/campaigns/{campaign_id}/archive", headers=admin)
    versions = client.http.get(f"/campaigns/{campaign_id}/versions", headers=bearer(tokens["organiser-ba-dinh"]))

    assert (opened.status_code, opened.json_body["status"]) == (200, "open")
    assert (reopened.status_code, reopened.json_body["error"]["code"]) == (409, "invalid_transition")
    assert (deleted_open.status_code, deleted_open.json_body["error"]["code"]) == (409, "campaign_not_draft")
    assert (closed.status_code, archived.status_code) == (200, 200)
    listed = versions.json_body["versions"]
    assert [v["action"] for v in listed] == ["archive", "close", "open", "create"]
    assert listed[0]["by"] == "admin" and listed[0]["at_local"]["timezone"] == "Asia/Ho_Chi_Minh"
    assert listed[2]["changes"] == [{"field": "status", "before": "draft", "after": "open"}]
    public = {c["id"] for c in client.http.get("/campaigns").json_body["campaigns"]}
    assert campaign_id not in public  # archived


def test_a_draft_is_deleted_and_its_id_can_be_used_again(client, tokens):
    from chalicelib.bootstrap import services

    campaign_id = f"xoa-{uuid.uuid4().hex[:8]}"
    assert _create(client, tokens, id=campaign_id).status_code == 201
    deleted = client.http.delete(f"/campaigns/{campaign_id}", headers=bearer(tokens["organiser-ba-dinh"]))
    assert (deleted.status_code, deleted.json_body["deleted"]) == (200, True)
    assert services().campaign_store.get(campaign_id) is None
    audited = client.http.get(f"/audit?entity_type=campaign&entity_id={campaign_id}", headers=bearer(tokens["admin"]))
    assert sorted(e["action"] for e in audited.json_body["entries"]) == ["create_campaign", "delete_campaign"]
    assert _create(client, tokens, id=campaign_id).status_code == 201


def test_a_campaign_with_entries_is_not_deleted_even_as_a_draft(client, tokens):
    from datetime import datetime, timezone

    from chalicelib.adapters.dynamodb.models import DailyCountRecord

    campaign_id = _create(client, tokens).json_body["id"]
    DailyCountRecord(campaign_id, datetime.now(timezone.utc).date().isoformat(), received=1, valid=0).save()
    refused = client.http.delete(f"/campaigns/{campaign_id}", headers=bearer(tokens["admin"]))
    assert (refused.status_code, refused.json_body["error"]["code"]) == (409, "campaign_has_entries")


def test_once_submissions_opened_the_media_rules_are_refused_naming_the_field(client, tokens):
    campaign_id = _create(client, tokens).json_body["id"]  # seed 000's dates: submissions opened in 2024
    admin = {**JSON, **bearer(tokens["admin"])}
    client.http.post(f"/campaigns/{campaign_id}/open", headers=admin)

    refused = client.http.patch(f"/campaigns/{campaign_id}", headers={**admin, "If-Match": '"2"'},
                                body=json.dumps({"media": {"containers": ["mp4"]}}))
    renamed = client.http.patch(f"/campaigns/{campaign_id}", headers={**admin, "If-Match": '"2"', "Accept-Language": "en"},
                                body=json.dumps({"name_en": "Renamed"}))

    assert refused.status_code == 409
    error = refused.json_body["error"]
    assert (error["code"], error["details"]["field"]) == ("media_locked", "media")
    assert error["message"] == error["message_vi"] and "media" in error["message_vi"]
    assert (renamed.status_code, renamed.json_body["version"]) == (200, 3)


def test_a_draft_or_closed_link_campaign_takes_no_posts(client, tokens):
    from datetime import datetime, timezone

    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.local.seed import SAMPLES

    document = {**load_campaign_file(SAMPLES / "campaigns" / "moi-tuan-mot-cau-chuyen-dep.json").to_document(),
                "eligible_units": ["tw"]}
    for key in ("status", "version", "rules_version"):
        document.pop(key)
    admin = {**JSON, **bearer(tokens["admin"])}
    campaign_id = f"link-{uuid.uuid4().hex[:8]}"
    created = client.http.post("/campaigns", headers=admin, body=json.dumps({**document, "id": campaign_id}))
    post = json.dumps({"unit_id": "ha-noi-ba-dinh", "url": f"https://facebook.com/p/{uuid.uuid4().hex}",
                       "posted_at": datetime.now(timezone.utc).isoformat(), "has_hashtag": True})

    refused = client.http.post(f"/campaigns/{campaign_id}/links", headers=admin, body=post)
    client.http.post(f"/campaigns/{campaign_id}/open", headers=admin)
    accepted = client.http.post(f"/campaigns/{campaign_id}/links", headers=admin, body=post)

    assert created.status_code == 201
    assert (refused.status_code, refused.json_body["error"]["code"]) == (409, "campaign_not_open")
    assert accepted.status_code == 201, accepted.body
