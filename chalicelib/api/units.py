from __future__ import annotations

import re

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.request_numbers import whole_number

unit_routes = Blueprint(__name__)
guard = Guard(unit_routes)
MAX_UNIT_RESULTS = 50
CAMPAIGN_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")  # the campaign model's Slug


def campaign_not_found() -> NotFound:
    return NotFound("Không tìm thấy cuộc thi.", "Campaign not found.", code="campaign_not_found")


@unit_routes.route("/units", methods=["GET"])
@guard.public
def search_units() -> dict:
    """Participants pick their unit here; accents are optional ("Ha Noi" finds "Hà Nội").
    ?campaign=ID keeps only the units that may enter that campaign."""
    params = guard.request.query_params or {}
    query = params.get("q", "")
    if len(query) > 100:
        raise InvalidInput("Từ khóa tìm kiếm quá dài.", "The search text is too long.", code="query_too_long")
    limit = whole_number(params.get("limit"), "limit", 1, MAX_UNIT_RESULTS, default=20)
    within = None
    campaign_id = params.get("campaign")
    if campaign_id is not None:  # the upload page offers only the campaign's eligible units
        if not CAMPAIGN_ID.fullmatch(campaign_id):  # no campaign has such an id: no table is asked
            raise campaign_not_found()
        within = services().campaign_store.require(campaign_id).eligible_roots
    return {"units": services().unit_directory.search(query, limit, within)}
