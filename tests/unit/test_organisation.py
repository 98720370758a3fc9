"""Organisation tree import, navigation and updates."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.organisation import LEVELS, OrgTree, branch_key, is_within
from chalicelib.domain.organisation_changes import plan_update, refuse_removing_units_in_use
from chalicelib.domain.organisation_file import (
    OrganisationImportError,
    build_tree,
    load_tree_csv,
    load_tree_json,
    parse_units_csv,
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "organisation.csv"
HEADER = "unit_id,name,parent_id,level\n"


def csv_tree(body: str) -> OrgTree:
    return load_tree_csv(HEADER + body)


def problems_of(body: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(OrganisationImportError) as caught:
        csv_tree(body)
    return [(p.row, p.unit_id, p.code) for p in caught.value.problems]


SMALL = (
    "tw,Trung ương Đoàn,,central\n"
    "hn,Thành đoàn Hà Nội,tw,province\n"
    "hn-bd,Quận đoàn Ba Đình,hn,district\n"
    "hn-bd-km,Đoàn phường Kim Mã,hn-bd,grassroots\n"
    "hn-bd-db,Đoàn phường Điện Biên,hn-bd,grassroots\n"
    "hcm,Thành đoàn TP.HCM,tw,province\n"
    "hcm-q1,Quận đoàn 1,hcm,district\n"
)


# --- the sample file -------------------------------------------------------


def test_sample_file_imports_cleanly_with_all_four_levels() -> None:
    # Given the shipped sample / When imported
    tree = load_tree_csv(SAMPLE.read_text(encoding="utf-8"))
    # Then every level is populated and the root is central
    counts = tree.level_counts()
    assert set(counts) == set(LEVELS)
    assert all(counts[level] > 0 for level in LEVELS)
    assert sum(counts.values()) == len(tree)
    assert tree.root.unit_id == "tw" and tree.root.level == "central"
    assert tree.path_of("ha-noi-ba-dinh") == "tw/ha-noi/ha-noi-ba-dinh"


def test_sample_file_survives_an_excel_byte_order_mark() -> None:
    text = "\ufeff" + SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert len(load_tree_csv(text)) == len(load_tree_csv(SAMPLE.read_text(encoding="utf-8")))


# --- navigation ------------------------------------------------------------


def test_navigation() -> None:
    tree = csv_tree(SMALL)
    assert [u.unit_id for u in tree.children("hn-bd")] == ["hn-bd-km", "hn-bd-db"]
    assert [u.unit_id for u in tree.subtree("hn")] == ["hn", "hn-bd", "hn-bd-km", "hn-bd-db"]
    assert [u.unit_id for u in tree.subtree("hn", include_self=False)][0] == "hn-bd"
    assert [u.unit_id for u in tree.ancestors("hn-bd-km")] == ["tw", "hn", "hn-bd"]
    assert tree.ancestors("tw") == ()
    assert tree.get("hn-bd-km").path == "tw/hn/hn-bd/hn-bd-km"
    assert tree.find_by_path("tw/hcm").unit_id == "hcm"
    assert tree.level_counts("hn") == {"central": 0, "province": 1, "district": 1, "grassroots": 2}
    assert [u.unit_id for u in tree.units_at_level("district")] == ["hn-bd", "hcm-q1"]


def test_unknown_unit_is_a_not_found_error() -> None:
    tree = csv_tree(SMALL)
    with pytest.raises(NotFound) as caught:
        tree.get("nowhere")
    assert caught.value.code == "unit_not_found"
    assert caught.value.message_vi and caught.value.message_en


def test_sibling_prefix_trap() -> None:
    # Given two provinces whose ids share a prefix
    tree = csv_tree(
        "tw,TW,,central\n"
        "ha-noi,Hà Nội,tw,province\n"
        "ha-noi-2,Hà Nội 2,tw,province\n"
        "ha-noi-2-x,Quận X,ha-noi-2,district\n"
    )
    scope = tree.path_of("ha-noi")
    # When checking membership / Then the sibling and its branch are outside
    assert is_within("tw/ha-noi", scope)
    assert not is_within(tree.path_of("ha-noi-2"), scope)
    assert not is_within(tree.path_of("ha-noi-2-x"), scope)
    # And the storage key prefix has the same property
    assert not branch_key(tree.path_of("ha-noi-2")).startswith(branch_key(scope))
    assert branch_key(tree.path_of("ha-noi")).startswith(branch_key(scope))


def test_empty_scope_matches_nothing() -> None:
    assert not is_within("tw/ha-noi", "")
    assert not OrgTree.is_within("", "tw")


def test_to_rows_round_trips() -> None:
    tree = csv_tree(SMALL)
    again = build_tree(tree.to_rows())
    assert list(again) == list(tree)


def test_vietnamese_level_names_are_accepted() -> None:
    tree = csv_tree("tw,TW,,Trung ương\nhn,HN,tw,Tỉnh\nbd,BD,hn,huyện\nkm,KM,bd,Cơ sở\n")
    assert [u.level for u in tree] == list(LEVELS)


# --- refused imports -------------------------------------------------------


def test_cycle_is_refused() -> None:
    # Given b and c each naming the other as parent
    found = problems_of(
        "tw,TW,,central\n"
        "b,B,c,province\n"
        "c,C,b,district\n"
    )
    # Then the loop is reported once, on its first row
    assert (3, "b", "cycle") in found
    assert [code for *_, code in found].count("cycle") == 1


def test_orphan_is_refused() -> None:
    found = problems_of("tw,TW,,central\nhn,HN,ha-noi-typo,province\n")
    assert found == [(3, "hn", "unknown_parent")]


def test_level_jump_is_refused() -> None:
    # Given a district directly under the central unit
    found = problems_of("tw,TW,,central\nbd,Ba Đình,tw,district\n")
    assert found == [(3, "bd", "level_mismatch")]


def test_child_of_grassroots_is_refused() -> None:
    found = problems_of(SMALL + "x,X,hn-bd-km,grassroots\n")
    assert found == [(9, "x", "level_mismatch")]


def test_duplicate_ids_are_refused() -> None:
    found = problems_of(SMALL + "hn,Thành đoàn Hà Nội (2),tw,province\n")
    assert found == [(9, "hn", "duplicate_unit_id")]


def test_two_roots_are_refused() -> None:
    found = problems_of("tw,TW,,central\ntw2,TW 2,,central\n")
    assert found == [(2, "tw", "multiple_roots"), (3, "tw2", "multiple_roots")]


def test_no_root_is_refused() -> None:
    found = problems_of("a,A,b,province\nb,B,a,province\n")
    assert (None, None, "no_root") in found


def test_root_must_be_central() -> None:
    assert problems_of("hn,HN,,province\n") == [(2, "hn", "root_not_central")]


def test_row_level_problems_are_all_listed_at_once() -> None:
    # Given a file with several independent mistakes
    found = problems_of(
        "tw,TW,,central\n"
        "Ha Noi,HN,tw,province\n"  # bad id
        "hcm,,tw,province\n"  # blank name
        "dn,Đà Nẵng,tw,city\n"  # bad level
        "x,X,x,province\n"  # own parent
    )
    # Then every problem is reported, in row order, and nothing is imported
    assert found == [
        (3, "Ha Noi", "invalid_unit_id"),
        (4, "hcm", "blank_name"),
        (5, "dn", "invalid_level"),
        (6, "x", "self_parent"),
    ]


def test_error_is_an_invalid_input_with_bilingual_messages() -> None:
    with pytest.raises(InvalidInput) as caught:
        csv_tree("tw,TW,,central\nhn,HN,nowhere,province\n")
    error = caught.value
    assert error.code == "invalid_organisation"
    assert "lỗi" in error.message_vi and "problem" in error.message_en
    [problem] = error.details["problems"]
    assert problem["row"] == 3 and problem["code"] == "unknown_parent"
    assert "nowhere" in problem["message_vi"] and "nowhere" in problem["message_en"]


def test_csv_header_problems() -> None:
    with pytest.raises(OrganisationImportError) as caught:
        parse_units_csv("unit_id,name,parent,level\ntw,TW,,central\n")
    codes = sorted(p.code for p in caught.value.problems)
    assert codes == ["missing_column", "unknown_column"]


def test_empty_csv_is_refused() -> None:
    with pytest.raises(OrganisationImportError) as caught:
        parse_units_csv("")
    assert caught.value.problems[0].code == "empty_file"
    with pytest.raises(OrganisationImportError):
        csv_tree("")


def test_json_import() -> None:
    tree = load_tree_json(
        '{"units": [{"unit_id": "tw", "name": "TW", "parent_id": null, "level": "central"},'
        ' {"unit_id": "hn", "name": "Hà Nội", "parent_id": "tw", "level": "province"}]}'
    )
    assert tree.path_of("hn") == "tw/hn"


def test_json_problems_name_the_position() -> None:
    with pytest.raises(OrganisationImportError) as caught:
        load_tree_json('[{"unit_id": "tw", "name": 5, "level": "central", "colour": "red"}, 7]')
    found = sorted((p.row, p.code) for p in caught.value.problems)
    assert found == [(1, "not_text"), (1, "unknown_field"), (2, "not_an_object")]
    with pytest.raises(OrganisationImportError) as caught:
        load_tree_json("{not json")
    assert caught.value.problems[0].code == "invalid_json"


# --- updates ---------------------------------------------------------------


def test_move_re_paths_the_whole_subtree() -> None:
    # Given Ba Đình moves from Hà Nội to TP.HCM, keeping its id and wards
    current = csv_tree(SMALL)
    incoming = csv_tree(SMALL.replace("hn-bd,Quận đoàn Ba Đình,hn,", "hn-bd,Quận đoàn Ba Đình,hcm,"))
    # When planning the update
    change = plan_update(current, incoming)
    # Then the move lists the unit and every descendant with old and new paths
    [moved] = change.moved
    assert (moved.unit_id, moved.old_parent_id, moved.new_parent_id) == ("hn-bd", "hn", "hcm")
    assert (moved.old_path, moved.new_path) == ("tw/hn/hn-bd", "tw/hcm/hn-bd")
    assert {(c.unit_id, c.old_path, c.new_path) for c in moved.descendants} == {
        ("hn-bd-km", "tw/hn/hn-bd/hn-bd-km", "tw/hcm/hn-bd/hn-bd-km"),
        ("hn-bd-db", "tw/hn/hn-bd/hn-bd-db", "tw/hcm/hn-bd/hn-bd-db"),
    }
    assert {c.unit_id for c in change.path_changes} == {"hn-bd", "hn-bd-km", "hn-bd-db"}
    assert change.added == change.removed == change.renamed == ()


def test_move_history_events_carry_from_and_to_paths() -> None:
    current = csv_tree(SMALL)
    incoming = csv_tree(SMALL.replace("hn-bd,Quận đoàn Ba Đình,hn,", "hn-bd,Quận đoàn Ba Đình,hcm,"))
    at = datetime(2024, 5, 6, 3, 0, tzinfo=timezone.utc)
    events = plan_update(current, incoming).history_events(at, actor="admin-1")
    by_unit = {e.unit_id: e for e in events}
    assert by_unit["hn-bd"].kind == "moved"
    assert (by_unit["hn-bd"].from_path, by_unit["hn-bd"].to_path) == ("tw/hn/hn-bd", "tw/hcm/hn-bd")
    assert by_unit["hn-bd-km"].kind == "path_changed"
    assert all(e.at == at and e.actor == "admin-1" for e in events)
    with pytest.raises(InvalidInput):
        plan_update(current, incoming).history_events(datetime(2024, 5, 6))


def test_add_rename_remove() -> None:
    current = csv_tree(SMALL)
    incoming = csv_tree(
        SMALL.replace("Quận đoàn 1", "Quận đoàn Một")
        .replace("hn-bd-db,Đoàn phường Điện Biên,hn-bd,grassroots\n", "")
        + "dn,Thành đoàn Đà Nẵng,tw,province\n"
        + "dn-hc,Quận đoàn Hải Châu,dn,district\n"
    )
    change = plan_update(current, incoming)
    assert [u.unit_id for u in change.added] == ["dn", "dn-hc"]  # parents first
    assert [u.unit_id for u in change.removed] == ["hn-bd-db"]
    assert [(r.unit_id, r.old_name, r.new_name) for r in change.renamed] == [
        ("hcm-q1", "Quận đoàn 1", "Quận đoàn Một")
    ]
    assert change.moved == () and change.path_changes == ()
    kinds = [e.kind for e in change.history_events(datetime(2024, 1, 1, tzinfo=timezone.utc))]
    assert kinds == ["added", "added", "renamed", "removed"]


def test_removed_units_come_children_first() -> None:
    current = csv_tree(SMALL)
    incoming = csv_tree(SMALL.split("hcm,")[0])
    change = plan_update(current, incoming)
    assert [u.unit_id for u in change.removed] == ["hcm-q1", "hcm"]


def test_identical_trees_plan_nothing() -> None:
    assert plan_update(csv_tree(SMALL), csv_tree(SMALL)).is_empty


def test_removing_a_unit_with_entries_is_a_conflict() -> None:
    change = plan_update(csv_tree(SMALL), csv_tree(SMALL.replace("hcm-q1,Quận đoàn 1,hcm,district\n", "")))
    refuse_removing_units_in_use(change, units_in_use={"hn-bd"})  # unaffected unit: fine
    with pytest.raises(Conflict) as caught:
        refuse_removing_units_in_use(change, units_in_use={"hcm-q1"})
    assert caught.value.code == "unit_in_use"


def test_a_stored_branch_is_a_tree_of_its_own() -> None:
    # Given the units of one branch as storage returns them (sorted by path)
    whole = csv_tree(SMALL)
    branch_units = sorted(whole.subtree("hn"), key=lambda u: u.branch_key)
    # When building a tree from them
    branch = OrgTree(branch_units)
    # Then the branch head is the top and navigation stays inside the branch
    assert branch.root.unit_id == "hn"
    assert branch.ancestors("hn-bd-km")[0].unit_id == "hn"
    assert {u.unit_id for u in branch.children("hn-bd")} == {"hn-bd-km", "hn-bd-db"}
    assert branch.level_counts()["grassroots"] == 2
    assert "tw" not in branch and "hcm" not in branch


def test_units_with_two_tops_are_not_a_tree() -> None:
    whole = csv_tree(SMALL)
    with pytest.raises(ValueError):
        OrgTree([whole.get("hn"), whole.get("hcm")])
