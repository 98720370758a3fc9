"""Vietnamese folding and unit search."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.organisation import OrgUnit
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.text import fold, fold_tokens
from chalicelib.domain.unit_search import UnitSearchIndex, search_units

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "organisation.csv"


@pytest.fixture(scope="module")
def sample_units() -> list[OrgUnit]:
    return list(load_tree_csv(SAMPLE.read_text(encoding="utf-8")))


def names(units: list[OrgUnit]) -> list[str]:
    return [u.name for u in units]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hà Nội", "ha noi"),
        ("Đoàn", "doan"),
        ("đoàn", "doan"),
        ("ĐOÀN THANH NIÊN", "doan thanh nien"),
        ("Quận đoàn Ba Đình", "quan doan ba dinh"),
        ("Thủ Đức", "thu duc"),
        ("Ưu tú ơi", "uu tu oi"),  # horn marks (ư, ơ) are combining marks under NFD
        ("  Hà   Nội\t", "ha noi"),
        ("Ðoàn", "doan"),  # Icelandic eth typed by mistake for Đ
        ("Ｈà Ｎội", "ha noi"),  # full-width letters from some phone keyboards
    ],
)
def test_fold_removes_marks_and_case(text: str, folded: str) -> None:
    # Given Vietnamese text / When folded / Then marks, case and extra spaces are gone
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_input_alike() -> None:
    # Given the same name typed on macOS (NFD) and on Windows (NFC)
    composed = unicodedata.normalize("NFC", "Đoàn phường Điện Biên")
    decomposed = unicodedata.normalize("NFD", composed)
    # When folded / Then they are equal
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "doan phuong dien bien"


def test_doan_and_d_doan_match_in_both_directions(sample_units: list[OrgUnit]) -> None:
    # Given a unit named with Đ
    # When searching with plain d, and with đ
    plain = names(search_units(sample_units, "doan xa co loa"))
    marked = names(search_units(sample_units, "đoàn xã cổ loa"))
    # Then both find it first
    assert plain[0] == marked[0] == "Đoàn xã Cổ Loa"


def test_fold_tokens_split_on_punctuation() -> None:
    assert fold_tokens("Đoàn trường Đại học Quốc gia TP.HCM") == (
        "doan", "truong", "dai", "hoc", "quoc", "gia", "tp", "hcm",
    )


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_ha_noi_finds_ha_noi_first(sample_units: list[OrgUnit]) -> None:
    # Given the sample tree / When searching without diacritics
    found = names(search_units(sample_units, "Ha Noi"))
    # Then the city union comes first and only Hanoi units follow
    assert found[0] == "Thành đoàn Hà Nội"
    assert "Thành đoàn Đà Nẵng" not in found


def test_ba_dinh_finds_the_district(sample_units: list[OrgUnit]) -> None:
    found = names(search_units(sample_units, "ba dinh"))
    assert found[0] == "Quận đoàn Ba Đình"


def test_partial_last_word_matches_while_typing(sample_units: list[OrgUnit]) -> None:
    # Given a query whose last word is still being typed
    found = names(search_units(sample_units, "quan doan ba d"))
    # Then the district is found
    assert found[0] == "Quận đoàn Ba Đình"


def test_exact_name_ranks_before_phrase_and_substring_matches() -> None:
    # Given units where the query is the whole name, a leading phrase, an inner phrase
    units = [
        OrgUnit("c", "Chi đoàn Sơn Trà", "x", "grassroots", "x/c"),
        OrgUnit("b", "Sơn Trà mới", "x", "grassroots", "x/b"),
        OrgUnit("a", "Sơn Trà", "x", "grassroots", "x/a"),
        OrgUnit("d", "Trà Sơn", "x", "grassroots", "x/d"),
    ]
    # When searching
    found = [u.unit_id for u in search_units(units, "son tra")]
    # Then exact, then leading, then inner phrase, then words in any order
    assert found == ["a", "b", "c", "d"]


def test_higher_level_wins_a_tie() -> None:
    units = [
        OrgUnit("w", "Đoàn phường Lào Cai", "p", "grassroots", "t/p/d/w"),
        OrgUnit("p", "Tỉnh đoàn Lào Cai", "t", "province", "t/p"),
    ]
    assert [u.unit_id for u in search_units(units, "lao cai")] == ["p", "w"]


def test_unit_id_is_searchable_but_after_equal_name_matches(sample_units: list[OrgUnit]) -> None:
    found = [u.unit_id for u in search_units(sample_units, "hcm-q1")]
    assert found[0] == "hcm-q1"


def test_no_match_and_blank_queries_return_nothing(sample_units: list[OrgUnit]) -> None:
    assert search_units(sample_units, "xyz khong co") == []
    assert search_units(sample_units, "   ") == []
    assert search_units(sample_units, "ha noi", limit=0) == []


def test_limit_caps_results(sample_units: list[OrgUnit]) -> None:
    # "doan" is in nearly every name
    assert len(search_units(sample_units, "doan", limit=5)) == 5
    index = UnitSearchIndex(sample_units)
    assert index.search("doan", limit=5) == search_units(sample_units, "doan", limit=5)
