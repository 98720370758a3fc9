"""The searchable list of units participants pick from."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from chalicelib.domain.organisation import PATH_SEPARATOR, OrgTree
from chalicelib.domain.unit_search import UnitSearchIndex
from chalicelib.services.ports import Units

CACHE_SECONDS = 300
MAX_RESULTS = 50


@dataclass
class UnitDirectory:
    """Keeps the tree and its folded search index for a few minutes per warm Lambda:
    the tree changes rarely, and rebuilding the index costs more than the query."""

    store: Units
    _tree: OrgTree | None = None
    _index: UnitSearchIndex | None = None
    _loaded_at: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fresh_tree(self) -> OrgTree:
        """The cached tree, read again when it is too old; call with the lock held."""
        if self._tree is None or time.monotonic() - self._loaded_at > CACHE_SECONDS:
            self._tree = self.store.whole_tree()
            self._index = None
            self._loaded_at = time.monotonic()
        return self._tree

    def _current(self) -> tuple[OrgTree, UnitSearchIndex]:
        with self._lock:
            tree = self._fresh_tree()
            # Built on the first search only: roll-ups need the tree, not the index.
            if self._index is None:
                self._index = UnitSearchIndex(tree)
            return tree, self._index

    def tree(self) -> OrgTree:
        with self._lock:
            return self._fresh_tree()

    def forget(self) -> None:
        """Read the tree again on next use: this process changed it."""
        with self._lock:
            self._tree = None

    def search(self, query: str, limit: int = 20, within: frozenset[str] | None = None) -> list[dict]:
        """Units matching `query`; with `within`, only those in the subtree of one of these unit ids
        (a campaign's eligible units). No query: the top of what may be picked."""
        tree, index = self._current()
        limit = max(1, min(limit, MAX_RESULTS))
        keep = None if within is None else (lambda unit: not within.isdisjoint(unit.path.split(PATH_SEPARATOR)))
        if query.strip():
            units = index.search(query, limit, keep)
        elif within is None:
            units = list(tree.children(tree.root.unit_id))[:limit]
        else:
            tops = [tree.find(unit_id) for unit_id in sorted(within)]
            units = [unit for unit in tops if unit is not None][:limit]
        return [
            {
                "unit_id": unit.unit_id,
                "name": unit.name,
                "level": unit.level,
                "parents": [a.name for a in reversed(tree.ancestors(unit.unit_id))],
            }
            for unit in units
        ]
