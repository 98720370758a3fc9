"""From review to prizes, end to end on the local cloud, with a controlled clock.

A two-week copy of seed 000's campaign, at its 2024 dates (in the past), so
every service call gets an explicit `now` and nothing depends on the wall clock.
Entries are uploaded through S3 → SQS → validator, approved and published;
engagement is ingested from a loopback fake of TikTok's Display API (likes,
shares, views) and organisers' CSV sheets (saves, reposts) through the metrics
queue; weeks close at their Monday 00:00 Vietnam boundaries through the
scheduled handler.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign, load_campaign_file
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.jury import ConflictOfInterest, JudgeAssignment
from chalicelib.domain.scope import Principal
from chalicelib.domain.weeks import week_window
from chalicelib.local.cloud import LOCAL_REGION
from chalicelib.local.scheduler import fire, schedule_bindings
from chalicelib.local.seed import SAMPLES
from contest_cli.__main__ import verify_week
from tests.integration.test_intake import _post_upload

FULL = ("likes", "saves", "shares", "reposts", "views")


def _organiser(username: str, unit_id: str) -> Principal:
    unit = services().org_unit_store.find(unit_id)
    return Principal.for_unit(f"sub-{username}", "organiser", unit, username=username)


ADMIN = Principal(user_id="sub-admin", role="admin", unit_id="tw", unit_path="tw", username="admin")
JURY_EXTERNAL = Principal(user_id="sub-jury-2", role="jury", username="jury-2")


def _values(likes=0, saves=0, shares=0, reposts=0, views=0, *, reposts_measured=True) -> dict:
    values = {"likes": likes, "saves": saves, "shares": shares, "views": views}
    values["reposts"] = reposts if reposts_measured else None
    return values


@pytest.fixture(scope="module")
def campaign(seeded_cloud) -> Campaign:
    sample = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    data = sample.model_dump()
    data["id"] = f"kvhc-flow-{uuid.uuid4().hex[:8]}"
    data["voting_weeks"] = data["voting_weeks"][:2]
    # Seed 000's rules run from the centre for every unit, Hà Nội reviewing its own branch (the
    # national sample's shape): the flow below has Hà Nội, HCMC and Đoàn Khối entries.
    data.update(organiser_unit="tw", eligible_units=["tw"], review_delegated_to=["ha-noi"])
    copy = Campaign.model_validate(data)
    services().campaign_store.put(copy)
    for judge in ("jury-1", "jury-2"):
        services().judge_panel_store.assign(JudgeAssignment(copy.id, judge, "admin", datetime.now(timezone.utc)))
    return copy


def _boundaries(campaign: Campaign):
    s1, e1 = week_window(campaign, 1)
    s2, e2 = week_window(campaign, 2)
    assert e1 == s2
    return s1, e1, e2


def test_week_boundaries_are_monday_midnight_in_vietnam_which_is_sunday_17_utc(campaign):
    s1, e1, e2 = _boundaries(campaign)
    for boundary in (s1, e1, e2):
        assert boundary.tzinfo is not None and boundary.utcoffset() == timedelta(0)
        assert (boundary.weekday(), boundary.hour, boundary.minute) == (6, 17, 0)  # Sunday 17:00 UTC
        assert boundary.hour != 0  # not UTC midnight
    assert e1 == datetime(2024, 8, 11, 17, tzinfo=timezone.utc)
    [binding] = [b for b in schedule_bindings(_app()) if b.name == "close_finished_weeks"]
    assert binding.expression == "cron(0 17 ? * SUN *)"


def _app():
    import app

    return app.app


def _create(campaign: Campaign, unit_id: str, title: str, now: datetime, video: bytes) -> dict:
    body = {
        "title": title,
        "unit_id": unit_id,
        "authors": [{"name": "Nguyễn Văn A", "email": "a@example.vn"}],
        "file_name": "valid-faststart.mp4",
        "content_type": "video/mp4",
        "size_bytes": len(video),
        "accepted_terms_version": campaign.terms.version,
    }
    created = services().participants.create(campaign.id, body, now)
    _post_upload(created["upload"], video)
    return created


def test_from_review_to_prizes(campaign, videos, pump, live_tiktok):
    s1, e1, e2 = _boundaries(campaign)
    video = (videos / "valid-faststart.mp4").read_bytes()
    review = services().review
    weeks = services().week_results
    final = services().final_round
    ha_noi = _organiser("organiser-ha-noi", "ha-noi")
    created_at = s1 - timedelta(days=10)

    # --- entries: uploaded through S3 and validated on arrival --------------
    plan = {
        # name: (unit, week, published offset)
        "A": ("ha-noi-ba-dinh-kim-ma", 1, s1 - timedelta(days=1)),
        "B": ("ha-noi-ba-dinh-kim-ma", 1, s1 + timedelta(hours=1)),
        "C": ("ha-noi-ba-dinh-kim-ma", 1, s1 + timedelta(hours=2)),
        "D": ("ha-noi-hoan-kiem-hang-bac", 1, s1 + timedelta(hours=3)),
        "E": ("ha-noi-hoan-kiem-hang-bac", 1, s1 + timedelta(hours=4)),
        "F": ("hcm-q1-ben-nghe", 1, s1 + timedelta(hours=5)),
        "G": ("hcm-q1-ben-nghe", 2, e1 + timedelta(hours=2)),
        "H": ("hcm-q1-ben-nghe", 2, e1 + timedelta(hours=3)),
        "I": ("dk-tw-bo-tttt-bc", 2, e1 + timedelta(hours=4)),
        "J": ("ha-noi-dong-anh-co-loa", 2, e1 + timedelta(hours=5)),
        "K": ("ha-noi-ba-dinh-kim-ma", None, None),  # rejected
    }
    entries = {name: _create(campaign, unit, f"Khát vọng {name}", created_at, video)
               for name, (unit, _, _) in plan.items()}
    pump.drain()
    ids = {name: e["submission_id"] for name, e in entries.items()}
    names = {v: k for k, v in ids.items()}
    for name, created in entries.items():
        assert services().participants.view(ids[name], created["access_token"])["status"] == "valid"

    # --- review: approve with the right organiser; reject K with a reason ---
    def organiser_for(unit: str) -> Principal:
        return ha_noi if unit.startswith("ha-noi") else ADMIN

    for name, (unit, week, _) in plan.items():
        decision = {"decision": "reject", "reason": "Video thiếu hashtag #KhatVongHungCuong."} if week is None \
            else {"decision": "approve"}
        view = review.review(organiser_for(unit), ids[name], decision, created_at + timedelta(days=1))
        assert view["status"] == ("rejected" if week is None else "approved")
    participant = services().participants.view(ids["K"], entries["K"]["access_token"])
    assert participant["rejection_reason"] == "Video thiếu hashtag #KhatVongHungCuong."
    with pytest.raises(Conflict) as again:
        review.review(ha_noi, ids["A"], {"decision": "approve"}, created_at + timedelta(days=1))
    assert again.value.code == "not_reviewable"

    # --- publication: the competing week follows from the publication time ---
    for name, (unit, week, published_at) in plan.items():
        if week is None:
            continue
        view = review.publish(organiser_for(unit), ids[name], {
            "platform": "tiktok", "video_id": f"74{name}{campaign.id[-8:]}",
            "url": f"https://www.tiktok.com/@khatvonghungcuong/video/74{name}",
            "published_at": published_at.isoformat(),
        }, published_at + timedelta(minutes=5))
        assert (view["status"], view["campaign_week"]) == ("published", f"{campaign.id}#{week}")
        assert view["platform_video"] == f"tiktok#74{name}{campaign.id[-8:]}"

    # --- engagement: TikTok (fake Display API) for likes, shares and views,
    # --- an organiser's CSV for saves and reposts, read at the same instants -
    week1 = {  # gains in week 1; A is seed 000's worked example (500 points)
        "A": _values(100, 50, 50, 30), "B": _values(100, 50, 50, 10), "C": _values(300),
        "D": _values(200), "E": _values(100), "F": _values(50),
    }
    week2 = {"G": _values(450), "H": _values(350), "I": _values(250), "J": _values(150, reposts_measured=False)}
    views_at_end = {"A": 90000, "B": 1000, "C": 900, "D": 800, "E": 700, "F": 600,
                    "G": 50000, "H": 4000, "I": 3000, "J": 2000}
    readings: dict[datetime, dict[str, dict]] = {}

    def reading(name: str, at: datetime, values: dict) -> None:
        readings.setdefault(at, {})[name] = values

    for name, gain in week1.items():
        base = _values(10, 5, 5, 3, 1000) if name == "A" else _values()
        if name == "A":
            reading(name, s1, base)  # published before the open: its open value is measured exactly
        reading(name, s1 + timedelta(days=3), {m: base[m] + gain[m] // 2 for m in FULL})
        if name == "E":  # the platform stripped likes: a counter went down
            reading(name, s1 + timedelta(days=4), {**{m: base[m] + gain[m] // 2 for m in FULL}, "likes": 10})
        reading(name, e1, {**{m: base[m] + gain[m] for m in FULL}, "views": views_at_end[name]})
    for name, gain in week2.items():
        reading(name, e1 + timedelta(days=3), {m: (gain[m] // 2 if gain[m] is not None else None) for m in FULL})
        reading(name, e2, {**gain, "views": views_at_end[name]})

    metrics = services().engagement
    video_of = {name: f"74{name}{campaign.id[-8:]}" for name in plan}
    for at in sorted(readings):
        # TikTok reports likes, shares and views; every other video reads as unchanged at 0.
        live_tiktok.tiktok_videos.clear()
        for name, values in readings[at].items():
            live_tiktok.tiktok_videos[video_of[name]] = {
                "like_count": values["likes"], "share_count": values["shares"],
                "view_count": values["views"], "comment_count": 0}
        trigger = "boundary" if at in (s1, e1, e2) else "hourly"
        metrics.fan_out(at, trigger, at)
        pump.drain()
        # The organiser's sheet (TikTok Studio export) carries saves and reposts; J's has no reposts.
        rows = [(video_of[n], v) for n, v in readings[at].items()]
        with_reposts = [f"{vid};{v['saves']};{v['reposts']}" for vid, v in rows if v["reposts"] is not None]
        saves_only = [f"{vid};{v['saves']}" for vid, v in rows if v["reposts"] is None]
        for header, lines in (("Mã video;Lượt lưu;Lượt đăng lại", with_reposts), ("Mã video;Lượt lưu", saves_only)):
            if lines:
                sheet = "\n".join([header, *lines]).encode("utf-8")
                # The sheet covers every unit's videos, so the campaign's admin imports it.
                imported = metrics.import_sheet(campaign.id, ADMIN, sheet, "studio.csv", at, at)
                assert imported["unknown_video_ids"] == []
    assert len(live_tiktok.calls_to("/v2/video/query/")) >= len(readings)

    # --- week 1 closes on schedule at its boundary --------------------------
    [closer] = [b for b in schedule_bindings(_app()) if b.name == "close_finished_weeks"]
    ran = fire(closer, e1, LOCAL_REGION)
    [closed1] = [o for o in ran["outcomes"] if o["campaign_id"] == campaign.id]
    assert (closed1["outcome"], closed1["week"], closed1["version"]) == ("closed", 1, 1)
    v1 = weeks.ranking(campaign.id, 1, None, e1)
    assert [names[r["entry_id"]] for r in v1["rows"]] == ["A", "B", "C", "D", "E", "F"]
    assert v1["rows"][0]["score"] == 500  # 100×1 + 50×2 + 50×3 + 30×5
    assert {p["metric"]: p["value"] for p in v1["rows"][0]["breakdown"]} == {
        "likes": 100, "saves": 50, "shares": 50, "reposts": 30}
    assert [names[i] for i in v1["winners"]] == ["A"]
    assert [names[i] for i in v1["finalists"]] == ["A", "B", "C", "D", "E"]
    assert v1["rows"][0]["title"] == "Khát vọng A" and v1["rows"][0]["unit_name"] == "Đoàn phường Kim Mã"

    # Closing again (an organiser's re-run, a day later) gives the same hash and no new version.
    again = weeks.close_week(campaign.id, 1, e1 + timedelta(days=1), ADMIN)
    assert (again["outcome"], again["version"], again["hash"]) == ("unchanged", 1, v1["hash"])
    assert len(services().week_result_store.versions(campaign.id, 1)) == 1

    # Fraud flags come with evidence; they ban nobody.
    flags = weeks.flags(campaign.id, 1, ADMIN, e1 + timedelta(days=1))
    assert any(f["kind"] == "counter_decrease" and names[f["entry_id"]] == "E" for f in flags["flags"])
    hcm_only = weeks.flags(campaign.id, 1, _organiser("organiser-hcm", "hcm"), e1 + timedelta(days=1))
    assert all(names[f["entry_id"]] == "F" for f in hcm_only["flags"])

    # --- week 2: reposts never measured for J, so closing waits for an organiser ---
    listed = weeks.weeks(campaign.id, e2 - timedelta(days=1))
    assert [w["state"] for w in listed["weeks"]] == ["closed", "open"]
    assert listed["weeks"][1]["live_leaderboard"] == f"/campaigns/{campaign.id}/weeks/2/leaderboard"
    assert listed["weeks"][0]["starts_at_local"]["text"] == "Thứ Hai, 05/08/2024 00:00"
    ran = fire(closer, e2, LOCAL_REGION)
    [held] = [o for o in ran["outcomes"] if o["campaign_id"] == campaign.id]
    assert (held["outcome"], held["state"]) == ("awaiting_confirmation", "closing")
    assert held["unmeasured"] == {ids["J"]: ["reposts"]}
    week2_state = weeks.weeks(campaign.id, e2 + timedelta(hours=1))["weeks"][1]
    assert week2_state["state"] == "closing" and week2_state["awaiting_confirmation"]["awaiting"] == "confirm_unmeasured"
    with pytest.raises(Conflict) as not_closed:
        weeks.ranking(campaign.id, 2, None, e2 + timedelta(hours=1))
    assert not_closed.value.code == "week_not_closed"
    with pytest.raises(Conflict) as needs_confirmation:
        weeks.close_week(campaign.id, 2, e2 + timedelta(hours=2), ADMIN)
    assert needs_confirmation.value.code == "unmeasured_confirmation_required"
    with pytest.raises(Forbidden) as not_theirs:
        weeks.close_week(campaign.id, 2, e2 + timedelta(hours=2), ha_noi, confirm_unmeasured=True)
    assert not_theirs.value.code == "not_campaign_organiser"
    confirmed = weeks.close_week(campaign.id, 2, e2 + timedelta(hours=2), ADMIN, confirm_unmeasured=True)
    assert (confirmed["outcome"], confirmed["version"]) == ("closed", 1)
    audit = services().audit_store.for_entity("week", f"{campaign.id}#2")
    assert any(a.action == "close_week" and a.actor == "admin" and "confirm_unmeasured" in (a.reason or "")
               for a in audit)
    v2w2 = weeks.ranking(campaign.id, 2, None, e2 + timedelta(days=1))
    assert [names[r["entry_id"]] for r in v2w2["rows"]] == ["G", "H", "I", "J"]
    assert v2w2["rows"][3]["unmeasured_metrics"] == ["reposts"]

    # --- a disqualification after the close: version 2, the next entry promoted ---
    later = e2 + timedelta(days=1)
    out = review.disqualify(ha_noi, ids["A"], {"reason": "Tương tác bị thổi phồng bằng công cụ tự động."}, later)
    assert out["status"] == "disqualified"
    assert (out["week_result"]["week"], out["week_result"]["version"]) == (1, 2)
    v2 = weeks.ranking(campaign.id, 1, None, later)
    assert v2["version"] == 2 and v2["previous_hash"] == v1["hash"]
    assert [names[i] for i in v2["winners"]] == ["B"]
    assert [names[i] for i in v2["finalists"]] == ["B", "C", "D", "E", "F"]
    assert [names[d["entry_id"]] for d in v2["disqualified"]] == ["A"]
    still_v1 = weeks.ranking(campaign.id, 1, 1, later)
    assert (still_v1["hash"], still_v1["rows"]) == (v1["hash"], v1["rows"])
    report = verify_week(campaign.id, 1)
    assert report["ok"] and [v["version"] for v in report["versions"]] == [1, 2]
    assert verify_week(campaign.id, 2)["ok"]
    disqualification_audit = services().audit_store.for_entity("submission", ids["A"])
    assert disqualification_audit[0].action == "disqualify"
    assert (disqualification_audit[0].before["status"], disqualification_audit[0].after["status"]) == (
        "published", "disqualified")

    # --- final round: finalists of both weeks, the jury, prize tiers ---------
    jury_1 = Principal.for_unit("sub-jury-1", "jury", services().org_unit_store.find("dk-tw"), username="jury-1")
    pool = final.finalists(campaign.id, jury_1)
    assert [names[f["entry_id"]] for f in pool["finalists"]] == ["B", "C", "D", "E", "F", "G", "H", "I", "J"]
    assert {names[f["entry_id"]]: f["can_score"] for f in pool["finalists"]}["I"] is False
    with pytest.raises(ConflictOfInterest) as own:
        final.score(campaign.id, ids["I"], jury_1, {"points": {"message": 30, "creativity": 20, "craft": 20}}, later)
    assert own.value.code == "judge_own_subtree"
    totals = {"G": 90, "B": 85, "H": 80, "C": 80, "D": 70, "I": 65, "E": 60, "F": 55, "J": 50}
    for judge in (jury_1, JURY_EXTERNAL):
        for name, total in totals.items():
            if judge is jury_1 and name == "I":
                continue
            points = {"message": str(Decimal(total) * Decimal("0.4")),
                      "creativity": str(Decimal(total) * Decimal("0.3")), "craft": str(Decimal(total) * Decimal("0.3"))}
            final.score(campaign.id, ids[name], judge, {"points": points}, later)
    results = final.results(campaign.id, ADMIN)
    order = [names[s["entry_id"]] for s in results["standings"]]
    assert order[:2] == ["G", "B"] and set(order[2:4]) == {"C", "H"} and order[4:] == ["D", "I", "E", "F", "J"]
    prizes = {names[s["entry_id"]]: s["prize"] for s in results["standings"]}
    assert sorted([prizes.pop("C"), prizes.pop("H")]) == ["second", "third"]  # equal means: flagged below
    assert prizes == {"G": "first", "B": "second", "D": "third", "I": "third",
                      "E": "consolation", "F": "consolation", "J": "consolation"}
    [tie] = results["tie_flags"]
    assert (tie["upper_tier"], tie["lower_tier"], {names[i] for i in tie["entry_ids"]}) == ("second", "third", {"C", "H"})
    assert results["standings"][0]["prize_name_vi"] == "Giải Nhất" and results["complete"]

    # --- special awards at the campaign's end --------------------------------
    awards = {a["kind"]: a for a in final.awards(campaign.id, ADMIN, later)["awards"]}
    assert awards["most_entries_unit"]["winners"] == ["hcm-q1-ben-nghe"]  # F, G, H (A is out, K rejected)
    assert awards["most_entries_unit"]["winner_details"][0]["unit_name"] == "Đoàn phường Bến Nghé"
    assert [names[w] for w in awards["most_viewed_entry"]["winners"]] == ["G"]  # A had more, but is disqualified
    assert awards["most_viewed_entry"]["value"] == 50000

    # --- roll-up reports carry each branch's best frozen weekly score ---------
    report = services().reports.unit_report(ha_noi, campaign.id, "ha-noi")
    children = {c["unit_id"]: c for c in report["children"]}
    assert report["totals"]["best_weekly_score"] == 500  # A's week-1 score (frozen before it was disqualified)
    assert children["ha-noi-hoan-kiem"]["best_weekly_score"] == 200  # D
    assert report["totals"]["disqualified"] == 1
