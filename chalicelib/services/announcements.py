"""Announcements: a campaign's organisers send one message to the participants of a filtered set of
entries (status, voting week, unit) within their branch; audited and rate-limited."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain import notifications as notify
from chalicelib.domain.entry_status import STATUSES
from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.review import campaign_week_key
from chalicelib.domain.scope import Principal, can_see_unit, require_role
from chalicelib.domain.submission import parse_request
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import AccessLinks, Campaigns, EntryPages, NotificationEvents, Units

PER_ORGANISER_PER_DAY = 5
MAX_RECIPIENTS = 5000
PAGE = 500


class AnnouncementFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(default=None, max_length=40)
    week: int | None = Field(default=None, ge=1, le=520)
    unit_id: str | None = Field(default=None, min_length=1, max_length=64)


class AnnouncementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject_vi: str = Field(min_length=1, max_length=150)
    message_vi: str = Field(min_length=1, max_length=2000)
    subject_en: str | None = Field(default=None, min_length=1, max_length=150)
    message_en: str | None = Field(default=None, min_length=1, max_length=2000)
    filter: AnnouncementFilter = Field(default_factory=AnnouncementFilter)


def _unit_not_found() -> NotFound:
    return NotFound("Không tìm thấy đơn vị.", "Unit not found.", code="unit_not_found")


@dataclass
class Announcements:
    campaigns: Campaigns
    units: Units
    entries: EntryPages
    events: NotificationEvents
    counters: AccessLinks
    audit: AuditLog

    def send(self, principal: Principal, campaign_id: str, body: dict, now: datetime) -> dict:
        require_role(principal, "admin", "organiser")
        campaign = self.campaigns.require(campaign_id)
        request = parse_request(AnnouncementRequest, body)
        assert isinstance(request, AnnouncementRequest)
        wanted = request.filter
        if wanted.status is not None and wanted.status not in STATUSES:
            raise InvalidInput("Trạng thái không hợp lệ.", "Unknown status.", code="invalid_status",
                               allowed=sorted(STATUSES))
        if wanted.week is not None and campaign.week(wanted.week) is None:
            raise NotFound(f"Cuộc thi không có tuần bình chọn số {wanted.week}.",
                           f"The campaign has no voting week {wanted.week}.", code="week_not_found")
        path = self._branch(principal, wanted.unit_id)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        actor = principal.username or principal.user_id
        if self.counters.count(f"announce#{campaign.id}#{actor}", day, timedelta(days=1)) > PER_ORGANISER_PER_DAY:
            raise TooManyRequests(f"Mỗi ngày chỉ gửi được {PER_ORGANISER_PER_DAY} thông báo.",
                                  f"At most {PER_ORGANISER_PER_DAY} announcements a day.", code="too_many_requests")
        recipients = self._recipients(campaign.id, path, wanted)
        announcement_id = uuid.uuid4().hex
        details = {"subject_vi": request.subject_vi, "message_vi": request.message_vi,
                   "subject_en": request.subject_en or request.subject_vi,
                   "message_en": request.message_en or request.message_vi}
        self.events.publish([notify.NotificationEvent(notify.ANNOUNCEMENT, submission_id, announcement_id, details)
                             for submission_id in recipients])
        self.audit.record(principal, "announce", "campaign", campaign.id, now, campaign_id=campaign.id,
                          after={"announcement_id": announcement_id, "filter": wanted.model_dump(),
                                 "recipients": len(recipients), "subject_vi": request.subject_vi})
        return {"announcement_id": announcement_id, "recipients": len(recipients),
                "truncated": len(recipients) >= MAX_RECIPIENTS}

    def _branch(self, principal: Principal, unit_id: str | None) -> str:
        if unit_id is None:
            return principal.unit_path if principal.role == "organiser" and principal.unit_path \
                else self.units.whole_tree().root.path
        unit = self.units.find(unit_id)
        if unit is None or not can_see_unit(principal, unit.path):
            raise _unit_not_found()
        return unit.path

    def _recipients(self, campaign_id: str, path: str, wanted: AnnouncementFilter) -> list[str]:
        week = campaign_week_key(campaign_id, wanted.week) if wanted.week is not None else None
        found: list[str] = []
        start = None
        while len(found) < MAX_RECIPIENTS:
            page, start = self.entries.branch_page(campaign_id, path, None, start, PAGE)
            found.extend(e.submission_id for e in page
                         if (wanted.status is None or e.status == wanted.status)
                         and (week is None or e.campaign_week == week))
            if start is None:
                break
        return found[:MAX_RECIPIENTS]
