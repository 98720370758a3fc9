"""Recovering access ("Tra cứu bài dự thi"): a participant gives the email or phone they entered
with and receives a one-time, short-lived link listing their entries with access to each.

The answer to the request is the same whether or not the address is known, and takes the
same path: the request only queues the work, so neither its answer nor its timing says
whether the address entered anything. Requests are counted per address and per client.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from chalicelib.domain import notifications as notify
from chalicelib.domain.entry_status import status_label
from chalicelib.domain.errors import InvalidInput, TooManyRequests
from chalicelib.domain.submission import hash_access_token, new_access_token
from chalicelib.services.ports import AccessLinks, Mailer, NotificationEvents, RecoverableEntries, ZaloSender

LINK_VALID = timedelta(minutes=30)
RATE_WINDOW = timedelta(hours=1)
PER_ADDRESS_PER_HOUR = 3
PER_CLIENT_PER_HOUR = 10
MAX_ENTRIES = 50


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _window_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def invalid_access_link() -> InvalidInput:
    return InvalidInput(
        "Đường dẫn tra cứu không hợp lệ, đã dùng hoặc đã hết hạn. Hãy yêu cầu đường dẫn mới.",
        "The link is not valid, was already used or has expired. Ask for a new one.",
        code="access_link_invalid",
    )


@dataclass
class AccessRecovery:
    entries: RecoverableEntries
    links: AccessLinks
    events: NotificationEvents
    mailer: Mailer
    signing_key: Callable[[], bytes]
    public_base_url: str
    zalo: ZaloSender | None = None

    def request(self, contact: str, client: str, language: str, now: datetime) -> dict:
        address = notify.normalised_contact(contact if isinstance(contact, str) else "")
        if address is None:
            raise InvalidInput("Hãy nhập email hoặc số điện thoại đã dùng khi gửi bài.",
                               "Give the email or phone number you entered with.", code="invalid_contact")
        key = notify.contact_key(address, self.signing_key())
        client_key = notify.contact_key(f"client:{client}", self.signing_key())
        start = _window_start(now)
        if (self.links.count(f"address#{key}", start, RATE_WINDOW) > PER_ADDRESS_PER_HOUR
                or self.links.count(f"client#{client_key}", start, RATE_WINDOW) > PER_CLIENT_PER_HOUR):
            raise TooManyRequests(
                "Bạn đã yêu cầu quá nhiều lần; hãy thử lại sau một giờ.",
                "Too many requests; try again in an hour.", code="too_many_requests",
                retry_after_seconds=int((start + RATE_WINDOW - now).total_seconds()),
            )
        self.events.publish([notify.access_link_requested(address, language)])
        return {
            "requested": True,
            "message_vi": "Nếu địa chỉ này đã dùng để gửi bài, một đường dẫn tra cứu sẽ được gửi tới đó trong ít phút.",
            "message_en": "If this address was used to enter, a link to the entries is on its way to it.",
        }

    def send_link(self, event: notify.NotificationEvent, now: datetime) -> str:
        """Runs from the queue: the address gets its link only if it entered something."""
        address = str(event.details.get("contact") or "")
        language = str(event.details.get("language") or "vi")
        key = notify.contact_key(address, self.signing_key())
        if not self.links.entries_for_contact(key, 1):
            return "unknown_address"
        token = secrets.token_urlsafe(32)
        self.links.put_access_link(_token_hash(token), key, language, now + LINK_VALID)
        url = f"{self.public_base_url}/upload{'?lang=en' if language == 'en' else ''}#recover={token}"
        if "@" not in address:
            template = self.zalo.template_for(notify.ACCESS_LINK) if self.zalo else None
            if template is None:
                return "no_channel"
            assert self.zalo is not None
            self.zalo.send(address, template, {"link": url, "status": notify.access_link_message(
                language, url, int(LINK_VALID.total_seconds() // 60)).subject}, f"access#{key[:16]}")
            return "sent"
        message = notify.access_link_message(language, url, int(LINK_VALID.total_seconds() // 60))
        unsubscribe = (f"{self.public_base_url}/notifications/unsubscribe?token="
                       f"{notify.unsubscribe_token(address, self.signing_key())}")
        self.mailer.send(notify.OutgoingEmail(address, message, unsubscribe, "", notify.ACCESS_LINK))
        return "sent"

    def redeem(self, token: str, now: datetime) -> dict:
        """The entries of the link's address, each with a new access code (the old codes stop working)."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            raise invalid_access_link()
        key = self.links.take_access_link(_token_hash(token), now)
        if key is None:
            raise invalid_access_link()
        found = []
        for submission_id in self.links.entries_for_contact(key, MAX_ENTRIES):
            entry = self.entries.get(submission_id)
            if entry is None:
                continue
            code = new_access_token()
            if not self.entries.replace_access_token(entry, hash_access_token(code)):
                continue
            found.append({"submission_id": entry.submission_id, "campaign_id": entry.campaign_id,
                          "title": entry.title, "status": entry.status, "status_label": status_label(entry.status),
                          "access_token": code, "created_at": entry.created_at.isoformat()})
        return {"entries": sorted(found, key=lambda e: e["created_at"], reverse=True)}
