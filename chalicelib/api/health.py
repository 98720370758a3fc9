from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import dependencies
from chalicelib.adapters.dynamodb.health import tables_reachable
from chalicelib.api.access import Guard
from chalicelib.config import get_settings
from chalicelib.services.health import check_dependencies

health_routes = Blueprint(__name__)
guard = Guard(health_routes)


@health_routes.route("/health", methods=["GET"])
@guard.public
def health() -> Response:
    settings = get_settings()
    statuses = check_dependencies(
        {
            "dynamodb": tables_reachable,
            "s3": lambda: dependencies.upload_bucket().is_reachable(),
            "sqs": lambda: dependencies.intake_queue().is_reachable()
            and dependencies.intake_dead_letter_queue().is_reachable(),
            "cognito": lambda: dependencies.user_pool().is_reachable()
            and bool(dependencies.user_pool().fetch_jwks().get("keys")),
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
