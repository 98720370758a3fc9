from datetime import datetime, timezone

from chalicelib.bootstrap import services
from chalicelib.domain.scope import Principal
from tests.functional.conftest import bearer


def test_an_admin_reads_what_was_done_and_an_organiser_may_not(client, tokens):
    actor = Principal(user_id="u-9", role="organiser", unit_id="ha-noi", unit_path="tw/ha-noi", username="organiser-ha-noi")
    services().audit_log.record(actor, "approve", "submission", "s-audit-1", datetime.now(timezone.utc),
                                    campaign_id="khat-vong-hung-cuong", before={"status": "valid"},
                                    after={"status": "approved"})
    response = client.http.get("/audit?entity_type=submission&entity_id=s-audit-1", headers=bearer(tokens["admin"]))
    assert response.status_code == 200
    [entry] = response.json_body["entries"]
    assert (entry["actor"], entry["action"], entry["before"], entry["after"]) == (
        "organiser-ha-noi", "approve", {"status": "valid"}, {"status": "approved"})
    today = client.http.get("/audit", headers=bearer(tokens["admin"]))
    assert any(e["entity_id"] == "s-audit-1" for e in today.json_body["entries"])
    assert client.http.get("/audit", headers=bearer(tokens["organiser-ha-noi"])).status_code == 403
    bad = client.http.get("/audit?day=21-11-2026", headers=bearer(tokens["admin"]))
    assert (bad.status_code, bad.json_body["error"]["code"]) == (400, "invalid_day")
