"""Answers an export request with a short-lived link to the file written into the bucket.

A plain browser GET (a link, a new tab, curl) gets 303 See Other to the presigned
S3 URL and the browser downloads the file from there: no Accept header is needed,
and the file's size is not bounded by Lambda's 6 MB response. A client that asks
for JSON (Accept: application/json, as the console's fetch and scripts do) gets
{download_url, expires_at, file_name} instead, to show or hand on the link itself.
`?format=json` already means "the report as JSON", so the link's JSON form is
chosen by the Accept header, not by another format value.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from chalice import Response

from chalicelib.bootstrap import services

if TYPE_CHECKING:
    from chalicelib.domain.exports import Sheet
    from chalicelib.services.spreadsheets import KeptExport

JSON_TYPE = "application/json"


def wants_link_as_json(headers: Any) -> bool:
    """True when the client names JSON and not HTML: a browser's navigation names text/html."""
    accepted = [part.split(";")[0].strip().lower() for part in (headers.get("accept") or "").split(",")]
    return JSON_TYPE in accepted and "text/html" not in accepted


def export_response(build: Callable[[], Sheet], file_format: str, headers: Any,
                    kept: KeptExport | None = None) -> Response:
    link = services().exports.publish(build, file_format, datetime.now(timezone.utc), kept)
    if wants_link_as_json(headers):
        return Response(body=link.to_dict(), status_code=200, headers={"Cache-Control": "no-store"})
    return Response(body="", status_code=303, headers={"Location": link.download_url, "Cache-Control": "no-store"})
