"""The local server's own refusals (no route matched) are in the project's error shape, as
infra/resources.yaml's GatewayResponses make them on AWS."""
import http.client
import json
import threading

import pytest
from chalice.config import Config
from chalice.local import LocalDevServer

from chalicelib.local.gateway_errors import ShapedRequestHandler


@pytest.fixture
def local_server(app_module):
    server = LocalDevServer(app_module.app, Config.create(chalice_stage="local", app_name="contest"),
                            "127.0.0.1", 0, handler_cls=ShapedRequestHandler)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server.server.server_address[1]
    server.server.shutdown()
    server.server.server_close()


def _get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer x"}])
def test_an_unknown_path_is_a_404_route_not_found(local_server, headers):
    status, body = _get(local_server, "/../../etc/passwd", headers)
    assert status == 404 and body["error"]["code"] == "route_not_found"
    assert body["error"]["message"] == body["error"]["message_vi"]
    _, english = _get(local_server, "/khong-co?lang=en", headers)
    assert english["error"]["message"] == english["error"]["message_en"]


def test_a_known_path_still_reaches_the_app(local_server):
    status, body = _get(local_server, "/campaigns")
    assert status == 200 and "campaigns" in body


def test_a_request_line_too_long_for_the_server_is_refused_in_the_project_shape(local_server):
    status, body = _get(local_server, "/units?q=" + "a" * 70_000)
    assert status == 414 and body["error"]["code"] == "request_too_long"


def test_a_method_the_server_has_no_handler_for_is_a_405(local_server):
    connection = http.client.HTTPConnection("127.0.0.1", local_server, timeout=10)
    connection.request("TRACE", "/health")
    response = connection.getresponse()
    assert response.status == 405 and json.loads(response.read())["error"]["code"] == "method_not_allowed"
