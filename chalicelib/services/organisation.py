"""The organisation tree: imports, moves that keep history, and one unit's view.

A move changes a unit's path, and several things are keyed by path: the unit
item itself, entries (`unit_path`, `unit_sort`), link entries and the counter
items. The tree is written at once; entries, links and their counts then follow
the moved branch entry by entry (one small transaction each, see
SubmissionStore.rekey), at most `budget` per call. Pending moves are flagged in
the unit history (a sparse index), so the work resumes where it stopped: the
import itself does a first slice, and `POST /organisation/rekey` (or any later
import) continues it. Entries keep their unit id throughout, so nothing is
ever attributed to another unit; until a move finishes, the new parent's report
lacks the entries not yet moved.

Roll-up aggregates are keyed by unit id, so the moved subtree's own aggregates
never change; each entry's rekey transaction takes its counts off the old
ancestors' aggregates and adds them to the new ones', conditioned on the path
it was read with, so a re-run or a second mover counts nothing twice. The count
of units with entries follows the counter items: a unit leaves its old
ancestors when its last entry is re-filed and joins the new ones with its first.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.entry import Entry
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.links import StoredLink
from chalicelib.domain.organisation import OrgTree
from chalicelib.domain.organisation_changes import plan_update, refuse_removing_units_in_use
from chalicelib.domain.organisation_file import load_tree_csv, load_tree_json
from chalicelib.domain.scope import Principal, require_unit_found_in_scope
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import CampaignCatalogue, Refileable, TreeWriter, UnitCounts, UnitHistory, UnitTree

REKEY_BUDGET = 200  # entries moved per call: keeps a request well inside API Gateway's 29 s
REKEY_PAGE = 50


def parse_tree(body: bytes, content_type: str) -> OrgTree:
    """CSV (text/csv) or JSON (application/json) of unit_id, name, parent_id, level."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            "Tệp phải được mã hoá UTF-8.", "The file must be UTF-8 encoded.", code="not_utf8"
        ) from None
    if content_type.split(";")[0].strip().lower() in ("text/csv", "text/plain"):
        return load_tree_csv(text)
    return load_tree_json(text)


@dataclass
class OrganisationService:
    units: UnitTree
    writer: TreeWriter
    history: UnitHistory
    campaigns: CampaignCatalogue
    counters: UnitCounts
    submissions: Refileable[Entry]
    links: Refileable[StoredLink]
    audit: AuditLog
    # This process's cached tree (reports, unit search) must not outlive an import it made.
    tree_changed: Callable[[], None] | None = None

    def import_tree(self, principal: Principal, incoming: OrgTree, now: datetime, dry_run: bool = False) -> dict:
        current = self.units.whole_tree_or_none()
        change = plan_update(current, incoming) if current is not None else None
        if change is not None and change.removed:
            refuse_removing_units_in_use(change, self._units_in_use([u.path for u in change.removed]))
        summary = _summary(incoming, change)
        if dry_run:
            return {**summary, "dry_run": True}
        if change is None:
            self.units.put_tree(incoming)
            events = [
                _added(u, now, principal) for u in incoming
            ]
        else:
            self.writer.apply(incoming, change)
            events = list(change.history_events(now, principal.username or principal.user_id))
        self.history.append(events)
        if self.tree_changed is not None:
            self.tree_changed()
        self.audit.record(
            principal, "organisation.import", "organisation", "tree", now,
            after={k: v for k, v in summary.items() if k != "moves"},
            reason=f"{len(events)} change(s)",
        )
        for event in events:
            if event.kind == "moved":
                self.audit.record(principal, "unit.move", "unit", event.unit_id, now,
                                  before={"path": event.from_path}, after={"path": event.to_path})
        rekey = self.continue_rekey(principal, now, REKEY_BUDGET) if any(e.kind == "moved" for e in events) else None
        return {**summary, "dry_run": False, "rekey": rekey}

    def _units_in_use(self, paths: list[str]) -> set[str]:
        in_use: set[str] = set()
        for campaign in self.campaigns.list_all():
            counters = self.counters.items_for(campaign.id, paths)
            in_use |= {unit_id for unit_id, c in counters.items() if c.entries > 0}
        return in_use

    def continue_rekey(self, principal: Principal, now: datetime, budget: int = REKEY_BUDGET) -> dict:
        """Move up to `budget` entries and links of pending moves to their units' new paths."""
        pending = self.history.pending_moves()
        if not pending:
            return {"complete": True, "moved": 0, "pending_moves": 0}
        tree = self.units.whole_tree()
        campaigns = [c.id for c in self.campaigns.list_all()]
        moved = 0
        finished = 0
        for event in pending:
            assert event.from_path is not None
            done = True
            for campaign_id in campaigns:
                for store in (self.submissions, self.links):
                    count, exhausted = _rekey_prefix(store, tree, campaign_id, event.from_path, budget - moved)
                    moved += count
                    done = done and exhausted
                    if moved >= budget:
                        break
                if moved >= budget:
                    break
            if done:
                self.history.finish_move(event)
                finished += 1
            if moved >= budget:
                break
        complete = finished == len(pending)
        if moved:
            self.audit.record(principal, "organisation.rekey", "organisation", "tree", now,
                              after={"moved": moved, "complete": complete})
        return {"complete": complete, "moved": moved, "pending_moves": len(pending) - finished}

    def unit_view(self, principal: Principal, unit_id: str) -> dict[str, Any]:
        # Missing and out-of-branch look the same: no probing other branches.
        unit = require_unit_found_in_scope(principal, self.units.find(unit_id))
        branch = OrgTree(self.units.branch(unit.path))
        return {
            "unit_id": unit.unit_id,
            "name": unit.name,
            "level": unit.level,
            "path": unit.path,
            "parent_id": unit.parent_id,
            "children": [
                {"unit_id": c.unit_id, "name": c.name, "level": c.level,
                 "units_in_branch": len(branch.subtree(c.unit_id))}
                for c in branch.children(unit.unit_id)
            ],
            "units_in_branch": len(branch),
            "level_counts": branch.level_counts(),
            "history": [
                {
                    "kind": e.kind, "at": e.at.isoformat(), "actor": e.actor,
                    "from_path": e.from_path, "to_path": e.to_path,
                    "from_name": e.from_name, "to_name": e.to_name,
                }
                for e in self.history.for_unit(unit.unit_id)
            ],
        }


def _rekey_prefix(store: Refileable[Any], tree: OrgTree, campaign_id: str, old_path: str, budget: int) -> tuple[int, bool]:
    """Move what is still filed under `old_path`; (moved, nothing left)."""
    moved = 0
    while moved < budget:
        page = store.under_path(campaign_id, old_path, min(REKEY_PAGE, budget - moved))
        if not page:
            return moved, True
        progressed = refused = 0
        for item in page:
            unit = tree.find(item.unit_id)
            if unit is None or unit.path == item.unit_path:
                continue  # unit removed, or moved back: nothing to do for this one
            if store.rekey(item, unit.path):
                progressed += 1
            else:
                refused += 1  # changed meanwhile: read again on the next call
        moved += progressed
        if refused:
            return moved, False
        if progressed == 0:
            # Everything left under the prefix is already where its unit is.
            return moved, True
    return moved, False


def _added(unit: Any, at: datetime, principal: Principal) -> Any:
    from chalicelib.domain.organisation_changes import UnitHistoryEvent

    return UnitHistoryEvent(unit.unit_id, "added", at, principal.username or principal.user_id,
                            to_path=unit.path, to_name=unit.name)


def _summary(incoming: OrgTree, change: Any) -> dict:
    if change is None:
        return {"units": len(incoming), "added": len(incoming), "renamed": 0, "moved": 0,
                "path_changed": 0, "removed": 0, "moves": []}
    return {
        "units": len(incoming),
        "added": len(change.added),
        "renamed": len(change.renamed),
        "moved": len(change.moved),
        "path_changed": len(change.path_changes),
        "removed": len(change.removed),
        "moves": [
            {"unit_id": m.unit_id, "from_path": m.old_path, "to_path": m.new_path,
             "descendants": len(m.descendants)}
            for m in change.moved
        ],
    }
