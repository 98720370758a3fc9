"""`make run` serves requests on threads: each log line keeps its own request's correlation id."""
import io
import json
import threading
from pathlib import Path

from chalice.app import Request

from chalicelib.observability import logger, observe

EVENT = json.loads((Path(__file__).resolve().parents[2] / "events" / "api_get_health.json").read_text())


def _request(correlation_id: str) -> Request:
    event = json.loads(json.dumps(EVENT))
    event["headers"] = {**(event.get("headers") or {}), "x-correlation-id": correlation_id}
    event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
    return Request(event)


def test_concurrent_requests_log_their_own_correlation_ids():
    output = io.StringIO()
    previous = logger.registered_handler.setStream(output)
    both_inside = threading.Barrier(2)

    def handler(request):
        both_inside.wait(timeout=5)  # each request has set its keys before either logs
        logger.info("handling", extra={"mine": request.headers["x-correlation-id"]})
        from chalice.app import Response
        return Response(body={})

    try:
        threads = [threading.Thread(target=observe, args=(_request(f"request-{n}"), handler)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        logger.registered_handler.setStream(previous)
    lines = [json.loads(text) for text in output.getvalue().splitlines() if '"handling"' in text]
    assert len(lines) == 2
    assert all(line["correlation_id"] == line["mine"] for line in lines)
