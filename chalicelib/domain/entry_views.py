"""What each audience sees of an entry, built in one place per audience.

Each view is an allow-list: the access-token hash, upload keys and authors'
contact details never appear unless a view names them.
"""
from __future__ import annotations

from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_status import can_replace_video, can_withdraw, status_label
from chalicelib.domain.exports import vietnam_time
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.organisation import OrgTree


def participant_view(entry: Entry) -> dict:
    """The participant following their own entry: its status, whether its video may still be
    replaced, the verdict and the rejection reason."""
    review = entry.review or {}
    return {
        "submission_id": entry.submission_id,
        "campaign_id": entry.campaign_id,
        "title": entry.title,
        "unit_id": entry.unit_id,
        "status": entry.status,
        "status_label": status_label(entry.status),
        "can_replace_video": can_replace_video(entry.status),
        "can_withdraw": can_withdraw(entry.status),
        "verdict": entry.verdict,
        "rejection_reason": review.get("rejection_reason"),
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.status_changed_at.isoformat(),
    }


def organiser_view(entry: Entry) -> dict:
    """An organiser acting on one entry: its review and publication."""
    return {
        "submission_id": entry.submission_id,
        "campaign_id": entry.campaign_id,
        "title": entry.title,
        "unit_id": entry.unit_id,
        "status": entry.status,
        "status_label": status_label(entry.status),
        "review": entry.review,
        "campaign_week": entry.campaign_week,
        "platform_video": entry.platform_video,
        "published_at": iso_utc(entry.published_at) if entry.published_at else None,
    }


def organiser_row(entry: Entry) -> dict:
    """One line of an organiser's list or export of their branch's entries."""
    return {
        "submission_id": entry.submission_id,
        "unit_id": entry.unit_id,
        "title": entry.title,
        "category": entry.category,
        "authors": [a.get("name", "") for a in (entry.authors or [])],
        "status": entry.status,
        "status_label": status_label(entry.status),
        "created_at": entry.created_at.isoformat(),
        "created_at_vietnam": vietnam_time(entry.created_at),
    }


def review_queue_row(entry: Entry, tree: OrgTree) -> dict:
    """A line of the review queue: the list's row with what a reviewer decides on, so the queue
    needs no call per entry (unit name, description, the validator's measured facts)."""
    unit = tree.find(entry.unit_id)
    return {
        **organiser_row(entry),
        "unit_name": unit.name if unit else entry.unit_id,
        "description": entry.description,
        "facts": dict((entry.verdict or {}).get("facts") or {}),
    }


def ranking_labels(entry: Entry | None, tree: OrgTree) -> dict:
    """What a ranking row or a fraud flag shows of its entry (None: the entry is gone)."""
    if entry is None:
        return {"title": None, "unit_id": None, "unit_name": None}
    unit = tree.find(entry.unit_id)
    return {"title": entry.title, "unit_id": entry.unit_id, "unit_name": unit.name if unit else entry.unit_id}


def jury_labels(entry: Entry | None, tree: OrgTree) -> dict:
    """A finalist as the jury and the prize lists show it: the ranking labels and the video's link."""
    publication = entry.publication if entry else {}
    return {**ranking_labels(entry, tree), "url": publication.get("url")}
