"""A unit's post submitted as a link entry (seed 001), as the services see it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.posting_quota import PostedLink


@dataclass(frozen=True)
class NewLink:
    campaign_id: str
    unit_id: str
    unit_path: str
    url: str
    posted_at: datetime
    has_hashtag: bool
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class StoredLink:
    link_id: str
    campaign_id: str
    unit_id: str
    unit_path: str
    url: str
    posted_at: datetime
    has_hashtag: bool
    status: str  # "valid" with the campaign hashtag, "invalid" without

    def as_posted(self) -> PostedLink:
        return PostedLink(unit_id=self.unit_id, posted_at=self.posted_at, url=self.url, has_hashtag=self.has_hashtag)
