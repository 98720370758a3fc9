"""Organisers' routes on one entry: review, publication, disqualification, snapshots, its video.
Scope "branch": an entry outside the organiser's subtree answers 404 like a missing one.
Scope "entry_viewers": the entry's reviewers, and judges while it is in their final pool."""
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


@review_routes.route("/submissions/{submission_id}/video", methods=["GET"])
@guard.requires("organiser", "admin", "jury", scope="entry_viewers")
def video_links(submission_id: str) -> dict:
    return services().video_access.links(guard.principal(), submission_id, _now())
