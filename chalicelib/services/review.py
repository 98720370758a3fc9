"""Organisers' actions on one entry: review, publication, disqualification, and
its snapshot history. Every action is scoped to the organiser's branch (an entry
elsewhere looks missing), conditional on the status the organiser saw, and
written to the audit log with the state before and after."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.dynamodb.models import SubmissionRecord
from chalicelib.adapters.dynamodb.snapshots import SnapshotStore
from chalicelib.adapters.dynamodb.submissions import SubmissionStore
from chalicelib.domain.entry_status import status_label
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.review import (
    DisqualificationRequest,
    PublicationRequest,
    ReviewRequest,
    campaign_week_key,
    disqualification_document,
    platform_video_key,
    publication_document,
    publication_week,
    require_status,
    review_document,
)
from chalicelib.domain.scope import Principal, can_see_unit, require_role
from chalicelib.domain.submission import parse_request
from chalicelib.services.audit import AuditLog
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


def _state(record: SubmissionRecord) -> dict:
    """What the audit log keeps of an entry before and after an action."""
    return {
        "status": record.status,
        "review": record.review,
        "campaign_week": record.campaign_week,
        "platform_video": record.platform_video,
        "published_at": iso_utc(record.published_at) if record.published_at else None,
    }


def _actor(principal: Principal) -> str:
    return principal.username or principal.user_id


@dataclass
class ReviewService:
    submissions: SubmissionStore
    snapshots: SnapshotStore
    weeks: WeekResultsService
    audit: AuditLog

    def _entry_in_branch(self, principal: Principal, submission_id: str) -> SubmissionRecord:
        require_role(principal, "admin", "organiser")
        record = self.submissions.get(submission_id)
        if record is None or not can_see_unit(principal, record.unit_path):
            raise submission_not_found()
        return record

    def _done(self, principal: Principal, action: str, before: dict, submission_id: str, now: datetime,
              reason: str | None = None) -> dict:
        after = self.submissions.get(submission_id)
        assert after is not None
        self.audit.record(principal, action, "submission", submission_id, now, campaign_id=after.campaign_id,
                          before=before, after=_state(after), reason=reason)
        return self.organiser_view(after)

    @staticmethod
    def organiser_view(record: SubmissionRecord) -> dict:
        return {
            "submission_id": record.submission_id,
            "campaign_id": record.campaign_id,
            "title": record.title,
            "unit_id": record.unit_id,
            "status": record.status,
            "status_label": status_label(record.status),
            "review": record.review,
            "campaign_week": record.campaign_week,
            "platform_video": record.platform_video,
            "published_at": iso_utc(record.published_at) if record.published_at else None,
        }

    def review(self, principal: Principal, submission_id: str, body: dict, now: datetime) -> dict:
        request = parse_request(ReviewRequest, body)
        assert isinstance(request, ReviewRequest)
        record = self._entry_in_branch(principal, submission_id)
        require_status("review", record.status)
        before = _state(record)
        document = review_document(request, _actor(principal), now, record.review)
        change = self.submissions.approve if request.decision == "approve" else self.submissions.reject
        if not change(record, document, now):
            raise entry_changed()
        action = "approve" if request.decision == "approve" else "reject"
        return self._done(principal, action, before, submission_id, now, reason=request.reason)

    def publish(self, principal: Principal, submission_id: str, body: dict, now: datetime) -> dict:
        request = parse_request(PublicationRequest, body)
        assert isinstance(request, PublicationRequest)
        record = self._entry_in_branch(principal, submission_id)
        require_status("publish", record.status)
        campaign = self.weeks.campaign(record.campaign_id)
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
        before = _state(record)
        document = publication_document(request, record.review, _actor(principal), now)
        if not self.submissions.publish(
            record, document, video, campaign_week_key(campaign.id, week), request.published_at, now
        ):
            raise entry_changed()
        return self._done(principal, "publish", before, submission_id, now)

    def disqualify(self, principal: Principal, submission_id: str, body: dict, now: datetime) -> dict:
        request = parse_request(DisqualificationRequest, body)
        assert isinstance(request, DisqualificationRequest)
        record = self._entry_in_branch(principal, submission_id)
        require_status("disqualify", record.status)
        before = _state(record)
        revised = self.weeks.revised_for_disqualification(record, request.reason, _actor(principal), now)
        document = disqualification_document(request.reason, record.review, _actor(principal), now)
        revised_record = self.weeks.results.record_for(revised) if revised is not None else None
        if not self.submissions.disqualify(record, document, now, revised_record):
            raise entry_changed()
        view = self._done(principal, "disqualify", before, submission_id, now, reason=request.reason)
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
        record = self._entry_in_branch(principal, submission_id)
        since = record.published_at or record.created_at
        # Bounded by count, not by the clock: readings are keyed by when they were measured.
        history = self.snapshots.history(submission_id, since, since + HISTORY_SPAN, limit=MAX_SNAPSHOTS_SHOWN)
        return {
            "submission_id": submission_id,
            "published_at": iso_utc(record.published_at) if record.published_at else None,
            "snapshots": [s.to_dict() for s in history],
            "truncated": len(history) >= MAX_SNAPSHOTS_SHOWN,
        }
