"""Organisers' reads of their branch (entries, roll-ups, compliance, downloads) and the public counter."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.api.downloads import export_response
from chalicelib.bootstrap import services

report_routes = Blueprint(__name__)
guard = Guard(report_routes)


def _params() -> dict:
    return dict(guard.request.query_params or {})


def _format() -> str | None:
    from chalicelib.domain.exports import export_format

    return export_format(_params().get("format"))


@report_routes.route("/campaigns/{campaign_id}/submissions", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def list_branch_entries(campaign_id: str) -> Response | dict:
    """Entries of the caller's branch (optionally one unit inside it, one status); paginated."""
    reports, file_format = services().reports, _format()
    if file_format:
        sheet = reports.entries_sheet(guard.principal(), campaign_id, _params(), datetime.now(timezone.utc))
        return export_response(lambda: sheet, file_format, guard.request.headers)
    return reports.list_entries(guard.principal(), campaign_id, _params())


@report_routes.route("/campaigns/{campaign_id}/reports/units/{unit_id}", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def unit_report(campaign_id: str, unit_id: str) -> Response | dict:
    reports, file_format = services().reports, _format()
    if file_format:
        sheet = reports.report_sheet(guard.principal(), campaign_id, unit_id)
        return export_response(lambda: sheet, file_format, guard.request.headers)
    return reports.unit_report(guard.principal(), campaign_id, unit_id)


@report_routes.route("/campaigns/{campaign_id}/compliance/minimum-entries", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def minimum_entries(campaign_id: str) -> Response | dict:
    reports, file_format = services().reports, _format()
    if file_format:
        sheet = reports.minimum_entries_sheet(guard.principal(), campaign_id, _params())
        return export_response(lambda: sheet, file_format, guard.request.headers)
    return reports.minimum_entries(guard.principal(), campaign_id, _params())


@report_routes.route("/campaigns/{campaign_id}/compliance/posting", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def posting_compliance(campaign_id: str) -> Response | dict:
    reports, file_format, now = services().reports, _format(), datetime.now(timezone.utc)
    if file_format:
        sheet = reports.posting_sheet(guard.principal(), campaign_id, _params(), now)
        return export_response(lambda: sheet, file_format, guard.request.headers)
    return reports.posting(guard.principal(), campaign_id, _params(), now)


@report_routes.route("/campaigns/{campaign_id}/links", methods=["POST"])
@guard.requires("admin", "organiser", scope="branch")
def submit_link(campaign_id: str) -> Response:
    """A unit's post (seed 001): counts towards the weekly quota if it carries the hashtag."""
    link = services().reports.post_link(
        guard.principal(), campaign_id, guard.json_body(), datetime.now(timezone.utc)
    )
    return Response(body=link, status_code=201)


@report_routes.route("/campaigns/{campaign_id}/stats", methods=["GET"])
@guard.public
def public_counter(campaign_id: str) -> Response:
    """No sign-in: totals and a day-by-day series (Vietnam dates) of entries received and valid."""
    stats = services().public_stats.for_campaign(campaign_id)
    return Response(body=stats, headers={"Cache-Control": "public, max-age=60"})
