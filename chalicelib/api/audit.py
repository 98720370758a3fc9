from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput

audit_routes = Blueprint(__name__)
guard = Guard(audit_routes)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@audit_routes.route("/audit", methods=["GET"])
@guard.requires("admin", scope="everything")
def read_audit_log() -> dict:
    """One Vietnam day of actions (default today), or one entity's or one actor's history."""
    params = guard.request.query_params or {}
    store = services().audit_store
    if params.get("entity_type") and params.get("entity_id"):
        entries = store.for_entity(params["entity_type"], params["entity_id"])
    elif params.get("actor"):
        entries = store.by_actor(params["actor"])
    else:
        try:
            day = date.fromisoformat(params["day"]) if params.get("day") else datetime.now(VIETNAM).date()
        except ValueError:
            raise InvalidInput(
                "Ngày phải có dạng YYYY-MM-DD.", "day must look like YYYY-MM-DD.", code="invalid_day"
            ) from None
        entries = store.on_day(day)
    return {"entries": [e.to_dict() for e in entries]}
