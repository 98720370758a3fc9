"""A frozen week never changes: the close waits for the boundary reading, a reading that
arrives after the close is kept as late, and only an audited revision takes it in."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import week_result
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ingestion import Chunk, run_id
from chalicelib.domain.result_versions import StoredWeekResult
from chalicelib.services.engagement import EngagementService
from chalicelib.services.week_results import BOUNDARY_RUN_GRACE, WeekResultsService
from tests.fakes.stores import (
    FakeIngestionRuns,
    FakeLateReadings,
    FakeLiveScores,
    FakePublishedEntries,
    FakeQueue,
    FakeSnapshotWriter,
    FakeSource,
)
from tests.fakes.world import ADMIN, organiser_of

PUBLISHED = datetime(2024, 8, 5, 2, 0, tzinfo=timezone.utc)  # inside voting week 1
WEEK_1_ENDS = datetime(2024, 8, 11, 17, 0, tzinfo=timezone.utc)
ORGANISER = organiser_of("dk-tw")  # the campaign's organising unit
ZEROS = {"likes": 0, "saves": 0, "shares": 0, "reposts": 0, "comments": 0, "views": 0}
BEFORE_END = {"likes": 100, "saves": 10, "shares": 10, "reposts": 10, "comments": 0, "views": 1000}
AT_END = {"likes": 150, "saves": 12, "shares": 11, "reposts": 10, "comments": 1, "views": 1500}


class SnapshotTable(FakeSnapshotWriter):
    """One store of readings, as the real snapshots table is both to ingestion and to the close."""

    def history(self, submission_id: str, start: datetime, end: datetime, limit: int | None = None) -> list[Snapshot]:
        found = [s for s in self.for_entry(submission_id) if start <= s.at <= end]
        return found[:limit] if limit is not None else found

    def latest_before(self, submission_id: str, before: datetime, limit: int = 1) -> list[Snapshot]:
        return [s for s in self.for_entry(submission_id) if s.at < before][-limit:]


@dataclasses.dataclass
class Contest:
    weeks: WeekResultsService
    engagement: EngagementService
    table: SnapshotTable
    runs: FakeIngestionRuns
    late: FakeLateReadings
    entry_id: str


@pytest.fixture
def contest(world) -> Contest:
    table, runs, late = SnapshotTable(), FakeIngestionRuns(), FakeLateReadings()
    tiktok = FakeSource("tiktok", {"v1": dict(AT_END)})
    sheet = [["Mã video", "Lượt thích"], ["v1", 120]]
    engagement = EngagementService(
        world.campaigns, FakePublishedEntries(world.entries), table, FakeLiveScores(), runs, FakeQueue(),
        lambda platform: tiktok if platform == "tiktok" else None, read_table=lambda content, file_name: sheet,
        closed_weeks=world.week_results, late_readings=late,
    )
    weeks = WeekResultsService(world.campaigns, world.entries, table, world.week_results, world.units, world.audit,
                               world.best_scores, boundary_runs=runs, late_readings=late)
    entry = world.entry("ha-noi-ba-dinh-kim-ma", status="published", campaign_week=f"{world.campaign.id}#1",
                        platform_video="tiktok#v1", published_at=PUBLISHED)
    table.write([(entry.submission_id, world.campaign.id, Snapshot(PUBLISHED, "tiktok", ZEROS)),
                 (entry.submission_id, world.campaign.id,
                  Snapshot(WEEK_1_ENDS - timedelta(minutes=5), "tiktok", BEFORE_END))])
    return Contest(weeks, engagement, table, runs, late, entry.submission_id)


def boundary_run(contest: Contest) -> Chunk:
    """The Monday 00:00 boundary reading is fanned out; its one chunk is not ingested yet."""
    contest.engagement.fan_out(WEEK_1_ENDS, "boundary", WEEK_1_ENDS)
    [message] = contest.engagement.queue.sent
    return Chunk.from_message(message)


def close_value(world, version: int, metric: str = "likes") -> dict:
    document = world.week_results.get(world.campaign.id, 1, version).document
    [inputs] = document["inputs"]
    return inputs["metrics"][metric]["close"]


# --- the close waits for the boundary reading ----------------------------------------------


def test_the_scheduled_close_waits_for_an_unfinished_boundary_run_and_closes_once_it_finished(world, contest):
    chunk = boundary_run(contest)

    waiting = contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS)
    with pytest.raises(Conflict) as manual:
        contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + timedelta(minutes=1), principal=ORGANISER)

    assert (waiting["outcome"], waiting["state"]) == ("waiting_for_boundary", "closing")
    assert waiting["boundary_run"]["run_id"] == run_id(WEEK_1_ENDS, 1)
    assert manual.value.code == "boundary_reading_in_progress"
    assert world.week_results.latest(world.campaign.id, 1) is None

    contest.engagement.ingest_chunk(chunk, WEEK_1_ENDS + timedelta(minutes=3))  # the chunk finishes after the close
    [retried] = contest.weeks.close_due_weeks(WEEK_1_ENDS + timedelta(minutes=5), retry=True)

    assert (retried["outcome"], retried["version"]) == ("closed", 1)
    assert (close_value(world, 1)["method"], close_value(world, 1)["value"]) == ("exact", 150)
    assert contest.late.for_week(world.campaign.id, 1) == []
    assert contest.weeks.verify(world.campaign.id, 1)["ok"]


def test_a_dead_lettered_boundary_chunk_no_longer_holds_the_close(world, contest):
    chunk = boundary_run(contest)
    contest.engagement.chunk_failed(chunk, "TikTok answered 503", dead_lettered=True)

    closed = contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + timedelta(minutes=5))

    assert closed["outcome"] == "closed"
    assert close_value(world, 1)["method"] == "carried_forward"


def test_a_boundary_run_not_started_holds_the_scheduled_close_only_for_the_grace(world, contest):
    early = contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS)
    late = contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + BOUNDARY_RUN_GRACE)

    assert early["outcome"] == "waiting_for_boundary" and early["boundary_run"]["state"] == "not_started"
    assert late["outcome"] == "closed"


def test_the_retry_leaves_weeks_held_for_confirmation_and_old_weeks_alone(world, contest):
    world.week_results.put_pending(StoredWeekResult(world.campaign.id, 1, 0, {"awaiting": "confirm_unmeasured"},
                                                    None, WEEK_1_ENDS, "system", WEEK_1_ENDS))

    assert contest.weeks.close_due_weeks(WEEK_1_ENDS + timedelta(minutes=30), retry=True) == []
    assert world.audit_trail.actions() == []


# --- readings after the close are late ---------------------------------------------------------


def test_a_boundary_reading_written_after_the_close_is_late_and_changes_nothing(world, contest):
    closed = contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + BOUNDARY_RUN_GRACE)  # no run yet
    chunk = boundary_run(contest)

    contest.engagement.ingest_chunk(chunk, WEEK_1_ENDS + BOUNDARY_RUN_GRACE + timedelta(minutes=1))

    [late] = contest.late.for_week(world.campaign.id, 1)
    assert (late.entry_id, late.snapshot.at, late.snapshot.values["likes"]) == (contest.entry_id, WEEK_1_ENDS, 150)
    again = contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + timedelta(days=1), principal=ORGANISER)
    assert (again["outcome"], again["version"], again["hash"]) == ("unchanged", 1, closed["hash"])
    assert close_value(world, 1)["value"] == 100  # still the reading the close used
    ranking = contest.weeks.ranking(world.campaign.id, 1, None, WEEK_1_ENDS + timedelta(days=1))
    assert ranking["late_readings"] == {"count": 1, "entries": [contest.entry_id]}
    report = contest.weeks.verify(world.campaign.id, 1)
    assert report["ok"] and report["versions"][0]["recomputed_from"] == "recorded_readings"


def test_a_reading_for_an_instant_after_the_close_is_not_late(world, contest):
    contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + BOUNDARY_RUN_GRACE)
    after_close = WEEK_1_ENDS + timedelta(hours=1)

    imported = contest.engagement.import_sheet(world.campaign.id, ADMIN, b"sheet", "studio.csv", after_close,
                                               after_close + timedelta(minutes=1))

    assert imported["written"] == 1 and contest.late.for_week(world.campaign.id, 1) == []


def test_an_import_stamped_before_the_close_enters_only_through_an_audited_revision(world, contest):
    closed_at = WEEK_1_ENDS + timedelta(hours=1)
    first = contest.weeks.close_week(world.campaign.id, 1, closed_at)
    assert first["outcome"] == "closed"

    contest.engagement.import_sheet(world.campaign.id, ADMIN, b"sheet", "studio.csv",
                                    WEEK_1_ENDS - timedelta(minutes=1), closed_at + timedelta(hours=2))

    ranking = contest.weeks.ranking(world.campaign.id, 1, None, closed_at + timedelta(hours=3))
    assert ranking["version"] == 1 and ranking["late_readings"] == {"count": 1, "entries": [contest.entry_id]}
    assert contest.weeks.close_week(world.campaign.id, 1, closed_at + timedelta(hours=3))["outcome"] == "unchanged"

    revised = contest.weeks.revise_with_late_readings(world.campaign.id, 1, ORGANISER, "Số liệu TikTok Studio đến muộn",
                                                      closed_at + timedelta(hours=4))

    assert (revised["outcome"], revised["version"], revised["late_readings_used"]) == ("revised", 2, 1)
    assert (close_value(world, 2)["value"], close_value(world, 2)["basis"][0]["source"]) == (120, "organiser-import")
    assert close_value(world, 1)["value"] == 100  # version 1 stays exactly as it was
    v2 = world.week_results.get(world.campaign.id, 1, 2)
    assert v2.document["previous_hash"] == first["hash"] and v2.reason.endswith("Số liệu TikTok Studio đến muộn")
    report = contest.weeks.verify(world.campaign.id, 1)
    assert report["ok"] and [v["version"] for v in report["versions"]] == [1, 2]
    [audit] = [e for e in world.audit_trail.entries if e.action == "revise_week"]
    assert (audit.before["version"], audit.after["version"], audit.after["late_readings"]) == (1, 2, 1)
    after = contest.weeks.ranking(world.campaign.id, 1, None, closed_at + timedelta(hours=5))
    assert after["version"] == 2 and after["late_readings"] == {"count": 0, "entries": []}
    with pytest.raises(Conflict) as nothing_left:
        contest.weeks.revise_with_late_readings(world.campaign.id, 1, ORGANISER, "lại", closed_at + timedelta(hours=6))
    assert nothing_left.value.code == "no_late_readings"


def test_a_revision_needs_a_reason_and_the_campaigns_organiser(world, contest):
    contest.weeks.close_week(world.campaign.id, 1, WEEK_1_ENDS + timedelta(hours=1))

    with pytest.raises(Exception) as no_reason:
        contest.weeks.revise_with_late_readings(world.campaign.id, 1, ORGANISER, "  ", WEEK_1_ENDS + timedelta(days=1))
    with pytest.raises(Exception) as not_theirs:
        contest.weeks.revise_with_late_readings(world.campaign.id, 1, organiser_of("hcm-q1-da-kao"), "x",
                                                WEEK_1_ENDS + timedelta(days=1))

    assert no_reason.value.code == "revision_reason_required"
    assert not_theirs.value.code == "not_campaign_organiser"


# --- results frozen before readings were recorded ------------------------------------------------


def test_a_version_frozen_before_readings_were_recorded_still_verifies_from_its_close_instant(world, contest):
    closed_at = WEEK_1_ENDS + timedelta(hours=1)
    contest.weeks.close_week(world.campaign.id, 1, closed_at)
    stored = world.week_results.get(world.campaign.id, 1, 1)
    legacy = week_result._seal(dataclasses.replace(week_result.WeekResult.from_dict(stored.document), readings=None))
    assert "readings" not in legacy.to_dict()
    world.week_results.items[(world.campaign.id, 1, 1)] = dataclasses.replace(
        stored, document=legacy.to_dict(), hash=legacy.hash)

    report = contest.weeks.verify(world.campaign.id, 1)
    again = contest.weeks.close_week(world.campaign.id, 1, closed_at + timedelta(days=1))

    assert report["ok"] and report["versions"][0]["recomputed_from"] == "snapshots_as_of"
    assert (again["outcome"], again["hash"]) == ("unchanged", legacy.hash)


def test_a_waiting_close_is_retried_every_five_minutes_by_the_cloud_and_the_local_scheduler():
    import app
    from chalicelib.local.scheduler import next_fire_time, schedule_bindings

    [retry] = [b for b in schedule_bindings(app.app) if b.name == "retry_waiting_week_closes"]

    assert next_fire_time(retry.expression, WEEK_1_ENDS) == WEEK_1_ENDS + timedelta(minutes=5)


def test_a_result_records_only_the_readings_its_boundaries_came_from_and_recomputes_from_them(world):
    from chalicelib.domain.scoring import WeekEntry

    hourly = [Snapshot(PUBLISHED + timedelta(hours=h), "tiktok", {m: h for m in ZEROS}) for h in range(0, 200, 6)]
    entry = WeekEntry("e1", PUBLISHED, hourly)

    frozen = week_result.freeze_week(world.campaign, 1, [entry], WEEK_1_ENDS + timedelta(hours=1))

    recorded = frozen.readings["e1"]
    assert 0 < len(recorded) <= 2 < len(hourly)  # the last reading before the end (and one after, if any)
    assert week_result.recompute(frozen).hash == frozen.hash
    assert week_result.verify(frozen.to_dict())
    tampered = dataclasses.replace(frozen, readings={"e1": (dataclasses.replace(recorded[0], values={**ZEROS}),)})
    assert week_result.recompute(tampered).hash != frozen.hash
