"""Importing the tree (all-or-nothing), moving units with their history, entries and counts."""
import csv
import io
import json
import uuid
from datetime import datetime, timezone

import pytest

from chalicelib.adapters.dynamodb.submissions import NewSubmission
from chalicelib.bootstrap import services
from chalicelib.local.seed import SAMPLES
from tests.functional.conftest import bearer

CSV = {"Content-Type": "text/csv"}


def current_csv() -> str:
    """The stored tree as CSV, so a test only adds or changes its own rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit_id", "name", "parent_id", "level"])
    writer.writerows((r.unit_id, r.name, r.parent_id, r.level) for r in services().org_unit_store.whole_tree().to_rows())
    return buffer.getvalue()


def put_tree(client, token, text, query="", content_type=CSV):
    return client.http.put(f"/organisation{query}", headers={**bearer(token), **content_type}, body=text.encode())


def test_a_bad_file_is_refused_whole_with_every_problem_listed(client, tokens, seeded_cloud):
    before = len(services().org_unit_store.whole_tree())
    text = current_csv() + (
        "qa-orphan,Đoàn mồ côi,khong-co,district\n"
        "qa-loop-a,Vòng A,qa-loop-b,district\n"
        "qa-loop-b,Vòng B,qa-loop-a,district\n"
        "qa-bad-level,Cấp lạ,ha-noi,village\n"
        "qa-level,Sai cấp,ha-noi,province\n"
        "qa-new,Đơn vị mới hợp lệ,ha-noi,district\n"
    )
    response = put_tree(client, tokens["admin"], text)
    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "invalid_organisation"
    codes = {(p["unit_id"], p["code"]) for p in error["details"]["problems"]}
    assert {("qa-orphan", "unknown_parent"), ("qa-loop-a", "cycle"), ("qa-bad-level", "invalid_level"),
            ("qa-level", "level_mismatch")} <= codes
    assert "chưa nhập đơn vị nào" in error["message_vi"]
    assert len(services().org_unit_store.whole_tree()) == before
    assert services().org_unit_store.find("qa-new") is None


@pytest.mark.parametrize("body, content_type, code", [
    (b"\xff\xfe not utf-8", CSV, "not_utf8"),
    (b"{not json", {"Content-Type": "application/json"}, "invalid_organisation"),
    (b"unit_id,name\n", CSV, "invalid_organisation"),
])
def test_unreadable_files_are_refused(client, tokens, seeded_cloud, body, content_type, code):
    response = client.http.put("/organisation", headers={**bearer(tokens["admin"]), **content_type}, body=body)
    assert (response.status_code, response.json_body["error"]["code"]) == (400, code)


def test_only_an_admin_imports_and_a_dry_run_changes_nothing(client, tokens, seeded_cloud):
    text = current_csv() + "qa-dry,Đơn vị thử,ha-noi,district\n"
    assert put_tree(client, tokens["organiser-ha-noi"], text).status_code == 403
    plan = put_tree(client, tokens["admin"], text, "?dry_run=true").json_body
    assert (plan["dry_run"], plan["added"]) == (True, 1)
    assert services().org_unit_store.find("qa-dry") is None


def test_json_imports_are_accepted(client, tokens, seeded_cloud):
    tree = services().org_unit_store.whole_tree()
    units = [{"unit_id": r.unit_id, "name": r.name, "parent_id": r.parent_id, "level": r.level}
             for r in tree.to_rows()]
    units.append({"unit_id": "qa-json", "name": "Đoàn trường Thử nghiệm", "parent_id": "hcm-q1",
                  "level": "grassroots"})
    response = put_tree(client, tokens["admin"], json.dumps(units), content_type={"Content-Type": "application/json"})
    assert (response.status_code, response.json_body["added"]) == (200, 1)
    assert services().org_unit_store.find("qa-json").path == "tw/hcm/hcm-q1/qa-json"


def _entries(campaign_id, unit_id, count):
    store, unit = services().submission_store, services().org_unit_store.find(unit_id)
    ids = []
    for _ in range(count):
        sid = uuid.uuid4().hex
        now = datetime.now(timezone.utc)
        record = store.create(NewSubmission(sid, campaign_id, unit.unit_id, unit.path, "Bài", "", "", [], "a.mp4",
                                            "video/mp4", 1, "h", f"uploads/{campaign_id}/{sid}/k.mp4", "post",
                                            None, now))
        claimed = store.begin_validation(record, record.upload_key, "o", now)
        store.finish_validation(claimed, record.upload_key, "o", "valid", {}, now)
        ids.append(sid)
    return ids


def test_moving_a_district_keeps_its_id_history_entries_and_counts(client, tokens, seeded_cloud, monkeypatch):
    admin = bearer(tokens["admin"])
    base = current_csv()
    setup = base + (
        "qa-tinh-a,Tỉnh đoàn Thử A,tw,province\n"
        "qa-tinh-b,Tỉnh đoàn Thử B,tw,province\n"
        "qa-a-huyen,Huyện đoàn Thử,qa-tinh-a,district\n"
        "qa-a-huyen-xa,Đoàn xã Thử,qa-a-huyen,grassroots\n"
    )
    assert put_tree(client, tokens["admin"], setup).status_code == 200
    campaign = services().campaign_store.get("clip-phan-bac-thong-tin-xau-doc").model_copy(
        update={"id": f"move-{uuid.uuid4().hex[:6]}"})
    services().campaign_store.put(campaign)
    moved_ids = _entries(campaign.id, "qa-a-huyen-xa", 3) + _entries(campaign.id, "qa-a-huyen", 1)

    # Removing a unit with entries is refused, whole.
    without = "\n".join(line for line in setup.splitlines() if not line.startswith("qa-a-huyen-xa,")) + "\n"
    refused = put_tree(client, tokens["admin"], without)
    assert (refused.status_code, refused.json_body["error"]["code"]) == (409, "unit_in_use")

    # Move the district to the other province, re-keying two entries per call.
    import chalicelib.services.organisation as organisation

    monkeypatch.setattr(organisation, "REKEY_BUDGET", 2)
    moved = put_tree(client, tokens["admin"], setup.replace("qa-a-huyen,Huyện đoàn Thử,qa-tinh-a",
                                                            "qa-a-huyen,Huyện đoàn Thử,qa-tinh-b")).json_body
    assert (moved["moved"], moved["path_changed"]) == (1, 2)
    assert moved["rekey"] == {"complete": False, "moved": 2, "pending_moves": 1}
    for _ in range(5):
        step = client.http.post("/organisation/rekey", headers=admin).json_body
        if step["complete"]:
            break
    assert step["complete"] is True

    store = services().submission_store
    for sid in moved_ids:
        record = store.get(sid)
        assert record.unit_path.startswith("tw/qa-tinh-b/qa-a-huyen")
        assert record.unit_id in ("qa-a-huyen", "qa-a-huyen-xa")
    report_b = client.http.get(f"/campaigns/{campaign.id}/reports/units/qa-tinh-b", headers=admin).json_body
    report_a = client.http.get(f"/campaigns/{campaign.id}/reports/units/qa-tinh-a", headers=admin).json_body
    assert (report_b["totals"]["entries"], report_b["totals"]["valid"]) == (4, 4)
    assert report_a["totals"]["entries"] == 0
    listed = client.http.get(f"/campaigns/{campaign.id}/submissions?unit_id=qa-tinh-b", headers=admin).json_body
    assert sorted(e["submission_id"] for e in listed["entries"]) == sorted(moved_ids)

    unit = client.http.get("/organisation/units/qa-a-huyen", headers=admin).json_body
    assert unit["path"] == "tw/qa-tinh-b/qa-a-huyen" and [c["unit_id"] for c in unit["children"]] == ["qa-a-huyen-xa"]
    kinds = [(h["kind"], h["from_path"], h["to_path"]) for h in unit["history"]]
    assert ("moved", "tw/qa-tinh-a/qa-a-huyen", "tw/qa-tinh-b/qa-a-huyen") in kinds
    assert ("added", None, "tw/qa-tinh-a/qa-a-huyen") in kinds
    audit = client.http.get("/audit?entity_type=unit&entity_id=qa-a-huyen", headers=admin).json_body["entries"]
    assert [e["action"] for e in audit] == ["unit.move"]
    # A second run finds nothing left to move.
    assert client.http.post("/organisation/rekey", headers=admin).json_body == {
        "complete": True, "moved": 0, "pending_moves": 0}


def test_a_unit_view_is_branch_scoped(client, tokens, seeded_cloud):
    mine = client.http.get("/organisation/units/ha-noi-ba-dinh", headers=bearer(tokens["organiser-ba-dinh"]))
    assert mine.status_code == 200
    assert {c["unit_id"] for c in mine.json_body["children"]} == {"ha-noi-ba-dinh-dien-bien", "ha-noi-ba-dinh-kim-ma"}
    for unit_id in ("ha-noi", "ha-noi-hoan-kiem", "hcm", "khong-co"):
        response = client.http.get(f"/organisation/units/{unit_id}", headers=bearer(tokens["organiser-ba-dinh"]))
        assert (response.status_code, response.json_body["error"]["code"]) == (404, "unit_not_found"), unit_id


def test_the_sample_tree_is_what_the_seed_loaded(seeded_cloud):
    rows = (SAMPLES / "organisation.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    stored = services().org_unit_store.whole_tree()
    assert all(row.split(",")[0] in stored for row in rows)
