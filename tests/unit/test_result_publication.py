"""Published final results: sealed versions that chain, refuse to repeat themselves, and name their prizes."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.result_publication import (
    prize_events,
    publication_basis,
    seal_publication,
    verify_publication,
)


def basis(prize_of_a: str = "first") -> dict:
    standings = [{"entry_id": "a", "rank": 1, "prize": prize_of_a}, {"entry_id": "b", "rank": 2, "prize": None}]
    cards = [{"judge_id": "j2", "entry_id": "a", "total": "80"}, {"judge_id": "j1", "entry_id": "a", "total": "90"}]
    return publication_basis("c", {"week_versions": {"1": 1}}, ["j2", "j1"], cards, standings, {prize_of_a: ["a"]})


def test_a_first_version_is_sealed_from_what_it_used():
    document = seal_publication(basis(), None, "2025-01-01T00:00:00Z", "admin")

    assert document["version"] == 1 and document["previous_hash"] is None
    assert document["judges"] == ["j1", "j2"]
    assert [c["judge_id"] for c in document["scorecards"]] == ["j1", "j2"]
    assert document["hash"].startswith("sha256:") and verify_publication(document)


def test_a_tampered_version_no_longer_verifies():
    document = seal_publication(basis(), None, "2025-01-01T00:00:00Z", "admin")

    assert not verify_publication({**document, "prizes": {"first": ["b"]}})
    assert not verify_publication({**document, "published_by": "someone"})


def test_nothing_changed_since_the_last_version_is_refused():
    first = seal_publication(basis(), None, "2025-01-01T00:00:00Z", "admin")

    with pytest.raises(Conflict) as refused:
        seal_publication(basis(), first, "2025-01-02T00:00:00Z", "admin")
    assert refused.value.code == "results_unchanged"


def test_a_changed_result_is_the_next_version_chained_to_the_last():
    first = seal_publication(basis(), None, "2025-01-01T00:00:00Z", "admin")

    second = seal_publication(basis("second"), first, "2025-01-02T00:00:00Z", "admin")

    assert second["version"] == 2 and second["previous_hash"] == first["hash"] and second["hash"] != first["hash"]


def test_each_prize_winner_gets_one_event_keyed_by_the_prize():
    first = seal_publication(basis(), None, "2025-01-01T00:00:00Z", "admin")
    second = seal_publication(basis("second"), first, "2025-01-02T00:00:00Z", "admin")

    assert [(e.submission_id, e.key) for e in prize_events(first)] == [("a", "prize#first")]
    assert [(e.submission_id, e.key) for e in prize_events(second)] == [("a", "prize#second")]
