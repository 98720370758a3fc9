"""Unit search: find a unit by the name people see, typed with or without diacritics.

Names are folded once when the index is built (see `text.fold`), so a search
over tens of thousands of units compares plain words.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from chalicelib.domain.organisation import LEVEL_RANK, OrgUnit
from chalicelib.domain.text import fold, fold_tokens

# Match quality, best first. A name match always beats an id match of the same
# quality, because people search by the name they see.
_EXACT = 0  # the whole name is the query
_LEADING_PHRASE = 1  # name starts with the query ("thanh doan ha" -> "Thành đoàn Hà Nội")
_PHRASE = 2  # query words appear consecutively ("ba dinh" -> "Quận đoàn Ba Đình")
_ALL_WORDS = 3  # every query word starts some name word, any order
_SUBSTRING = 4  # folded query occurs inside the folded name


def _phrase_at(words: Sequence[str], query: Sequence[str], start: int) -> bool:
    # Every query word but the last must be a whole word; the last may still be
    # being typed, so it only has to be a prefix.
    if start + len(query) > len(words):
        return False
    for offset, query_word in enumerate(query[:-1]):
        if words[start + offset] != query_word:
            return False
    return words[start + len(query) - 1].startswith(query[-1])


def _match_quality(words: Sequence[str], joined: str, query: Sequence[str]) -> int | None:
    # Every tier needs each query word somewhere in the text: a cheap test that
    # rules out almost every unit before the word-by-word comparison.
    if not words or not all(q in joined for q in query):
        return None
    if tuple(words) == tuple(query):
        return _EXACT
    if _phrase_at(words, query, 0):
        return _LEADING_PHRASE
    if any(_phrase_at(words, query, start) for start in range(1, len(words))):
        return _PHRASE
    if all(any(word.startswith(q) for word in words) for q in query):
        return _ALL_WORDS
    if " ".join(query) in joined:
        return _SUBSTRING
    return None


@dataclass(frozen=True)
class _Indexed:
    unit: OrgUnit
    name_words: tuple[str, ...]
    name_joined: str
    id_words: tuple[str, ...]
    id_joined: str
    level_rank: int
    folded_name: str


class UnitSearchIndex:
    """Pre-folded names so a search over tens of thousands of units stays cheap.

    Build it once per tree version (e.g. cached next to the tree) and reuse it.
    """

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        entries = []
        for unit in units:
            name_words, id_words = fold_tokens(unit.name), fold_tokens(unit.unit_id)
            entries.append(
                _Indexed(
                    unit=unit,
                    name_words=name_words,
                    name_joined=" ".join(name_words),
                    id_words=id_words,
                    id_joined=" ".join(id_words),
                    level_rank=LEVEL_RANK.get(unit.level, len(LEVEL_RANK)),
                    folded_name=fold(unit.name),
                )
            )
        self._entries = tuple(entries)

    def search(self, query: str, limit: int = 20, keep: Callable[[OrgUnit], bool] | None = None) -> list[OrgUnit]:
        """`keep`: only units it accepts (e.g. those eligible for one campaign)."""
        query_words = fold_tokens(query)
        if not query_words or limit <= 0:
            return []
        ranked = []
        for entry in self._entries:
            if keep is not None and not keep(entry.unit):
                continue
            by_name = _match_quality(entry.name_words, entry.name_joined, query_words)
            by_id = _match_quality(entry.id_words, entry.id_joined, query_words)
            scores = []
            if by_name is not None:
                scores.append(by_name * 2)
            if by_id is not None:
                scores.append(by_id * 2 + 1)
            if not scores:
                continue
            # Ties: higher levels first (a province before its wards), then the
            # shorter (more specific) name, then alphabetical, then id, so the
            # order never depends on input order.
            key = (
                min(scores),
                entry.level_rank,
                len(entry.folded_name),
                entry.folded_name,
                entry.unit.unit_id,
            )
            ranked.append((key, entry.unit))
        return [unit for _, unit in heapq.nsmallest(limit, ranked, key=lambda pair: pair[0])]


def search_units(units: Iterable[OrgUnit], query: str, limit: int = 20) -> list[OrgUnit]:
    """Units whose name (or id) matches `query`, best matches first.

    Whole-name matches come first, then names that start with the query, then
    names containing the query words in order ("ba dinh" -> "Quận đoàn Ba Đình"),
    then names containing every query word in any order, then plain substrings.
    The last query word may be partial, so results appear while typing.
    """
    return UnitSearchIndex(units).search(query, limit)
