"""The scope matrix: every route the app serves, exercised as every kind of caller.

`ROUTES` has one entry per route. A route missing from it fails
`test_every_route_has_a_scope_entry`, so a new route cannot ship without
saying how it is scoped. To add one: a `Probe` with the route's scope and a
`build(world, unit_id)` that returns the request reaching data of that unit
(the unit in the path, or as ?unit_id=, or in the body). A route acting on
one entry uses `world.entry_in(unit_id)`, e.g.

    "POST /submissions/{submission_id}/approve": Probe("branch", lambda w, u: Call(
        "POST", f"/submissions/{w.entry_in(u)}/approve", "{}", JSON), success=(200, 409)),

(409 once the entry was already approved by an earlier case). A branch route
that needs a unit but is called with `None` must default to the caller's own
unit and set `unit_optional=True`.

For `branch` routes the caller organiser-ba-dinh (district ha-noi-ba-dinh)
targets {own branch, its parent, a sibling district, another province};
organiser-ha-noi targets the other province. Expected: own → 2xx, the rest →
404 (indistinguishable from a missing unit). Every 2xx answer — JSON, CSV or
XLSX — is searched for data of units outside the caller's branch: titles,
URLs, and any `unit_id` / `path` value outside it. Jury → 403, no token → 401.
"""
from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import pytest
from openpyxl import load_workbook

from chalicelib.domain.jury import JudgeAssignment
from chalicelib.domain.organisation import is_within
from tests.functional.conftest import bearer, follow_download
from tests.functional.org_world import PLACES, World, build_world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = {"Content-Type": "application/json"}


def _ok(status: int, success: int | tuple[int, ...]) -> bool:
    return status in (success if isinstance(success, tuple) else (success,))


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    scope: str  # must equal the route's declared access_rule.scope
    build: Callable[[World, str], Call]
    exports: bool = False  # also answers ?format=csv|xlsx: check those too
    success: int | tuple[int, ...] = 200  # what the caller's own branch gets
    unit_optional: bool = False  # the unit is an optional ?unit_id= (default: the caller's own)
    takes_unit: bool = True  # False: no unit in the request; the answer is filtered to the caller's branch


def _q(path: str, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
    return f"{path}?{query}" if query else path


def _link_body(world: World, unit_id: str) -> Call:
    body = {"unit_id": unit_id, "url": f"https://facebook.com/p/{uuid.uuid4().hex}",
            "posted_at": datetime.now(timezone.utc).isoformat(), "has_hashtag": True}
    return Call("POST", f"/campaigns/{world.link_campaign}/links", json.dumps(body),
                {"Content-Type": "application/json"})


_RUN_BY: dict[str, str] = {}


def run_by(unit_id: str) -> str:
    """A live copy of seed 000's campaign organised by `unit_id` (made once per session)."""
    if unit_id not in _RUN_BY:
        from chalicelib.bootstrap import services
        from chalicelib.domain.campaign import load_campaign_file
        from chalicelib.local.seed import SAMPLES, live_copy

        sample = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
        campaign = live_copy(sample, datetime.now(timezone.utc).date()).model_copy(
            update={"id": f"run-by-{unit_id}-{uuid.uuid4().hex[:6]}", "organiser_unit": unit_id})
        services().campaign_store.put(campaign)
        # jury-1 sits on every probe campaign's panel: an unassigned judge is refused before any scope.
        services().judge_panel_store.assign(JudgeAssignment(campaign.id, "jury-1", "test", datetime.now(timezone.utc)))
        _RUN_BY[unit_id] = campaign.id
    return _RUN_BY[unit_id]


def _campaign_file(unit_id: str) -> dict:
    """Seed 000's campaign as a new campaign file organised by `unit_id`."""
    from chalicelib.domain.campaign import load_campaign_file
    from chalicelib.local.seed import SAMPLES

    document = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json").to_document()
    for key in ("status", "version", "rules_version"):
        document.pop(key)
    return {**document, "id": f"edit-{unit_id}-{uuid.uuid4().hex[:8]}", "organiser_unit": unit_id}


def campaign_in(status: str, unit_id: str = "ha-noi-ba-dinh") -> str:
    """A new campaign organised by `unit_id`, moved to `status` (draft, open or closed)."""
    from chalicelib.bootstrap import services
    from chalicelib.domain.scope import Principal

    admin = Principal(user_id="matrix-admin", role="admin", username="matrix-admin")
    now = datetime.now(timezone.utc)
    campaign = services().campaigns.create(admin, _campaign_file(unit_id), now)
    for action in {"draft": (), "open": ("open",), "closed": ("open", "close")}[status]:
        campaign = services().campaigns.transition(admin, campaign.id, action, None, now)
    return campaign.id


_VERSION_IN = {"draft": 1, "open": 2, "closed": 3}


def _campaign_edit(method: str, suffix: str = "", status: str = "draft", body: Callable[[str], Any] | None = None,
                   ) -> Callable[[World, str], Call]:
    def build(world: World, unit_id: str) -> Call:
        campaign_id = campaign_in(status)
        payload = None if body is None else json.dumps(body(campaign_id))
        return Call(method, f"/campaigns/{campaign_id}{suffix}", payload, {**JSON, "If-Match": f'"{_VERSION_IN[status]}"'})
    return build


def _entry_post(action: str, body: dict) -> Callable[[World, str], Call]:
    return lambda w, u: Call("POST", f"/submissions/{w.entry_in(u)}/{action}", json.dumps(body), JSON)


_PUBLICATION = {"platform": "facebook", "video_id": "matrix-1", "url": "https://facebook.com/watch/?v=1",
                "published_at": "2026-01-01T10:00:00+07:00"}
_SHEET = "Mã video;Lượt lưu;Thời điểm đo\nmatrix-unknown;1;01/01/2026 10:00\n"

# One entry per route: "METHOD /path" -> how to exercise it.
ROUTES: dict[str, Probe] = {
    "GET /health": Probe("public", lambda w, u: Call("GET", "/health")),
    "POST /auth/token": Probe("public", lambda w, u: Call(
        "POST", "/auth/token", json.dumps({"username": "nobody", "password": "wrong"}),
        {"Content-Type": "application/json"})),
    "POST /auth/new-password": Probe("public", lambda w, u: Call(
        "POST", "/auth/new-password", json.dumps({"username": "nobody", "session": "s" * 30, "new_password": "x"}),
        {"Content-Type": "application/json"})),
    "POST /auth/refresh": Probe("public", lambda w, u: Call(
        "POST", "/auth/refresh", json.dumps({"refresh_token": "not-a-token"}), {"Content-Type": "application/json"})),
    "GET /auth/me": Probe("own_account", lambda w, u: Call("GET", "/auth/me")),
    "GET /campaigns": Probe("public", lambda w, u: Call("GET", "/campaigns")),
    "GET /campaigns/{campaign_id}": Probe("public", lambda w, u: Call("GET", f"/campaigns/{w.upload_campaign}")),
    "POST /campaigns": Probe("campaign_editors", lambda w, u: Call(
        "POST", "/campaigns", json.dumps(_campaign_file("ha-noi-ba-dinh")), JSON), success=201),
    "PUT /campaigns/{campaign_id}": Probe("campaign_editors", _campaign_edit(
        "PUT", body=lambda c: {**_campaign_file("ha-noi-ba-dinh"), "id": c, "name_en": "Replaced"})),
    "PATCH /campaigns/{campaign_id}": Probe("campaign_editors", _campaign_edit(
        "PATCH", body=lambda c: {"name_en": "Patched"})),
    "DELETE /campaigns/{campaign_id}": Probe("campaign_editors", _campaign_edit("DELETE")),
    "POST /campaigns/{campaign_id}/open": Probe("campaign_editors", _campaign_edit("POST", "/open")),
    "POST /campaigns/{campaign_id}/close": Probe("campaign_editors", _campaign_edit("POST", "/close", "open")),
    "POST /campaigns/{campaign_id}/archive": Probe("campaign_editors", _campaign_edit("POST", "/archive", "closed")),
    "GET /campaigns/{campaign_id}/versions": Probe("campaign_editors", _campaign_edit("GET", "/versions")),
    "GET /campaigns/{campaign_id}/stats": Probe("public", lambda w, u: Call(
        "GET", f"/campaigns/{w.upload_campaign}/stats")),
    "GET /units": Probe("public", lambda w, u: Call("GET", "/units?q=ha%20noi")),
    "POST /campaigns/{campaign_id}/submissions": Probe("public", lambda w, u: Call(
        "POST", f"/campaigns/{w.upload_campaign}/submissions", "{}", {"Content-Type": "application/json"})),
    "GET /submissions/{submission_id}": Probe("public", lambda w, u: Call("GET", "/submissions/none")),
    "POST /submissions/{submission_id}/uploads": Probe("public", lambda w, u: Call(
        "POST", "/submissions/none/uploads", "{}", {"Content-Type": "application/json"})),
    "POST /submissions/{submission_id}/withdraw": Probe("public", lambda w, u: Call(
        "POST", "/submissions/none/withdraw")),
    "GET /submissions/{submission_id}/uploads/current/parts": Probe("public", lambda w, u: Call(
        "GET", "/submissions/none/uploads/current/parts")),
    "POST /submissions/{submission_id}/uploads/current/complete": Probe("public", lambda w, u: Call(
        "POST", "/submissions/none/uploads/current/complete")),
    "GET /audit": Probe("everything", lambda w, u: Call("GET", "/audit")),
    "PUT /organisation": Probe("everything", lambda w, u: Call(
        "PUT", "/organisation?dry_run=true", (w_csv()), {"Content-Type": "text/csv"})),
    "POST /organisation/rekey": Probe("everything", lambda w, u: Call("POST", "/organisation/rekey")),
    "GET /organisation/units/{unit_id}": Probe("branch", lambda w, u: Call("GET", f"/organisation/units/{u}")),
    "GET /campaigns/{campaign_id}/submissions": Probe("branch", lambda w, u: Call(
        "GET", _q(f"/campaigns/{w.upload_campaign}/submissions", unit_id=u)), exports=True, unit_optional=True),
    "GET /campaigns/{campaign_id}/reports/units/{unit_id}": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{w.upload_campaign}/reports/units/{u}"), exports=True),
    "GET /campaigns/{campaign_id}/compliance/minimum-entries": Probe("branch", lambda w, u: Call(
        "GET", _q(f"/campaigns/{w.upload_campaign}/compliance/minimum-entries", unit_id=u)), exports=True, unit_optional=True),
    "GET /campaigns/{campaign_id}/compliance/posting": Probe("branch", lambda w, u: Call(
        "GET", _q(f"/campaigns/{w.link_campaign}/compliance/posting", unit_id=u)), exports=True, unit_optional=True),
    "POST /campaigns/{campaign_id}/links": Probe("branch", _link_body, success=201),
    # One entry, reached through its id: outside the branch it is a missing entry.
    "POST /submissions/{submission_id}/review": Probe("branch", _entry_post(
        "review", {"decision": "reject", "reason": "Kiểm tra phạm vi"}), success=(200, 409)),
    "POST /submissions/{submission_id}/publication": Probe("branch", _entry_post(
        "publication", _PUBLICATION), success=(200, 400, 409)),
    "POST /submissions/{submission_id}/disqualification": Probe("branch", _entry_post(
        "disqualification", {"reason": "Kiểm tra phạm vi"}), success=(200, 409)),
    "GET /submissions/{submission_id}/snapshots": Probe("branch", lambda w, u: Call(
        "GET", f"/submissions/{w.entry_in(u)}/snapshots")),
    # One entry's authors' contacts: its reviewers only (audited).
    "GET /submissions/{submission_id}/contacts": Probe("branch", lambda w, u: Call(
        "GET", f"/submissions/{w.entry_in(u)}/contacts")),
    # One entry's video: its reviewers (as "branch"), and judges only while it is in their final pool.
    "GET /submissions/{submission_id}/video": Probe("entry_viewers", lambda w, u: Call(
        "GET", f"/submissions/{w.entry_in(u)}/video"), success=(200, 409)),
    # Campaign-wide lists that a branch organiser sees filtered to their branch.
    "GET /campaigns/{campaign_id}/weeks/{week}/flags": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('tw')}/weeks/1/flags"), takes_unit=False, success=(200, 409)),
    "GET /campaigns/{campaign_id}/ingestion": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{w.upload_campaign}/ingestion"), takes_unit=False),
    "POST /campaigns/{campaign_id}/announcements": Probe("branch", lambda w, u: Call(
        "POST", f"/campaigns/{w.upload_campaign}/announcements", json.dumps(
            {"subject_vi": "Phạm vi", "message_vi": "Kiểm tra phạm vi", "filter": {"unit_id": u}}), JSON),
        success=(202, 429)),
    "GET /campaigns/{campaign_id}/notifications/failures": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{w.upload_campaign}/notifications/failures"), takes_unit=False),
    "POST /campaigns/{campaign_id}/metrics/imports": Probe("branch", lambda w, u: Call(
        "POST", f"/campaigns/{w.upload_campaign}/metrics/imports", json.dumps({"csv_text": _SHEET}), JSON),
        takes_unit=False),
    # The console's reads and actions: a branch organiser reaches only their branch's entries through them.
    "GET /campaigns/{campaign_id}/overview": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{w.upload_campaign}/overview"), takes_unit=False),
    "GET /campaigns/{campaign_id}/weeks/{week}/score-history": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('tw')}/weeks/1/score-history?top=10"), takes_unit=False),
    "GET /submissions/{submission_id}/chart": Probe("branch", lambda w, u: Call(
        "GET", f"/submissions/{w.entry_in(u)}/chart"), success=(200, 409)),
    "POST /campaigns/{campaign_id}/bulk-approvals": Probe("branch", lambda w, u: Call(
        "POST", f"/campaigns/{w.upload_campaign}/bulk-approvals",
        json.dumps({"submission_ids": [ids[0] for ids in w.entries.values()]}), JSON), takes_unit=False),
    "POST /campaigns/{campaign_id}/metrics/imports/preview": Probe("branch", lambda w, u: Call(
        "POST", f"/campaigns/{w.upload_campaign}/metrics/imports/preview", json.dumps({"csv_text": _SHEET}), JSON),
        takes_unit=False),
    "GET /campaigns/{campaign_id}/reason-templates": Probe("branch", lambda w, u: Call(
        "GET", f"/campaigns/{w.upload_campaign}/reason-templates"), takes_unit=False),
    "PUT /campaigns/{campaign_id}/reason-templates": Probe("campaign", lambda w, u: Call(
        "PUT", f"/campaigns/{run_by('ha-noi-ba-dinh')}/reason-templates",
        json.dumps({"version": 0, "templates": [{"text_vi": "Âm thanh bị rè."}]}), JSON), success=(200, 409)),
    # The campaign as a whole: its organising unit's organisers and admins.
    "POST /campaigns/{campaign_id}/weeks/{week}/close": Probe("campaign", lambda w, u: Call(
        "POST", f"/campaigns/{run_by('ha-noi-ba-dinh')}/weeks/1/close", "{}", JSON), success=(200, 409)),
    "POST /campaigns/{campaign_id}/weeks/{week}/revisions": Probe("campaign", lambda w, u: Call(
        "POST", f"/campaigns/{run_by('ha-noi-ba-dinh')}/weeks/1/revisions", '{"reason": "Số đo muộn"}', JSON),
        success=(200, 409)),
    "GET /campaigns/{campaign_id}/results": Probe("campaign", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('ha-noi-ba-dinh')}/results"), success=(200, 409)),
    "POST /campaigns/{campaign_id}/results/publications": Probe("campaign", lambda w, u: Call(
        "POST", f"/campaigns/{run_by('ha-noi-ba-dinh')}/results/publications", "{}", JSON), success=(201, 409)),
    "GET /campaigns/{campaign_id}/results/publications": Probe("campaign", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('ha-noi-ba-dinh')}/results/publications")),
    "GET /campaigns/{campaign_id}/awards": Probe("campaign", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('ha-noi-ba-dinh')}/awards")),
    "GET /campaigns/{campaign_id}/judges": Probe("campaign", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('ha-noi-ba-dinh')}/judges")),
    "PUT /campaigns/{campaign_id}/judges": Probe("campaign", lambda w, u: Call(
        "PUT", f"/campaigns/{run_by('ha-noi-ba-dinh')}/judges", json.dumps({"judges": ["jury-1"]}), JSON)),
    # The final round.
    "PUT /campaigns/{campaign_id}/jury/conflicts": Probe("jury_pool", lambda w, u: Call(
        "PUT", f"/campaigns/{run_by('ha-noi-ba-dinh')}/jury/conflicts", json.dumps({"unit_ids": []}), JSON)),
    "GET /campaigns/{campaign_id}/finalists": Probe("jury_pool", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('ha-noi-ba-dinh')}/finalists")),
    "PUT /campaigns/{campaign_id}/jury/scores/{submission_id}": Probe("jury_pool", lambda w, u: Call(
        "PUT", f"/campaigns/{run_by('ha-noi-ba-dinh')}/jury/scores/none", json.dumps({"points": {}}), JSON)),
    # Public: results are announced, the page is for everyone.
    "GET /campaigns/{campaign_id}/weeks": Probe("public", lambda w, u: Call("GET", f"/campaigns/{run_by('tw')}/weeks")),
    "GET /campaigns/{campaign_id}/weeks/{week}/ranking": Probe("public", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('tw')}/weeks/1/ranking")),
    "GET /campaigns/{campaign_id}/weeks/{week}/leaderboard": Probe("public", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('tw')}/weeks/1/leaderboard")),
    "POST /access-links": Probe("public", lambda w, u: Call(
        "POST", "/access-links", json.dumps({"contact": "nobody@example.vn"}), JSON), success=(202, 429)),
    "POST /access-links/redeem": Probe("public", lambda w, u: Call(
        "POST", "/access-links/redeem", json.dumps({"token": "x" * 43}), JSON), success=400),
    "GET /notifications/unsubscribe": Probe("public", lambda w, u: Call("GET", "/notifications/unsubscribe?token=x")),
    "POST /notifications/unsubscribe": Probe("public", lambda w, u: Call(
        "POST", "/notifications/unsubscribe?token=x", "{}", JSON), success=400),
    "GET /upload": Probe("public", lambda w, u: Call("GET", "/upload")),
    "GET /campaigns/{campaign_id}/public-board": Probe("public", lambda w, u: Call(
        "GET", f"/campaigns/{run_by('tw')}/public-board")),
    "GET /c/{campaign_id}": Probe("public", lambda w, u: Call("GET", f"/c/{run_by('tw')}")),
    "GET /c/{campaign_id}/widget": Probe("public", lambda w, u: Call("GET", f"/c/{run_by('tw')}/widget")),
    "GET /c-assets/public.js": Probe("public", lambda w, u: Call("GET", "/c-assets/public.js")),
    "GET /c-assets/public.css": Probe("public", lambda w, u: Call("GET", "/c-assets/public.css")),
    "GET /upload/upload-texts.js": Probe("public", lambda w, u: Call("GET", "/upload/upload-texts.js")),
    "GET /upload/upload-transfer.js": Probe("public", lambda w, u: Call("GET", "/upload/upload-transfer.js")),
    "GET /upload/upload.js": Probe("public", lambda w, u: Call("GET", "/upload/upload.js")),
    "GET /upload/upload.css": Probe("public", lambda w, u: Call("GET", "/upload/upload.css")),
    "GET /console": Probe("public", lambda w, u: Call("GET", "/console")),
    "GET /console/assets/{name}": Probe("public", lambda w, u: Call("GET", "/console/assets/none.js")),
}


def w_csv() -> str:
    """The stored tree as it is now (other tests add units), so the dry run plans no change."""
    from tests.functional.test_organisation_api import current_csv

    return current_csv()


def _served(app_module) -> dict[str, Any]:
    return {
        f"{method} {path}": entry
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
    }


def test_every_route_has_a_scope_entry(app_module):
    served = _served(app_module)
    missing = sorted(set(served) - set(ROUTES))
    assert not missing, (
        "Routes without an entry in tests/functional/test_scope_matrix.py ROUTES (add a Probe saying "
        f"how to reach a unit's data through them): {missing}")
    stale = sorted(set(ROUTES) - set(served))
    assert not stale, f"ROUTES lists routes the app no longer serves: {stale}"
    wrong = {
        route: (probe.scope, served[route].view_function.access_rule.scope)
        for route, probe in ROUTES.items()
        if probe.scope != served[route].view_function.access_rule.scope
    }
    assert not wrong, f"scope in ROUTES differs from the route's declared scope (matrix, route): {wrong}"


@pytest.fixture(scope="module")
def world(seeded_cloud) -> World:
    return build_world()


def _send(client, call: Call, token: str | None, extra: dict | None = None):
    headers = {**call.headers, **(extra or {})}
    if token:
        headers.update(bearer(token))
    method = getattr(client.http, call.method.lower())
    if call.body is not None:
        return method(call.path, headers=headers, body=call.body)
    answer = method(call.path, headers=headers)
    # An export answers with a link to its file: what reaches the caller is the file behind it.
    return follow_download(answer) if answer.status_code == 303 else answer


def _with_format(call: Call, file_format: str) -> Call:
    joiner = "&" if "?" in call.path else "?"
    return Call(call.method, f"{call.path}{joiner}format={file_format}", call.body, call.headers)


def _strings(response) -> list[str]:
    """Every text value in the answer, whatever its format."""
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("text/csv"):
        return response.body.decode("utf-8-sig").replace("\r\n", ",").split(",")
    if content_type == XLSX:
        book = load_workbook(io.BytesIO(response.body))
        return [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    found: list[str] = []

    def walk(value: Any, key: str | None = None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            found.append(f"{key}={value}" if key in ("unit_id", "path") else value)

    walk(json.loads(response.body))
    return found


def _assert_no_foreign_data(response, world: World, caller_path: str, caller_places: set[str], label: str):
    strings = _strings(response)
    leaked = world.foreign_markers(caller_places) & set(strings)
    assert not leaked, f"{label}: out-of-branch data in the answer: {leaked}"
    outside = [s for s in strings if s.startswith(("unit_id=", "path=")) and not _inside(s, caller_path)]
    assert not outside, f"{label}: units outside the caller's branch in the answer: {outside[:5]}"


def _inside(marker: str, caller_path: str) -> bool:
    from chalicelib.bootstrap import services

    kind, _, value = marker.partition("=")
    if kind == "path":
        return is_within(value, caller_path)
    unit = services().org_unit_store.find(value)
    return unit is not None and is_within(unit.path, caller_path)


BRANCH_ROUTES = [route for route, probe in ROUTES.items() if probe.scope == "branch"]
UNIT_ROUTES = [route for route in BRANCH_ROUTES if ROUTES[route].takes_unit]
# (caller, target place, expected outcome); places are relative to organiser-ba-dinh.
CASES = [
    ("organiser-ba-dinh", "own", "ok"),
    ("organiser-ba-dinh", "own_unit", "ok"),
    ("organiser-ba-dinh", "parent", "hidden"),
    ("organiser-ba-dinh", "sibling", "hidden"),
    ("organiser-ba-dinh", "other_province", "hidden"),
    ("organiser-ha-noi", "other_province", "hidden"),
    ("organiser-ha-noi", "sibling", "ok"),
]
CALLER_PLACES = {
    "organiser-ba-dinh": ({"own", "own_unit"}, "tw/ha-noi/ha-noi-ba-dinh"),
    "organiser-ha-noi": ({"own", "own_unit", "parent", "sibling"}, "tw/ha-noi"),
}


@pytest.mark.parametrize("route", UNIT_ROUTES)
@pytest.mark.parametrize("caller, place, outcome", CASES)
def test_branch_routes_answer_only_inside_the_callers_branch(client, tokens, world, route, caller, place, outcome):
    probe = ROUTES[route]
    call = probe.build(world, PLACES[place])
    variants = [call] + ([_with_format(call, "csv"), _with_format(call, "xlsx")] if probe.exports else [])
    places, path = CALLER_PLACES[caller]
    for variant in variants:
        response = _send(client, variant, tokens[caller])
        label = f"{caller} → {place}: {variant.method} {variant.path}"
        if outcome == "hidden":
            assert response.status_code == 404, f"{label}: {response.status_code} {response.body[:300]!r}"
            assert json.loads(response.body)["error"]["code"] in ("unit_not_found", "submission_not_found"), label
        else:
            assert _ok(response.status_code, probe.success), f"{label}: {response.status_code} {response.body[:300]!r}"
            _assert_no_foreign_data(response, world, path, places, label)


@pytest.mark.parametrize("route", [r for r in BRANCH_ROUTES if ROUTES[r].unit_optional or not ROUTES[r].takes_unit])
def test_branch_routes_without_a_unit_stay_in_the_callers_branch(client, tokens, world, route):
    probe = ROUTES[route]
    call = probe.build(world, None)
    for caller, (places, path) in CALLER_PLACES.items():
        response = _send(client, call, tokens[caller])
        assert _ok(response.status_code, probe.success), f"{caller}: {call.path}: {response.body[:200]!r}"
        _assert_no_foreign_data(response, world, path, places, f"{caller} {call.path}")


@pytest.mark.parametrize("route", BRANCH_ROUTES)
def test_branch_routes_serve_admins_refuse_jury_and_anonymous(client, tokens, world, route):
    probe = ROUTES[route]
    call = probe.build(world, PLACES["other_province"])
    assert _ok(_send(client, call, tokens["admin"]).status_code, probe.success)
    jury = _send(client, call, tokens["jury-1"])
    assert (jury.status_code, json.loads(jury.body)["error"]["code"]) == (403, "role_not_allowed")
    assert _send(client, call, None).status_code == 401


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "entry_viewers"])
def test_entry_viewer_routes_serve_reviewers_and_judges_of_the_pool_only(client, tokens, world, route):
    """Organisers as on branch routes; a judge reaches no probe entry (none is in a final pool)
    and is told what a missing entry tells, never that the entry exists."""
    probe = ROUTES[route]
    for caller, place, outcome in CASES:
        call = probe.build(world, PLACES[place])
        response = _send(client, call, tokens[caller])
        label = f"{caller} → {place}: {call.method} {call.path}"
        if outcome == "hidden":
            assert (response.status_code, json.loads(response.body)["error"]["code"]) == (
                404, "submission_not_found"), label
        else:
            assert _ok(response.status_code, probe.success), f"{label}: {response.status_code} {response.body[:300]!r}"
            _assert_no_foreign_data(response, world, CALLER_PLACES[caller][1], CALLER_PLACES[caller][0], label)
    call = probe.build(world, PLACES["other_province"])
    assert _ok(_send(client, call, tokens["admin"]).status_code, probe.success)
    jury = _send(client, call, tokens["jury-1"])
    assert (jury.status_code, json.loads(jury.body)["error"]["code"]) == (404, "submission_not_found")
    assert _send(client, call, None).status_code == 401


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "everything"])
def test_admin_only_routes_refuse_everyone_else(client, tokens, world, route):
    call = ROUTES[route].build(world, "")
    assert _send(client, call, tokens["admin"]).status_code == 200, route
    for caller in ("organiser-ha-noi", "organiser-ba-dinh", "jury-1"):
        assert _send(client, call, tokens[caller]).status_code == 403, (route, caller)
    assert _send(client, call, None).status_code == 401


def _reached(response) -> bool:
    """The caller got past access control (the answer may still be a 404/409 about the data)."""
    if response.status_code in (401, 403):
        return False
    return True


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "campaign"])
def test_campaign_routes_serve_its_organisers_and_admins_only(client, tokens, world, route, app_module):
    """The probe campaigns are organised by ha-noi-ba-dinh: its organisers run them, and admins.
    Issue 11: Hà Nội above it no longer does (it used to: any branch containing the organising unit)."""
    probe = ROUTES[route]
    call = probe.build(world, "")
    for caller in ("admin", "organiser-ba-dinh"):
        response = _send(client, call, tokens[caller])
        assert _ok(response.status_code, probe.success), (route, caller, response.status_code, response.body[:200])
    for caller, code in (("organiser-ha-noi", "not_campaign_organiser"), ("organiser-hcm", "not_campaign_organiser"),
                         ("jury-1", "role_not_allowed")):
        response = _send(client, call, tokens[caller])
        assert (response.status_code, json.loads(response.body)["error"]["code"]) == (403, code), (route, caller)
    assert _send(client, call, None).status_code == 401


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "jury_pool"])
def test_jury_pool_routes_serve_the_jury_and_the_campaigns_organisers_only(client, tokens, world, route, app_module):
    call = ROUTES[route].build(world, "")
    roles = _served(app_module)[route].view_function.access_rule.roles
    for caller, role in (("jury-1", "jury"), ("admin", "admin"), ("organiser-ba-dinh", "organiser")):
        response = _send(client, call, tokens[caller])
        assert _reached(response) == (role in roles), (route, caller, response.status_code, response.body[:200])
    # An organiser who does not run the campaign never sees its final-round pool.
    assert _send(client, call, tokens["organiser-hcm"]).status_code == 403
    assert _send(client, call, None).status_code == 401


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "own_account"])
def test_own_account_routes_show_only_the_caller(client, tokens, world, route):
    call = ROUTES[route].build(world, "")
    for caller, token in tokens.items():
        response = _send(client, call, token)
        assert response.status_code == 200
        assert json.loads(response.body).get("username") == caller
    assert _send(client, call, None).status_code == 401


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "public"])
def test_public_routes_need_no_sign_in(client, world, route):
    response = _send(client, ROUTES[route].build(world, ""), None)
    body = json.loads(response.body) if response.body and response.body[:1] in (b"{", b"[") else {}
    code = (body.get("error") or {}).get("code") if isinstance(body, dict) else None
    assert code not in ("missing_token", "invalid_token", "role_not_allowed"), (route, response.status_code, code)
    assert response.status_code < 500 or route == "GET /health", (route, response.status_code)


@pytest.mark.parametrize("route", [r for r, p in ROUTES.items() if p.scope == "campaign_editors"])
def test_campaign_settings_are_edited_by_admins_and_the_organising_units_organisers_only(
        client, tokens, world, route):
    """The probe campaigns are organised by ha-noi-ba-dinh: only its organisers (not ha-noi above it) edit them.
    A draft is not public, so to anyone else it does not exist; an open or closed campaign is, so they are refused."""
    probe = ROUTES[route]
    for caller in ("admin", "organiser-ba-dinh"):
        response = _send(client, probe.build(world, ""), tokens[caller])
        assert _ok(response.status_code, probe.success), (route, caller, response.status_code, response.body[:300])
    on_public_campaign = route.endswith(("/close", "/archive")) or route == "POST /campaigns"
    outsider = (403, "not_campaign_editor") if on_public_campaign else (404, "campaign_not_found")
    for caller, expected in (("organiser-ha-noi", outsider), ("organiser-hcm", outsider),
                             ("jury-1", (403, "role_not_allowed"))):
        response = _send(client, probe.build(world, ""), tokens[caller])
        assert (response.status_code, json.loads(response.body)["error"]["code"]) == expected, (route, caller)
    assert _send(client, probe.build(world, ""), None).status_code == 401
