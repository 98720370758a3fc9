"""A campaign at a glance for one organiser: entries by status today and this week (the campaign's
days and Monday weeks), compliance alerts, ingestion health and the jobs due next, in one call.
Scoped like the reports: an organiser sees their branch, an admin the whole campaign."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from chalicelib.domain.console import INGESTION_RUNS_INSPECTED, ingestion_health, local_periods, next_jobs
from chalicelib.domain.entry_status import STATUS_LABELS, STATUSES
from chalicelib.domain.errors import DomainError
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.rollup import COUNTER_FIELDS, UnitCounters
from chalicelib.domain.scope import Principal, require_role
from chalicelib.services.ports import BranchCounters, BranchUnits, Campaigns, EntryActivity, IngestionRuns

MAX_UNITS_NAMED = 10


@dataclass
class OverviewService:
    campaigns: Campaigns
    units: BranchUnits
    counters: BranchCounters
    activity: EntryActivity
    runs: IngestionRuns
    minimum_entries: Callable[[Principal, str, dict], dict]
    posting: Callable[[Principal, str, dict, datetime], dict]
    interval_minutes: int

    def overview(self, principal: Principal, campaign_id: str, now: datetime) -> dict:
        require_role(principal, "admin", "organiser")
        campaign = self.campaigns.require(campaign_id)
        root = self.units.root()
        scope_path = principal.unit_path if principal.role == "organiser" else (root.path if root else None)
        branch_filter = principal.unit_path if principal.role == "organiser" else None
        today, this_week = local_periods(campaign.zone, now)
        periods = {}
        for period in (today, this_week):
            counts = self.activity.created_since(campaign_id, STATUSES, period.starts_at, branch_filter)
            periods[period.key] = {**period.to_dict(), "total": sum(counts.values()),
                                   "by_status": {s: counts.get(s, 0) for s in STATUSES}}
        totals = UnitCounters()
        if scope_path:
            for counters in self.counters.branch(campaign_id, scope_path).values():
                totals = totals + counters
        runs = self.runs.recent(campaign_id, INGESTION_RUNS_INSPECTED)
        health = ingestion_health(runs, now, self.interval_minutes)
        last_at = max((r.at for r in runs), default=None)
        return {
            "campaign_id": campaign.id,
            "name_vi": campaign.name_vi,
            "name_en": campaign.name_en,
            "timezone": campaign.timezone,
            "as_of": iso_utc(now),
            "scope_unit_id": principal.unit_id if principal.role == "organiser" else (root.unit_id if root else None),
            "status_labels": {s: {"vi": vi, "en": en} for s, (vi, en) in STATUS_LABELS.items()},
            "entries": {**periods, "all_time": {name: totals.count(name) for name in COUNTER_FIELDS}},
            "compliance_alerts": self._alerts(principal, campaign, now),
            "ingestion": health,
            "next_jobs": next_jobs(campaign, now, self.interval_minutes, last_at),
        }

    def _alerts(self, principal: Principal, campaign, now: datetime) -> list[dict]:
        """Units short of the minimum number of entries, and units behind this week's posting quota."""
        alerts = []
        if campaign.min_entries_per_unit > 0:
            report = self.minimum_entries(principal, campaign.id, {})
            below = [unit for branch in report["branches"] for unit in branch["below"]]
            if below:
                alerts.append({
                    "kind": "minimum_entries", "minimum": report["minimum"], "counter": report["counter"],
                    "units_checked": report["units_checked"], "units_below": report["units_below"],
                    "units": below[:MAX_UNITS_NAMED],
                    "message_vi": f"{report['units_below']} đơn vị chưa đủ {report['minimum']} bài dự thi.",
                    "message_en": f"{report['units_below']} units have fewer than {report['minimum']} entries.",
                })
        if campaign.posting_quota is not None:
            try:
                week_start = local_periods(campaign.zone, now)[1].first_day
                table = self.posting(principal, campaign.id, {"from": week_start.isoformat()}, now)
            except DomainError:
                table = None  # outside the posting period: nothing is due this week
            if table and table.get("weeks"):
                behind = [{"unit_id": u["unit_id"], "name": u["name"], "posted": u["weeks"][-1]["posted"]}
                          for u in table["units"] if u["weeks"] and not u["weeks"][-1]["met"]]
                if behind:
                    per_week = table["per_week"]
                    alerts.append({
                        "kind": "posting_quota", "per_week": per_week, "week": table["weeks"][-1],
                        "units_behind": len(behind), "units": behind[:MAX_UNITS_NAMED],
                        "message_vi": f"{len(behind)} đơn vị chưa đăng đủ {per_week} tin trong tuần này.",
                        "message_en": f"{len(behind)} units have posted fewer than {per_week} items this week.",
                    })
        return alerts
