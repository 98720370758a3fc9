"""The one place where domain errors become HTTP responses."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.domain import errors

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.Unprocessable: 422,
    errors.TooManyRequests: 429,
    errors.DependencyUnavailable: 503,
}


def preferred_language(headers: Any, query: dict | None) -> str:
    """Vietnamese unless the caller asks for English (?lang=en or Accept-Language: en)."""
    if query and query.get("lang") in ("vi", "en"):
        return query["lang"]
    accept = (headers or {}).get("accept-language", "") if headers is not None else ""
    first = accept.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def error_body(code: str, message_vi: str, message_en: str, lang: str, **details: Any) -> dict:
    body: dict[str, Any] = {
        "code": code,
        "message": message_en if lang == "en" else message_vi,
        "message_vi": message_vi,
        "message_en": message_en,
    }
    if details:
        body["details"] = details
    return {"error": body}


def to_response(error: errors.DomainError, lang: str) -> Response:
    status = next(
        (code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400
    )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return Response(
        body=error_body(error.code, error.message_vi, error.message_en, lang, **error.details),
        status_code=status,
        headers=headers,
    )
