"""Engagement routes: organisers import figures and watch ingestion; everyone reads the live leaderboard."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.request_numbers import MAX_WEEK, whole_number

engagement_routes = Blueprint(__name__)
guard = Guard(engagement_routes)


def _limit(default: int, maximum: int) -> int:
    return whole_number((guard.request.query_params or {}).get("limit"), "limit", 1, maximum, default=default)


def _week(raw: str) -> int:
    return whole_number(raw, "week", 1, MAX_WEEK)


def _uploaded_file(body: dict) -> tuple[bytes, str]:
    """Either {"csv_text": "..."} or {"file_name": "x.xlsx", "content_base64": "..."}."""
    if isinstance(body.get("csv_text"), str):
        return body["csv_text"].encode("utf-8"), "import.csv"
    file_name, encoded = body.get("file_name"), body.get("content_base64")
    if not isinstance(file_name, str) or not isinstance(encoded, str):
        raise InvalidInput(
            "Gửi csv_text, hoặc file_name cùng content_base64.",
            "Send csv_text, or file_name with content_base64.",
            code="missing_import_file",
        )
    try:
        return base64.b64decode(encoded, validate=True), file_name
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "content_base64 không phải base64 hợp lệ.", "content_base64 is not valid base64.",
            code="invalid_base64",
        ) from None


def _sheet_request(campaign_id: str):
    """An import's or a preview's file and optional measured_at (in the campaign's zone)."""
    from chalicelib.services.engagement import parse_measured_at_field

    body = guard.json_body()
    content, file_name = _uploaded_file(body)
    campaign = services().campaign_store.require(campaign_id)
    return content, file_name, parse_measured_at_field(body.get("measured_at"), campaign.zone)


@engagement_routes.route("/campaigns/{campaign_id}/metrics/imports", methods=["POST"])
@guard.requires("admin", "organiser", scope="branch")
def import_metrics(campaign_id: str) -> dict:
    content, file_name, measured_at = _sheet_request(campaign_id)
    principal = guard.principal()
    now = datetime.now(timezone.utc)
    result = services().engagement.import_sheet(campaign_id, principal, content, file_name, measured_at, now)
    services().audit_log.record(
        principal, "import_metrics", "campaign", campaign_id, now, campaign_id=campaign_id,
        after={k: v for k, v in result.items() if k != "unknown_video_ids"}
        | {"file_name": file_name, "unknown_count": len(result["unknown_video_ids"])},
    )
    return result


@engagement_routes.route("/campaigns/{campaign_id}/metrics/imports/preview", methods=["POST"])
@guard.requires("admin", "organiser", scope="branch")
def preview_metrics_import(campaign_id: str) -> dict:
    """The same file and fields as an import; nothing is written or audited."""
    content, file_name, measured_at = _sheet_request(campaign_id)
    return services().engagement.preview_sheet(campaign_id, guard.principal(), content, file_name, measured_at,
                                               _limit(200, 1000))


@engagement_routes.route("/campaigns/{campaign_id}/ingestion", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def ingestion_runs(campaign_id: str) -> dict:
    """Counts only (no entry data), so every organiser may see whether readings are complete."""
    return services().engagement.recent_runs(campaign_id, _limit(50, 200))


@engagement_routes.route("/campaigns/{campaign_id}/weeks/{week}/leaderboard", methods=["GET"])
@guard.public
def live_leaderboard(campaign_id: str, week: str) -> dict:
    from chalicelib.services.engagement import MAX_LEADERBOARD

    return services().leaderboard_view.rows(campaign_id, _week(week), _limit(20, MAX_LEADERBOARD))
