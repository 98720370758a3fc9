from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.request_numbers import whole_number

unit_routes = Blueprint(__name__)
guard = Guard(unit_routes)
MAX_UNIT_RESULTS = 50


@unit_routes.route("/units", methods=["GET"])
@guard.public
def search_units() -> dict:
    """Participants pick their unit here; accents are optional ("Ha Noi" finds "Hà Nội")."""
    params = guard.request.query_params or {}
    query = params.get("q", "")
    if len(query) > 100:
        raise InvalidInput("Từ khóa tìm kiếm quá dài.", "The search text is too long.", code="query_too_long")
    limit = whole_number(params.get("limit"), "limit", 1, MAX_UNIT_RESULTS, default=20)
    return {"units": services().unit_directory.search(query, limit)}
