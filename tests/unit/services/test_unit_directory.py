"""The process's tree cache: roll-ups take the tree alone; the search index is built for searches."""
from __future__ import annotations

from chalicelib.services import directory as directory_module
from chalicelib.services.directory import UnitDirectory
from tests.fakes.stores import FakeUnitTree
from tests.fakes.world import TREE


def test_given_only_roll_ups_then_no_search_index_is_built(monkeypatch):
    built = []
    real = directory_module.UnitSearchIndex
    monkeypatch.setattr(directory_module, "UnitSearchIndex", lambda units: built.append(1) or real(units))
    cache = UnitDirectory(FakeUnitTree(TREE))
    name = next(iter(TREE)).name

    assert cache.tree() is cache.tree()
    assert built == []

    assert cache.search(name)
    cache.search(name)
    assert built == [1]

    cache.forget()
    cache.tree()
    cache.search(name)
    assert built == [1, 1]
