"""Refusals that never reach a view, in the project's error shape.

Chalice answers some requests itself, as `{"Code": ..., "Message": ...}` in English: a body
whose Content-Type the route does not accept (415), a method the route does not serve (405),
a binary answer without a matching Accept (400), an exception that escaped a view (500).
API Gateway's own answers (unknown route, throttling, oversized body) are shaped by the
GatewayResponses in infra/resources.yaml, and the local server's by chalicelib/local/gateway_errors.py,
with the same codes as here.
"""
from __future__ import annotations

from typing import Any, Callable

from chalicelib.api.errors import error_body, preferred_language

# (code, Vietnamese, English) by the name Chalice gives its own refusal
FRAMEWORK_REFUSALS: dict[str, tuple[str, str, str]] = {
    "UnsupportedMediaType": (
        "unsupported_media_type",
        "Kiểu nội dung (Content-Type) này không được chấp nhận; hãy gửi JSON (application/json).",
        "This Content-Type is not accepted; send JSON (application/json).",
    ),
    "MethodNotAllowedError": (
        "method_not_allowed",
        "Đường dẫn này không hỗ trợ phương thức HTTP đã gửi.",
        "This path does not support the HTTP method used.",
    ),
    "BadRequest": (
        "accept_header_required",
        "Tệp này chỉ được trả về khi tiêu đề Accept nêu đúng kiểu tệp.",
        "This file is returned only when the Accept header names its type.",
    ),
    "BadRequestError": (
        "invalid_request",
        "Yêu cầu không hợp lệ.",
        "The request is not valid.",
    ),
    "InternalServerError": (
        "internal_error",
        "Máy chủ gặp lỗi ngoài dự kiến; vui lòng thử lại sau.",
        "The server hit an unexpected error; please try again later.",
    ),
}
GENERIC_REFUSAL = ("request_refused", "Yêu cầu bị từ chối.", "The request was refused.")


def is_framework_refusal(body: Any) -> bool:
    return isinstance(body, dict) and set(body) == {"Code", "Message"}


def shaped_refusal(name: str, lang: str) -> dict:
    code, message_vi, message_en = FRAMEWORK_REFUSALS.get(name, GENERIC_REFUSAL)
    return error_body(code, message_vi, message_en, lang)


def project_shaped_refusals(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """HTTP middleware: rewrites Chalice's own error bodies, keeping their status and headers."""
    response = get_response(event)
    if response.status_code >= 400 and is_framework_refusal(response.body):
        lang = preferred_language(event.headers, event.query_params)
        response.body = shaped_refusal(str(response.body["Code"]), lang)
        response.headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return response
