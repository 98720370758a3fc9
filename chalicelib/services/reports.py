"""What organisers read about their branch: entries, roll-ups, compliance; and the public counter.

Every method takes the verified principal and derives the branch from it
(domain.scope); a `unit_id` from the request can only pick a unit inside that
branch. Reads are Queries bounded by the branch: entries by the
`by-campaign-unit` index, compliance by one counter item per unit, never by
reading entries. A roll-up reads less: the unit's aggregate and one per direct
child (one BatchGet), with the children and branch sizes taken from the
organisation tree this process keeps (UnitDirectory), so its cost does not grow
with the depth of the branch or the number of entries.
"""
from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.campaign_access import require_eligible
from chalicelib.domain.compliance import units_below_minimum_from_totals, units_to_check
from chalicelib.domain.entry_status import STATUS_LABELS
from chalicelib.domain.entry_views import organiser_row, review_queue_row
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.exports import (
    Sheet,
    entries_sheet,
    minimum_entries_sheet,
    posting_sheet,
    rollup_sheet,
)
from chalicelib.domain.json_input import parse_bounded_json
from chalicelib.domain.links import NewLink
from chalicelib.domain.organisation import LEVELS, OrgTree, OrgUnit, branch_key
from chalicelib.domain.privacy import export_row, may_see_contacts
from chalicelib.domain.posting_quota import contains_hashtag, monthly_summary, weekly_posting_table
from chalicelib.domain.request_numbers import whole_number
from chalicelib.domain.rollup import COUNTER_FIELDS, BranchReport, branch_sizes, report_from_aggregates
from chalicelib.domain.scope import Principal, require_role, require_unit_found_in_scope
from chalicelib.domain.submission import parse_request
from chalicelib.domain.weeks import weeks_between
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import (
    BranchCounters,
    BranchUnits,
    CachedTree,
    Campaigns,
    EntryPages,
    Links,
    UnitAggregates,
)

PAGE_DEFAULT, PAGE_MAX = 50, 100
# Entries per Query page of an export: a page stays under DynamoDB's 1 MB, and 100,000 entries take ~100 pages.
EXPORT_PAGE = 1_000
STATS_TTL_SECONDS = 60
MAX_CURSOR_CHARS = 2048  # a real one (three short keys) is a few hundred
ROLLUP_CAMPAIGN_SECONDS = 300  # as long as the organisation tree is cached (services/directory.py)



def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "Con trỏ phân trang không hợp lệ.", "The page cursor is not valid.", code="invalid_cursor"
    )


def encode_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, campaign_id: str, branch_path: str) -> dict | None:
    """The Query's start key, refused unless it lies in this campaign and this branch:
    a cursor is opaque to clients, but never trusted."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise _invalid_cursor()
    try:
        key = parse_bounded_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, InvalidInput):
        raise _invalid_cursor() from None
    if not isinstance(key, dict) or set(key) != {"campaign_id", "unit_sort", "submission_id"}:
        raise _invalid_cursor()
    if not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()):
        raise _invalid_cursor()
    if key["campaign_id"]["S"] != campaign_id or not key["unit_sort"]["S"].startswith(branch_key(branch_path)):
        raise _invalid_cursor()
    return key


def _int_param(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    return whole_number(raw, name, low, high, default=default)


def _date_param(raw: str | None, name: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"Tham số {name} phải có dạng YYYY-MM-DD.", f"{name} must look like YYYY-MM-DD.", code="invalid_date"
        ) from None


def _level_param(raw: str | None) -> str | None:
    if raw is not None and raw not in LEVELS:
        raise InvalidInput(
            "Cấp phải là central, province, district hoặc grassroots.",
            "level must be central, province, district or grassroots.",
            code="invalid_level",
        )
    return raw


class LinkRequest(BaseModel):
    """What an organiser may write for a link entry; anything else is refused (extra=forbid)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=10, max_length=2000)
    posted_at: datetime
    has_hashtag: bool | None = None
    caption: str | None = Field(default=None, max_length=5000)

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        if not (url.startswith("https://") or url.startswith("http://")) or " " in url:
            raise ValueError("must be an http(s) address")
        return url

    @model_validator(mode="after")
    def _says_whether_tagged(self) -> "LinkRequest":
        if self.has_hashtag is None and self.caption is None:
            raise ValueError("give has_hashtag or the post's caption")
        return self


@dataclass
class ReportService:
    campaigns: Campaigns
    units: BranchUnits
    counters: BranchCounters
    submissions: EntryPages
    links: Links
    audit: AuditLog
    aggregates: UnitAggregates
    directory: CachedTree
    clock: Any = time.monotonic
    # Campaigns a roll-up found lately: a roll-up needs only to know the campaign exists, and
    # campaigns are never deleted, so a warm Lambda need not read it again for every report.
    _campaigns_found: dict[str, float] = field(default_factory=dict)

    # --- scope ------------------------------------------------------------
    def _campaign(self, campaign_id: str) -> Campaign:
        campaign = self.campaigns.require(campaign_id)
        return campaign

    def _unit(self, principal: Principal, unit_id: str | None) -> OrgUnit:
        """The requested unit if it is in the caller's branch, else the caller's own (admin: the root)."""
        require_role(principal, "admin", "organiser")
        if unit_id is None:
            unit_id = principal.unit_id if principal.role == "organiser" else None
        return require_unit_found_in_scope(principal, self.units.find(unit_id) if unit_id else self.units.root())

    def _branch(self, unit: OrgUnit) -> OrgTree:
        return OrgTree(self.units.branch(unit.path))

    # --- entries ----------------------------------------------------------
    def _status(self, params: dict) -> str | None:
        status = params.get("status")
        if status is not None and status not in STATUS_LABELS:
            raise InvalidInput(
                "Trạng thái lọc không hợp lệ.", "Unknown status filter.", code="invalid_status",
                allowed=sorted(STATUS_LABELS),
            )
        return status

    def list_entries(self, principal: Principal, campaign_id: str, params: dict) -> dict:
        self._campaign(campaign_id)
        status = self._status(params)
        unit = self._unit(principal, params.get("unit_id"))
        limit = _int_param(params.get("limit"), "limit", PAGE_DEFAULT, 1, PAGE_MAX)
        start = decode_cursor(params.get("cursor"), campaign_id, unit.path)
        entries, last = self.submissions.branch_page(campaign_id, unit.path, status, start, limit)
        tree = self.directory.tree()
        return {"unit_id": unit.unit_id, "entries": [review_queue_row(e, tree) for e in entries],
                "next_cursor": encode_cursor(last)}

    def entries_sheet(self, principal: Principal, campaign_id: str, params: dict, now: datetime | None = None) -> Sheet:
        """Every entry of the branch (from `cursor` on, if given), read page by page while the
        file is written: the parameters are checked here, before any file is begun.

        Rows the caller reviews carry the authors' contacts. The two contact columns are there
        when the first page holds an entry the caller reviews (a branch's reviewers review all
        of it); an export that carried any contact is audited once the last row is written."""
        campaign = self._campaign(campaign_id)
        status = self._status(params)
        unit = self._unit(principal, params.get("unit_id"))
        start = decode_cursor(params.get("cursor"), campaign_id, unit.path)
        names = {u.unit_id: u.name for u in self._tree_holding(unit)}
        first, after_first = self.submissions.branch_page(campaign_id, unit.path, status, start, EXPORT_PAGE)
        with_contacts = any(may_see_contacts(principal, e, campaign) for e in first)

        def rows() -> Iterator[dict]:
            entries, page_start, carried = first, after_first, 0
            while True:
                for entry in entries:
                    row = export_row(principal, entry, campaign) if with_contacts else organiser_row(entry)
                    carried += "contacts" in row
                    yield row
                if page_start is None:
                    break
                entries, page_start = self.submissions.branch_page(
                    campaign_id, unit.path, status, page_start, EXPORT_PAGE)
            if carried:
                self.audit.record(principal, "export_contacts", "campaign", campaign_id,
                                  now or datetime.now(timezone.utc), campaign_id=campaign_id,
                                  after={"unit_id": unit.unit_id, "status": status, "entries_with_contacts": carried})

        return entries_sheet(campaign_id, rows(), names, with_contacts)

    # --- roll-ups ---------------------------------------------------------
    def unit_report(self, principal: Principal, campaign_id: str, unit_id: str) -> dict:
        report, _ = self._report(principal, campaign_id, unit_id)
        return report.to_dict() | {"campaign_id": campaign_id}

    def _report(self, principal: Principal, campaign_id: str, unit_id: str | None) -> tuple[BranchReport, OrgTree]:
        found = self._campaigns_found.get(campaign_id)
        if found is None or self.clock() - found > ROLLUP_CAMPAIGN_SECONDS:
            self._campaign(campaign_id)
            self._campaigns_found[campaign_id] = self.clock()
        unit = self._unit(principal, unit_id)
        tree = self._tree_holding(unit)
        shown = [unit.unit_id, *(child.unit_id for child in tree.children(unit.unit_id))]
        aggregates = self.aggregates.aggregates(campaign_id, shown)
        return report_from_aggregates(tree, unit, aggregates, branch_sizes(tree, unit.unit_id)), tree

    def _tree_holding(self, unit: OrgUnit) -> OrgTree:
        """The cached tree, read again when it does not yet show `unit` where it now is."""
        tree = self.directory.tree()
        cached = tree.find(unit.unit_id)
        if cached is not None and cached.path == unit.path:
            return tree
        self.directory.forget()
        tree = self.directory.tree()
        cached = tree.find(unit.unit_id)
        return tree if cached is not None and cached.path == unit.path else self._branch(unit)

    def report_sheet(self, principal: Principal, campaign_id: str, unit_id: str) -> Sheet:
        report, _ = self._report(principal, campaign_id, unit_id)
        return rollup_sheet(campaign_id, report)

    # --- compliance -------------------------------------------------------
    def _minimum(self, principal: Principal, campaign_id: str, params: dict) -> Any:
        """Read from stored aggregates: one per unit of the checked level (by default the scope's
        direct children), never from the counter items of the whole branch."""
        campaign = self._campaign(campaign_id)
        counter = params.get("counter", "valid")
        if counter not in COUNTER_FIELDS:
            raise InvalidInput(
                "Tham số counter không hợp lệ.", "Unknown counter.", code="invalid_counter",
                allowed=list(COUNTER_FIELDS),
            )
        level = _level_param(params.get("level"))
        unit = self._unit(principal, params.get("unit_id"))
        tree = self._tree_holding(unit)
        checked_level, checked = units_to_check(tree, unit.unit_id, level)
        aggregates = self.aggregates.aggregates(campaign_id, [u.unit_id for u in checked])
        totals = {unit_id: aggregate.subtree for unit_id, aggregate in aggregates.items()}
        return units_below_minimum_from_totals(tree, unit.unit_id, checked_level, totals,
                                               campaign.min_entries_per_unit, counter)

    def minimum_entries(self, principal: Principal, campaign_id: str, params: dict) -> dict:
        return self._minimum(principal, campaign_id, params).to_dict() | {"campaign_id": campaign_id}

    def minimum_entries_sheet(self, principal: Principal, campaign_id: str, params: dict) -> Sheet:
        return minimum_entries_sheet(campaign_id, self._minimum(principal, campaign_id, params))

    def _posting(self, principal: Principal, campaign_id: str, params: dict, now: datetime) -> tuple[Any, Any]:
        campaign = self._campaign(campaign_id)
        quota = campaign.posting_quota
        if quota is None:
            raise Conflict(
                "Cuộc thi này không có chỉ tiêu đăng tin hằng tuần.",
                "This campaign has no weekly posting quota.",
                code="no_posting_quota",
            )
        level = _level_param(params.get("level"))
        window = campaign.submission_window
        opens = campaign.localize(window.opens_at).date()
        last = (campaign.localize(window.closes_at) - timedelta(microseconds=1)).date()
        first_day = _date_param(params.get("from"), "from") or opens
        last_day = _date_param(params.get("to"), "to") or min(last, now.astimezone(campaign.zone).date())
        if (last_day - first_day).days > 366:
            raise InvalidInput(
                "Khoảng thời gian tối đa là một năm.", "The period can be at most one year.", code="range_too_long"
            )
        weeks = weeks_between(first_day, last_day, campaign.zone)
        unit = self._unit(principal, params.get("unit_id"))
        tree = self._tree_holding(unit)
        links = [link.as_posted() for link in self.links.in_branch(campaign_id, unit.path)]
        table = weekly_posting_table(tree, unit.unit_id, links, weeks, quota.per_week, level)
        return table, monthly_summary(table)

    def posting(self, principal: Principal, campaign_id: str, params: dict, now: datetime) -> dict:
        table, months = self._posting(principal, campaign_id, params, now)
        return table.to_dict() | {"campaign_id": campaign_id, "months": [m.to_dict() for m in months]}

    def posting_sheet(self, principal: Principal, campaign_id: str, params: dict, now: datetime) -> Sheet:
        table, months = self._posting(principal, campaign_id, params, now)
        return posting_sheet(campaign_id, table, months)

    # --- link entries -----------------------------------------------------
    def post_link(self, principal: Principal, campaign_id: str, body: dict, now: datetime) -> dict:
        campaign = self._campaign(campaign_id)
        if campaign.entry_kind != "link":
            raise Conflict(
                "Cuộc thi này nhận video tải lên, không nhận đường dẫn bài đăng.",
                "This campaign takes uploaded videos, not links to posts.",
                code="not_a_link_campaign",
            )
        if campaign.status != "open":
            raise Conflict(
                "Cuộc thi chưa mở hoặc đã đóng, không nhận bài đăng.",
                "The campaign is not open; it takes no posts.",
                code="campaign_not_open", status=campaign.status,
            )
        request = parse_request(LinkRequest, body)
        assert isinstance(request, LinkRequest)
        unit = self._unit(principal, request.unit_id)
        require_eligible(campaign, unit.unit_id, unit.path)
        posted_at = campaign.localize(request.posted_at)  # no zone means Vietnam time
        if posted_at > now + timedelta(minutes=5):
            raise InvalidInput(
                "Thời điểm đăng không thể ở tương lai.", "posted_at cannot be in the future.",
                code="posted_in_future",
            )
        hashtag = campaign.posting_quota.hashtag if campaign.posting_quota else (campaign.hashtag or "")
        has_hashtag = (
            contains_hashtag(request.caption, hashtag) if request.caption is not None and hashtag
            else bool(request.has_hashtag)
        )
        actor = principal.username or principal.user_id
        link = self.links.create(NewLink(campaign.id, unit.unit_id, unit.path, request.url, posted_at,
                                         has_hashtag, now, actor))
        if link is None:
            raise Conflict(
                "Bài đăng này đã được ghi nhận trước đó.", "This post was already submitted.",
                code="duplicate_link",
            )
        view = {
            "link_id": link.link_id, "campaign_id": campaign.id, "unit_id": unit.unit_id, "url": link.url,
            "posted_at": posted_at.isoformat(), "has_hashtag": has_hashtag, "status": link.status,
        }
        self.audit.record(principal, "link.submit", "link", link.link_id, now, campaign_id=campaign.id, after=view)
        return view


@dataclass
class PublicStats:
    """The public counter, cached per warm Lambda for a minute.

    Each answer is one Query of per-day counter items (a few hundred at most),
    and under a spike a warm instance answers from memory; `Cache-Control:
    public, max-age=60` lets browsers and any CDN in front absorb the rest.
    """

    campaigns: Campaigns
    counters: BranchCounters
    ttl_seconds: float = STATS_TTL_SECONDS
    clock: Any = time.monotonic
    _cache: dict[str, tuple[float, dict]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def for_campaign(self, campaign_id: str) -> dict:
        with self._lock:
            cached = self._cache.get(campaign_id)
            if cached and self.clock() - cached[0] < self.ttl_seconds:
                return cached[1]
        stats = self._compute(campaign_id)
        with self._lock:
            self._cache[campaign_id] = (self.clock(), stats)
        return stats

    def _compute(self, campaign_id: str) -> dict:
        campaign = self.campaigns.require(campaign_id)
        days = {d: (r, v) for d, r, v in self.counters.daily(campaign_id)}
        series = []
        if days:
            day, last = min(days), max(days)
            while day <= last:  # every day, zeros included, so a chart has no gaps
                received, valid = days.get(day, (0, 0))
                series.append({"day": day.isoformat(), "received": received, "valid": valid})
                day += timedelta(days=1)
        return {
            "campaign_id": campaign_id,
            "timezone": campaign.timezone,
            "totals": {"received": sum(r for r, _ in days.values()), "valid": sum(v for _, v in days.values())},
            "days": series,
        }

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


__all__ = ["LinkRequest", "PublicStats", "ReportService", "decode_cursor", "encode_cursor"]
