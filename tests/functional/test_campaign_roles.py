"""Who may do what in one campaign, over HTTP (issue 11, items 3 and 4): who may enter, who reviews,
who runs the campaign, the judges' panel and their declared conflicts, blind scoring.

The seeded `khat-vong-hung-cuong` is Đoàn Khối's contest (organiser-dk-tw); the seeded
`thanh-nien-sang-tao` is the centre's, review delegated to the provinces for their own branch.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, JurySettings, load_campaign_file
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES
from tests.functional.conftest import bearer, publish_and_close_week_one
from tests.functional.test_review_and_results_api import ADMIN, _valid_entry, error_of, post

SEED_000 = "khat-vong-hung-cuong"
NATIONAL = "thanh-nien-sang-tao"
JSON = {"Content-Type": "application/json"}


def put(client, path, token, body):
    return client.http.put(path, headers={**JSON, **bearer(token)}, body=json.dumps(body))


# --- entering ---------------------------------------------------------------------

def test_the_unit_search_offers_only_the_campaigns_eligible_units(client):
    def found(query: str, campaign: str | None = None) -> set[str]:
        extra = f"&campaign={campaign}" if campaign else ""
        return {u["unit_id"] for u in client.http.get(f"/units?q={query}{extra}").json_body["units"]}

    assert "ha-noi-ba-dinh-kim-ma" in found("kim%20ma") and not found("kim%20ma", SEED_000)
    assert found("bao%20chi", SEED_000) == {"dk-tw-bo-tttt-bc"}
    assert "ha-noi-ba-dinh-kim-ma" in found("kim%20ma", NATIONAL)
    # Nothing typed yet: the top of what may be picked.
    assert {u["unit_id"] for u in client.http.get(f"/units?campaign={SEED_000}").json_body["units"]} == {"dk-tw"}
    assert error_of(client.http.get("/units?q=a&campaign=khong-co")) == (404, "campaign_not_found")
    assert error_of(client.http.get(f"/units?q=a&campaign={'x' * 300}")) == (404, "campaign_not_found")


def test_a_link_campaign_takes_links_only_from_its_eligible_units(client, tokens):
    """Seed 001's campaign is HCMC's: its units post; a Hà Nội unit may not."""
    body = {"unit_id": "ha-noi-ba-dinh-kim-ma", "url": f"https://facebook.com/p/{uuid.uuid4().hex}",
            "posted_at": datetime.now(timezone.utc).isoformat(), "has_hashtag": True}
    refused = post(client, "/campaigns/moi-tuan-mot-cau-chuyen-dep/links", tokens["admin"], body)
    assert error_of(refused) == (400, "unit_not_eligible")
    accepted = post(client, "/campaigns/moi-tuan-mot-cau-chuyen-dep/links", tokens["organiser-hcm"],
                    {**body, "unit_id": "hcm-q1-da-kao"})
    assert accepted.status_code == 201, accepted.json_body


# --- reviewing ------------------------------------------------------------------------

def test_seed_000_is_reviewed_by_dak_khoi_not_by_a_province_or_the_centre(client, tokens):
    """Issue 11: organiser-ha-noi approved and published an entry of Đoàn Khối's contest."""
    entry = _valid_entry(SEED_000, "dk-tw-bo-ct-vp", "Khát vọng Bộ Công Thương", datetime.now(timezone.utc))
    approve = {"decision": "approve"}
    assert error_of(post(client, f"/submissions/{entry}/review", tokens["organiser-ha-noi"], approve)) == (
        404, "submission_not_found")  # not even their branch
    read_only = post(client, f"/submissions/{entry}/review", tokens["organiser-tw"], approve)
    assert error_of(read_only) == (403, "not_campaign_reviewer")  # their branch: they read it, change nothing
    assert client.http.get(f"/submissions/{entry}/snapshots", headers=bearer(tokens["organiser-tw"])).status_code == 200
    ok = post(client, f"/submissions/{entry}/review", tokens["organiser-dk-tw"], approve)
    assert ok.status_code == 200 and ok.json_body["status"] == "approved"
    assert services().submission_store.get(entry).review["reviewed_by"] == "organiser-dk-tw"
    for caller in ("organiser-tw", "organiser-ha-noi"):
        response = post(client, f"/campaigns/{SEED_000}/weeks/1/close", tokens[caller])
        assert error_of(response) == (403, "not_campaign_organiser"), caller


def test_only_the_campaigns_reviewers_import_engagement_figures(client, tokens):
    sheet = json.dumps({"csv_text": "Mã video;Lượt lưu;Thời điểm đo\nkhong-co;1;01/12/2026 10:00\n"})
    for caller in ("organiser-tw", "organiser-ha-noi"):  # above Đoàn Khối, beside it: neither reviews
        refused = client.http.post(f"/campaigns/{SEED_000}/metrics/imports", body=sheet,
                                   headers={**JSON, **bearer(tokens[caller])})
        assert error_of(refused) == (403, "not_campaign_reviewer"), caller
    accepted = client.http.post(f"/campaigns/{SEED_000}/metrics/imports", body=sheet,
                                headers={**JSON, **bearer(tokens["organiser-dk-tw"])})
    assert accepted.status_code == 200 and accepted.json_body["written"] == 0


def test_the_national_contest_is_reviewed_by_each_province_for_its_own_branch(client, tokens):
    now = datetime.now(timezone.utc)
    ha_noi = _valid_entry(NATIONAL, "ha-noi-ba-dinh-kim-ma", "Tuổi trẻ Thủ đô", now)
    approve = {"decision": "approve"}
    assert error_of(post(client, f"/submissions/{ha_noi}/review", tokens["organiser-hcm"], approve)) == (
        404, "submission_not_found")
    assert error_of(post(client, f"/submissions/{ha_noi}/review", tokens["organiser-ba-dinh"], approve)) == (
        403, "not_campaign_reviewer")  # a district: review went to the provinces, not to it
    assert post(client, f"/submissions/{ha_noi}/review", tokens["organiser-ha-noi"], approve).status_code == 200
    hcm = _valid_entry(NATIONAL, "hcm-q1-ben-nghe", "Bến Nghé sáng tạo", now)
    assert post(client, f"/submissions/{hcm}/review", tokens["organiser-tw"], approve).status_code == 200
    # A delegated province reviews; it does not run the contest.
    assert error_of(post(client, f"/campaigns/{NATIONAL}/weeks/1/close", tokens["organiser-ha-noi"])) == (
        403, "not_campaign_organiser")
    listed = client.http.get(f"/campaigns/{NATIONAL}/submissions", headers=bearer(tokens["organiser-ha-noi"]))
    assert ha_noi in {e["submission_id"] for e in listed.json_body["entries"]}


# --- judges ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def final(seeded_cloud):
    """A one-week copy of seed 000 (Đoàn Khối's) in 2025, closed: its pool has three finalists."""
    data = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-panel-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1])
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    start, end = week_window(campaign, 1)
    created = start - timedelta(days=7)
    units = {"vp": "dk-tw-bo-ct-vp", "bao-chi": "dk-tw-bo-tttt-bc", "su-hoc": "dk-tw-vhl-vsh"}
    ids = {name: _valid_entry(campaign.id, unit, f"Chung khảo {name}", created) for name, unit in units.items()}
    publish_and_close_week_one(campaign, ids, start, end, created, ADMIN)
    return SimpleNamespace(campaign=campaign, ids=ids, path=f"/campaigns/{campaign.id}")


def test_an_unassigned_judge_sees_nothing_of_the_campaign(client, tokens, final):
    jury = tokens["jury-1"]
    assert error_of(client.http.get(f"{final.path}/finalists", headers=bearer(jury))) == (403, "judge_not_assigned")
    scored = put(client, f"{final.path}/jury/scores/{final.ids['vp']}", jury,
                 {"points": {"message": 30, "creativity": 20, "craft": 20}})
    assert error_of(scored) == (403, "judge_not_assigned")
    assert error_of(put(client, f"{final.path}/jury/conflicts", jury, {"unit_ids": []})) == (403, "judge_not_assigned")
    video = client.http.get(f"/submissions/{final.ids['vp']}/video", headers=bearer(jury))
    assert error_of(video) == (404, "submission_not_found")


def test_the_campaigns_organisers_set_the_panel_and_each_judge_declares_their_conflicts(client, tokens, final):
    panel = f"{final.path}/judges"
    for caller, code in (("organiser-tw", "not_campaign_organiser"), ("organiser-ha-noi", "not_campaign_organiser"),
                         ("jury-1", "role_not_allowed")):
        assert error_of(put(client, panel, tokens[caller], {"judges": ["jury-1"]})) == (403, code), caller
    assert error_of(put(client, panel, tokens["organiser-dk-tw"], {"judges": ["bad name!"]})) == (400, "invalid_fields")
    set_ = put(client, panel, tokens["organiser-dk-tw"], {"judges": ["jury-1"]})
    assert set_.status_code == 200 and [j["judge_id"] for j in set_.json_body["judges"]] == ["jury-1"]
    [audited] = [a for a in services().audit_store.for_entity("campaign", final.campaign.id) if a.action == "assign_judges"]
    assert (audited.actor, audited.before, audited.after) == ("organiser-dk-tw", {"judges": []}, {"judges": ["jury-1"]})

    jury, conflicts = tokens["jury-1"], f"{final.path}/jury/conflicts"
    # jury-1 belongs to Đoàn Khối, the organising unit: no conflict, so they may score every finalist.
    pool = client.http.get(f"{final.path}/finalists", headers=bearer(jury)).json_body
    assert all(f["can_score"] for f in pool["finalists"]) and pool["my_conflict_units"] == []
    for units, code in ((["dk-tw"], "organising_unit_not_a_conflict"), (["tw"], "organising_unit_not_a_conflict"),
                        (["khong-co"], "unknown_unit")):
        assert error_of(put(client, conflicts, jury, {"unit_ids": units})) == (400, code), units
    declared = put(client, conflicts, jury, {"unit_ids": ["dk-tw-vhl"]})
    assert declared.status_code == 200 and declared.json_body["conflict_units"] == ["dk-tw-vhl"]
    can = {f["entry_id"]: f["can_score"] for f in client.http.get(f"{final.path}/finalists",
                                                                   headers=bearer(jury)).json_body["finalists"]}
    assert can == {final.ids["vp"]: True, final.ids["bao-chi"]: True, final.ids["su-hoc"]: False}
    points = {"points": {"message": 30, "creativity": 20, "craft": 20}}
    assert error_of(put(client, f"{final.path}/jury/scores/{final.ids['su-hoc']}", jury, points)) == (
        403, "judge_own_subtree")
    assert put(client, f"{final.path}/jury/scores/{final.ids['vp']}", jury, points).status_code == 200
    # Declaring a unit whose entry they already scored is refused: the organisers must decide first.
    assert error_of(put(client, conflicts, jury, {"unit_ids": ["dk-tw-bo-ct"]})) == (409, "conflict_with_scored_entry")
    listed = client.http.get(panel, headers=bearer(tokens["organiser-dk-tw"])).json_body["judges"]
    assert listed[0]["conflict_units"] == ["dk-tw-vhl"]
    assert listed[0]["conflict_unit_names"] == {"dk-tw-vhl": "Đoàn Thanh niên Viện Hàn lâm KHXH Việt Nam"}
    results = client.http.get(f"{final.path}/results", headers=bearer(tokens["organiser-dk-tw"])).json_body
    assert results["judges"] == ["jury-1"] and [s["entry_id"] for s in results["standings"]] == [final.ids["vp"]]
    assert {m["entry_id"] for m in results["missing_scorecards"]} == {final.ids["bao-chi"]}


def test_a_blind_campaign_hides_authors_units_and_engagement_from_judges(client, tokens, final):
    blind = final.campaign.model_copy(update={"id": f"{final.campaign.id}-blind", "jury": JurySettings(blind=True)})
    services().campaign_store.put(blind)
    start, end = week_window(blind, 1)
    created = start - timedelta(days=7)
    ids = {"vp": _valid_entry(blind.id, "dk-tw-bo-ct-vp", "Mù một", created),
           "ptth": _valid_entry(blind.id, "dk-tw-bo-tttt-ptth", "Mù hai", created)}
    publish_and_close_week_one(blind, ids, start, end, created, ADMIN)
    assert put(client, f"/campaigns/{blind.id}/judges", tokens["admin"], {"judges": ["jury-1"]}).status_code == 200

    judged = client.http.get(f"/campaigns/{blind.id}/finalists", headers=bearer(tokens["jury-1"])).json_body
    assert judged["blind"] is True
    for finalist in judged["finalists"]:
        assert not {"unit_id", "unit_name", "position", "url", "authors"} & set(finalist), finalist
        assert finalist["title"] and finalist["can_score"] is True
    assert [f["entry_id"] for f in judged["finalists"]] == sorted(ids.values())  # not the weekly order
    text = json.dumps(judged, ensure_ascii=False)
    assert "Đoàn" not in text and "tiktok.com" not in text and "Phạm D" not in text
    video = client.http.get(f"/submissions/{ids['vp']}/video", headers=bearer(tokens["jury-1"]))
    assert not {"unit_id", "unit_name", "authors"} & set(video.json_body or {})
    organisers = client.http.get(f"/campaigns/{blind.id}/finalists", headers=bearer(tokens["organiser-dk-tw"])).json_body
    assert all(f["unit_name"] and f["url"] for f in organisers["finalists"])  # the organisers still see everything
