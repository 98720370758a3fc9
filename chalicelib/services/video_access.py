"""Watching and downloading an entry's video: who may, and the short-lived links they get.

Reviewers (domain/review.may_review) and judges of the final pool (FinalRoundService.may_judge)
get two presigned links to the validated object; everybody else gets the answer a missing
entry gets, so nobody can probe which entries exist. Every answer to a signed-in caller,
granted or not, is written to the audit log: who watched what is part of the contest's record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.entry import Entry
from chalicelib.domain.errors import DomainError
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.review import may_review
from chalicelib.domain.scope import Principal
from chalicelib.domain.video_links import (
    LINK_TTL_SECONDS,
    content_disposition,
    file_extension,
    video_not_available,
    watchable_video_key,
)
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import EntryReader, VideoLinks
from chalicelib.services.review import submission_not_found

AUDIT_ACTION = "view_video"


class Judging(Protocol):
    def may_judge(self, principal: Principal, entry: Entry) -> bool: ...

    def campaign(self, campaign_id: str) -> Campaign: ...


@dataclass
class VideoAccessService:
    submissions: EntryReader
    bucket: VideoLinks
    judging: Judging
    audit: AuditLog
    ttl_seconds: int = LINK_TTL_SECONDS

    def _may_watch(self, principal: Principal, entry: Entry) -> bool:
        if principal.role == "jury":
            return self.judging.may_judge(principal, entry)
        return may_review(principal, entry, self.judging.campaign(entry.campaign_id))

    def links(self, principal: Principal, submission_id: str, now: datetime) -> dict:
        entry = self.submissions.get(submission_id)
        if entry is None:
            # Nothing to watch and nothing to audit under an id that no entry has.
            raise submission_not_found()
        try:
            answer, key = self._links(principal, entry, now)
        except DomainError as refused:
            self.audit.record(principal, AUDIT_ACTION, "submission", submission_id, now,
                              campaign_id=entry.campaign_id,
                              after={"granted": False, "code": refused.code})
            raise
        self.audit.record(principal, AUDIT_ACTION, "submission", submission_id, now,
                          campaign_id=answer["campaign_id"],
                          after={"granted": True, "key": key, "expires_at": answer["expires_at"]})
        return answer

    def _links(self, principal: Principal, entry: Entry, now: datetime) -> tuple[dict, str]:
        if not self._may_watch(principal, entry):
            raise submission_not_found()
        key = watchable_video_key(entry)
        head = self.bucket.head(key) if key else None
        if key is None or head is None:
            raise video_not_available()
        content_type = head.content_type or entry.content_type or "application/octet-stream"
        extension = file_extension(entry.file_name, content_type)

        def link(kind: str) -> str:
            disposition = content_disposition(kind, entry.title, extension)  # type: ignore[arg-type]
            return self.bucket.presigned_get(key, content_type, disposition, self.ttl_seconds)

        answer = {
            "submission_id": entry.submission_id,
            "campaign_id": entry.campaign_id,
            "title": entry.title,
            "content_type": content_type,
            "size_bytes": head.size,
            "stream_url": link("inline"),
            "download_url": link("attachment"),
            "expires_in": self.ttl_seconds,
            "expires_at": iso_utc(now + timedelta(seconds=self.ttl_seconds)),
        }
        return answer, key
