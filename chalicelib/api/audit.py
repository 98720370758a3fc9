from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput

audit_routes = Blueprint(__name__)
guard = Guard(audit_routes)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(raw: str | None) -> date:
    """YYYY-MM-DD as documented (format: date); absent means today in Vietnam."""
    if raw is None:
        return datetime.now(VIETNAM).date()
    try:
        if not ISO_DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            "Ngày phải có dạng YYYY-MM-DD.", "day must look like YYYY-MM-DD.", code="invalid_day"
        ) from None


@audit_routes.route("/audit", methods=["GET"])
@guard.requires("admin", scope="everything")
def read_audit_log() -> dict:
    """One Vietnam day of actions (default today), or one entity's or one actor's history."""
    params = guard.request.query_params or {}
    store = services().audit_store
    day = _day(params.get("day"))  # refused when malformed, even if another filter wins
    if params.get("entity_type") and params.get("entity_id"):
        entries = store.for_entity(params["entity_type"], params["entity_id"])
    elif params.get("actor"):
        entries = store.by_actor(params["actor"])
    else:
        entries = store.on_day(day)
    return {"entries": [e.to_dict() for e in entries]}
