"""What organisers may do to an entry after validation, and what they may send.

Which status each decision needs is the entry's status machine (domain/entry_status.py):
valid ─approve/reject─▶ approved/rejected, approved ─publish─▶ published, approved or
published ─disqualify─▶ disqualified.

Request bodies are allow-listed (pydantic, extra="forbid"): an organiser can
send a decision, a reason, publication details, never a status, a score, a
unit, a storage key or a verdict. Only approved, published, not disqualified
entries compete in a voting week.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.campaign_access import reviews_entry
from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_status import DISQUALIFIABLE, PUBLISHABLE, REVIEWABLE, transition_target
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.scope import Principal, can_see_unit
from chalicelib.domain.weeks import competing_week, week_window


def may_review(principal: Principal, entry: Entry, campaign: Campaign) -> bool:
    """Who reviews an entry, and so may act on it and watch its video: the campaign's
    organisers, admins, and a delegated unit's organisers for their own branch
    (domain/campaign_access.py)."""
    return entry.campaign_id == campaign.id and reviews_entry(principal, campaign, entry.unit_path)


def may_read(principal: Principal, entry: Entry) -> bool:
    """An organiser reads their branch's entries (their history, their snapshots) without reviewing them."""
    return principal.role in ("admin", "organiser") and can_see_unit(principal, entry.unit_path)


_STATUS_PROBLEM = {
    "review": ("Chỉ bài dự thi hợp lệ, chưa được duyệt mới có thể duyệt hoặc từ chối.",
               "Only a valid entry that has not been reviewed yet can be approved or rejected.", "not_reviewable"),
    "publish": ("Chỉ bài dự thi đã được duyệt và chưa đăng mới có thể ghi nhận đăng tải.",
                "Only an approved entry that has not been published yet can be recorded as published.",
                "not_publishable"),
    "disqualify": ("Chỉ bài dự thi đã duyệt hoặc đã đăng mới có thể bị loại.",
                   "Only an approved or published entry can be disqualified.", "not_disqualifiable"),
}
_ALLOWED_FROM = {"review": REVIEWABLE, "publish": PUBLISHABLE, "disqualify": DISQUALIFIABLE}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReviewRequest(_Body):
    decision: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=1000)


class PublicationRequest(_Body):
    platform: str = Field(min_length=1, max_length=20)
    video_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    url: str = Field(pattern=r"^https://\S+$", max_length=500)
    published_at: datetime
    week: int | None = Field(default=None, ge=1)

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("published_at must carry a time zone, e.g. 2024-08-05T09:00:00+07:00")
        return value.astimezone(timezone.utc)


class DisqualificationRequest(_Body):
    reason: str = Field(min_length=1, max_length=1000)


class CloseRequest(_Body):
    confirm_unmeasured: bool = False


def require_status(action: Literal["review", "publish", "disqualify"], status: str) -> None:
    if action == "disqualify" and status == transition_target("disqualify"):
        raise Conflict("Bài dự thi đã bị loại trước đó.", "The entry is already disqualified.",
                       code="already_disqualified", status=status)
    if status not in _ALLOWED_FROM[action]:
        vi, en, code = _STATUS_PROBLEM[action]
        raise Conflict(vi, en, code=code, status=status)


def review_document(request: ReviewRequest, reviewer: str, at: datetime, previous: dict | None) -> dict:
    """The entry's review record; `rejection_reason` is what the participant sees."""
    if request.decision == "reject" and not (request.reason or "").strip():
        raise InvalidInput(
            "Cần nêu lý do từ chối để người dự thi biết.",
            "A rejection needs a reason the participant can read.",
            code="rejection_reason_required",
        )
    document = {**(previous or {}), "decision": request.decision, "reviewed_by": reviewer, "reviewed_at": iso_utc(at)}
    if request.decision == "reject":
        document["rejection_reason"] = request.reason
    if request.note:
        document["note"] = request.note
    return document


def platform_video_key(platform: str, video_id: str) -> str:
    return f"{platform}#{video_id}"


def campaign_week_key(campaign_id: str, week: int) -> str:
    return f"{campaign_id}#{week}"


def publication_week(campaign: Campaign, request: PublicationRequest, now: datetime) -> int:
    """The week the entry competes in: the one the organiser names, or the one containing publication."""
    if request.platform not in campaign.platforms:
        raise InvalidInput(
            f"Cuộc thi không đăng bài trên nền tảng “{request.platform}”.",
            f"The campaign does not publish on {request.platform!r}.",
            code="platform_not_in_campaign",
            platforms=list(campaign.platforms),
        )
    if request.published_at > now:
        raise InvalidInput(
            "Thời điểm đăng tải không thể ở tương lai.", "The publication time cannot be in the future.",
            code="published_in_future",
        )
    week = request.week if request.week is not None else competing_week(campaign, request.published_at)
    if week is None:
        raise InvalidInput(
            "Bài được đăng sau tuần bình chọn cuối cùng nên không thuộc tuần nào.",
            "The entry was published after the last voting week, so it competes in no week.",
            code="no_voting_week",
        )
    _, end = week_window(campaign, week)  # unknown_week if the campaign has no such week
    if request.published_at >= end:
        raise InvalidInput(
            f"Bài được đăng sau khi tuần {week} kết thúc.",
            f"The entry was published after week {week} ended.",
            code="published_after_week",
            week=week,
        )
    return week


def publication_document(request: PublicationRequest, previous: dict | None, by: str, at: datetime) -> dict:
    return {
        **(previous or {}),
        "publication": {
            "platform": request.platform,
            "video_id": request.video_id,
            "url": request.url,
            "published_at": iso_utc(request.published_at),
            "recorded_by": by,
            "recorded_at": iso_utc(at),
        },
    }


def disqualification_document(reason: str, previous: dict | None, by: str, at: datetime) -> dict:
    return {
        **(previous or {}),
        "disqualification": {"reason": reason, "by": by, "at": iso_utc(at)},
    }
