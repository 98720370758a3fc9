"""Bad input is a 4xx in the project's error shape, never a 500, whatever the route
(issue 9, points 2 and 3; bench/bench_bad_input.py sweeps the same classes over every operation)."""
import base64
import json
from urllib.parse import quote

import pytest

from tests.functional.conftest import bearer

JSON = {"Content-Type": "application/json"}
CAMPAIGN = "khat-vong-hung-cuong"
LINK_CAMPAIGN = "moi-tuan-mot-cau-chuyen-dep"  # seed 001's sample: entry_kind link
ODD_NUMBERS = ["²", "١٢", "9" * 4301, "-1", "1.5", "1e9", "", " 1", "0x1", "+1"]


def error_of(response):
    body = response.json_body
    assert set(body) == {"error"}, body
    assert {"code", "message", "message_vi", "message_en"} <= set(body["error"]), body
    return response.status_code, body["error"]["code"]


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_every_whole_number_parameter_refuses_anything_but_ascii_digits_in_range(client, tokens, number):
    value = quote(number) or "%20"
    admin = bearer(tokens["admin"])
    cases = [
        (f"/campaigns/{CAMPAIGN}/weeks/{value}/leaderboard", {}, "invalid_week"),
        (f"/campaigns/{CAMPAIGN}/weeks/{value}/ranking", {}, "invalid_week"),
        (f"/campaigns/{CAMPAIGN}/weeks/{value}/flags", admin, "invalid_week"),
        (f"/campaigns/{CAMPAIGN}/weeks/1/leaderboard?limit={value}", {}, "invalid_limit"),
        (f"/campaigns/{CAMPAIGN}/weeks/1/ranking?version={value}", {}, "invalid_version"),
        (f"/campaigns/{CAMPAIGN}/ingestion?limit={value}", admin, "invalid_limit"),
        (f"/campaigns/{CAMPAIGN}/submissions?limit={value}", admin, "invalid_limit"),
        (f"/units?limit={value}", {}, "invalid_limit"),
    ]
    for path, headers, code in cases:
        assert error_of(client.http.get(path, headers=headers)) == (400, code), path


def test_units_are_listed_at_most_fifty_at_a_time_as_documented(client):
    assert client.http.get("/units?limit=50").status_code == 200
    for limit in ("51", "0", "-1"):
        assert error_of(client.http.get(f"/units?limit={limit}")) == (400, "invalid_limit")


@pytest.mark.parametrize("body", [b"[" * 1000 + b"]" * 1000, b'{"a":' * 1000 + b"1" + b"}" * 1000,
                                  b"[" * 100_000, b'{"a":' * 40 + b"1" + b"}" * 40])
def test_deeply_nested_json_is_a_400_on_public_and_protected_routes(client, tokens, body):
    public = client.http.post("/auth/token", headers=JSON, body=body)
    entry = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers=JSON, body=body)
    close = client.http.post(f"/campaigns/{CAMPAIGN}/weeks/1/close",
                             headers={**JSON, **bearer(tokens["admin"])}, body=body)
    for response in (public, entry, close):
        assert error_of(response) == (400, "invalid_json")


def test_a_deeply_nested_or_oversized_page_cursor_is_invalid(client, tokens):
    admin = bearer(tokens["admin"])
    for payload in (b"[" * 1000 + b"]" * 1000, b"9" * 5000, b"{}" * 5000):
        cursor = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        response = client.http.get(f"/campaigns/{CAMPAIGN}/submissions?cursor={cursor}", headers=admin)
        assert error_of(response) == (400, "invalid_cursor")


def test_a_body_over_the_limit_is_a_413_before_any_parsing(client, tokens):
    from chalicelib.api.access import MAX_BODY_BYTES

    body = b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert error_of(client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers=JSON, body=body)) == (
        413, "body_too_large")
    admin = {"Content-Type": "text/csv", **bearer(tokens["admin"])}
    assert error_of(client.http.put("/organisation", headers=admin, body=body)) == (413, "body_too_large")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"])
def test_a_body_of_another_media_type_is_a_415_in_the_project_shape(client, content_type):
    response = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers={"Content-Type": content_type},
                                body=b"title=hello")
    assert error_of(response) == (415, "unsupported_media_type")
    english = client.http.post(f"/campaigns/{CAMPAIGN}/submissions?lang=en",
                               headers={"Content-Type": content_type}, body=b"title=hello")
    assert english.json_body["error"]["message"] == english.json_body["error"]["message_en"]


def test_a_method_the_route_does_not_serve_is_a_405_in_the_project_shape(client):
    response = client.http.delete("/campaigns")  # DELETE /campaigns/{id} is served: it deletes a draft
    assert error_of(response) == (405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_an_unhandled_error_is_a_500_in_the_project_shape(client, monkeypatch):
    from chalicelib.bootstrap import services

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(services().unit_directory), "search", broken)
    assert error_of(client.http.get("/units?q=ha")) == (500, "internal_error")


@pytest.mark.parametrize("path", [
    "/organisation/units/{unit}",
    "/campaigns/{campaign}/reports/units/{unit}",
    "/campaigns/{campaign}/reports/units/{unit}?format=csv",
    "/campaigns/{campaign}/submissions?unit_id={unit}",
    "/campaigns/{campaign}/compliance/minimum-entries?unit_id={unit}",
])
@pytest.mark.parametrize("account", ["admin", "organiser-ha-noi"])
def test_an_unknown_unit_is_a_404_for_admins_as_for_organisers(client, tokens, path, account):
    target = path.format(campaign=CAMPAIGN, unit="khong-co-don-vi-nay")
    assert error_of(client.http.get(target, headers=bearer(tokens[account]))) == (404, "unit_not_found")


def test_an_organisation_file_of_bad_rows_lists_the_first_hundred_problems_and_counts_all(client, tokens):
    rows = ["unit_id,name,parent_id,level", "tw,Trung ương,,central"]
    rows += [f"u{i},Đơn vị {i},khong-co-{i},province" for i in range(5000)]
    response = client.http.put("/organisation", headers={"Content-Type": "text/csv", **bearer(tokens["admin"])},
                               body="\n".join(rows).encode("utf-8"))
    assert error_of(response) == (400, "invalid_organisation")
    details = response.json_body["error"]["details"]
    assert details["problem_count"] == 5000 and details["problems_listed"] == len(details["problems"]) == 100
    assert len(response.body) < 64 * 1024


def test_a_deeply_nested_organisation_file_is_a_400(client, tokens):
    response = client.http.put("/organisation", headers={**JSON, **bearer(tokens["admin"])},
                               body=b"[" * 5000 + b"]" * 5000)
    assert error_of(response) == (400, "invalid_organisation")


def _entry():
    return {"title": "Ước mơ", "unit_id": "dk-tw-bo-ct-vp", "authors": [{"name": "Trần B", "email": "b@example.vn"}],
            "file_name": "uoc-mo.mp4", "content_type": "video/mp4", "size_bytes": 5 * 1024 * 1024,
            "accepted_terms_version": "2024-1"}


def test_an_idempotency_key_longer_than_200_characters_is_refused_not_cut(client):
    shared = "k" * 200
    for key in (shared + "a", shared + "b"):
        response = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers={**JSON, "Idempotency-Key": key},
                                    body=json.dumps(_entry()))
        assert error_of(response) == (400, "invalid_idempotency_key")
    accepted = client.http.post(f"/campaigns/{CAMPAIGN}/submissions", headers={**JSON, "Idempotency-Key": shared},
                                body=json.dumps(_entry()))
    assert accepted.status_code == 201


def test_a_link_campaign_takes_no_video_entries(client):
    response = client.http.post(f"/campaigns/{LINK_CAMPAIGN}/submissions", headers=JSON, body=json.dumps(_entry()))
    assert error_of(response) == (409, "campaign_takes_links")


@pytest.mark.parametrize("day", ["", "FALSE", "20250101", "2025-1-01", "２０２５-01-01", "2025-02-30"])
def test_the_audit_day_is_a_documented_date_or_refused(client, tokens, day):
    for extra in ("", "&actor=admin"):
        response = client.http.get(f"/audit?day={quote(day)}{extra}", headers=bearer(tokens["admin"]))
        assert error_of(response) == (400, "invalid_day")
    assert client.http.get("/audit?day=2025-01-01", headers=bearer(tokens["admin"])).status_code == 200


@pytest.mark.parametrize("suffix", ["", "/video", "/snapshots"])
def test_an_entry_id_no_entry_can_have_is_a_404_not_a_key_too_large_for_the_table(client, tokens, suffix):
    # DynamoDB refuses keys over 2,048 bytes where the emulator's GetItem does not: such an id never
    # reaches the table, and a refused video link for it is not audited under it.
    headers = {**bearer(tokens["admin"]), "X-Participant-Token": "not-a-token"}
    response = client.http.get(f"/submissions/{'a' * 5000}{suffix}", headers=headers)
    assert error_of(response) == (404, "submission_not_found")


@pytest.mark.parametrize("path, code", [
    ("/campaigns/{id}", "campaign_not_found"),
    ("/campaigns/{id}/weeks", "campaign_not_found"),
    ("/organisation/units/{id}", "unit_not_found"),
    ("/campaigns/khat-vong-hung-cuong/reports/units/{id}", "unit_not_found"),
])
def test_a_path_id_longer_than_any_the_product_makes_is_not_found_before_any_table_sees_it(
    client, tokens, path, code, monkeypatch
):
    from chalicelib.bootstrap import services

    def no_table(*args, **kwargs):
        raise AssertionError("a table was asked for an id DynamoDB would refuse")

    monkeypatch.setattr(services().campaign_store, "get", no_table, raising=False)
    monkeypatch.setattr(services().org_unit_store, "find", no_table, raising=False)
    response = client.http.get(path.replace("{id}", "x" * 300), headers=bearer(tokens["admin"]))
    assert error_of(response) == (404, code)
