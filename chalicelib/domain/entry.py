"""An entry (a participant's submission) as the services see it: a value, never a
storage record. Stores hand entries out and take them back for conditional
writes, which are pinned to the status and unit path the entry carries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    submission_id: str
    campaign_id: str
    unit_id: str
    unit_path: str
    status: str
    title: str
    created_at: datetime
    status_changed_at: datetime
    access_token_hash: str
    upload_key: str
    upload_kind: str
    declared_size: int
    file_name: str = ""
    content_type: str = ""
    description: str | None = None
    category: str | None = None
    authors: list[dict[str, Any]] = field(default_factory=list)
    multipart_upload_id: str | None = None
    stored_key: str | None = None
    processed_object: str | None = None
    validation_attempts: int = 0
    verdict: dict | None = None
    validated_at: datetime | None = None
    review: dict | None = None
    campaign_week: str | None = None  # "{campaign_id}#{week}" once published
    platform_video: str | None = None  # "{platform}#{video_id}" once published
    published_at: datetime | None = None
    unit_name: str | None = None  # the unit's name when published, for the leaderboard
    # The terms' acceptance recorded at creation (domain/consent.py), and when the authors'
    # personal data was erased (domain/privacy.py).
    consent: dict | None = None
    personal_data_erased_at: datetime | None = None

    @property
    def publication(self) -> dict:
        return (self.review or {}).get("publication") or {}

    @property
    def week(self) -> int | None:
        """The voting week it competes in, once published."""
        return int(self.campaign_week.rpartition("#")[2]) if self.campaign_week else None


@dataclass(frozen=True)
class NewSubmission:
    """What a participant declares when creating an entry; it starts awaiting its upload."""

    submission_id: str
    campaign_id: str
    unit_id: str
    unit_path: str
    title: str
    description: str
    category: str
    authors: list[dict[str, Any]]
    file_name: str
    content_type: str
    declared_size: int
    access_token_hash: str
    upload_key: str
    upload_kind: str
    multipart_upload_id: str | None
    created_at: datetime
    consent: dict | None = None


@dataclass(frozen=True)
class NewUpload:
    """A replacement upload for an entry whose video may still change."""

    upload_key: str
    upload_kind: str
    multipart_upload_id: str | None
    file_name: str
    content_type: str
    declared_size: int
