"""Organisers' actions on one entry: review, publication, disqualification, and
its snapshot history. Only the campaign's reviewers change an entry
(domain/campaign_access.py); an organiser who only reads its branch is refused (403), and
an entry they may not read at all looks missing. Every action is conditional on the
status the organiser saw, and written to the audit log with the state before and after."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from chalicelib.domain import notifications as notify
from chalicelib.domain.campaign_access import not_campaign_reviewer
from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_views import organiser_view
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.review import (
    DisqualificationRequest,
    PublicationRequest,
    ReviewRequest,
    may_read,
    may_review,
    campaign_week_key,
    disqualification_document,
    platform_video_key,
    publication_document,
    publication_week,
    require_status,
    review_document,
)
from chalicelib.domain.scope import Principal, require_role
from chalicelib.domain.submission import parse_request
from chalicelib.services.audit import AuditLog
from chalicelib.services.notifications import SILENT
from chalicelib.services.ports import NotificationEvents, ReviewEntries, SnapshotHistory, Units
from chalicelib.services.week_results import WeekResultsService

MAX_SNAPSHOTS_SHOWN = 2000
HISTORY_SPAN = timedelta(days=366)


def submission_not_found() -> NotFound:
    return NotFound("Không tìm thấy bài dự thi.", "Entry not found.", code="submission_not_found")


def entry_changed() -> Conflict:
    return Conflict(
        "Bài dự thi vừa được người khác thay đổi, vui lòng tải lại và thử lại.",
        "The entry was changed by someone else meanwhile; reload and try again.",
        code="entry_changed",
    )


def _state(entry: Entry) -> dict:
    """What the audit log keeps of an entry before and after an action."""
    return {
        "status": entry.status,
        "review": entry.review,
        "campaign_week": entry.campaign_week,
        "platform_video": entry.platform_video,
        "published_at": iso_utc(entry.published_at) if entry.published_at else None,
    }


def _actor(principal: Principal) -> str:
    return principal.username or principal.user_id


@dataclass
class ReviewService:
    submissions: ReviewEntries
    snapshots: SnapshotHistory
    weeks: WeekResultsService
    audit: AuditLog
    units: Units
    notifications: NotificationEvents = SILENT

    def _entry(self, principal: Principal, submission_id: str) -> tuple[Entry, bool]:
        """The entry and whether the caller reviews it; one they may neither review nor read
        (outside their branch) looks missing."""
        require_role(principal, "admin", "organiser")
        entry = self.submissions.get(submission_id)
        if entry is None:
            raise submission_not_found()
        reviewer = may_review(principal, entry, self.weeks.campaign(entry.campaign_id))
        if not reviewer and not may_read(principal, entry):
            raise submission_not_found()
        return entry, reviewer

    def _entry_to_change(self, principal: Principal, submission_id: str) -> Entry:
        """A reader of the branch who does not review the entry is told so (403)."""
        entry, reviewer = self._entry(principal, submission_id)
        if not reviewer:
            raise not_campaign_reviewer(self.weeks.campaign(entry.campaign_id))
        return entry

    def _done(self, principal: Principal, action: str, before: dict, after: Entry | Literal[False], now: datetime,
              reason: str | None = None) -> dict:
        """Audit a change the store accepted (False: it refused, someone else moved the entry first)."""
        if not after:
            raise entry_changed()
        self.audit.record(principal, action, "submission", after.submission_id, now,
                          campaign_id=after.campaign_id, before=before, after=_state(after), reason=reason)
        return organiser_view(after)

    def review(self, principal: Principal, submission_id: str, body: dict, now: datetime) -> dict:
        request = parse_request(ReviewRequest, body)
        assert isinstance(request, ReviewRequest)
        entry = self._entry_to_change(principal, submission_id)
        require_status("review", entry.status)
        document = review_document(request, _actor(principal), now, entry.review)
        change = self.submissions.approve if request.decision == "approve" else self.submissions.reject
        action = "approve" if request.decision == "approve" else "reject"
        view = self._done(principal, action, _state(entry), change(entry, document, now), now, reason=request.reason)
        self.notifications.publish([notify.review_decided(submission_id, request.decision)])
        return view

    def publish(self, principal: Principal, submission_id: str, body: dict, now: datetime) -> dict:
        request = parse_request(PublicationRequest, body)
        assert isinstance(request, PublicationRequest)
        entry = self._entry_to_change(principal, submission_id)
        require_status("publish", entry.status)
        campaign = self.weeks.campaign(entry.campaign_id)
        week = publication_week(campaign, request, now)
        if self.weeks.results.latest(campaign.id, week) is not None:
            raise Conflict(
                f"Tuần {week} đã chốt kết quả, không thể thêm bài dự thi.",
                f"Week {week} is already closed; no entry can be added to it.",
                code="week_closed", week=week,
            )
        video = platform_video_key(request.platform, request.video_id)
        # A best-effort guard: the index is eventually consistent, so this narrows,
        # not closes, the window for linking one video to two entries.
        linked = [other for other in self.submissions.by_platform_video(video) if other != submission_id]
        if linked:
            raise Conflict(
                "Video này đã được gắn với một bài dự thi khác.",
                "This video is already linked to another entry.",
                code="video_already_linked",
            )
        document = publication_document(request, entry.review, _actor(principal), now)
        # Kept on the entry so ingestion labels its leaderboard row without reading the tree; a
        # rename of the unit after this is not carried to the entry (its row keeps this name).
        unit = self.units.find(entry.unit_id)
        published = self.submissions.publish(
            entry, document, video, campaign_week_key(campaign.id, week), request.published_at, now,
            unit_name=unit.name if unit else None,
        )
        view = self._done(principal, "publish", _state(entry), published, now)
        self.notifications.publish([notify.published(submission_id)])
        return view

    def disqualify(self, principal: Principal, submission_id: str, body: dict, now: datetime) -> dict:
        request = parse_request(DisqualificationRequest, body)
        assert isinstance(request, DisqualificationRequest)
        entry = self._entry_to_change(principal, submission_id)
        require_status("disqualify", entry.status)
        revised = self.weeks.revised_for_disqualification(entry, request.reason, _actor(principal), now)
        document = disqualification_document(request.reason, entry.review, _actor(principal), now)
        disqualified = self.submissions.disqualify(entry, document, now, revised)
        view = self._done(principal, "disqualify", _state(entry), disqualified, now, reason=request.reason)
        self.notifications.publish([notify.disqualified(submission_id)])
        if revised is not None:
            self.audit.record(
                principal, "revise_week_result", "week", campaign_week_key(revised.campaign_id, revised.week), now,
                campaign_id=revised.campaign_id,
                before={"version": revised.version - 1, "hash": revised.document.get("previous_hash")},
                after={"version": revised.version, "hash": revised.hash,
                       "winners": revised.document["outputs"]["winners"],
                       "finalists": revised.document["outputs"]["finalists"]},
                reason=f"disqualified {submission_id}: {request.reason}",
            )
            view["week_result"] = {"week": revised.week, "version": revised.version, "hash": revised.hash}
        return view

    def snapshot_history(self, principal: Principal, submission_id: str) -> dict:
        entry, _ = self._entry(principal, submission_id)
        since = entry.published_at or entry.created_at
        # Bounded by count, not by the clock: readings are keyed by when they were measured.
        history = self.snapshots.history(submission_id, since, since + HISTORY_SPAN, limit=MAX_SNAPSHOTS_SHOWN)
        return {
            "submission_id": submission_id,
            "published_at": iso_utc(entry.published_at) if entry.published_at else None,
            "snapshots": [s.to_dict() for s in history],
            "truncated": len(history) >= MAX_SNAPSHOTS_SHOWN,
        }
