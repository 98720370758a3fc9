"""The unsubscribe link every message carries, and organisers' list of failed messages, over HTTP."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from chalicelib.bootstrap import services
from chalicelib.domain import notifications as notify
from tests.functional.conftest import bearer

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _token_for(address: str) -> str:
    return notify.unsubscribe_token(address, services().notification_signing_key())


def test_the_link_opens_a_page_that_asks_before_it_stops_anything(client):
    token = _token_for("page@example.vn")

    page = client.http.get(f"/notifications/unsubscribe?token={token}&lang=en")

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<form method="post"' in page.body.decode() and "Unsubscribe" in page.body.decode()
    key = notify.contact_key("page@example.vn", services().notification_signing_key())
    assert not services().notification_log.opted_out(key)


def test_one_click_and_the_pages_button_stop_further_messages(client):
    address = "one-click@example.vn"
    key = notify.contact_key(address, services().notification_signing_key())

    answer = client.http.post(f"/notifications/unsubscribe?token={_token_for(address)}", headers=FORM,
                              body="List-Unsubscribe=One-Click")

    assert answer.status_code == 200 and "Đã hủy đăng ký" in answer.body.decode()
    assert services().notification_log.opted_out(key)
    again = client.http.post(f"/notifications/unsubscribe?token={_token_for(address)}", headers=JSON, body="{}")
    assert (again.status_code, json.loads(again.body)) == (200, {"unsubscribed": True})


def test_a_forged_token_is_refused_in_the_error_shape(client):
    answer = client.http.post("/notifications/unsubscribe?token=" + "0" * 64 + ".forged&lang=en", headers=JSON,
                              body="{}")

    assert answer.status_code == 400
    assert json.loads(answer.body)["error"]["code"] == "invalid_unsubscribe_token"


def test_an_overlong_token_is_refused_before_the_page_offers_it(client):
    for method in (client.http.get, client.http.post):
        answer = method("/notifications/unsubscribe?token=" + "a" * 201)

        assert answer.status_code == 400
        assert json.loads(answer.body)["error"]["code"] == "invalid_unsubscribe_token"


def test_failed_messages_are_for_signed_in_organisers_only(client, tokens):
    path = "/campaigns/khat-vong-hung-cuong/notifications/failures"

    assert client.http.get(path).status_code == 401
    assert client.http.get(path, headers=bearer(tokens["jury-1"])).status_code == 403
    assert client.http.get("/campaigns/no-such-campaign/notifications/failures",
                           headers=bearer(tokens["admin"])).status_code == 404
    listed = client.http.get(path, headers=bearer(tokens["organiser-ha-noi"]))
    assert listed.status_code == 200 and "failures" in json.loads(listed.body)


def test_an_organiser_sees_failures_of_their_branch_only(client, tokens):
    log = services().notification_log
    now = datetime.now(timezone.utc)
    for entry_id, path in (("e-fail-hanoi", "tw/ha-noi/ha-noi-ba-dinh"), ("e-fail-hcm", "tw/hcm/hcm-q1"),
                           ("e-fail-sibling", "tw/ha-noi-2")):
        log.claim(entry_id, "approved", "khat-vong-hung-cuong", path, now)
        log.failed(entry_id, "approved", "Throttling", now)

    seen = json.loads(client.http.get("/campaigns/khat-vong-hung-cuong/notifications/failures",
                                      headers=bearer(tokens["organiser-ha-noi"])).body)["failures"]

    ids = {f["submission_id"] for f in seen}
    assert "e-fail-hanoi" in ids and not {"e-fail-hcm", "e-fail-sibling"} & ids
