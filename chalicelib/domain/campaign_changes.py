"""What may change in a campaign, by whom and when: the lifecycle and its governance.

A campaign moves draft -> open -> closed -> archived, one step at a time and never back.
A draft can be edited freely and deleted. Once it is open, what people entered under
stays as they entered under it:
- the media rules, the entry kind, the time zone and the submission window's opening
  are fixed once submissions have opened (the window may still be extended);
- a voting week that has started keeps its dates (new weeks may be added ahead);
- the rules (scoring, rounds, prizes, special awards, jury criteria) may change while a
  week is still to be closed; each such change is a new rules version. A closed week keeps
  the rules sealed into its result (week_result.py), so nothing done here reaches it.
A closed or archived campaign changes only by its next transition.

Every accepted change is a new version of the campaign (`version`), recorded with who,
when and what changed; an edit names the version it was made on, so two editors never
silently overwrite each other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.scope import Principal
from chalicelib.domain.submission import parse_request
from chalicelib.domain.weeks import week_window

LIFECYCLE_FIELDS = ("status", "version", "rules_version")
RULES_FIELDS = ("scoring", "rounds", "prizes", "special_awards", "jury_criteria")
FIXED_ONCE_SUBMISSIONS_OPEN = ("media", "entry_kind", "timezone")

# action -> (the status it starts from, the status it leads to)
TRANSITIONS: dict[str, tuple[str, str]] = {
    "open": ("draft", "open"),
    "close": ("open", "closed"),
    "archive": ("closed", "archived"),
}
LISTED_PUBLICLY = ("open", "closed")

_STATUS_VI = {"draft": "bản nháp", "open": "đang mở", "closed": "đã đóng", "archived": "đã lưu trữ"}
_FIELD_VI = {
    "media": "quy định về tệp video",
    "entry_kind": "hình thức dự thi",
    "timezone": "múi giờ",
    "submission_window": "thời gian nhận bài",
    "voting_weeks": "các tuần bình chọn",
    "scoring": "cách tính điểm",
    "rounds": "số giải tuần và số bài vào chung khảo",
    "prizes": "cơ cấu giải thưởng",
    "special_awards": "giải phụ",
    "jury_criteria": "tiêu chí chấm của Ban giám khảo",
    "terms": "nội dung điều khoản",
}


@dataclass(frozen=True)
class CampaignVersion:
    """One accepted change: the document as it became, and what changed from the one before."""

    campaign_id: str
    version: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    changes: tuple[dict, ...]
    document: Mapping[str, Any] = field(compare=False)

    @property
    def rules_version(self) -> int:
        return int(self.document.get("rules_version", 1))

    @property
    def status(self) -> str:
        return str(self.document.get("status", "open"))


# --- reading what an editor sent --------------------------------------------------


def parse_campaign_body(body: Mapping[str, Any]) -> Campaign:
    """The campaign an editor sent, validated as a campaign file is; problems name each field."""
    campaign = parse_request(Campaign, dict(body))
    assert isinstance(campaign, Campaign)
    return campaign


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge key by key, null removes a key, anything else
    (lists included) replaces. A console fills it with just the fields it changed."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def expected_version(if_match: str | None, body: Mapping[str, Any] | None) -> int | None:
    """The version an edit was made on: the If-Match ETag ("3", W/"3" or 3), else the body's `version`."""
    if if_match is not None:
        text = if_match.strip()
        if text.startswith("W/"):
            text = text[2:]
        text = text.strip('"')
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise InvalidInput(
                "Tiêu đề If-Match phải là phiên bản của cuộc thi (ETag), ví dụ \"3\".",
                'The If-Match header must be the campaign\'s version (its ETag), e.g. "3".',
                code="invalid_if_match",
            )
        return int(text)
    version = (body or {}).get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
        return version
    return None


def version_required() -> InvalidInput:
    return InvalidInput(
        "Hãy gửi phiên bản cuộc thi mà bạn đã sửa (tiêu đề If-Match hoặc trường \"version\"), "
        "để không ghi đè thay đổi của người khác.",
        'Send the version of the campaign you edited (If-Match header or a "version" field), '
        "so that nobody's change is overwritten.",
        code="version_required",
    )


def etag(campaign: Campaign) -> str:
    return f'"{campaign.version}"'


# --- who --------------------------------------------------------------------------


def may_edit(principal: Principal, organiser_unit: str | None) -> bool:
    """Admins edit every campaign; an organiser, the campaigns organised by their own unit."""
    if principal.role == "admin":
        return True
    return principal.role == "organiser" and organiser_unit is not None and principal.unit_id == organiser_unit


def require_editor(principal: Principal, organiser_unit: str | None, campaign_id: str) -> None:
    if not may_edit(principal, organiser_unit):
        raise Forbidden(
            "Chỉ quản trị viên hoặc Ban tổ chức thuộc chính đơn vị tổ chức cuộc thi mới được tạo và sửa cuộc thi này.",
            "Only admins and organisers of the campaign's own organising unit can create or edit this campaign.",
            code="not_campaign_editor",
            campaign_id=campaign_id,
            organiser_unit=organiser_unit,
        )


def visible_to(campaign: Campaign, principal: Principal | None) -> bool:
    """Open and closed campaigns are public; drafts and archived ones only to who may edit them."""
    if campaign.status in LISTED_PUBLICLY:
        return True
    return principal is not None and may_edit(principal, campaign.organiser_unit)


# --- what may change --------------------------------------------------------------


def _locked(field_name: str, reason_vi: str, reason_en: str, **details: Any) -> Conflict:
    name_vi = _FIELD_VI.get(field_name, field_name)
    return Conflict(
        f"Không thể thay đổi {name_vi} ({field_name}): {reason_vi}",
        f"{field_name} can no longer be changed: {reason_en}",
        code=f"{field_name}_locked",
        field=field_name,
        **details,
    )


def _not_editable(campaign: Campaign) -> Conflict:
    return Conflict(
        f"Cuộc thi đang ở trạng thái “{_STATUS_VI[campaign.status]}”, không thể sửa.",
        f"The campaign is {campaign.status}; it cannot be edited.",
        code="campaign_not_editable",
        status=campaign.status,
    )


def submissions_opened(campaign: Campaign, now: datetime) -> bool:
    return campaign.status != "draft" and now >= campaign.localize(campaign.submission_window.opens_at)


def _week_started(campaign: Campaign, number: int, now: datetime) -> bool:
    start, _ = week_window(campaign, number)
    return now >= start


def _dump(campaign: Campaign) -> dict:
    return {k: v for k, v in campaign.to_document().items() if k not in LIFECYCLE_FIELDS}


def changes_between(before: Campaign | None, after: Campaign) -> tuple[dict, ...]:
    """Top-level fields that differ, with their values before and after (None: absent before)."""
    old = _dump(before) if before is not None else {}
    new = _dump(after)
    return tuple(
        {"field": key, "before": old.get(key), "after": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    )


def check_edit(current: Campaign, proposed: Campaign, now: datetime, closed_weeks: Iterable[int]) -> None:
    """Refuse a change the campaign's state no longer allows, naming the field (409 `<field>_locked`)."""
    if proposed.id != current.id:
        raise InvalidInput(
            "Không thể đổi mã cuộc thi (id).", "A campaign's id cannot change.",
            code="campaign_id_mismatch", field="id", expected=current.id,
        )
    if proposed.status != current.status:
        raise InvalidInput(
            "Trạng thái cuộc thi chỉ đổi qua các thao tác mở, đóng, lưu trữ.",
            "A campaign's status changes only through its open, close and archive actions.",
            code="status_not_editable", field="status",
        )
    if current.status in ("closed", "archived"):
        raise _not_editable(current)
    if current.status == "draft":
        return
    old, new = _dump(current), _dump(proposed)
    if submissions_opened(current, now):
        for name in FIXED_ONCE_SUBMISSIONS_OPEN:
            if old.get(name) != new.get(name):
                raise _locked(name, "cuộc thi đã bắt đầu nhận bài.", "submissions have opened.")
        if old["submission_window"]["opens_at"] != new["submission_window"]["opens_at"]:
            raise _locked("submission_window", "cuộc thi đã bắt đầu nhận bài; chỉ có thể đổi thời điểm kết thúc.",
                          "submissions have opened; only its closing time can change.")
        # Entries record the version they accepted (domain/consent.py): its words must not change under them.
        if current.terms and proposed.terms and proposed.terms.version == current.terms.version \
                and proposed.terms != current.terms:
            raise _locked("terms", "người dự thi đã đồng ý với phiên bản này; nội dung mới cần một phiên bản mới.",
                          "participants accepted this version; changed terms need a new version.",
                          version=current.terms.version)
    closed = set(closed_weeks)
    proposed_weeks = {w.number: w for w in proposed.voting_weeks}
    for week in current.voting_weeks:
        if week.number in closed or _week_started(current, week.number, now):
            if proposed_weeks.get(week.number) != week:
                raise _locked("voting_weeks", f"tuần {week.number} đã bắt đầu.", f"week {week.number} has started.",
                              week=week.number)
    for week in proposed.voting_weeks:
        if week.number not in {w.number for w in current.voting_weeks} and _week_started(proposed, week.number, now):
            raise _locked("voting_weeks", f"tuần {week.number} mới thêm đã bắt đầu.",
                          f"the added week {week.number} has already started.", week=week.number)
    every_week_closed = bool(current.voting_weeks) and all(w.number in closed for w in current.voting_weeks)
    if every_week_closed:
        for name in RULES_FIELDS:
            if old.get(name) != new.get(name):
                raise _locked(name, "mọi tuần bình chọn đã được chốt kết quả.", "every voting week has been closed.")


def next_version(current: Campaign | None, proposed: Campaign) -> Campaign:
    """The proposed campaign as the next version; the rules version moves when a rule changed."""
    if current is None:
        return proposed.model_copy(update={"version": 1, "rules_version": 1})
    changed = {c["field"] for c in changes_between(current, proposed)}
    rules_version = current.rules_version + (1 if changed & set(RULES_FIELDS) else 0)
    return proposed.model_copy(update={
        "status": current.status, "version": current.version + 1, "rules_version": rules_version,
    })


def transitioned(current: Campaign, action: str) -> Campaign:
    """The campaign after `action` (open, close, archive), or 409 `invalid_transition`."""
    source, target = TRANSITIONS[action]
    if current.status != source:
        raise Conflict(
            f"Không thể thực hiện “{action}” khi cuộc thi đang ở trạng thái “{_STATUS_VI[current.status]}”.",
            f"Cannot {action} a campaign that is {current.status}.",
            code="invalid_transition", status=current.status, action=action,
            allowed_from=source,
        )
    return current.model_copy(update={"status": target, "version": current.version + 1})


def stale_version(current: Campaign, expected: int) -> Conflict:
    return Conflict(
        f"Cuộc thi đã được sửa (phiên bản hiện tại {current.version}, bạn sửa trên phiên bản {expected}); "
        "hãy tải lại rồi sửa lại.",
        f"The campaign has changed (current version {current.version}, you edited version {expected}); "
        "reload it and edit again.",
        code="campaign_version_conflict", current_version=current.version, your_version=expected,
    )


def deletable(current: Campaign, has_entries: bool) -> None:
    if current.status != "draft":
        raise Conflict(
            "Chỉ xoá được cuộc thi còn là bản nháp.", "Only a draft campaign can be deleted.",
            code="campaign_not_draft", status=current.status,
        )
    if has_entries:
        raise Conflict(
            "Cuộc thi đã có bài dự thi, không thể xoá.", "The campaign has entries; it cannot be deleted.",
            code="campaign_has_entries",
        )
