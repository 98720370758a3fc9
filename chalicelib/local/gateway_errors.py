"""The local API server's own refusals in the project's error shape, as API Gateway's are on AWS.

Chalice's local gateway answers an unknown path with API Gateway's bare 403
`{"message": "Missing Authentication Token"}`; infra/resources.yaml turns that into a 404
`route_not_found` on AWS, and this handler does the same here.
"""
from __future__ import annotations

import json

from chalice.local import ChaliceRequestHandler, ForbiddenError, LocalGatewayException

from chalicelib.api.errors import error_body, preferred_language

ROUTE_NOT_FOUND = (
    "route_not_found",
    "Không có đường dẫn hoặc phương thức này trong API.",
    "There is no such path or method in this API.",
)
GATEWAY_REFUSED = ("request_refused", "Yêu cầu bị từ chối.", "The request was refused.")


class ShapedRequestHandler(ChaliceRequestHandler):
    def _send_error_response(self, error: LocalGatewayException) -> None:
        status = 404 if isinstance(error, ForbiddenError) else error.CODE
        code, message_vi, message_en = ROUTE_NOT_FOUND if status == 404 else GATEWAY_REFUSED
        query = dict(part.partition("=")[::2] for part in self.path.partition("?")[2].split("&") if part)
        lang = preferred_language({k.lower(): v for k, v in self.headers.items()}, query)
        body = json.dumps(error_body(code, message_vi, message_en, lang), ensure_ascii=False).encode("utf-8")
        headers = {k: v for k, v in error.headers.items() if k != "x-amzn-ErrorType"}
        headers["Content-Type"] = "application/json"
        self._send_http_response(status, headers, body)

