"""Aggregates per unit: the deltas a transaction stages, and reports read from them."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.rollup import (
    COUNTER_FIELDS,
    UnitAggregate,
    UnitCounters,
    aggregates_from_counter_items,
    branch_sizes,
    build_branch_report,
    occupancy_change,
    path_deltas,
    report_from_aggregates,
)

TREE = load_tree_csv(
    "unit_id,name,parent_id,level\n"
    "tw,TW,,central\n"
    "hn,Hà Nội,tw,province\n"
    "hn-bd,Ba Đình,hn,district\n"
    "hn-bd-km,Kim Mã,hn-bd,grassroots\n"
    "hn-bd-db,Điện Biên,hn-bd,grassroots\n"
    "hn-hk,Hoàn Kiếm,hn,district\n"
    "hn-2,Hà Nội 2,tw,province\n"
)
KIM_MA = "tw/hn/hn-bd/hn-bd-km"


def test_occupancy_moves_only_on_the_first_and_the_last_entry() -> None:
    assert occupancy_change(0, 1) == 1
    assert occupancy_change(1, 1) == 0
    assert occupancy_change(1, -1) == -1
    assert occupancy_change(2, -1) == 0


def test_an_entry_counts_on_every_unit_of_its_path_and_as_its_units_own() -> None:
    deltas = path_deltas([(KIM_MA, {"entries": 1}, 1)])
    assert set(deltas) == {"tw", "hn", "hn-bd", "hn-bd-km"}
    assert deltas["tw"] == {"entries": 1, "units_with_entries": 1}
    assert deltas["hn-bd-km"] == {"entries": 1, "units_with_entries": 1, "own_entries": 1}
    # Four aggregates, the counter item, the entry and the day: far inside 100 items.
    assert len(deltas) + 3 <= 100


def test_a_move_changes_only_the_ancestors_that_differ() -> None:
    counts = {"entries": 1, "valid": 1}
    removed = {k: -v for k, v in counts.items()}
    deltas = path_deltas([(KIM_MA, removed, -1), ("tw/hn-2/hn-bd/hn-bd-km", counts, 1)])
    assert deltas == {"hn": {"entries": -1, "valid": -1, "units_with_entries": -1},
                      "hn-2": {"entries": 1, "valid": 1, "units_with_entries": 1}}


def test_the_migration_counts_each_counter_item_on_its_path() -> None:
    built = aggregates_from_counter_items([
        (KIM_MA, UnitCounters(entries=3, valid=2, best_weekly_score=7)),
        ("tw/hn/hn-bd", UnitCounters(entries=1)),
        ("tw/hn/hn-hk", UnitCounters()),  # emptied by a move: counts no unit
    ])
    assert built["tw"] == UnitAggregate(UnitCounters(entries=4, valid=2, best_weekly_score=7), UnitCounters(), 2)
    assert built["hn-bd"].own == UnitCounters(entries=1)
    assert built["hn-bd-km"].own == UnitCounters(entries=3, valid=2, best_weekly_score=7)
    assert built["hn-hk"].units_with_entries == 0


def test_aggregates_round_trip_through_storage_items() -> None:
    aggregate = UnitAggregate(UnitCounters(entries=2, valid=1, best_weekly_score=9),
                              UnitCounters(entries=1, best_weekly_score=4), 2)
    assert UnitAggregate.from_item(aggregate.to_item()) == aggregate


def test_branch_sizes() -> None:
    assert branch_sizes(TREE, "hn") == {"hn": 5, "hn-bd": 3, "hn-bd-km": 1, "hn-bd-db": 1, "hn-hk": 1}


counts = st.builds(UnitCounters, **{name: st.integers(0, 5) for name in COUNTER_FIELDS},
                   best_weekly_score=st.one_of(st.none(), st.integers(0, 100)))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([u.unit_id for u in TREE]), counts),
       st.sampled_from([u.unit_id for u in TREE]))
def test_a_report_from_aggregates_equals_the_report_summing_every_unit(per_unit, unit_id) -> None:
    aggregates = aggregates_from_counter_items((TREE.path_of(u), c) for u, c in per_unit.items())
    unit = TREE.get(unit_id)
    shown = {u: aggregates[u] for u in [unit_id, *(c.unit_id for c in TREE.children(unit_id))] if u in aggregates}
    expected = build_branch_report(TREE, unit_id, per_unit)
    assert report_from_aggregates(TREE, unit, shown, branch_sizes(TREE, unit_id)).to_dict() == expected.to_dict()
