from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput

unit_routes = Blueprint(__name__)
guard = Guard(unit_routes)


@unit_routes.route("/units", methods=["GET"])
@guard.public
def search_units() -> dict:
    """Participants pick their unit here; accents are optional ("Ha Noi" finds "Hà Nội")."""
    params = guard.request.query_params or {}
    query = params.get("q", "")
    if len(query) > 100:
        raise InvalidInput("Từ khóa tìm kiếm quá dài.", "The search text is too long.", code="query_too_long")
    try:
        limit = int(params.get("limit", "20"))
    except ValueError:
        raise InvalidInput("Tham số limit phải là số.", "limit must be a number.", code="invalid_limit") from None
    return {"units": services().unit_directory.search(query, limit)}
