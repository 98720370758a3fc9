"""Organisers' routes on one entry: review, publication, disqualification, snapshots.
Scope "branch": an entry outside the organiser's subtree answers 404 like a missing one."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

review_routes = Blueprint(__name__)
guard = Guard(review_routes)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@review_routes.route("/submissions/{submission_id}/review", methods=["POST"])
@guard.requires("organiser", "admin", scope="branch")
def review_submission(submission_id: str) -> dict:
    return services().review.review(guard.principal(), submission_id, guard.json_body(), _now())


@review_routes.route("/submissions/{submission_id}/publication", methods=["POST"])
@guard.requires("organiser", "admin", scope="branch")
def record_publication(submission_id: str) -> dict:
    return services().review.publish(guard.principal(), submission_id, guard.json_body(), _now())


@review_routes.route("/submissions/{submission_id}/disqualification", methods=["POST"])
@guard.requires("organiser", "admin", scope="branch")
def disqualify_submission(submission_id: str) -> dict:
    return services().review.disqualify(guard.principal(), submission_id, guard.json_body(), _now())


@review_routes.route("/submissions/{submission_id}/snapshots", methods=["GET"])
@guard.requires("organiser", "admin", scope="branch")
def snapshot_history(submission_id: str) -> dict:
    return services().review.snapshot_history(guard.principal(), submission_id)
