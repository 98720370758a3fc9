"""A roll-up reads the unit's aggregate and its direct children's, never the branch."""
from __future__ import annotations

from chalicelib.domain.rollup import UnitCounters
from chalicelib.services.reports import ReportService
from tests.fakes.stores import FakeCounters, FakeUnitTree
from tests.fakes.world import ADMIN, TREE


class CountingCounters(FakeCounters):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[list[str]] = []

    def branch(self, campaign_id, path):
        raise AssertionError("a roll-up must not read every counter of the branch")

    def aggregates(self, campaign_id, unit_ids):
        self.asked.append(list(unit_ids))
        return super().aggregates(campaign_id, self.asked[-1])


class CachedTree:
    def __init__(self, store: FakeUnitTree) -> None:
        self.store, self.cached, self.reads = store, None, 0

    def tree(self):
        if self.cached is None:
            self.cached, self.reads = self.store.whole_tree(), self.reads + 1
        return self.cached

    def forget(self):
        self.cached = None


class CountingCampaigns:
    def __init__(self, campaigns) -> None:
        self.campaigns, self.reads = campaigns, 0

    def get(self, campaign_id):
        self.reads += 1
        return self.campaigns.get(campaign_id)

    def require(self, campaign_id):
        self.reads += 1
        return self.campaigns.require(campaign_id)


def service(world, counters, directory, campaigns=None):
    return ReportService(campaigns or world.campaigns, FakeUnitTree(TREE), counters, world.entries, None,
                         world.audit, counters, directory)


def test_a_report_asks_for_the_unit_and_its_children_only(world):
    counters = CountingCounters()
    grassroots = next(u for u in TREE if u.level == "grassroots")
    counters.set(world.campaign.id, grassroots.unit_id, grassroots.path, UnitCounters(entries=2, valid=1))
    directory = CachedTree(FakeUnitTree(TREE))
    campaigns = CountingCampaigns(world.campaigns)
    reports = service(world, counters, directory, campaigns)

    national = reports.unit_report(ADMIN, world.campaign.id, TREE.root.unit_id)
    reports.unit_report(ADMIN, world.campaign.id, TREE.root.unit_id)

    children = [c.unit_id for c in TREE.children(TREE.root.unit_id)]
    assert counters.asked == [[TREE.root.unit_id, *children]] * 2
    assert directory.reads == 1  # the tree is read once per process, not per report
    assert campaigns.reads == 1  # and so is the campaign, for as long as the tree
    assert national["totals"]["entries"] == 2 and national["units_with_entries"] == 1
    assert national["units_in_branch"] == len(TREE)
    assert [c["unit_id"] for c in national["children"]] == children  # with zeros for children without entries


def test_a_stale_cached_tree_is_read_again(world):
    counters = CountingCounters()
    moved_away = FakeUnitTree(TREE)
    directory = CachedTree(moved_away)
    directory.cached = type(TREE)([TREE.root])  # cached before every other unit was imported
    reports = service(world, counters, directory)
    province = TREE.children(TREE.root.unit_id)[0]
    report = reports.unit_report(ADMIN, world.campaign.id, province.unit_id)
    assert report["unit_id"] == province.unit_id and directory.reads == 1


def test_a_minimum_entries_report_reads_one_aggregate_per_direct_child(world):
    # Given entries filed at grassroots units, below their districts and provinces
    counters = CountingCounters()
    grassroots = [u for u in TREE if u.level == "grassroots"]
    counters.set(world.campaign.id, grassroots[0].unit_id, grassroots[0].path, UnitCounters(entries=9, valid=9))
    world.campaigns.put(world.campaign.model_copy(update={"min_entries_per_unit": 10}))
    reports = service(world, counters, CachedTree(FakeUnitTree(TREE)))
    # When the national report is asked for without a level
    report = reports.minimum_entries(ADMIN, world.campaign.id, {})
    # Then it checks the root's direct children, from their aggregates alone (never the branch's counters)
    children = [c.unit_id for c in TREE.children(TREE.root.unit_id)]
    assert counters.asked == [children]
    assert report["level"] == TREE.children(TREE.root.unit_id)[0].level
    assert report["units_checked"] == len(children)
    counted = {s["unit_id"]: s["count"] for b in report["branches"] for s in b["below"]}
    holder = next(c for c in children if grassroots[0].path.startswith(TREE.get(c).path))
    assert counted == {c: 9 if c == holder else 0 for c in children}  # a ward's entries count for its province


def test_a_deeper_level_reads_one_aggregate_per_unit_of_that_level_only(world):
    counters = CountingCounters()
    reports = service(world, counters, CachedTree(FakeUnitTree(TREE)))
    report = reports.minimum_entries(ADMIN, world.campaign.id, {"level": "grassroots"})
    grassroots = [u.unit_id for u in TREE if u.level == "grassroots"]
    assert sorted(counters.asked[0]) == sorted(grassroots) and len(counters.asked) == 1
    assert report["units_checked"] == len(grassroots)
