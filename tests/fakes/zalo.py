"""A loopback stand-in for Zalo's ZNS API: POST /message/template with the documented request
(access_token header; phone, template_id, template_data, tracking_id) and answers (error 0 with
data.msg_id and the quota; -124 invalid token, -108 invalid phone, -109 unknown template,
-144 daily quota exceeded)."""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PHONE = re.compile(r"^84\d{9,10}$")


@dataclass
class FakeZns:
    access_token: str = "zalo-token"
    templates: set[str] = field(default_factory=lambda: {"301001"})
    daily_quota: int = 500
    fail_with_status: int | None = None
    received: list[dict] = field(default_factory=list)

    def answer(self, headers: Any, body: dict) -> tuple[int, dict]:
        if self.fail_with_status:
            return self.fail_with_status, {}
        if headers.get("access_token") != self.access_token:
            return 200, {"error": -124, "message": "Access token is invalid"}
        if not PHONE.match(str(body.get("phone", ""))):
            return 200, {"error": -108, "message": "Phone number is invalid"}
        if body.get("template_id") not in self.templates:
            return 200, {"error": -109, "message": "Template ID is invalid"}
        if not isinstance(body.get("template_data"), dict) or not body["template_data"]:
            return 200, {"error": -111, "message": "Template data is empty"}
        if len(self.received) >= self.daily_quota:
            return 200, {"error": -144, "message": "OA has exceeded maximum daily quota"}
        self.received.append(body)
        return 200, {"error": 0, "message": "Success", "data": {
            "msg_id": f"zns-{len(self.received)}", "sent_time": "1717000000000",
            "quota": {"dailyQuota": str(self.daily_quota), "remainingQuota": str(self.daily_quota - len(self.received))}}}


def _handler(state: FakeZns) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            status, answer = (404, {"error": -106, "message": "Method unsupported"}) \
                if self.path != "/message/template" else state.answer(self.headers, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    return Handler


class FakeZnsServer:
    def __init__(self) -> None:
        self.state = FakeZns()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-zns", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeZnsServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
