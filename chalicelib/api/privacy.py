"""Authors' contacts, for the entry's reviewers only; every read is audited (services/privacy.py).
Scope "branch": an entry its caller does not review answers 404 like a missing one."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

privacy_routes = Blueprint(__name__)
guard = Guard(privacy_routes)


@privacy_routes.route("/submissions/{submission_id}/contacts", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def author_contacts(submission_id: str) -> Response:
    contacts = services().privacy.contacts(guard.principal(), submission_id, datetime.now(timezone.utc))
    return Response(body=contacts, headers={"Cache-Control": "no-store"})
