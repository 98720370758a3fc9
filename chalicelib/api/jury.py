"""A campaign's jury panel: its organisers assign judges, each judge declares their conflicts of interest."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

jury_routes = Blueprint(__name__)
guard = Guard(jury_routes)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@jury_routes.route("/campaigns/{campaign_id}/judges", methods=["GET"])
@guard.requires("organiser", "admin", scope="campaign")
def list_judges(campaign_id: str) -> dict:
    return services().final_round.judges(campaign_id, guard.principal())


@jury_routes.route("/campaigns/{campaign_id}/judges", methods=["PUT"])
@guard.requires("organiser", "admin", scope="campaign")
def set_judges(campaign_id: str) -> dict:
    return services().final_round.set_judges(campaign_id, guard.principal(), guard.json_body(), _now())


@jury_routes.route("/campaigns/{campaign_id}/jury/conflicts", methods=["PUT"])
@guard.requires("jury", scope="jury_pool")
def declare_conflicts(campaign_id: str) -> dict:
    return services().final_round.declare_conflicts(campaign_id, guard.principal(), guard.json_body(), _now())
