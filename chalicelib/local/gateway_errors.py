"""The local API server's own refusals in the project's error shape, as API Gateway's are on AWS.

Chalice's local gateway answers an unknown path with API Gateway's bare 403
`{"message": "Missing Authentication Token"}`; infra/resources.yaml turns that into a 404
`route_not_found` on AWS, and this handler does the same here.
"""
from __future__ import annotations

import json

from chalice.local import ChaliceRequestHandler, ForbiddenError, LocalGatewayException

from chalicelib.api.errors import error_body, preferred_language
from chalicelib.api.refusals import FRAMEWORK_REFUSALS, GENERIC_REFUSAL

ROUTE_NOT_FOUND = (
    "route_not_found",
    "Không có đường dẫn hoặc phương thức này trong API.",
    "There is no such path or method in this API.",
)
# The same codes and texts as the app's own refusals (chalicelib/api/refusals.py).
GATEWAY_REFUSED = GENERIC_REFUSAL
METHOD_NOT_ALLOWED = FRAMEWORK_REFUSALS["MethodNotAllowedError"]
REQUEST_TOO_LONG = (
    "request_too_long",
    "Dòng yêu cầu hoặc tiêu đề quá dài.",
    "The request line or a header is too long.",
)


class ShapedRequestHandler(ChaliceRequestHandler):
    def _send_error_response(self, error: LocalGatewayException) -> None:
        status = 404 if isinstance(error, ForbiddenError) else error.CODE
        code, message_vi, message_en = ROUTE_NOT_FOUND if status == 404 else GATEWAY_REFUSED
        headers = {k: v for k, v in error.headers.items() if k != "x-amzn-ErrorType"}
        headers["Content-Type"] = "application/json"
        self._send_http_response(status, headers, self._shaped_body(code, message_vi, message_en))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line over 64 KB, a malformed request) before any routing."""
        if code == 501:  # a method http.server has no handler for (TRACE, CONNECT, ...)
            code, refusal = 405, METHOD_NOT_ALLOWED
        else:
            refusal = REQUEST_TOO_LONG if code in (414, 431) else GATEWAY_REFUSED
        body = self._shaped_body(*refusal)
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _shaped_body(self, code: str, message_vi: str, message_en: str) -> bytes:
        path = getattr(self, "path", "") or ""
        query = dict(part.partition("=")[::2] for part in path.partition("?")[2].split("&") if part)
        headers = getattr(self, "headers", None)
        lang = preferred_language({k.lower(): v for k, v in headers.items()} if headers else {}, query)
        return json.dumps(error_body(code, message_vi, message_en, lang), ensure_ascii=False).encode("utf-8")
