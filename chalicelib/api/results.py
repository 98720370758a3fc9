"""Weeks, frozen rankings, fraud flags, the final round and prizes, with exports."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.api.downloads import export_response
from chalicelib.bootstrap import services
from chalicelib.domain.request_numbers import MAX_VERSION, MAX_WEEK, whole_number

if TYPE_CHECKING:
    from chalicelib.domain.exports import Sheet
    from chalicelib.services.spreadsheets import KeptExport

results_routes = Blueprint(__name__)
guard = Guard(results_routes)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _week(week: str) -> int:
    return whole_number(week, "week", 1, MAX_WEEK)


def _negotiated(view: dict, sheet_of: Callable[[dict, str], Sheet], filename: str,
                kept: KeptExport | None = None) -> Response | dict:
    """JSON by default; a link to a CSV or XLSX file with ?format=csv|xlsx."""
    from chalicelib.domain.exports import export_format

    file_format = export_format((guard.request.query_params or {}).get("format"))
    if file_format is None:
        return view
    return export_response(lambda: sheet_of(view, filename), file_format, guard.request.headers, kept)


def _frozen_ranking(view: dict, filename: str) -> KeptExport | None:
    """A closed week's version never changes: its file is kept and a second click reuses it. The title
    names the latest version too, so a newer version makes a new file."""
    from chalicelib.services.spreadsheets import KeptExport

    if not view.get("closed_at") or not view.get("hash"):
        return None
    version = f"v{view['version']}-of-{view['latest_version']}-{view['hash']}"
    return KeptExport(f"rankings/{view['campaign_id']}/week-{view['week']}/{version}", filename)


@results_routes.route("/campaigns/{campaign_id}/weeks", methods=["GET"])
@guard.public
def list_weeks(campaign_id: str) -> dict:
    return services().week_results.weeks(campaign_id, _now())


@results_routes.route("/campaigns/{campaign_id}/weeks/{week}/close", methods=["POST"])
@guard.requires("organiser", "admin", scope="campaign")
def close_week(campaign_id: str, week: str) -> dict:
    from chalicelib.domain.review import CloseRequest
    from chalicelib.domain.submission import parse_request

    request = parse_request(CloseRequest, guard.json_body())
    assert isinstance(request, CloseRequest)
    return services().week_results.close_week(
        campaign_id, _week(week), _now(), guard.principal(), confirm_unmeasured=request.confirm_unmeasured
    )


@results_routes.route("/campaigns/{campaign_id}/weeks/{week}/revisions", methods=["POST"])
@guard.requires("organiser", "admin", scope="campaign")
def revise_week(campaign_id: str, week: str) -> dict:
    """Version n+1 of a closed week with the readings that arrived after its close."""
    return services().week_results.revise_with_late_readings(
        campaign_id, _week(week), guard.principal(), guard.json_body().get("reason"), _now()
    )


@results_routes.route("/campaigns/{campaign_id}/weeks/{week}/ranking", methods=["GET"])
@guard.public
def week_ranking(campaign_id: str, week: str) -> Response | dict:
    params = guard.request.query_params or {}
    version = params.get("version")
    week_results = services().week_results
    view = week_results.ranking(
        campaign_id, _week(week), whole_number(version, "version", 1, MAX_VERSION) if version is not None else None,
        _now(),
    )
    filename = f"xep-hang-{campaign_id}-tuan-{view['week']}-v{view['version']}"
    return _negotiated(view, week_results.ranking_sheet, filename, _frozen_ranking(view, filename))


@results_routes.route("/campaigns/{campaign_id}/weeks/{week}/flags", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def week_flags(campaign_id: str, week: str) -> dict:
    return services().week_results.flags(campaign_id, _week(week), guard.principal(), _now())


@results_routes.route("/campaigns/{campaign_id}/finalists", methods=["GET"])
@guard.requires("jury", "organiser", "admin", scope="jury_pool")
def finalists(campaign_id: str) -> dict:
    return services().final_round.finalists(campaign_id, guard.principal())


@results_routes.route("/campaigns/{campaign_id}/jury/scores/{submission_id}", methods=["PUT"])
@guard.requires("jury", scope="jury_pool")
def score_finalist(campaign_id: str, submission_id: str) -> dict:
    return services().final_round.score(
        campaign_id, submission_id, guard.principal(), guard.json_body(), _now()
    )


@results_routes.route("/campaigns/{campaign_id}/results", methods=["GET"])
@guard.requires("organiser", "admin", scope="campaign")
def final_results(campaign_id: str) -> Response | dict:
    final_round = services().final_round
    view = final_round.results(campaign_id, guard.principal())
    return _negotiated(view, final_round.results_sheet, f"ket-qua-{campaign_id}")


@results_routes.route("/campaigns/{campaign_id}/results/publications", methods=["POST"])
@guard.requires("organiser", "admin", scope="campaign")
def publish_results(campaign_id: str) -> Response:
    published = services().final_round.publish_results(campaign_id, guard.principal(), _now())
    return Response(body=published, status_code=201)


@results_routes.route("/campaigns/{campaign_id}/results/publications", methods=["GET"])
@guard.requires("organiser", "admin", scope="campaign")
def result_publications(campaign_id: str) -> dict:
    return services().final_round.publications_of(campaign_id, guard.principal())


@results_routes.route("/campaigns/{campaign_id}/awards", methods=["GET"])
@guard.requires("organiser", "admin", scope="campaign")
def special_awards(campaign_id: str) -> dict:
    return services().final_round.awards(campaign_id, guard.principal(), _now())
