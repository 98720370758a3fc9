from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

campaign_routes = Blueprint(__name__)
guard = Guard(campaign_routes)

EDITORS = ("admin", "organiser")
# RFC 7386 merge patches have their own media type; plain JSON is accepted as the same thing.
PATCH_TYPES = ["application/json", "application/merge-patch+json"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _expected_version(body: dict | None = None) -> int | None:
    from chalicelib.domain.campaign_changes import expected_version

    return expected_version(guard.request.headers.get("if-match"), body)


def _answer(campaign, status: int = 200) -> Response:
    from chalicelib.domain.campaign_changes import etag

    return Response(body=campaign.to_document(), status_code=status, headers={"ETag": etag(campaign)})


@campaign_routes.route("/campaigns", methods=["GET"])
@guard.public
def list_campaigns() -> dict:
    """Open and closed campaigns; a signed-in editor also sees the drafts and archived ones they may edit."""
    campaigns = services().campaigns.listed(guard.optional_principal())
    return {"campaigns": [c.to_document() for c in campaigns]}


@campaign_routes.route("/campaigns", methods=["POST"])
@guard.requires(*EDITORS, scope="campaign_editors")
def create_campaign() -> Response:
    campaign = services().campaigns.create(guard.principal(), guard.json_body(), _now())
    return _answer(campaign, 201)


@campaign_routes.route("/campaigns/{campaign_id}", methods=["GET"])
@guard.public
def get_campaign(campaign_id: str) -> Response:
    return _answer(services().campaigns.visible(campaign_id, guard.optional_principal()))


@campaign_routes.route("/campaigns/{campaign_id}", methods=["PUT"])
@guard.requires(*EDITORS, scope="campaign_editors")
def replace_campaign(campaign_id: str) -> Response:
    body = guard.json_body()
    campaign = services().campaigns.replace(guard.principal(), campaign_id, body, _expected_version(body), _now())
    return _answer(campaign)


@campaign_routes.route("/campaigns/{campaign_id}", methods=["PATCH"], content_types=PATCH_TYPES)
@guard.requires(*EDITORS, scope="campaign_editors")
def patch_campaign(campaign_id: str) -> Response:
    body = guard.json_body()
    campaign = services().campaigns.patch(guard.principal(), campaign_id, body, _expected_version(body), _now())
    return _answer(campaign)


@campaign_routes.route("/campaigns/{campaign_id}", methods=["DELETE"])
@guard.requires(*EDITORS, scope="campaign_editors")
def delete_campaign(campaign_id: str) -> dict:
    return services().campaigns.delete(guard.principal(), campaign_id, _expected_version(), _now())


def _transition(campaign_id: str, action: str) -> Response:
    campaign = services().campaigns.transition(guard.principal(), campaign_id, action, _expected_version(), _now())
    return _answer(campaign)


@campaign_routes.route("/campaigns/{campaign_id}/open", methods=["POST"])
@guard.requires(*EDITORS, scope="campaign_editors")
def open_campaign(campaign_id: str) -> Response:
    return _transition(campaign_id, "open")


@campaign_routes.route("/campaigns/{campaign_id}/close", methods=["POST"])
@guard.requires(*EDITORS, scope="campaign_editors")
def close_campaign(campaign_id: str) -> Response:
    return _transition(campaign_id, "close")


@campaign_routes.route("/campaigns/{campaign_id}/archive", methods=["POST"])
@guard.requires(*EDITORS, scope="campaign_editors")
def archive_campaign(campaign_id: str) -> Response:
    return _transition(campaign_id, "archive")


@campaign_routes.route("/campaigns/{campaign_id}/versions", methods=["GET"])
@guard.requires(*EDITORS, scope="campaign_editors")
def campaign_versions(campaign_id: str) -> dict:
    return services().campaigns.versions(guard.principal(), campaign_id)
