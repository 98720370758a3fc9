"""Aggregates move with each entry, in its transaction: exact under races, moves and re-runs."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.counters import CounterStore, stage_unit_deltas, transaction_connection
from chalicelib.adapters.dynamodb.models import CounterRecord, RollupRecord
from chalicelib.adapters.dynamodb.submissions import SubmissionStore
from chalicelib.domain.rollup import UnitAggregate, UnitCounters
from tests.integration.test_counters import HANG_BAC, KIM_MA, dynamodb_serialises_writes, new_entry, validate  # noqa: F401

PATH_UNITS = ["tw", "ha-noi", "ha-noi-ba-dinh", KIM_MA[0], "ha-noi-hoan-kiem", HANG_BAC[0], "hcm"]
KIM_MA_IN_HCM = "tw/hcm/ha-noi-ba-dinh/" + KIM_MA[0]


@pytest.fixture
def campaign_id(seeded_cloud):
    return f"rollups-{uuid.uuid4().hex[:8]}"


def aggregates(campaign_id):
    return CounterStore().aggregates(campaign_id, PATH_UNITS)


def test_one_transition_stages_the_counter_item_and_each_aggregate_on_the_path():
    tx = TransactWrite(connection=transaction_connection())
    stage_unit_deltas(tx, "c", KIM_MA[0], KIM_MA[1], {"valid": 1, "invalid": -1})
    staged = [(item["TableName"].rsplit("-", 2)[-2:], item["Key"]) for item in tx._update_items]
    assert [key for table, key in staged if table == ["unit", "counters"]] == [
        {"campaign_id": {"S": "c"}, "branch": {"S": KIM_MA[1] + "/"}}]
    assert [key["unit_id"]["S"] for table, key in staged if table == ["unit", "rollups"]] == KIM_MA[1].split("/")
    # Each decrement is guarded, on the aggregates as on the counter item.
    assert all("invalid" in str(item.get("ExpressionAttributeNames", {}).values())
               and item.get("ConditionExpression") for item in tx._update_items)


def test_entries_count_on_every_aggregate_of_their_path(campaign_id):
    store = SubmissionStore()
    first, _ = new_entry(store, campaign_id), new_entry(store, campaign_id)
    validate(store, first, "valid")
    validate(store, new_entry(store, campaign_id, HANG_BAC), "invalid")

    found = aggregates(campaign_id)
    assert found["tw"] == found["ha-noi"] == UnitAggregate(UnitCounters(entries=3, valid=1, invalid=1), UnitCounters(), 2)
    assert found["ha-noi-ba-dinh"] == UnitAggregate(UnitCounters(entries=2, valid=1), UnitCounters(), 1)
    assert found[KIM_MA[0]] == UnitAggregate(UnitCounters(entries=2, valid=1), UnitCounters(entries=2, valid=1), 1)
    assert "hcm" not in found


def test_racing_first_entries_count_their_unit_once(campaign_id, dynamodb_serialises_writes):
    store = SubmissionStore()
    units = [KIM_MA, HANG_BAC] * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda unit: new_entry(store, campaign_id, unit), units))
    found = aggregates(campaign_id)
    assert found["tw"].subtree.entries == 12 and found["tw"].units_with_entries == 2
    assert found[KIM_MA[0]].units_with_entries == found["ha-noi-ba-dinh"].units_with_entries == 1


def test_a_moved_unit_leaves_its_old_ancestors_and_joins_the_new_ones_exactly_once(campaign_id):
    store = SubmissionStore()
    entries = [new_entry(store, campaign_id) for _ in range(2)]
    validate(store, entries[0], "valid")
    new_entry(store, campaign_id, HANG_BAC)
    before = aggregates(campaign_id)

    # Ba Đình moves from Hà Nội to HCM: its entries follow one transaction each.
    stale = store.get(entries[0].submission_id)
    assert store.rekey(stale, KIM_MA_IN_HCM)
    halfway = aggregates(campaign_id)
    assert (halfway["ha-noi"].subtree.entries, halfway["hcm"].subtree.entries) == (2, 1)
    assert halfway["ha-noi"].units_with_entries == 2  # Kim Mã still has an entry filed under Hà Nội
    assert store.rekey(stale, KIM_MA_IN_HCM) is False  # a second mover, or a re-run: nothing twice
    assert store.rekey(store.get(entries[1].submission_id), KIM_MA_IN_HCM)

    after = aggregates(campaign_id)
    assert after["ha-noi"] == UnitAggregate(UnitCounters(entries=1), UnitCounters(), 1)
    assert after["hcm"] == UnitAggregate(UnitCounters(entries=2, valid=1), UnitCounters(), 1)
    for unchanged in ("tw", "ha-noi-ba-dinh", KIM_MA[0], "ha-noi-hoan-kiem", HANG_BAC[0]):
        assert after[unchanged] == before[unchanged], unchanged
    # Counting goes on under the new path.
    validate(store, store.get(entries[1].submission_id), "invalid")
    assert aggregates(campaign_id)["hcm"].subtree == UnitCounters(entries=2, valid=1, invalid=1)


def test_the_best_weekly_score_rises_on_every_ancestor(campaign_id):
    counters = CounterStore()
    assert counters.raise_best_weekly_score(campaign_id, KIM_MA[0], KIM_MA[1], 500)
    assert counters.raise_best_weekly_score(campaign_id, HANG_BAC[0], HANG_BAC[1], 300)
    assert not counters.raise_best_weekly_score(campaign_id, KIM_MA[0], KIM_MA[1], 400)
    found = aggregates(campaign_id)
    assert found["tw"].subtree.best_weekly_score == found["ha-noi"].subtree.best_weekly_score == 500
    assert found["ha-noi-hoan-kiem"].subtree.best_weekly_score == 300
    assert found[KIM_MA[0]].own.best_weekly_score == 500 and found["ha-noi-ba-dinh"].own.best_weekly_score is None


def test_the_migration_builds_aggregates_from_per_unit_counter_items(campaign_id):
    store = SubmissionStore()
    validate(store, new_entry(store, campaign_id), "valid")
    new_entry(store, campaign_id, HANG_BAC)
    CounterStore().raise_best_weekly_score(campaign_id, HANG_BAC[0], HANG_BAC[1], 42)
    maintained = aggregates(campaign_id)
    # Counters stored before aggregates existed: per-unit items only.
    for record in RollupRecord.query(campaign_id):
        record.delete()
    CounterRecord(campaign_id=campaign_id, branch="tw/hcm/", unit_id="hcm", entries=2, valid=2).save()
    assert aggregates(campaign_id) == {}

    assert CounterStore().rebuild_aggregates(campaign_id) == 7
    migrated = aggregates(campaign_id)
    assert migrated["hcm"] == UnitAggregate(UnitCounters(entries=2, valid=2), UnitCounters(entries=2, valid=2), 1)
    assert migrated["tw"].subtree == maintained["tw"].subtree + UnitCounters(entries=2, valid=2)
    for unit_id in ("ha-noi", "ha-noi-ba-dinh", KIM_MA[0], "ha-noi-hoan-kiem", HANG_BAC[0]):
        assert migrated[unit_id] == maintained[unit_id], unit_id
    # Running it again changes nothing.
    CounterStore().rebuild_aggregates(campaign_id)
    assert aggregates(campaign_id) == migrated


def test_the_admin_command_runs_the_migration(campaign_id):
    from contest_cli.__main__ import rebuild_rollups

    CounterRecord(campaign_id=campaign_id, branch=KIM_MA[1] + "/", unit_id=KIM_MA[0], entries=3, valid=1).save()
    assert rebuild_rollups([campaign_id]) == {campaign_id: 4}
    assert aggregates(campaign_id)["tw"] == UnitAggregate(UnitCounters(entries=3, valid=1), UnitCounters(), 1)
