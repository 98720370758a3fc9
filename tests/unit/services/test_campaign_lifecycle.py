"""Campaigns over their lifecycle: created as drafts, edited on a named version, opened, closed,
archived or deleted, with what may change governed by what already happened."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.services.campaigns import CampaignService
from tests.fakes.world import ADMIN, DURING_SUBMISSIONS, organiser_of
from tests.unit.services.test_frozen_week import WEEK_1_ENDS, contest  # noqa: F401 - the fixture

BEFORE_SUBMISSIONS = datetime(2024, 4, 1, tzinfo=timezone.utc)
AFTER_WEEK_1 = WEEK_1_ENDS + timedelta(hours=2)
ORGANISER = organiser_of("dk-tw")


class Daily:
    def __init__(self) -> None:
        self.days: dict[str, list] = {}

    def daily(self, campaign_id: str) -> list:
        return self.days.get(campaign_id, [])

    def branch(self, campaign_id: str, path: str) -> dict:
        return {}


@pytest.fixture
def service(world) -> CampaignService:
    return CampaignService(world.campaigns, world.units, world.week_results, Daily(), world.audit)


def draft_body(world, campaign_id: str = "cuoc-thi-moi", **changes) -> dict:
    body = {**world.campaign.to_document(), "id": campaign_id, **changes}
    for key in ("status", "version", "rules_version"):
        body.pop(key)
    return body


def open_campaign(service, world, now=BEFORE_SUBMISSIONS, **changes):
    created = service.create(ADMIN, draft_body(world, **changes), now)
    return service.transition(ADMIN, created.id, "open", created.version, now)


# --- creating -------------------------------------------------------------------------

def test_an_admin_creates_a_draft_at_version_one_recorded_and_audited(service, world):
    created = service.create(ADMIN, {**draft_body(world), "status": "open", "version": 7}, BEFORE_SUBMISSIONS)

    assert (created.status, created.version, created.rules_version) == ("draft", 1, 1)
    [version] = world.campaigns.versions("cuoc-thi-moi")
    assert (version.version, version.action, version.actor) == (1, "create", "admin")
    [audited] = world.audit_trail.entries
    assert (audited.action, audited.entity_id, audited.after["status"]) == ("create_campaign", "cuoc-thi-moi", "draft")


def test_an_organiser_creates_campaigns_of_their_own_unit_only(service, world):
    own = service.create(ORGANISER, draft_body(world, "cua-doan-khoi"), BEFORE_SUBMISSIONS)
    assert own.organiser_unit == "dk-tw"
    unnamed = service.create(ORGANISER, draft_body(world, "khong-ghi-don-vi", organiser_unit=None), BEFORE_SUBMISSIONS)
    assert unnamed.organiser_unit == "dk-tw"

    with pytest.raises(Forbidden) as refused:
        service.create(organiser_of("ha-noi"), draft_body(world, "cua-nguoi-khac"), BEFORE_SUBMISSIONS)
    assert refused.value.code == "not_campaign_editor"
    with pytest.raises(Forbidden):  # a unit above the organising one does not make its campaigns either
        service.create(organiser_of("tw"), draft_body(world, "cua-cap-duoi"), BEFORE_SUBMISSIONS)


def test_a_campaign_that_breaks_the_rules_names_each_bad_field(service, world):
    body = draft_body(world)
    body["scoring"] = {"weights": {}}
    body["platforms"] = []
    with pytest.raises(InvalidInput) as refused:
        service.create(ADMIN, body, BEFORE_SUBMISSIONS)
    assert refused.value.code == "invalid_fields"
    fields = {p["field"] for p in refused.value.details["problems"]}
    assert {"scoring.weights", "platforms"} <= fields


def test_an_unknown_organising_unit_and_a_taken_id_are_refused(service, world):
    with pytest.raises(InvalidInput) as unknown:
        service.create(ADMIN, draft_body(world, organiser_unit="khong-co"), BEFORE_SUBMISSIONS)
    assert unknown.value.code == "unknown_organiser_unit"
    with pytest.raises(Conflict) as taken:
        service.create(ADMIN, draft_body(world, world.campaign.id), BEFORE_SUBMISSIONS)
    assert taken.value.code == "campaign_exists"


# --- editing on a named version ---------------------------------------------------------

def test_a_patch_changes_only_what_it_names_and_records_the_change(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    patched = service.patch(ORGANISER, created.id, {"name_vi": "Tên mới", "rounds": {"finalists_per_week": 3}},
                            1, BEFORE_SUBMISSIONS)

    assert (patched.version, patched.name_vi, patched.rounds.finalists_per_week) == (2, "Tên mới", 3)
    assert patched.rounds.winners_per_week == 1 and patched.media == created.media
    latest = world.campaigns.versions(created.id)[-1]
    assert {c["field"] for c in latest.changes} == {"name_vi", "rounds"}
    assert latest.actor == ORGANISER.username and latest.document["name_vi"] == "Tên mới"


def test_a_merge_patch_null_removes_a_field(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    patched = service.patch(ADMIN, created.id, {"hashtag": None}, 1, BEFORE_SUBMISSIONS)
    assert patched.hashtag is None


def test_two_editors_of_one_version_never_overwrite_each_other(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    service.patch(ADMIN, created.id, {"name_vi": "Sửa thứ nhất"}, 1, BEFORE_SUBMISSIONS)
    with pytest.raises(Conflict) as stale:
        service.patch(ORGANISER, created.id, {"name_en": "Second edit"}, 1, BEFORE_SUBMISSIONS)
    assert stale.value.code == "campaign_version_conflict"
    assert stale.value.details["current_version"] == 2
    with pytest.raises(InvalidInput) as missing:
        service.replace(ADMIN, created.id, draft_body(world), None, BEFORE_SUBMISSIONS)
    assert missing.value.code == "version_required"


def test_the_store_refuses_a_write_made_on_a_version_that_moved_meanwhile(world):
    created = CampaignService(world.campaigns, world.units, world.week_results, Daily(), world.audit).create(
        ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    assert world.campaigns.replace(created.model_copy(update={"version": 2}), 1, None)
    assert not world.campaigns.replace(created.model_copy(update={"version": 2}), 1, None)


def test_a_put_replaces_the_whole_campaign_but_never_its_id_or_status(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    replaced = service.replace(ADMIN, created.id, draft_body(world, special_awards=[]), 1, BEFORE_SUBMISSIONS)
    assert (replaced.version, replaced.special_awards) == (2, [])
    with pytest.raises(InvalidInput) as renamed:
        service.replace(ADMIN, created.id, draft_body(world, "ten-khac"), 2, BEFORE_SUBMISSIONS)
    assert renamed.value.code == "campaign_id_mismatch"
    with pytest.raises(InvalidInput) as status:
        service.replace(ADMIN, created.id, {**draft_body(world), "status": "open"}, 2, BEFORE_SUBMISSIONS)
    assert status.value.code == "status_not_editable"


def test_an_edit_that_changes_nothing_makes_no_version(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    same = service.patch(ADMIN, created.id, {"name_vi": created.name_vi}, 1, BEFORE_SUBMISSIONS)
    assert same.version == 1 and len(world.campaigns.versions(created.id)) == 1


def test_only_admins_and_the_organising_units_organisers_edit(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    for outsider in (organiser_of("tw"), organiser_of("dk-tw-bo-ct"), organiser_of("ha-noi")):
        with pytest.raises((Forbidden, NotFound)):
            service.patch(outsider, created.id, {"name_vi": "X"}, 1, BEFORE_SUBMISSIONS)
    with pytest.raises(Forbidden) as moved:
        service.patch(ORGANISER, created.id, {"organiser_unit": "ha-noi"}, 1, BEFORE_SUBMISSIONS)
    assert moved.value.code == "not_campaign_editor"


# --- lifecycle ----------------------------------------------------------------------------

def test_a_campaign_moves_draft_open_closed_archived_and_never_back(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    opened = service.transition(ORGANISER, created.id, "open", None, BEFORE_SUBMISSIONS)
    assert (opened.status, opened.version) == ("open", 2)
    with pytest.raises(Conflict) as again:
        service.transition(ADMIN, created.id, "open", None, BEFORE_SUBMISSIONS)
    assert again.value.code == "invalid_transition"
    closed = service.transition(ADMIN, created.id, "close", 2, BEFORE_SUBMISSIONS)
    with pytest.raises(Conflict) as edit_closed:
        service.patch(ADMIN, created.id, {"name_vi": "Muộn"}, closed.version, BEFORE_SUBMISSIONS)
    assert edit_closed.value.code == "campaign_not_editable"
    archived = service.transition(ADMIN, created.id, "archive", None, BEFORE_SUBMISSIONS)
    assert archived.status == "archived"
    actions = [v.action for v in world.campaigns.versions(created.id)]
    assert actions == ["create", "open", "close", "archive"]
    assert world.campaigns.versions(created.id)[1].changes == (
        {"field": "status", "before": "draft", "after": "open"},)


def test_a_draft_takes_no_entries_and_runs_no_schedule(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    assert not created.is_open_for_submissions(DURING_SUBMISSIONS) and not created.runs_schedules
    opened = service.transition(ADMIN, created.id, "open", None, BEFORE_SUBMISSIONS)
    assert opened.is_open_for_submissions(DURING_SUBMISSIONS) and opened.runs_schedules


def test_drafts_are_seen_only_by_who_may_edit_them(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    assert created.id not in {c.id for c in service.listed(None)}
    assert created.id not in {c.id for c in service.listed(organiser_of("ha-noi"))}
    assert created.id in {c.id for c in service.listed(ORGANISER)}
    with pytest.raises(NotFound) as hidden:
        service.visible(created.id, None)
    assert hidden.value.code == "campaign_not_found"
    assert service.visible(created.id, ADMIN).id == created.id


def test_only_a_draft_without_entries_is_deleted(service, world):
    created = service.create(ADMIN, draft_body(world), BEFORE_SUBMISSIONS)
    service.counters.days[created.id] = [(DURING_SUBMISSIONS.date(), 1, 0)]
    with pytest.raises(Conflict) as has_entries:
        service.delete(ADMIN, created.id, None, BEFORE_SUBMISSIONS)
    assert has_entries.value.code == "campaign_has_entries"
    service.counters.days.clear()
    assert service.delete(ORGANISER, created.id, 1, BEFORE_SUBMISSIONS)["deleted"]
    assert world.campaigns.get(created.id) is None
    assert world.audit_trail.entries[-1].action == "delete_campaign"

    opened = open_campaign(service, world)
    with pytest.raises(Conflict) as not_draft:
        service.delete(ADMIN, opened.id, None, BEFORE_SUBMISSIONS)
    assert not_draft.value.code == "campaign_not_draft"


# --- governance once submissions opened ---------------------------------------------------

def test_before_submissions_open_an_open_campaigns_media_rules_may_still_change(service, world):
    opened = open_campaign(service, world)
    media = {**opened.media.to_dict(), "containers": ["mp4"]}
    changed = service.patch(ADMIN, opened.id, {"media": media}, opened.version, BEFORE_SUBMISSIONS)
    assert changed.media.containers == ("mp4",) or list(changed.media.containers) == ["mp4"]


@pytest.mark.parametrize("patch, code", [
    ({"media": {"duration": {"min_seconds": 5, "max_seconds": 180}}}, "media_locked"),
    ({"entry_kind": "link"}, "entry_kind_locked"),
    ({"timezone": "Asia/Bangkok"}, "timezone_locked"),
    ({"submission_window": {"opens_at": "2024-05-02T00:00:00"}}, "submission_window_locked"),
])
def test_what_entries_were_made_under_is_fixed_once_submissions_open(service, world, patch, code):
    opened = open_campaign(service, world)
    with pytest.raises(Conflict) as refused:
        service.patch(ADMIN, opened.id, patch, opened.version, DURING_SUBMISSIONS)
    assert refused.value.code == code
    assert refused.value.details["field"] == code.removesuffix("_locked")


def test_the_submission_window_may_still_be_extended(service, world):
    opened = open_campaign(service, world)
    extended = service.patch(ADMIN, opened.id, {"submission_window": {"closes_at": "2024-09-01T00:00:00"}},
                             opened.version, DURING_SUBMISSIONS)
    assert extended.submission_window.closes_at.day == 1 and extended.version == opened.version + 1


def test_a_started_week_keeps_its_dates_and_later_weeks_may_move(service, world):
    opened = open_campaign(service, world)
    weeks = [w.model_dump(mode="json") for w in opened.voting_weeks]
    moved_first = [{**weeks[0], "ends_at": "2024-08-11T00:00:00"}, *weeks[1:]]
    with pytest.raises(Conflict) as refused:
        service.patch(ADMIN, opened.id, {"voting_weeks": moved_first}, opened.version, AFTER_WEEK_1)
    assert (refused.value.code, refused.value.details["week"]) == ("voting_weeks_locked", 1)
    dropped_last = weeks[:3]
    changed = service.patch(ADMIN, opened.id, {"voting_weeks": dropped_last}, opened.version, AFTER_WEEK_1)
    assert [w.number for w in changed.voting_weeks] == [1, 2, 3]


def test_new_weights_apply_to_weeks_not_closed_as_a_new_rules_version(service, world, contest):  # noqa: F811
    contest.weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1, ADMIN)
    before = world.campaigns.require(world.campaign.id)

    changed = service.patch(ADMIN, before.id, {"scoring": {"weights": {"likes": 1, "reposts": 10}}},
                            before.version, AFTER_WEEK_1)

    assert (changed.version, changed.rules_version) == (before.version + 1, before.rules_version + 1)
    frozen = world.week_results.latest(before.id, 1).document
    assert frozen["rules"]["weights"]["reposts"] == 5 and frozen["rules_version"] == before.rules_version
    assert contest.weeks.verify(before.id, 1)["ok"]
    weeks = {w["number"]: w for w in contest.weeks.weeks(before.id, AFTER_WEEK_1)["weeks"]}
    assert (weeks[1]["rules_version"], weeks[2]["rules_version"]) == (before.rules_version, None)
    renamed = service.patch(ADMIN, before.id, {"name_en": "Renamed"}, changed.version, AFTER_WEEK_1)
    assert renamed.rules_version == changed.rules_version  # a name is no rule


@pytest.mark.parametrize("patch, code", [
    ({"scoring": {"weights": {"likes": 2}}}, "scoring_locked"),
    ({"rounds": {"finalists_per_week": 3}}, "rounds_locked"),
    ({"prizes": []}, "prizes_locked"),
])
def test_once_every_week_is_closed_no_rule_changes(service, world, patch, code):
    from chalicelib.domain.result_versions import StoredWeekResult

    campaign = world.campaign
    for week in campaign.voting_weeks:
        world.week_results.items[(campaign.id, week.number, 1)] = StoredWeekResult(
            campaign.id, week.number, 1, {}, "sha256:x", AFTER_WEEK_1, "admin", AFTER_WEEK_1)
    with pytest.raises(Conflict) as refused:
        service.patch(ADMIN, campaign.id, patch, campaign.version, datetime(2024, 9, 3, tzinfo=timezone.utc))
    assert refused.value.code == code
