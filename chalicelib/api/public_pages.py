"""The campaign's public page (/c/{campaign_id}, short to share) and its embeddable counter
(/c/{campaign_id}/widget, an iframe any site may frame), with the one JSON call they add.

No sign-in: they read only what is public anyway (the counter, and the leaderboard's titles,
unit names, platform links and scores). The pages are static files read once at import; the
campaign id is read from the address by the script, so one copy serves every campaign.
"""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.api.static_pages import content_security_policy, read_web_file, static_response
from chalicelib.bootstrap import services

public_page_routes = Blueprint(__name__)
guard = Guard(public_page_routes)


CAMPAIGN_HTML = read_web_file("public", "campaign.html")
WIDGET_HTML = read_web_file("public", "widget.html")
PAGE_JS = read_web_file("public", "public.js")
PAGE_CSS = read_web_file("public", "public.css")


def _policy(frame_ancestors: str) -> str:
    return content_security_policy(img_src="'self' data:", connect_src="'self'", frame_ancestors=frame_ancestors)


BASE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
                "Cache-Control": "public, max-age=300"}
# The page itself is never framed; the widget exists to be framed by newspapers and units' sites.
PAGE_HEADERS = {**BASE_HEADERS, "Content-Security-Policy": _policy("'none'"), "X-Frame-Options": "DENY"}
WIDGET_HEADERS = {**BASE_HEADERS, "Content-Security-Policy": _policy("*")}


@public_page_routes.route("/c/{campaign_id}", methods=["GET"])
@guard.public
def campaign_page(campaign_id: str) -> Response:
    """The page to share; an unknown campaign is said so by the page, from the API's 404."""
    return static_response(CAMPAIGN_HTML, "text/html; charset=utf-8", PAGE_HEADERS)


@public_page_routes.route("/c/{campaign_id}/widget", methods=["GET"])
@guard.public
def counter_widget(campaign_id: str) -> Response:
    return static_response(WIDGET_HTML, "text/html; charset=utf-8", WIDGET_HEADERS)


@public_page_routes.route("/c-assets/public.js", methods=["GET"])
@guard.public
def public_script() -> Response:
    return static_response(PAGE_JS, "text/javascript; charset=utf-8", PAGE_HEADERS)


@public_page_routes.route("/c-assets/public.css", methods=["GET"])
@guard.public
def public_styles() -> Response:
    return static_response(PAGE_CSS, "text/css; charset=utf-8", PAGE_HEADERS)


@public_page_routes.route("/campaigns/{campaign_id}/public-board", methods=["GET"])
@guard.public
def public_board(campaign_id: str) -> Response:
    """The campaign's name, the week on now and its top rows: what /c/{campaign_id} shows."""
    board = services().public_board.for_campaign(campaign_id, datetime.now(timezone.utc))
    return Response(body=board, headers={"Cache-Control": "public, max-age=60"})
