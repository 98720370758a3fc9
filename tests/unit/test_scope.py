"""The scope rule organiser routes rely on."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.organisation import OrgTree
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.scope import (
    Principal,
    can_see_unit,
    filter_in_scope,
    require_role,
    require_unit_in_scope,
    scope_prefix,
    scope_unit,
)

TREE_CSV = (
    "unit_id,name,parent_id,level\n"
    "tw,TW,,central\n"
    "ha-noi,Hà Nội,tw,province\n"
    "ha-noi-bd,Ba Đình,ha-noi,district\n"
    "ha-noi-bd-km,Kim Mã,ha-noi-bd,grassroots\n"
    "ha-noi-2,Hà Nội 2,tw,province\n"
    "hcm,TP.HCM,tw,province\n"
)


@pytest.fixture
def tree() -> OrgTree:
    return load_tree_csv(TREE_CSV)


def organiser_of(tree: OrgTree, unit_id: str) -> Principal:
    return Principal.for_unit("u-1", "organiser", tree.get(unit_id), username="bithu")


ADMIN = Principal(user_id="root", role="admin")
JURY = Principal(user_id="j-1", role="jury")


def test_organiser_sees_own_branch_only(tree: OrgTree) -> None:
    # Given the Hà Nội organiser
    hanoi = organiser_of(tree, "ha-noi")
    # Then own unit and descendants are visible
    assert can_see_unit(hanoi, tree.path_of("ha-noi"))
    assert can_see_unit(hanoi, tree.path_of("ha-noi-bd-km"))
    # And parent, siblings and the prefix-sharing sibling are not
    assert not can_see_unit(hanoi, tree.path_of("tw"))
    assert not can_see_unit(hanoi, tree.path_of("hcm"))
    assert not can_see_unit(hanoi, tree.path_of("ha-noi-2"))


def test_district_organiser_cannot_see_the_province(tree: OrgTree) -> None:
    district = organiser_of(tree, "ha-noi-bd")
    with pytest.raises(NotFound):
        require_unit_in_scope(district, tree.path_of("ha-noi"))


def test_out_of_branch_looks_exactly_like_missing(tree: OrgTree) -> None:
    # Given an organiser asking for a sibling's unit, and for a unit that does not exist
    hanoi = organiser_of(tree, "ha-noi")
    with pytest.raises(NotFound) as out_of_branch:
        require_unit_in_scope(hanoi, tree.path_of("hcm"))
    with pytest.raises(NotFound) as missing:
        tree.get("no-such-unit")
    # Then the two errors are indistinguishable
    a, b = out_of_branch.value, missing.value
    assert (a.code, a.message_vi, a.message_en, a.details) == (b.code, b.message_vi, b.message_en, b.details)


def test_admin_sees_everything(tree: OrgTree) -> None:
    assert scope_prefix(ADMIN) is None
    for unit in tree:
        require_unit_in_scope(ADMIN, unit.path)
    assert scope_unit(ADMIN, tree).unit_id == "tw"


def test_scope_prefix_of_organiser_is_their_path(tree: OrgTree) -> None:
    assert scope_prefix(organiser_of(tree, "ha-noi")) == "tw/ha-noi"


def test_jury_has_no_organisation_scope(tree: OrgTree) -> None:
    # Given a jury member / Then organiser routes are forbidden, not "not found"
    assert not can_see_unit(JURY, tree.path_of("ha-noi"))
    with pytest.raises(Forbidden):
        require_unit_in_scope(JURY, tree.path_of("ha-noi"))
    with pytest.raises(Forbidden):
        scope_prefix(JURY)
    # And the final-round routes admit them
    require_role(JURY, "jury", "admin")


def test_require_role(tree: OrgTree) -> None:
    with pytest.raises(Forbidden) as caught:
        require_role(organiser_of(tree, "ha-noi"), "jury")
    assert caught.value.code == "forbidden_role"
    with pytest.raises(ValueError):
        require_role(ADMIN)


def test_scope_unit_defaults_to_own_unit_and_hides_others(tree: OrgTree) -> None:
    hanoi = organiser_of(tree, "ha-noi")
    assert scope_unit(hanoi, tree).unit_id == "ha-noi"
    assert scope_unit(hanoi, tree, "ha-noi-bd").unit_id == "ha-noi-bd"
    with pytest.raises(NotFound):
        scope_unit(hanoi, tree, "hcm")
    with pytest.raises(NotFound):
        scope_unit(hanoi, tree, "nope")


def test_filter_in_scope(tree: OrgTree) -> None:
    rows = [{"path": u.path} for u in tree]
    kept = filter_in_scope(organiser_of(tree, "ha-noi"), rows, lambda r: r["path"])
    assert [r["path"] for r in kept] == ["tw/ha-noi", "tw/ha-noi/ha-noi-bd", "tw/ha-noi/ha-noi-bd/ha-noi-bd-km"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"role": "superuser"},
        {"role": "organiser"},  # no unit
        {"role": "organiser", "unit_id": "x", "unit_path": ""},  # empty prefix would match all
        {"role": "organiser", "unit_id": "x", "unit_path": "tw/"},
        {"role": "organiser", "unit_id": "x", "unit_path": "tw/ha-noi"},  # id and path disagree
    ],
)
def test_malformed_principals_are_refused(kwargs: dict) -> None:
    with pytest.raises(Forbidden) as caught:
        Principal(user_id="u", **kwargs)
    assert caught.value.code == "invalid_principal"
