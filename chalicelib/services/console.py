"""Organisers' console reads and actions that span entries: score curves of the leading entries,
one entry's chart with its fraud evidence, bulk approval and reason templates. Each goes through
the same rules as the single-entry routes (may_review, the campaign's organisers)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.console import (
    DEFAULT_REASON_TEMPLATES,
    evidence_marks,
    parse_reason_templates,
    parse_selection,
    score_series,
)
from chalicelib.domain.errors import Conflict, DomainError, InvalidInput
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.review import may_read, may_review
from chalicelib.domain.scope import Principal, require_role
from chalicelib.domain.weeks import week_window
from chalicelib.services.audit import AuditLog
from chalicelib.services.engagement import EngagementService
from chalicelib.services.ports import CompetingEntries, ReasonTemplates, SnapshotHistory
from chalicelib.services.review import ReviewService, submission_not_found
from chalicelib.services.week_results import SNAPSHOT_MARGIN, WeekResultsService, bounded_history


@dataclass
class ConsoleService:
    entries: CompetingEntries
    snapshots: SnapshotHistory
    engagement: EngagementService
    weeks: WeekResultsService
    review: ReviewService
    templates: ReasonTemplates
    audit: AuditLog

    # --- charts -------------------------------------------------------------------

    def _week_history(self, campaign, week: int, entry, now: datetime) -> list:
        start, end = week_window(campaign, week)
        return bounded_history(self.snapshots, entry.submission_id, entry.published_at, start, end,
                               min(now, end + SNAPSHOT_MARGIN))

    def score_history(self, principal: Principal, campaign_id: str, week: int, top: int, now: datetime) -> dict:
        """The week's leading entries (live leaderboard order) with their score at each reading.
        An entry the caller may not review keeps its rank and score, nothing else (as in the branch reports)."""
        require_role(principal, "admin", "organiser")
        campaign = self.weeks.campaign(campaign_id)
        board = self.engagement.leaderboard(campaign_id, week, top)
        found = self.entries.many(r["entry_id"] for r in board["rows"])
        leaders = []
        for row in board["rows"]:
            entry = found.get(row["entry_id"])
            visible = (entry is not None and entry.published_at is not None
                       and (may_read(principal, entry) or may_review(principal, entry, campaign)))
            if not visible:
                leaders.append({"rank": row["rank"], "score": row["score"], "outside_branch": True, "series": None})
                continue
            series = score_series(campaign, week, entry.published_at, self._week_history(campaign, week, entry, now))
            leaders.append({"rank": row["rank"], "entry_id": row["entry_id"], "title": row["title"],
                            "unit_id": row["unit_id"], "score": row["score"], "outside_branch": False,
                            "series": series})
        start, end = week_window(campaign, week)
        return {"campaign_id": campaign_id, "week": week, "starts_at": iso_utc(start), "ends_at": iso_utc(end),
                "entries": leaders}

    def entry_chart(self, principal: Principal, submission_id: str, now: datetime) -> dict:
        """One published entry's score over its voting week, its readings, and each fraud flag of
        the week on it with the evidence placed on the time axis."""
        require_role(principal, "admin", "organiser")
        entry = self.entries.get(submission_id)
        if entry is None or not (may_read(principal, entry)
                                 or may_review(principal, entry, self.weeks.campaign(entry.campaign_id))):
            raise submission_not_found()
        if entry.week is None or entry.published_at is None:
            raise Conflict("Bài dự thi chưa được đăng tải nên chưa có số liệu tương tác.",
                           "The entry has not been published, so it has no engagement yet.",
                           code="not_published")
        campaign = self.weeks.campaign(entry.campaign_id)
        week = entry.week
        start, end = week_window(campaign, week)
        history = self._week_history(campaign, week, entry, now)
        flags = [
            {**flag, "marks": evidence_marks(flag, campaign.zone, start, end)}
            for flag in self.weeks.flags(campaign.id, week, principal, now)["flags"]
            if flag["entry_id"] == submission_id
        ]
        return {
            "entry_id": submission_id, "campaign_id": campaign.id, "week": week, "title": entry.title,
            "published_at": iso_utc(entry.published_at), "starts_at": iso_utc(start), "ends_at": iso_utc(end),
            "series": score_series(campaign, week, entry.published_at, history),
            "readings": [s.to_dict() for s in history if start - SNAPSHOT_MARGIN <= s.at <= end][-200:],
            "flags": flags,
        }

    # --- bulk approval ---------------------------------------------------------------

    def bulk_approve(self, principal: Principal, campaign_id: str, body: dict, now: datetime) -> dict:
        """Each selected entry approved on its own, exactly as one POST .../review would (same
        checks, same audit record); one entry's refusal never undoes or blocks another's approval."""
        require_role(principal, "admin", "organiser")
        campaign = self.weeks.campaign(campaign_id)
        ids = parse_selection(body)
        found = self.entries.many(ids)
        outcomes = []
        for submission_id in ids:
            entry = found.get(submission_id)
            try:
                if entry is None or entry.campaign_id != campaign.id:
                    raise submission_not_found()
                view = self.review.review(principal, submission_id, {"decision": "approve"}, now)
                outcomes.append({"submission_id": submission_id, "ok": True, "status": view["status"]})
            except DomainError as refusal:
                outcomes.append({"submission_id": submission_id, "ok": False, "error": {
                    "code": refusal.code, "message_vi": refusal.message_vi, "message_en": refusal.message_en}})
        approved = [o["submission_id"] for o in outcomes if o["ok"]]
        refused = {o["submission_id"]: o["error"]["code"] for o in outcomes if not o["ok"]}
        self.audit.record(principal, "bulk_approve", "campaign", campaign.id, now, campaign_id=campaign.id,
                          after={"approved": approved, "refused": refused})
        return {"campaign_id": campaign.id, "approved": len(approved), "refused": len(refused), "results": outcomes}

    # --- reason templates --------------------------------------------------------------

    def reason_templates(self, principal: Principal, campaign_id: str) -> dict:
        require_role(principal, "admin", "organiser")
        campaign = self.weeks.campaign(campaign_id)
        stored = self.templates.get(campaign.id)
        templates, version = stored if stored else ([dict(t) for t in DEFAULT_REASON_TEMPLATES], 0)
        return {"campaign_id": campaign.id, "version": version, "defaults": stored is None, "templates": templates}

    def replace_reason_templates(self, principal: Principal, campaign_id: str, body: dict, now: datetime) -> dict:
        """The campaign's organisers replace the whole list; `version` is the one they edited, so a
        concurrent edit is refused rather than overwritten."""
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        templates = parse_reason_templates(body)
        version = body.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise InvalidInput(
                "Gửi version của danh sách đang sửa (0 nếu đang dùng mẫu mặc định).",
                "Send the version of the list being edited (0 for the defaults).", code="version_required")
        before = self.templates.get(campaign.id)
        if not self.templates.put(campaign.id, templates, version, principal.username or principal.user_id, now):
            raise Conflict("Danh sách mẫu lý do vừa được người khác sửa; hãy tải lại.",
                           "Someone else changed the reason templates meanwhile; reload them.",
                           code="templates_changed")
        self.audit.record(principal, "replace_reason_templates", "campaign", campaign.id, now,
                          campaign_id=campaign.id, before=before[0] if before else None, after=templates)
        return {"campaign_id": campaign.id, "version": version + 1, "defaults": False, "templates": templates}
