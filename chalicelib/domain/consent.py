"""The campaign's terms, accepted with each entry, and the record of that acceptance.

A campaign with terms takes an entry only when the participant names the version of
the terms they accepted, and it must be the current one: a page opened before the
organisers changed the text would otherwise record agreement to words never shown.
The record keeps the version, the time and, when the request carried them, the
client's address and browser: what an organiser needs to show who agreed to what.
"""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Conflict, Unprocessable
from chalicelib.domain.instants import iso_utc

# Browsers send far shorter user agents; a longer one is cut rather than refused.
MAX_USER_AGENT_CHARS = 500
MAX_CLIENT_IP_CHARS = 64


def require_acceptance(campaign: Campaign, accepted_version: str | None) -> None:
    """Refuse an entry that has not accepted the campaign's current terms (none: nothing to accept)."""
    terms = campaign.terms
    if terms is None:
        return
    if not accepted_version:
        raise Unprocessable(
            "Cần đọc và đồng ý với thể lệ, điều khoản của cuộc thi trước khi gửi bài.",
            "Read and accept the campaign's terms before sending the entry.",
            code="terms_not_accepted",
            terms_version=terms.version,
        )
    if accepted_version != terms.version:
        raise Conflict(
            "Điều khoản của cuộc thi vừa được cập nhật. Vui lòng đọc lại và đồng ý với bản mới.",
            "The campaign's terms have changed. Read and accept the new version.",
            code="terms_version_outdated",
            terms_version=terms.version,
            accepted_version=accepted_version,
        )


def acceptance_record(
    campaign: Campaign, at: datetime, client_ip: str | None = None, user_agent: str | None = None
) -> dict | None:
    """What is stored with the entry; None when the campaign asks no acceptance."""
    if campaign.terms is None:
        return None
    record = {"terms_version": campaign.terms.version, "accepted_at": iso_utc(at)}
    if client_ip:
        record["client_ip"] = client_ip[:MAX_CLIENT_IP_CHARS]
    if user_agent:
        record["user_agent"] = user_agent[:MAX_USER_AGENT_CHARS]
    return record
