"""Routes the organisers' console needs beyond the single-entry ones: the campaign overview, score
curves, an entry's chart with its fraud evidence, bulk approval and reason templates. The same
access rules as every route: nothing here is reachable only from the console."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.request_numbers import MAX_WEEK, whole_number

console_api_routes = Blueprint(__name__)
guard = Guard(console_api_routes)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@console_api_routes.route("/campaigns/{campaign_id}/overview", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def campaign_overview(campaign_id: str) -> dict:
    return services().overview.overview(guard.principal(), campaign_id, _now())


@console_api_routes.route("/campaigns/{campaign_id}/weeks/{week}/score-history", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def score_history(campaign_id: str, week: str) -> dict:
    from chalicelib.domain.console import parse_top

    top = parse_top((guard.request.query_params or {}).get("top"))
    return services().console.score_history(guard.principal(), campaign_id, whole_number(week, "week", 1, MAX_WEEK),
                                            top, _now())


@console_api_routes.route("/submissions/{submission_id}/chart", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def entry_chart(submission_id: str) -> dict:
    return services().console.entry_chart(guard.principal(), submission_id, _now())


@console_api_routes.route("/campaigns/{campaign_id}/bulk-approvals", methods=["POST"])
@guard.requires("organiser", "admin", scope="branch")
def bulk_approve(campaign_id: str) -> dict:
    return services().console.bulk_approve(guard.principal(), campaign_id, guard.json_body(), _now())


@console_api_routes.route("/campaigns/{campaign_id}/reason-templates", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def reason_templates(campaign_id: str) -> dict:
    return services().console.reason_templates(guard.principal(), campaign_id)


@console_api_routes.route("/campaigns/{campaign_id}/reason-templates", methods=["PUT"])
@guard.requires("organiser", "admin", scope="campaign")
def replace_reason_templates(campaign_id: str) -> dict:
    return services().console.replace_reason_templates(guard.principal(), campaign_id, guard.json_body(), _now())
