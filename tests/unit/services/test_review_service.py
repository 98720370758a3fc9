"""Review, publication and disqualification on fakes: each transition, and each refusal."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.entry_views import organiser_view
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services.review import ReviewService
from chalicelib.services.week_results import WeekResultsService
from chalicelib.domain.errors import Forbidden
from tests.fakes.world import ADMIN, NATIONAL_FILE, build_world, organiser_of

NOW = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)  # voting week 1 of the sample campaign
PUBLISHED_AT = "2024-08-05T09:00:00+07:00"
AFTER_WEEK_1 = datetime(2024, 8, 12, 0, 0, tzinfo=timezone.utc)
KIM_MA = organiser_of("ha-noi-ba-dinh-kim-ma")
HA_NOI = organiser_of("ha-noi")
HCM = organiser_of("hcm")
TW = organiser_of("tw")


@pytest.fixture
def world():
    """The national sample: organised by `tw`, review delegated to the provinces (Hà Nội among them),
    so Hà Nội's organisers review the Kim Mã entries these tests file."""
    return build_world(NATIONAL_FILE)


@pytest.fixture
def weeks(world) -> WeekResultsService:
    return WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                              world.audit, world.best_scores)


@pytest.fixture
def review(world, weeks) -> ReviewService:
    return ReviewService(world.entries, world.snapshots, weeks, world.audit, world.units)


def publication(video_id: str = "v1", **changes) -> dict:
    return {"platform": "tiktok", "video_id": video_id, "url": f"https://www.tiktok.com/@a/video/{video_id}",
            "published_at": PUBLISHED_AT, **changes}


def moved_by_someone_else(world, submission_id: str, **changes) -> None:
    """Another organiser's write lands between this organiser's read and write."""
    read = world.entries.get

    def get_then_move(asked: str):
        seen = read(asked)
        if asked == submission_id and seen is not None:
            world.entries.items[asked] = replace(seen, **changes)
        return seen

    world.entries.get = get_then_move


# --- review -------------------------------------------------------------------

def test_an_organiser_approves_a_valid_entry_of_their_branch(world, review):
    entry = world.entry(status="valid")

    view = review.review(HA_NOI, entry.submission_id, {"decision": "approve"}, NOW)

    stored = world.entries.get(entry.submission_id)
    assert stored.status == "approved" and stored.review["reviewed_by"] == HA_NOI.username
    assert view == organiser_view(stored)
    [audited] = world.audit_trail.entries
    assert (audited.action, audited.before["status"], audited.after["status"]) == ("approve", "valid", "approved")


def test_a_rejection_keeps_the_reason_the_participant_reads(world, review):
    entry = world.entry(status="valid")

    view = review.review(HA_NOI, entry.submission_id, {"decision": "reject", "reason": "Video bị mờ."}, NOW)

    assert view["status"] == "rejected" and view["review"]["rejection_reason"] == "Video bị mờ."
    assert world.audit_trail.entries[0].reason == "Video bị mờ."


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(world, review):
    entry = world.entry(status="valid")

    with pytest.raises(InvalidInput) as refused:
        review.review(HA_NOI, entry.submission_id, {"decision": "reject"}, NOW)

    assert refused.value.code == "rejection_reason_required"
    assert world.entries.get(entry.submission_id).status == "valid" and world.audit_trail.entries == []


@pytest.mark.parametrize("status", ["awaiting_upload", "invalid", "approved", "published"])
def test_only_a_valid_entry_can_be_reviewed(world, review, status):
    entry = world.entry(status=status)

    with pytest.raises(Conflict) as refused:
        review.review(HA_NOI, entry.submission_id, {"decision": "approve"}, NOW)

    assert refused.value.code == "not_reviewable"
    assert world.entries.get(entry.submission_id).status == status


def test_an_entry_changed_meanwhile_is_not_reviewed_twice(world, review):
    entry = world.entry(status="valid")
    moved_by_someone_else(world, entry.submission_id, status="rejected")

    with pytest.raises(Conflict) as refused:
        review.review(HA_NOI, entry.submission_id, {"decision": "approve"}, NOW)

    assert refused.value.code == "entry_changed"
    assert world.entries.items[entry.submission_id].status == "rejected" and world.audit_trail.entries == []


def test_an_entry_outside_the_organisers_branch_looks_missing(world, review):
    entry = world.entry(status="valid")

    with pytest.raises(NotFound) as refused:
        review.review(HCM, entry.submission_id, {"decision": "approve"}, NOW)

    assert refused.value.code == "submission_not_found"
    assert world.entries.get(entry.submission_id).status == "valid"


# --- who reviews -------------------------------------------------------------------

@pytest.mark.parametrize("reader", [KIM_MA, organiser_of("ha-noi-ba-dinh")], ids=["grassroots", "district"])
def test_an_organiser_who_only_reads_the_branch_changes_nothing(world, review, reader):
    entry = world.entry(status="valid")

    with pytest.raises(Forbidden) as refused:
        review.review(reader, entry.submission_id, {"decision": "approve"}, NOW)
    with pytest.raises(Forbidden):
        review.publish(reader, world.entry(status="approved").submission_id, publication(), NOW)

    assert refused.value.code == "not_campaign_reviewer"
    assert world.entries.get(entry.submission_id).status == "valid" and world.audit_trail.entries == []
    assert review.snapshot_history(reader, entry.submission_id)["submission_id"] == entry.submission_id


def test_the_organising_units_organisers_review_every_branch():
    world = build_world()  # khat-vong-hung-cuong: organised by Đoàn Khối, nothing delegated
    review = ReviewService(world.entries, world.snapshots, WeekResultsService(
        world.campaigns, world.entries, world.snapshots, world.week_results, world.units, world.audit,
        world.best_scores), world.audit, world.units)
    entry = world.entry("dk-tw-bo-ct-vp", status="valid")

    for outsider, refusal in ((HA_NOI, NotFound), (organiser_of("dk-tw-bo-ct"), Forbidden), (TW, Forbidden)):
        with pytest.raises(refusal):
            review.review(outsider, entry.submission_id, {"decision": "approve"}, NOW)
    view = review.review(organiser_of("dk-tw"), entry.submission_id, {"decision": "approve"}, NOW)

    assert view["status"] == "approved"


# --- publication ----------------------------------------------------------------

def test_publishing_an_approved_entry_enters_it_in_its_voting_week(world, review):
    entry = world.entry(status="approved")

    view = review.publish(HA_NOI, entry.submission_id, publication(), NOW)

    stored = world.entries.get(entry.submission_id)
    assert (stored.status, stored.campaign_week, stored.platform_video) == (
        "published", f"{world.campaign.id}#1", "tiktok#v1")
    assert view["published_at"] == "2024-08-05T02:00:00Z"
    assert world.audit_trail.actions() == ["publish"]


def test_a_valid_entry_not_yet_approved_cannot_be_published(world, review):
    entry = world.entry(status="valid")

    with pytest.raises(Conflict) as refused:
        review.publish(HA_NOI, entry.submission_id, publication(), NOW)

    assert refused.value.code == "not_publishable"


def test_one_video_cannot_be_linked_to_two_entries(world, review):
    first, second = world.entry(status="approved"), world.entry(status="approved")
    review.publish(HA_NOI, first.submission_id, publication("same"), NOW)

    with pytest.raises(Conflict) as refused:
        review.publish(HA_NOI, second.submission_id, publication("same"), NOW)

    assert refused.value.code == "video_already_linked"
    assert world.entries.get(second.submission_id).status == "approved"


def test_a_closed_week_takes_no_new_entry(world, review, weeks):
    weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)  # an empty week closes too
    entry = world.entry(status="approved")

    with pytest.raises(Conflict) as refused:
        review.publish(HA_NOI, entry.submission_id, publication(), AFTER_WEEK_1)

    assert refused.value.code == "week_closed"


# --- disqualification -------------------------------------------------------------

def test_disqualifying_in_an_open_week_removes_the_entry_from_competition(world, review):
    entry = world.entry(status="approved")
    review.publish(HA_NOI, entry.submission_id, publication(), NOW)

    view = review.disqualify(ADMIN, entry.submission_id, {"reason": "Mua tương tác."}, NOW)

    assert view["status"] == "disqualified" and "week_result" not in view
    assert view["review"]["disqualification"]["reason"] == "Mua tương tác."
    assert world.audit_trail.actions() == ["publish", "disqualify"]


def test_disqualifying_in_a_closed_week_writes_the_weeks_next_result_version(world, review, weeks):
    cheat, honest = world.entry(status="approved"), world.entry(status="approved")
    for n, entry in enumerate((cheat, honest)):
        review.publish(HA_NOI, entry.submission_id, publication(f"v{n}"), NOW)
        world.snapshots.add(entry.submission_id, Snapshot(
            datetime(2024, 8, 11, 16, 0, tzinfo=timezone.utc), "tiktok",
            {"likes": 100 - n, "saves": 5, "shares": 5, "reposts": 1, "comments": 0, "views": 1000}))
    assert weeks.close_week(world.campaign.id, 1, AFTER_WEEK_1)["outcome"] == "closed"

    view = review.disqualify(ADMIN, cheat.submission_id, {"reason": "Mua tương tác."}, AFTER_WEEK_1)

    assert view["week_result"]["version"] == 2
    revised = world.week_results.latest(world.campaign.id, 1)
    assert revised.version == 2 and cheat.submission_id in {d["entry_id"] for d in revised.document["disqualified"]}
    assert world.audit_trail.actions()[-2:] == ["disqualify", "revise_week_result"]


def test_a_rejected_entry_cannot_be_disqualified(world, review):
    entry = world.entry(status="rejected")

    with pytest.raises(Conflict) as refused:
        review.disqualify(ADMIN, entry.submission_id, {"reason": "x"}, NOW)

    assert refused.value.code == "not_disqualifiable"


def test_a_disqualification_racing_another_change_is_refused(world, review):
    entry = world.entry(status="approved")
    moved_by_someone_else(world, entry.submission_id, status="published", campaign_week="khat-vong-hung-cuong#1")

    with pytest.raises(Conflict) as refused:
        review.disqualify(ADMIN, entry.submission_id, {"reason": "x"}, NOW)

    assert refused.value.code == "entry_changed"
    assert world.entries.items[entry.submission_id].status == "published"
