"""Publishing the final results over HTTP: refusals, versions that chain, the audit, prize events."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.campaign import Campaign
from chalicelib.domain.weeks import week_window
from tests.fakes.notifications import RecordedEvents
from tests.functional.conftest import bearer, publish_and_close_week_one
from tests.functional.test_review_and_results_api import ADMIN, JSON, _on_the_panel, _sample, _valid_entry, error_of


@pytest.fixture(scope="module")
def final(seeded_cloud):
    """A one-week campaign in 2025, closed, with jury-1 on its panel and no scorecard yet."""
    data = _sample().shifted_by_weeks(52).model_dump()
    data.update(id=f"kvhc-pub-{uuid.uuid4().hex[:8]}", voting_weeks=data["voting_weeks"][:1])
    campaign = Campaign.model_validate(data)
    services().campaign_store.put(campaign)
    _on_the_panel(campaign)
    start, end = week_window(campaign, 1)
    created = start - timedelta(days=7)
    units = {"kim-ma": "ha-noi-ba-dinh-kim-ma", "ben-nghe": "hcm-q1-ben-nghe"}
    ids = {name: _valid_entry(campaign.id, unit, f"Tác phẩm {name}", created) for name, unit in units.items()}
    publish_and_close_week_one(campaign, ids, start, end, created, ADMIN)
    return SimpleNamespace(campaign=campaign, ids=ids)


@pytest.fixture
def events(monkeypatch) -> RecordedEvents:
    recorded = RecordedEvents()
    monkeypatch.setattr(services().final_round, "notifications", recorded)
    return recorded


def test_publishing_freezes_versions_that_chain_and_tells_each_winner_once_per_prize(client, tokens, final, events):
    campaign_id = final.campaign.id
    admin, jury = bearer(tokens["admin"]), {**JSON, **bearer(tokens["jury-1"])}

    def publish(token: str = tokens["admin"]):
        return client.http.post(f"/campaigns/{campaign_id}/results/publications", headers={**JSON, **bearer(token)},
                                body="{}")

    def score(entry: str, message: int) -> None:
        answer = client.http.put(f"/campaigns/{campaign_id}/jury/scores/{final.ids[entry]}", headers=jury,
                                 body=json.dumps({"points": {"message": message, "creativity": 20, "craft": 20}}))
        assert answer.status_code == 200

    assert error_of(publish()) == (409, "no_results_to_publish")
    assert error_of(publish(tokens["jury-1"])) == (403, "role_not_allowed")
    assert publish(tokens["organiser-hcm"]).status_code == 403

    score("kim-ma", 35)
    first = publish()
    assert first.status_code == 201
    v1 = first.json_body
    assert v1["version"] == 1 and v1["previous_hash"] is None and v1["verified"] is True
    assert v1["prizes"] == {"first": [final.ids["kim-ma"]]} and v1["judges"] == ["jury-1"]
    assert v1["pool"]["week_versions"]
    assert [e.key for e in events.events] == ["prize#first"]

    assert error_of(publish()) == (409, "results_unchanged")

    score("ben-nghe", 38)  # ben-nghe now leads: kim-ma's prize changes
    second = publish().json_body
    assert second["version"] == 2 and second["previous_hash"] == v1["hash"]
    assert second["prizes"] == {"first": [final.ids["ben-nghe"]], "second": [final.ids["kim-ma"]]}
    assert sorted((e.submission_id, e.key) for e in events.events[1:]) == sorted(
        [(final.ids["ben-nghe"], "prize#first"), (final.ids["kim-ma"], "prize#second")])

    listed = client.http.get(f"/campaigns/{campaign_id}/results/publications", headers=admin)
    assert listed.status_code == 200
    assert [(v["version"], v["hash"]) for v in listed.json_body["versions"]] == [(2, second["hash"]), (1, v1["hash"])]
    results = client.http.get(f"/campaigns/{campaign_id}/results", headers=admin).json_body
    assert results["published"]["version"] == 2 and results["published"]["hash"] == second["hash"]
    assert [s["entry_id"] for s in results["published"]["standings"]] == [s["entry_id"] for s in results["standings"]]

    audited = [a for a in services().audit_store.for_entity("campaign", campaign_id) if a.action == "publish_results"]
    assert len(audited) == 2
    latest = max(audited, key=lambda a: a.after["version"])
    assert latest.before["hash"] == v1["hash"] and latest.after["hash"] == second["hash"]


def test_results_of_a_campaign_whose_weeks_are_not_closed_cannot_be_published(client, tokens, seeded_cloud):
    from chalicelib.local.seed import live_copy

    campaign = live_copy(_sample(), datetime.now(timezone.utc).date()).model_copy(
        update={"id": f"kvhc-open-{uuid.uuid4().hex[:8]}"})
    services().campaign_store.put(campaign)
    answer = client.http.post(f"/campaigns/{campaign.id}/results/publications",
                              headers={**JSON, **bearer(tokens["admin"])}, body="{}")
    assert error_of(answer) == (409, "weeks_not_frozen")
    listed = client.http.get(f"/campaigns/{campaign.id}/results/publications", headers=bearer(tokens["admin"]))
    assert listed.status_code == 200 and listed.json_body["versions"] == []


def test_an_unknown_campaign_has_no_results_to_publish(client, tokens, seeded_cloud):
    answer = client.http.post("/campaigns/khong-co/results/publications", headers={**JSON, **bearer(tokens["admin"])},
                              body="{}")
    assert answer.status_code == 404
