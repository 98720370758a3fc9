"""Publishing the final results on fakes: what is refused, what is written, who hears of it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.jury import JudgeAssignment, JuryPool, PoolEntry, Scorecard
from chalicelib.services.final_round import FinalRoundService
from chalicelib.services.week_results import WeekResultsService
from tests.fakes.notifications import RecordedEvents
from tests.fakes.stores import FakeJudgePanels, FakeResultPublications
from tests.fakes.world import ADMIN, build_world

NOW = datetime(2025, 1, 10, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def events() -> RecordedEvents:
    return RecordedEvents()


@pytest.fixture
def publications() -> FakeResultPublications:
    return FakeResultPublications()


def final_round(world, events, publications, pending: tuple[int, ...] = ()) -> tuple[FinalRoundService, list[str]]:
    """The service with a closed pool of two entries stood in for the frozen weeks."""
    weeks = WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                               world.audit, world.best_scores)
    panel = FakeJudgePanels()
    panel.assign(JudgeAssignment(world.campaign.id, "jury-1", "admin", NOW))
    service = FinalRoundService(weeks, world.scorecards, world.audit, panel, publications=publications,
                                notifications=events)
    ids = [world.entry(status="published").submission_id for _ in range(2)]
    pool = JuryPool(tuple(PoolEntry(e, 1, i + 1) for i, e in enumerate(ids)), {1: 1}, pending)
    service._pool = lambda campaign: pool  # type: ignore[method-assign]
    return service, ids


def card(world, entry_id: str, message: int) -> None:
    points = {"message": message, "creativity": 20, "craft": 20}
    world.scorecards.put(world.campaign.id, Scorecard("jury-1", entry_id, points), None, NOW)


def test_without_a_counted_scorecard_there_is_nothing_to_publish(world, events, publications):
    service, _ids = final_round(world, events, publications)

    with pytest.raises(Conflict) as refused:
        service.publish_results(world.campaign.id, ADMIN, NOW)

    assert refused.value.code == "no_results_to_publish" and not publications.items and not events.events


def test_a_pool_awaiting_confirmation_is_not_published(world, events, publications):
    service, ids = final_round(world, events, publications, pending=(1,))
    card(world, ids[0], 35)

    with pytest.raises(Conflict) as refused:
        service.publish_results(world.campaign.id, ADMIN, NOW)

    assert refused.value.code == "results_pool_not_final" and not publications.items


def test_a_publication_is_stored_audited_and_announced_to_its_winners(world, events, publications):
    service, ids = final_round(world, events, publications)
    card(world, ids[0], 35)

    published = service.publish_results(world.campaign.id, ADMIN, NOW)

    stored = publications.latest(world.campaign.id)
    assert published["version"] == 1 and stored["hash"] == published["hash"] and published["verified"]
    assert stored["scorecards"][0]["entry_id"] == ids[0] and stored["judges"] == ["jury-1"]
    assert [(e.submission_id, e.key) for e in events.events] == [(ids[0], "prize#first")]
    [audited] = [a for a in world.audit_trail.entries if a.action == "publish_results"]
    assert audited.before is None and audited.after["version"] == 1
    with pytest.raises(Conflict) as unchanged:
        service.publish_results(world.campaign.id, ADMIN, NOW)
    assert unchanged.value.code == "results_unchanged" and len(events.events) == 1
