"""Chalice's local API server, with room for a crowd, answering its own refusals in our shape.

Chalice's server inherits socketserver's listen queue of 5: when fifty phones
connect at once the kernel resets the rest. Requests are already served on
threads, and Chalice keeps `current_request` per thread in local mode.
Refusals made before the app runs (no route, a request line too long) go through
gateway_errors.ShapedRequestHandler.
"""
from __future__ import annotations

from typing import Any

from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

from chalicelib.local.gateway_errors import ShapedRequestHandler

LISTEN_QUEUE = 1024


class CrowdHTTPServer(ThreadedHTTPServer):
    request_queue_size = LISTEN_QUEUE


def create_api_server(app: Any, config: Any, host: str, port: int) -> LocalDevServer:
    """What chalice.local.create_local_server builds, on a server with a long listen queue."""
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, host, port, handler_cls=ShapedRequestHandler, server_cls=CrowdHTTPServer)
