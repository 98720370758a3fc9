"""One Powertools logger and CloudWatch metrics (EMF), wired once for every kind of event.

Services, adapters and triggers all log through `logger`, so every line of a request
or message carries its correlation id. Services import this module, and services never
import Chalice: the middleware imports it only when it runs (it is loaded by then).
"""
from __future__ import annotations

import functools
import uuid
import warnings
from typing import Any, Callable

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

logger = Logger(service="contest")
metrics = Metrics(namespace="Contest", service="contest")

CORRELATION_HEADER = "x-correlation-id"
# Most invocations publish no business metric; an empty flush is expected, not a problem.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def _correlation_id(event: Any) -> str:
    from chalice.app import Request

    if isinstance(event, Request):
        supplied = event.headers.get(CORRELATION_HEADER)
        if supplied and len(supplied) <= 128:
            return supplied
        return event.context.get("requestId") or str(uuid.uuid4())
    raw = getattr(event, "to_dict", lambda: {})()
    if raw.get("Records"):
        return raw["Records"][0].get("messageId") or str(uuid.uuid4())
    return raw.get("id") or str(uuid.uuid4())


def observed(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Correlation id and metrics flush for a trigger (SQS, schedule).

    On Lambda a trigger runs straight from its blueprint's module (Chalice's handler string
    names that module, not app.py), so the app's middleware never wraps it there: each trigger
    carries this instead, and the app's middleware is registered for HTTP only."""

    @functools.wraps(handler)
    def run(event: Any) -> Any:
        correlation_id = _correlation_id(event)
        logger.set_correlation_id(correlation_id)
        # The per-thread key wins on this thread: under `make run` triggers run on threads of one process.
        logger.thread_safe_append_keys(correlation_id=correlation_id)
        try:
            return handler(event)
        finally:
            metrics.flush_metrics(raise_on_empty_metrics=False)
            logger.thread_safe_remove_keys(["correlation_id"])

    return run


def observe(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware for HTTP: correlation id on every log line, metrics flushed per request."""
    from chalice.app import Request, Response

    correlation_id = _correlation_id(event)
    # Per-thread keys: `make run` serves requests on threads of one process.
    logger.thread_safe_append_keys(correlation_id=correlation_id)
    if isinstance(event, Request):
        logger.thread_safe_append_keys(http_method=event.method, route=event.context.get("resourcePath"))
    try:
        try:
            response = get_response(event)
        finally:
            metrics.flush_metrics(raise_on_empty_metrics=False)
            logger.thread_safe_remove_keys(["http_method", "route"])
        if isinstance(response, Response):
            response.headers["X-Correlation-Id"] = correlation_id
            if response.status_code >= 500:
                logger.error("request failed", extra={"status": response.status_code})
            else:
                logger.info("request served", extra={"status": response.status_code})
        return response
    finally:
        logger.thread_safe_remove_keys(["correlation_id"])  # the thread's next invocation brings its own
