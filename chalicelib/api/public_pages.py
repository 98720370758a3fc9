"""The campaign's public page (/c/{campaign_id}, short to share) and its embeddable counter
(/c/{campaign_id}/widget, an iframe any site may frame), with the one JSON call they add.

No sign-in: they read only what is public anyway (the counter, and the leaderboard's titles,
unit names, platform links and scores). The pages are static files read once at import; the
campaign id is read from the address by the script, so one copy serves every campaign.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

WEB_DIR = Path(__file__).parent.parent / "web" / "public"

public_page_routes = Blueprint(__name__)
guard = Guard(public_page_routes)


def _read(name: str) -> str:
    return (WEB_DIR / name).read_text(encoding="utf-8")


CAMPAIGN_HTML = _read("campaign.html")
WIDGET_HTML = _read("widget.html")
PAGE_JS = _read("public.js")
PAGE_CSS = _read("public.css")


def _policy(frame_ancestors: str) -> str:
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {frame_ancestors}",
    ])


BASE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
                "Cache-Control": "public, max-age=300"}
# The page itself is never framed; the widget exists to be framed by newspapers and units' sites.
PAGE_HEADERS = {**BASE_HEADERS, "Content-Security-Policy": _policy("'none'"), "X-Frame-Options": "DENY"}
WIDGET_HEADERS = {**BASE_HEADERS, "Content-Security-Policy": _policy("*")}


def _static(body: str, content_type: str, headers: dict) -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": content_type, **headers})


@public_page_routes.route("/c/{campaign_id}", methods=["GET"])
@guard.public
def campaign_page(campaign_id: str) -> Response:
    """The page to share; an unknown campaign is said so by the page, from the API's 404."""
    return _static(CAMPAIGN_HTML, "text/html; charset=utf-8", PAGE_HEADERS)


@public_page_routes.route("/c/{campaign_id}/widget", methods=["GET"])
@guard.public
def counter_widget(campaign_id: str) -> Response:
    return _static(WIDGET_HTML, "text/html; charset=utf-8", WIDGET_HEADERS)


@public_page_routes.route("/c-assets/public.js", methods=["GET"])
@guard.public
def public_script() -> Response:
    return _static(PAGE_JS, "text/javascript; charset=utf-8", PAGE_HEADERS)


@public_page_routes.route("/c-assets/public.css", methods=["GET"])
@guard.public
def public_styles() -> Response:
    return _static(PAGE_CSS, "text/css; charset=utf-8", PAGE_HEADERS)


@public_page_routes.route("/campaigns/{campaign_id}/public-board", methods=["GET"])
@guard.public
def public_board(campaign_id: str) -> Response:
    """The campaign's name, the week on now and its top rows: what /c/{campaign_id} shows."""
    board = services().public_board.for_campaign(campaign_id, datetime.now(timezone.utc))
    return Response(body=board, headers={"Cache-Control": "public, max-age=60"})
