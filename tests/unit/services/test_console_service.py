"""Bulk approval, reason templates and the overview on fakes: each outcome and each refusal."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.services.console import ConsoleService
from chalicelib.services.overview import OverviewService
from chalicelib.services.review import ReviewService
from chalicelib.services.week_results import WeekResultsService
from tests.fakes.stores import FakeCounters, FakeEntryActivity, FakeIngestionRuns, FakeReasonTemplates, FakeUnitTree
from tests.fakes.world import ADMIN, NATIONAL_FILE, build_world, organiser_of

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)
BA_DINH = organiser_of("ha-noi-ba-dinh")


@pytest.fixture
def weeks(world) -> WeekResultsService:
    return WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                              world.audit, world.best_scores)


@pytest.fixture
def console(world, weeks) -> ConsoleService:
    review = ReviewService(world.entries, world.snapshots, weeks, world.audit, world.units)
    return ConsoleService(world.entries, world.snapshots, None, weeks, review,  # type: ignore[arg-type]
                          FakeReasonTemplates(), world.audit)



@pytest.fixture
def world():
    """The national sample: the provinces review their own branch (who reviews is test_review_rules.py's)."""
    world = build_world(NATIONAL_FILE)
    world.campaign = world.campaign.model_copy(
        update={"review_delegated_to": [*world.campaign.review_delegated_to, 'ha-noi-ba-dinh']})
    world.campaigns.put(world.campaign)
    return world

def test_bulk_approval_approves_what_it_may_and_names_each_refusal(world, console):
    mine = [world.entry(status="valid").submission_id for _ in range(2)]
    elsewhere = world.entry(unit_id="hcm-q1-ben-nghe", status="valid").submission_id
    waiting = world.entry(status="awaiting_upload").submission_id
    answer = console.bulk_approve(BA_DINH, world.campaign.id, {"submission_ids": [*mine, elsewhere, waiting]}, NOW)
    assert (answer["approved"], answer["refused"]) == (2, 2)
    codes = {r["submission_id"]: r.get("error", {}).get("code") for r in answer["results"]}
    assert codes == {mine[0]: None, mine[1]: None, elsewhere: "submission_not_found", waiting: "not_reviewable"}
    assert {world.entries.get(i).status for i in mine} == {"approved"}
    assert world.entries.get(elsewhere).status == "valid"
    actions = [e.action for e in world.audit_trail.entries]
    assert actions.count("approve") == 2 and actions[-1] == "bulk_approve"


def test_reason_templates_are_versioned_and_edited_by_the_campaigns_organisers_only(world, console):
    assert console.reason_templates(BA_DINH, world.campaign.id)["version"] == 0
    body = {"version": 0, "templates": [{"text_vi": "Âm thanh rè."}]}
    saved = console.replace_reason_templates(ADMIN, world.campaign.id, body, NOW)
    assert saved["version"] == 1 and saved["templates"][0]["text_en"] == "Âm thanh rè."
    with pytest.raises(Conflict):
        console.replace_reason_templates(ADMIN, world.campaign.id, body, NOW)
    with pytest.raises(InvalidInput):
        console.replace_reason_templates(ADMIN, world.campaign.id, {"templates": []}, NOW)
    if world.campaign.organiser_unit:
        with pytest.raises(Forbidden):
            console.replace_reason_templates(organiser_of("hcm"), world.campaign.id, {**body, "version": 1}, NOW)


def test_the_overview_counts_the_callers_branch_since_vietnam_midnight(world):
    today_vn = NOW.astimezone(world.campaign.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    world.entry(status="valid", created_at=today_vn + timedelta(minutes=1))
    world.entry(status="valid", created_at=today_vn - timedelta(minutes=1))  # yesterday, this week
    world.entry(unit_id="hcm-q1-ben-nghe", status="valid", created_at=today_vn + timedelta(minutes=2))
    overview = OverviewService(world.campaigns, FakeUnitTree(world.units.tree), FakeCounters(), FakeEntryActivity(world.entries),
                               FakeIngestionRuns(), lambda *a: {}, lambda *a: {}, 60)
    mine = overview.overview(BA_DINH, world.campaign.id, NOW)
    assert mine["entries"]["today"]["by_status"]["valid"] == 1
    assert mine["entries"]["this_week"]["by_status"]["valid"] == 2
    assert overview.overview(ADMIN, world.campaign.id, NOW)["entries"]["today"]["total"] == 2
    assert mine["ingestion"]["last_run"] is None
