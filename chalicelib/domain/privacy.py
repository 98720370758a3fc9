"""Authors' personal data: who may read their contacts, and what erasure leaves.

Contacts (emails, phone numbers) are for the campaign's reviewers only, to reach an
author about their entry; every other view of an entry names authors at most.

Erasure, `personal_data_retention_days` after the campaign ends, removes from every
entry of the campaign:
- the authors' emails and phone numbers;
- the client address and browser recorded with the terms' acceptance (the version and
  time of acceptance stay: they are the campaign's proof of consent, not personal data);
- the authors' names of entries that were never published, and their videos (a published
  video is on the campaign's channel; an unpublished one was never shown and is the author's).
Names of entries that were published (including those later disqualified) stay: the
work was posted publicly under those names, and the frozen rankings, the final results
and the certificates written from them name their authors. Frozen week results hold no
personal data (entry ids, titles and figures), so their hashes verify after erasure.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.awards import campaign_end
from chalicelib.domain.campaign import Campaign
from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_views import organiser_row
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.review import may_review
from chalicelib.domain.scope import Principal

CONTACT_FIELDS = ("email", "phone")
CONSENT_PERSONAL_FIELDS = ("client_ip", "user_agent")


def author_contacts(entry: Entry) -> list[dict[str, str]]:
    """Each author's name, email and phone as given (an absent one is an empty string)."""
    return [
        {"name": str(a.get("name") or ""), "email": str(a.get("email") or ""), "phone": str(a.get("phone") or "")}
        for a in (entry.authors or [])
    ]


def may_see_contacts(principal: Principal, entry: Entry, campaign: Campaign) -> bool:
    """Only the entry's reviewers reach its authors (domain/review.py decides who they are)."""
    return may_review(principal, entry, campaign)


def export_row(principal: Principal, entry: Entry, campaign: Campaign) -> dict[str, Any]:
    """A line of an organiser's entries export: with the authors' contacts when the caller reviews it."""
    row = organiser_row(entry)
    if may_see_contacts(principal, entry, campaign):
        row["contacts"] = author_contacts(entry)
    return row


def contacts_view(entry: Entry) -> dict[str, Any]:
    """A reviewer reaching the authors of one entry."""
    return {
        "submission_id": entry.submission_id,
        "campaign_id": entry.campaign_id,
        "title": entry.title,
        "unit_id": entry.unit_id,
        "authors": author_contacts(entry),
        "consent": entry.consent,
        "personal_data_erased_at": iso_utc(entry.personal_data_erased_at) if entry.personal_data_erased_at else None,
    }


def erasure_due_at(campaign: Campaign) -> datetime | None:
    """When the campaign's personal data is to be erased (None: no retention period set)."""
    days = campaign.personal_data_retention_days
    if days is None:
        return None
    return campaign_end(campaign) + timedelta(days=days)


def is_erasure_due(campaign: Campaign, now: datetime) -> bool:
    due = erasure_due_at(campaign)
    return due is not None and now >= due


def keeps_author_names(entry: Entry) -> bool:
    """Published work is credited publicly and in the results; see the module's note."""
    return entry.published_at is not None


def erased_authors(entry: Entry) -> list[dict[str, str]]:
    if not keeps_author_names(entry):
        return []
    return [{"name": str(a.get("name") or "")} for a in (entry.authors or [])]


def videos_to_delete(entry: Entry) -> list[str]:
    """The bucket keys erasure deletes: every upload of an entry that was never published."""
    if keeps_author_names(entry):
        return []
    return sorted({key for key in (entry.upload_key, entry.stored_key) if key})


def erased_consent(consent: dict | None) -> dict | None:
    if consent is None:
        return None
    return {k: v for k, v in consent.items() if k not in CONSENT_PERSONAL_FIELDS}
