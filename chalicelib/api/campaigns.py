from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

campaign_routes = Blueprint(__name__)
guard = Guard(campaign_routes)


@campaign_routes.route("/campaigns", methods=["GET"])
@guard.public
def list_campaigns() -> dict:
    campaigns = services().campaign_store.list_all()
    return {"campaigns": [c.to_document() for c in campaigns]}


@campaign_routes.route("/campaigns/{campaign_id}", methods=["GET"])
@guard.public
def get_campaign(campaign_id: str) -> dict:
    campaign = services().campaign_store.require(campaign_id)
    return campaign.to_document()
