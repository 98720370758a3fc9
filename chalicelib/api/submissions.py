"""Participants' routes: no sign-in; a per-entry access token proves ownership."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput

submission_routes = Blueprint(__name__)
guard = Guard(submission_routes)
PARTICIPANT_TOKEN_HEADER = "x-participant-token"
MAX_IDEMPOTENCY_KEY_CHARS = 200


def _idempotency_key(key: str) -> str:
    """Refused when too long: cutting it would merge two keys that share their first 200 characters."""
    if len(key) > MAX_IDEMPOTENCY_KEY_CHARS:
        raise InvalidInput(
            f"Idempotency-Key dài tối đa {MAX_IDEMPOTENCY_KEY_CHARS} ký tự.",
            f"Idempotency-Key is at most {MAX_IDEMPOTENCY_KEY_CHARS} characters long.",
            code="invalid_idempotency_key",
            max_length=MAX_IDEMPOTENCY_KEY_CHARS,
        )
    return key


def _token() -> str | None:
    return guard.request.headers.get(PARTICIPANT_TOKEN_HEADER)


def _client() -> tuple[str | None, str | None]:
    """The caller's address (as API Gateway saw it) and browser, recorded with the terms' acceptance."""
    request = guard.request
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp"), request.headers.get("user-agent")


@submission_routes.route("/campaigns/{campaign_id}/submissions", methods=["POST"])
@guard.public
def create_submission(campaign_id: str) -> Response:
    body = guard.json_body()
    client_ip, user_agent = _client()

    def create() -> dict:
        return services().participants.create(
            campaign_id, body, datetime.now(timezone.utc), client_ip=client_ip, user_agent=user_agent,
            language=guard.language(),
        )

    key = guard.request.headers.get("idempotency-key")
    if key:
        created = services().idempotency.once(
            "create-submission", _idempotency_key(key), {"campaign_id": campaign_id, "body": body}, create,
            lambda_context=guard.request.lambda_context,
        )
    else:
        created = create()
    return Response(body=created, status_code=201, headers={"Cache-Control": "no-store"})


@submission_routes.route("/submissions/{submission_id}", methods=["GET"])
@guard.public
def view_submission(submission_id: str) -> Response:
    view = services().participants.view(submission_id, _token(), datetime.now(timezone.utc))
    return Response(body=view, headers={"Cache-Control": "no-store"})


@submission_routes.route("/submissions/{submission_id}/uploads", methods=["POST"])
@guard.public
def request_new_upload(submission_id: str) -> Response:
    upload = services().participants.new_upload(
        submission_id, _token(), guard.json_body(), datetime.now(timezone.utc)
    )
    return Response(body=upload, status_code=201, headers={"Cache-Control": "no-store"})


@submission_routes.route("/submissions/{submission_id}/uploads/current/parts", methods=["GET"])
@guard.public
def multipart_progress(submission_id: str) -> Response:
    progress = services().participants.multipart_progress(submission_id, _token())
    return Response(body=progress, headers={"Cache-Control": "no-store"})


@submission_routes.route("/submissions/{submission_id}/uploads/current/complete", methods=["POST"])
@guard.public
def complete_multipart_upload(submission_id: str) -> dict:
    return services().participants.complete_multipart(submission_id, _token())


@submission_routes.route("/submissions/{submission_id}/withdraw", methods=["POST"])
@guard.public
def withdraw_submission(submission_id: str) -> Response:
    view = services().participants.withdraw(submission_id, _token(), datetime.now(timezone.utc))
    return Response(body=view, headers={"Cache-Control": "no-store"})
