"""The organisation tree: admins import it; organisers read the units of their branch."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

organisation_routes = Blueprint(__name__)
guard = Guard(organisation_routes)


@organisation_routes.route(
    "/organisation", methods=["PUT"], content_types=["application/json", "text/csv", "text/plain"]
)
@guard.requires("admin", scope="everything")
def import_organisation() -> dict:
    """The whole tree, as CSV or JSON; refused as a whole on any bad row. ?dry_run=true shows the plan."""
    from chalicelib.services.organisation import parse_tree

    request = guard.request
    tree = parse_tree(request.raw_body or b"", request.headers.get("content-type", "application/json"))
    dry_run = (request.query_params or {}).get("dry_run") == "true"
    return services().organisation.import_tree(
        guard.principal(), tree, datetime.now(timezone.utc), dry_run=dry_run
    )


@organisation_routes.route("/organisation/rekey", methods=["POST"])
@guard.requires("admin", scope="everything")
def continue_rekey() -> dict:
    """Continue moving entries and counters after a unit move (bounded per call; repeat until complete)."""
    return services().organisation.continue_rekey(guard.principal(), datetime.now(timezone.utc))


@organisation_routes.route("/organisation/units/{unit_id}", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def view_unit(unit_id: str) -> dict:
    return services().organisation.unit_view(guard.principal(), unit_id)
