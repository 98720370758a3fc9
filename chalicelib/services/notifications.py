"""The notifier: one message per (entry, event), whatever happens to its queue.

Services publish events through the NotificationEvents port; a queue delivers them
here at least once. Each delivery first claims the (entry, event) record, so a
duplicated or retried event sends nothing twice; a send that fails is recorded as
failed (organisers see it), then retried by the queue and dead-lettered after its
last try.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence
from urllib.parse import quote

from chalicelib.domain import notifications as notify
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.scope import Principal, require_role
from chalicelib.domain.weeks import week_window
from chalicelib.services.ports import Campaigns, EntryReader, Mailer, NotificationLog, ZaloSender

MAX_FAILURES_SHOWN = 200


class SilentNotifications:
    """For services built without a notifier (tests of other concerns): events go nowhere."""

    def publish(self, events: Sequence[notify.NotificationEvent]) -> None:
        return None


SILENT = SilentNotifications()


def invalid_unsubscribe_token() -> InvalidInput:
    return InvalidInput("Đường dẫn hủy đăng ký không hợp lệ.", "The unsubscribe link is not valid.",
                        code="invalid_unsubscribe_token")


@dataclass
class Notifier:
    entries: EntryReader
    campaigns: Campaigns
    log: NotificationLog
    mailer: Mailer
    signing_key: Callable[[], bytes]
    public_base_url: str
    zalo: ZaloSender | None = None

    # --- links -----------------------------------------------------------------------
    def follow_url(self, submission_id: str, language: str, access_token: str | None = None) -> str:
        url = f"{self.public_base_url}/upload?submission={quote(submission_id)}"
        if language == "en":
            url += "&lang=en"
        # In the fragment: browsers never send it, so the code stays out of every server log.
        return url + (f"#token={quote(access_token)}" if access_token else "")

    def unsubscribe_url(self, contact: str, language: str) -> str:
        token = notify.unsubscribe_token(contact, self.signing_key())
        return f"{self.public_base_url}/notifications/unsubscribe?token={token}" + ("&lang=en" if language == "en" else "")

    # --- delivering one event ----------------------------------------------------------
    def deliver(self, event: notify.NotificationEvent, now: datetime) -> str:
        entry = self.entries.get(event.submission_id)
        if entry is None:
            return "no_entry"
        if event.kind == notify.RECEIVED:
            self.log.remember_language(entry.submission_id, event.details.get("language", "vi"))
            for contact in notify.entry_contacts(entry.authors):
                self.log.remember_contact(notify.contact_key(contact, self.signing_key()), entry.submission_id)
        address = notify.recipient_email(entry.authors)
        phone = notify.recipient_phone(entry.authors) if address is None else None
        if not self.log.claim(entry.submission_id, event.key, entry.campaign_id, entry.unit_path, now):
            return "already_sent"
        template = self.zalo.template_for(event.kind) if phone and self.zalo else None
        contact = address or (phone if template else None)
        if contact is None:
            self.log.skipped(entry.submission_id, event.key, "no_channel", now)
            return "no_address"
        if self.log.opted_out(notify.contact_key(contact, self.signing_key())):
            self.log.skipped(entry.submission_id, event.key, "unsubscribed", now)
            return "unsubscribed"
        language = event.details.get("language") or self.log.language(entry.submission_id) or "vi"
        context = self._context(entry, event, language, contact)
        if address is None:
            return self._send_by_zalo(entry.submission_id, event, contact, template or "", context, now)
        message = notify.compose(event, context)
        unsubscribe = self.unsubscribe_url(address, language)
        try:
            message_id = self.mailer.send(notify.OutgoingEmail(address, message, unsubscribe, entry.submission_id,
                                                               event.key))
        except Exception as error:
            self.log.failed(entry.submission_id, event.key, f"{type(error).__name__}: {error}"[:500], now)
            raise
        self.log.sent(entry.submission_id, event.key, "email", message_id, now)
        return "sent"

    def _send_by_zalo(self, submission_id: str, event: notify.NotificationEvent, phone: str, template: str,
                      context: notify.MessageContext, now: datetime) -> str:
        assert self.zalo is not None
        try:
            message_id = self.zalo.send(phone, template, notify.zalo_template_data(event, context),
                                        f"{submission_id}#{event.key}")
        except Exception as error:
            self.log.failed(submission_id, event.key, f"{type(error).__name__}: {error}"[:500], now)
            if getattr(error, "retryable", True):
                raise
            return "refused"  # a wrong number or a blocked account: trying again cannot help
        self.log.sent(submission_id, event.key, "zalo", message_id, now)
        return "sent"

    def _context(self, entry, event: notify.NotificationEvent, language: str, address: str) -> notify.MessageContext:
        campaign = self.campaigns.get(entry.campaign_id)
        review = entry.review or {}
        week = entry.week
        starts_at = ends_at = None
        if campaign is not None and week is not None:
            starts_at, ends_at = week_window(campaign, week)
        name = (campaign.name_en if language == "en" else campaign.name_vi) if campaign else entry.campaign_id
        return notify.MessageContext(
            language=language,
            campaign_name=name,
            entry_title=entry.title,
            follow_url=self.follow_url(entry.submission_id, language, event.details.get("access_token")),
            unsubscribe_url=self.unsubscribe_url(address, language),
            verdict=entry.verdict,
            rejection_reason=review.get("rejection_reason"),
            disqualification_reason=(review.get("disqualification") or {}).get("reason"),
            video_url=entry.publication.get("url"),
            week=week,
            week_starts_at=starts_at,
            week_ends_at=ends_at,
            weights=dict(campaign.scoring.weights) if campaign else {},
        )

    # --- participants and organisers ---------------------------------------------------
    def unsubscribe(self, token: str, now: datetime) -> dict:
        key = notify.unsubscribed_contact_key(token or "", self.signing_key())
        if key is None:
            raise invalid_unsubscribe_token()
        self.log.opt_out(key, now)
        return {"unsubscribed": True}


@dataclass
class NotificationFailures:
    """What organisers see of messages that could not be sent: their branch's entries only."""

    campaigns: Campaigns
    log: NotificationLog

    def for_campaign(self, principal: Principal, campaign_id: str) -> dict:
        require_role(principal, "admin", "organiser")
        self.campaigns.require(campaign_id)
        path = principal.unit_path if principal.role == "organiser" else ""
        failures = self.log.failures(campaign_id, path or "", MAX_FAILURES_SHOWN)
        return {"campaign_id": campaign_id, "failures": failures, "truncated": len(failures) >= MAX_FAILURES_SHOWN}
