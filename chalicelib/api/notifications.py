"""Participants stop messages with the signed link each one carries; organisers see what could not be sent."""
from __future__ import annotations

import html
from datetime import datetime, timezone

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services

notification_routes = Blueprint(__name__)
guard = Guard(notification_routes)
FORM = "application/x-www-form-urlencoded"

_PAGE = {
    "vi": ("Hủy đăng ký nhận thư", "Bạn sẽ không nhận thêm thư nào về bài dự thi tại địa chỉ này.",
           "Hủy đăng ký", "Đã hủy đăng ký: bạn sẽ không nhận thêm thư nào."),
    "en": ("Unsubscribe", "You will receive no more messages about entries at this address.",
           "Unsubscribe", "Unsubscribed: you will receive no more messages."),
}
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _page(language: str, body: str) -> Response:
    title = _PAGE[language][0]
    return Response(
        body=f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
             f"<body><h1>{title}</h1>{body}</body></html>",
        status_code=200, headers=_HEADERS,
    )


# The signed tokens this product writes are far shorter; the bound is the one docs/openapi.yaml states.
MAX_TOKEN_LENGTH = 200


def _token() -> str:
    token = (guard.request.query_params or {}).get("token", "")
    if len(token) > MAX_TOKEN_LENGTH:
        # Imported here: importing the API must not import services (cold start; tests/unit/test_bootstrap.py).
        from chalicelib.services.notifications import invalid_unsubscribe_token

        raise invalid_unsubscribe_token()
    return token


@notification_routes.route("/notifications/unsubscribe", methods=["GET"])
@guard.public
def unsubscribe_page() -> Response:
    """Asks before stopping: mail scanners open every link, and must not unsubscribe anyone."""
    language = guard.language()
    _, explanation, button, _ = _PAGE[language]
    action = f"?token={html.escape(_token())}&amp;lang={language}"
    return _page(language, f'<p>{explanation}</p><form method="post" action="{action}">'
                           f'<button type="submit">{button}</button></form>')


@notification_routes.route("/notifications/unsubscribe", methods=["POST"], content_types=["application/json", FORM])
@guard.public
def unsubscribe() -> Response:
    """The page's button and mail providers' one-click (RFC 8058: a form POST to the link) land here."""
    services().notifier.unsubscribe(_token(), datetime.now(timezone.utc))
    language = guard.language()
    if (guard.request.headers.get("content-type") or "").startswith(FORM):
        return _page(language, f"<p>{_PAGE[language][3]}</p>")
    return Response(body={"unsubscribed": True}, headers={"Cache-Control": "no-store"})


@notification_routes.route("/campaigns/{campaign_id}/notifications/failures", methods=["GET"])
@guard.requires("admin", "organiser", scope="branch")
def failed_notifications(campaign_id: str) -> dict:
    return services().notification_failures.for_campaign(guard.principal(), campaign_id)


def _client() -> str:
    """The caller's address as API Gateway saw it (the local server puts the peer's there too)."""
    identity = (guard.request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


@notification_routes.route("/access-links", methods=["POST"])
@guard.public
def request_access_link() -> Response:
    """Same answer whether or not the address is known; counted per address and per client."""
    body = guard.json_body()
    answer = services().access_recovery.request(body.get("contact"), _client(), guard.language(),
                                                datetime.now(timezone.utc))
    return Response(body=answer, status_code=202, headers={"Cache-Control": "no-store"})


@notification_routes.route("/access-links/redeem", methods=["POST"])
@guard.public
def redeem_access_link() -> Response:
    body = guard.json_body()
    entries = services().access_recovery.redeem(body.get("token"), datetime.now(timezone.utc))
    return Response(body=entries, headers={"Cache-Control": "no-store"})


@notification_routes.route("/campaigns/{campaign_id}/announcements", methods=["POST"])
@guard.requires("admin", "organiser", scope="branch")
def announce(campaign_id: str) -> Response:
    sent = services().announcements.send(guard.principal(), campaign_id, guard.json_body(), datetime.now(timezone.utc))
    return Response(body=sent, status_code=202)
