"""Importing the organisation tree on fakes: a dry run, the first import, a move, and refusals."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.organisation_file import OrganisationImportError
from chalicelib.domain.rollup import UnitCounters
from chalicelib.services.organisation import OrganisationService, parse_tree
from tests.fakes.stores import FakeCounters, FakeFiled, FakeUnitHistory, FakeUnitTree
from tests.fakes.world import ADMIN, ROOT

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
SAMPLE = (ROOT / "samples" / "organisation.csv").read_bytes()


@pytest.fixture
def tree_store() -> FakeUnitTree:
    return FakeUnitTree()


@pytest.fixture
def organisation(world, tree_store) -> OrganisationService:
    return OrganisationService(tree_store, tree_store, FakeUnitHistory(), world.campaigns, FakeCounters(),
                               FakeFiled(), FakeFiled(), world.audit)


def moved(csv: bytes, unit_id: str, new_parent: str) -> bytes:
    """The same file with one unit under another parent."""
    lines = []
    for line in csv.decode("utf-8").splitlines():
        fields = line.split(",")
        if fields[0] == unit_id:
            fields[2] = new_parent
        lines.append(",".join(fields))
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_dry_run_reports_the_import_and_writes_nothing(organisation, tree_store, world):
    incoming = parse_tree(SAMPLE, "text/csv")

    summary = organisation.import_tree(ADMIN, incoming, NOW, dry_run=True)

    assert summary["dry_run"] is True and summary["units"] == summary["added"] == len(incoming)
    assert tree_store.whole_tree_or_none() is None and world.audit_trail.entries == []


def test_the_first_import_stores_the_tree_and_each_units_history(organisation, tree_store, world):
    incoming = parse_tree(SAMPLE, "text/csv")

    summary = organisation.import_tree(ADMIN, incoming, NOW)

    assert summary["dry_run"] is False and summary["rekey"] is None
    assert tree_store.whole_tree() is incoming
    assert {e.kind for e in organisation.history.events} == {"added"}
    assert len(organisation.history.events) == len(incoming)
    assert world.audit_trail.actions() == ["organisation.import"]


def test_moving_a_district_refiles_its_entries_under_the_new_path(organisation, tree_store, world):
    organisation.import_tree(ADMIN, parse_tree(SAMPLE, "text/csv"), NOW)
    entry = world.entry("ha-noi-ba-dinh-kim-ma", status="valid")
    organisation.submissions.items[entry.submission_id] = entry

    summary = organisation.import_tree(ADMIN, parse_tree(moved(SAMPLE, "ha-noi-ba-dinh", "hcm"), "text/csv"), NOW)

    assert summary["moved"] == 1 and summary["moves"][0]["to_path"] == "tw/hcm/ha-noi-ba-dinh"
    assert summary["rekey"] == {"complete": True, "moved": 1, "pending_moves": 0}
    assert organisation.submissions.items[entry.submission_id].unit_path == "tw/hcm/ha-noi-ba-dinh/ha-noi-ba-dinh-kim-ma"
    assert world.audit_trail.actions()[-3:] == ["organisation.import", "unit.move", "organisation.rekey"]


def test_an_entry_changed_during_refiling_is_left_for_the_next_pass(organisation, world):
    organisation.import_tree(ADMIN, parse_tree(SAMPLE, "text/csv"), NOW)
    entry = world.entry("ha-noi-ba-dinh-kim-ma", status="valid")
    organisation.submissions.items[entry.submission_id] = entry
    refile = organisation.submissions.rekey
    organisation.submissions.rekey = lambda item, path: False  # someone else moved it meanwhile

    first = organisation.import_tree(ADMIN, parse_tree(moved(SAMPLE, "ha-noi-ba-dinh", "hcm"), "text/csv"), NOW)
    organisation.submissions.rekey = refile
    then = organisation.continue_rekey(ADMIN, NOW)

    assert first["rekey"]["complete"] is False and then == {"complete": True, "moved": 1, "pending_moves": 0}


def test_removing_a_unit_that_has_entries_is_refused(organisation, tree_store, world):
    organisation.import_tree(ADMIN, parse_tree(SAMPLE, "text/csv"), NOW)
    unit = tree_store.find("ha-noi-dong-anh-co-loa")
    organisation.counters.set(world.campaign.id, unit.unit_id, unit.path, UnitCounters(entries=2, valid=1))
    without = b"\n".join(line for line in SAMPLE.splitlines() if not line.startswith(b"ha-noi-dong-anh-co-loa,"))

    with pytest.raises(Conflict) as refused:
        organisation.import_tree(ADMIN, parse_tree(without, "text/csv"), NOW, dry_run=True)

    assert refused.value.code == "unit_in_use"
    assert tree_store.find("ha-noi-dong-anh-co-loa") is not None


def test_a_malformed_file_lists_every_problem(organisation):
    broken = SAMPLE + b"orphan,Chi doan mo coi,nowhere,grassroots\nha-noi,Trung lap,tw,province\n"

    with pytest.raises(OrganisationImportError) as refused:
        parse_tree(broken, "text/csv")

    assert len(refused.value.problems) >= 2
