"""Organisers' reads: entries, roll-ups, compliance, link entries, downloads and the public counter."""
import io
import json
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from chalicelib.adapters.dynamodb.submissions import NewSubmission
from chalicelib.bootstrap import services
from tests.functional.conftest import bearer, follow_download
from tests.functional.org_world import build_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def world(seeded_cloud):
    return build_world()


def error_code(response):
    return response.status_code, response.json_body["error"]["code"]


# --- entries -----------------------------------------------------------------


def test_entries_are_paged_with_an_opaque_cursor_inside_the_branch(client, tokens, world):
    headers = bearer(tokens["organiser-ba-dinh"])
    url = f"/campaigns/{world.upload_campaign}/submissions?limit=1"
    seen, cursor = [], None
    for _ in range(10):
        page = client.http.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers).json_body
        seen += [e["submission_id"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(world.entries["own"] + world.entries["own_unit"])
    first = client.http.get(url, headers=headers).json_body
    assert "access_token_hash" not in json.dumps(first) and "upload_key" not in json.dumps(first)


def test_a_cursor_from_another_branch_or_tampered_is_refused(client, tokens, world):
    province = client.http.get(f"/campaigns/{world.upload_campaign}/submissions?limit=1&unit_id=ha-noi-hoan-kiem",
                               headers=bearer(tokens["organiser-ha-noi"])).json_body
    foreign = province["next_cursor"] or ""
    for cursor in (foreign, "not-base64!", "eyJhIjoxfQ"):
        response = client.http.get(f"/campaigns/{world.upload_campaign}/submissions?cursor={cursor}",
                                   headers=bearer(tokens["organiser-ba-dinh"]))
        if cursor:
            assert error_code(response) == (400, "invalid_cursor"), cursor


@pytest.mark.parametrize("query, code", [
    ("status=lost", "invalid_status"), ("limit=0", "invalid_limit"), ("limit=abc", "invalid_limit"),
    ("limit=101", "invalid_limit"), ("format=pdf", "invalid_format"),
])
def test_bad_list_parameters_are_refused(client, tokens, world, query, code):
    response = client.http.get(f"/campaigns/{world.upload_campaign}/submissions?{query}",
                               headers=bearer(tokens["organiser-ha-noi"]))
    assert error_code(response) == (400, code)


def test_status_filter_and_unknown_campaign(client, tokens, world):
    headers = bearer(tokens["organiser-ha-noi"])
    valid = client.http.get(f"/campaigns/{world.upload_campaign}/submissions?status=valid", headers=headers)
    assert {e["status"] for e in valid.json_body["entries"]} == {"valid"}
    none = client.http.get(f"/campaigns/{world.upload_campaign}/submissions?status=published", headers=headers)
    assert none.json_body["entries"] == []
    assert error_code(client.http.get("/campaigns/khong-co/submissions", headers=headers)) == (
        404, "campaign_not_found")


# --- roll-ups and compliance -------------------------------------------------


def test_a_province_report_sums_its_districts_and_lists_each(client, tokens, world):
    report = client.http.get(f"/campaigns/{world.upload_campaign}/reports/units/ha-noi",
                             headers=bearer(tokens["organiser-ha-noi"])).json_body
    assert report["totals"]["entries"] == report["totals"]["valid"] == 5  # own x2, own_unit, parent, sibling
    assert report["own"]["entries"] == 1
    children = {c["unit_id"]: c for c in report["children"]}
    assert set(children) == {"ha-noi-ba-dinh", "ha-noi-hoan-kiem", "ha-noi-dong-anh"}
    assert (children["ha-noi-ba-dinh"]["entries"], children["ha-noi-hoan-kiem"]["entries"]) == (3, 1)
    national = client.http.get(f"/campaigns/{world.upload_campaign}/reports/units/tw",
                               headers=bearer(tokens["admin"])).json_body
    assert national["totals"]["entries"] == 6


def test_minimum_entries_lists_units_below_per_branch(client, tokens, world):
    response = client.http.get(
        f"/campaigns/{world.upload_campaign}/compliance/minimum-entries?unit_id=ha-noi&level=district",
        headers=bearer(tokens["organiser-ha-noi"])).json_body
    assert response["minimum"] == 2  # seed 004
    below = {s["unit_id"]: s for b in response["branches"] for s in b["below"]}
    assert set(below) == {"ha-noi-hoan-kiem", "ha-noi-dong-anh"}
    assert (below["ha-noi-hoan-kiem"]["count"], below["ha-noi-hoan-kiem"]["missing"]) == (1, 1)


@pytest.mark.parametrize("query, code", [("level=village", "invalid_level"), ("counter=likes", "invalid_counter")])
def test_bad_minimum_entries_parameters(client, tokens, world, query, code):
    response = client.http.get(f"/campaigns/{world.upload_campaign}/compliance/minimum-entries?{query}",
                               headers=bearer(tokens["organiser-ha-noi"]))
    assert error_code(response) == (400, code)


@pytest.mark.parametrize("query, code", [
    ("from=2026-13-01", "invalid_date"), ("from=2026-05-10&to=2026-05-01", "invalid_range"),
    ("from=2024-01-01&to=2026-01-01", "range_too_long"),
])
def test_bad_posting_parameters(client, tokens, world, query, code):
    response = client.http.get(f"/campaigns/{world.link_campaign}/compliance/posting?{query}",
                               headers=bearer(tokens["organiser-ha-noi"]))
    assert error_code(response) == (400, code)


def test_posting_compliance_needs_a_campaign_with_a_quota(client, tokens, world):
    response = client.http.get(f"/campaigns/{world.upload_campaign}/compliance/posting",
                               headers=bearer(tokens["organiser-ha-noi"]))
    assert error_code(response) == (409, "no_posting_quota")


def test_posting_compliance_is_week_by_week_in_vietnam_weeks_with_a_monthly_summary(client, tokens, world):
    headers = bearer(tokens["organiser-ha-noi"])
    # 23:30 on a Sunday in Hà Nội is still that week; 00:30 on Monday is the next one.
    sunday = datetime(2026, 11, 15, 23, 30)
    for unit_id, at in (("ha-noi-dong-anh-co-loa", sunday), ("ha-noi-dong-anh-co-loa", sunday + timedelta(hours=1))):
        body = {"unit_id": unit_id, "url": f"https://tiktok.com/@d/{uuid.uuid4().hex}",
                "posted_at": at.isoformat(), "caption": "Chuyện đẹp #MoiTuan1CauChuyenDep"}
        created = client.http.post(f"/campaigns/{world.link_campaign}/links", headers={**headers, **JSON},
                                   body=json.dumps(body))
        assert created.status_code == 201 and created.json_body["has_hashtag"] is True
    table = client.http.get(
        f"/campaigns/{world.link_campaign}/compliance/posting?unit_id=ha-noi-dong-anh&from=2026-11-09&to=2026-11-22",
        headers=headers).json_body
    assert [w["monday"] for w in table["weeks"]] == ["2026-11-09", "2026-11-16"]
    [co_loa] = table["units"]
    assert [w["posted"] for w in co_loa["weeks"]] == [1, 1]
    assert [m["month"] for m in table["months"]] == ["2026-11"]


@pytest.mark.parametrize("change, status, code", [
    ({"colour": "red"}, 400, "invalid_fields"),
    ({"url": "ftp://example.vn/a"}, 400, "invalid_fields"),
    ({"has_hashtag": None}, 400, "invalid_fields"),
    ({"posted_at": "2099-01-01T00:00:00+07:00"}, 400, "posted_in_future"),
    ({"unit_id": "hcm-q1"}, 404, "unit_not_found"),
])
def test_bad_link_entries_are_refused(client, tokens, world, change, status, code):
    body = {"unit_id": "ha-noi-ba-dinh-kim-ma", "url": f"https://facebook.com/p/{uuid.uuid4().hex}",
            "posted_at": "2026-11-20T10:00:00+07:00", "has_hashtag": True, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = client.http.post(f"/campaigns/{world.link_campaign}/links",
                                headers={**bearer(tokens["organiser-ba-dinh"]), **JSON}, body=json.dumps(body))
    assert error_code(response) == (status, code)


def test_a_post_is_counted_once_and_only_for_link_campaigns(client, tokens, world):
    headers = {**bearer(tokens["organiser-ba-dinh"]), **JSON}
    body = {"unit_id": "ha-noi-ba-dinh-dien-bien", "url": f"https://facebook.com/p/{uuid.uuid4().hex}/",
            "posted_at": "2026-11-20T10:00:00", "has_hashtag": False}
    first = client.http.post(f"/campaigns/{world.link_campaign}/links", headers=headers, body=json.dumps(body))
    assert first.status_code == 201 and first.json_body["status"] == "invalid"
    # The same post again, without the trailing slash and with an upper-case host.
    again = dict(body, url=body["url"].rstrip("/").replace("facebook.com", "FACEBOOK.com"))
    assert error_code(client.http.post(f"/campaigns/{world.link_campaign}/links", headers=headers,
                                       body=json.dumps(again))) == (409, "duplicate_link")
    assert error_code(client.http.post(f"/campaigns/{world.upload_campaign}/links", headers=headers,
                                       body=json.dumps(body))) == (409, "not_a_link_campaign")
    audit = client.http.get(f"/audit?entity_type=link&entity_id={first.json_body['link_id']}",
                            headers=bearer(tokens["admin"])).json_body["entries"]
    assert [(e["action"], e["actor"]) for e in audit] == [("link.submit", "organiser-ba-dinh")]


# --- downloads -----------------------------------------------------------------


def test_csv_downloads_carry_a_bom_and_vietnamese_headers(client, tokens, world):
    response = follow_download(client.http.get(f"/campaigns/{world.upload_campaign}/submissions?format=csv",
                                               headers=bearer(tokens["organiser-ba-dinh"])))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.body.startswith("\ufeff".encode())
    text = response.body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Mã bài dự thi,Tên tác phẩm")
    assert world.titles["own"] in text and world.titles["sibling"] not in text
    assert "attachment" in response.headers["Content-Disposition"]


def test_xlsx_downloads_open_in_openpyxl_with_vietnamese_text_intact(client, tokens, world):
    # A browser link: no special Accept header any more (a link in the page must just work).
    headers = bearer(tokens["organiser-ha-noi"])
    response = follow_download(
        client.http.get(f"/campaigns/{world.upload_campaign}/reports/units/ha-noi?format=xlsx", headers=headers))
    assert response.status_code == 200 and response.headers["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã đơn vị", "Đơn vị", "Cấp")
    assert rows[1][1] == "Thành đoàn Hà Nội (toàn nhánh)" and rows[1][5] == 5
    assert "Quận đoàn Ba Đình" in {r[1] for r in rows}
    entries = follow_download(
        client.http.get(f"/campaigns/{world.upload_campaign}/submissions?format=xlsx", headers=headers))
    titles = {r[1] for r in load_workbook(io.BytesIO(entries.body)).active.iter_rows(values_only=True)}
    assert world.titles["parent"] in titles and world.titles["other_province"] not in titles


def test_an_export_asked_for_as_json_answers_the_link_itself(client, tokens, world):
    response = client.http.get(f"/campaigns/{world.upload_campaign}/reports/units/ha-noi?format=xlsx",
                               headers={**bearer(tokens["organiser-ha-noi"]), "Accept": "application/json"})
    assert response.status_code == 200
    link = response.json_body
    assert set(link) == {"download_url", "expires_at", "file_name"}
    assert link["file_name"] == f"tong-hop-{world.upload_campaign}-ha-noi.xlsx"
    expires_at = datetime.fromisoformat(link["expires_at"])
    assert timedelta(minutes=1) < expires_at - datetime.now(timezone.utc) <= timedelta(minutes=15)
    assert "X-Amz-Expires=600" in link["download_url"]
    with urllib.request.urlopen(link["download_url"], timeout=10) as answer:
        assert answer.headers["Content-Type"] == XLSX
        assert answer.headers["Content-Disposition"].startswith(f'attachment; filename="{link["file_name"]}"')
        assert load_workbook(io.BytesIO(answer.read())).active["A1"].value == "Mã đơn vị"


def test_a_refused_export_keeps_the_error_shape_and_writes_no_file(client, tokens, world):
    from chalicelib.bootstrap import services

    bucket = services().upload_bucket
    before = _export_keys(bucket)
    for path, code in [
        (f"/campaigns/{world.upload_campaign}/submissions?format=csv&status=lost", (400, "invalid_status")),
        (f"/campaigns/{world.upload_campaign}/submissions?format=xlsx&unit_id=no-such-unit", (404, "unit_not_found")),
        (f"/campaigns/{world.upload_campaign}/reports/units/ha-noi?format=pdf", (400, "invalid_format")),
        (f"/campaigns/no-such-campaign/submissions?format=csv", (404, "campaign_not_found")),
    ]:
        assert error_code(client.http.get(path, headers=bearer(tokens["organiser-ba-dinh"]))) == code, path
    assert error_code(client.http.get(f"/campaigns/{world.upload_campaign}/submissions?format=csv")) == (
        401, "missing_token")
    assert _export_keys(bucket) == before


def _export_keys(bucket) -> set[str]:
    listing = bucket._client.list_objects_v2(Bucket=bucket.name, Prefix="exports/")
    return {o["Key"] for o in listing.get("Contents", [])}


# --- the public counter ----------------------------------------------------------


def test_the_public_counter_counts_by_vietnam_day_without_sign_in(client, seeded_cloud):
    campaign = services().campaign_store.get("clip-phan-bac-thong-tin-xau-doc").model_copy(
        update={"id": f"dem-{uuid.uuid4().hex[:6]}"})
    services().campaign_store.put(campaign)
    store, unit = services().submission_store, services().org_unit_store.find("hcm-q1-da-kao")
    # 16:30 and 16:59 UTC are 23:30 and 23:59 in Vietnam; 17:00 and 18:00 UTC are past midnight there.
    times = [datetime(2026, 5, 1, h, m, tzinfo=timezone.utc) for h, m in ((16, 30), (16, 59), (17, 0), (18, 0))]
    times.append(datetime(2026, 5, 3, 2, 0, tzinfo=timezone.utc))
    for n, at in enumerate(times):
        sid = uuid.uuid4().hex
        record = store.create(NewSubmission(sid, campaign.id, unit.unit_id, unit.path, "Clip", "", "", [],
                                            "a.mp4", "video/mp4", 1, "h", f"uploads/{campaign.id}/{sid}/k.mp4",
                                            "post", None, at))
        if n % 2 == 0:
            claimed = store.begin_validation(record, record.upload_key, "o", at)
            store.finish_validation(claimed, record.upload_key, "o", "valid", {}, at)
    response = client.http.get(f"/campaigns/{campaign.id}/stats")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.json_body["totals"] == {"received": 5, "valid": 3}
    assert response.json_body["days"] == [
        {"day": "2026-05-01", "received": 2, "valid": 1},
        {"day": "2026-05-02", "received": 2, "valid": 1},
        {"day": "2026-05-03", "received": 1, "valid": 1},
    ]
    assert error_code(client.http.get("/campaigns/khong-co/stats")) == (404, "campaign_not_found")
