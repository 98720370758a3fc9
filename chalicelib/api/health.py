from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

health_routes = Blueprint(__name__)
guard = Guard(health_routes)


@health_routes.route("/health", methods=["GET"])
@guard.public
def health() -> Response:
    from chalicelib.services.health import check_dependencies

    wired = services()
    settings = wired.settings
    statuses = check_dependencies(
        {
            "dynamodb": lambda: wired.tables_reachable(),
            "s3": lambda: wired.upload_bucket.is_reachable(),
            "sqs": lambda: wired.intake_queue.is_reachable() and wired.intake_dead_letter_queue.is_reachable(),
            "cognito": lambda: wired.user_pool.is_reachable() and bool(wired.user_pool.fetch_jwks().get("keys")),
        }
    )
    healthy = all(s.reachable for s in statuses)
    return Response(
        body={
            "status": "ok" if healthy else "degraded",
            "version": settings.version,
            "stage": settings.stage,
            "dependencies": {s.name: s.to_dict() for s in statuses},
        },
        status_code=200 if healthy else 503,
    )
