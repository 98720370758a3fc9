"""Closing voting weeks into frozen, hash-sealed, versioned results, and reading them back.

Reads stay bounded: a week's entries come from one Query of the by-voting-week
index, and each entry's snapshots from one Query on its sort key between a
margin before the open and a margin after the close (capped at the instant the
close ran). Only when an entry has no reading inside the margin before the open
is one more Query made for its last earlier reading; without it the boundary
would be interpolated from publication and invent gain.

Frozen means frozen. The sealed document records the readings each entry's
boundary values came from, so closing again and `verify` recompute a version
from exactly those readings, never from what the store holds now. The scheduled
close waits until the boundary reading of the week's end has finished or failed
for every chunk (it answers "waiting_for_boundary" and the five-minute retry
schedule closes the week later). A reading that arrives after the close for an
instant the close could have read is kept as late, shown next to the result,
and enters a result only through `revise_with_late_readings`: version n+1, in
the audit log. Results frozen before readings were recorded are recomputed as
before, from the snapshots measured up to `snapshots_as_of`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Mapping

from chalicelib.domain import exports, week_result
from chalicelib.domain import notifications as notify
from chalicelib.domain.campaign import Campaign
from chalicelib.domain.campaign_access import require_campaign_organiser, runs_campaign
from chalicelib.domain.display import local_time
from chalicelib.domain.engagement import Snapshot
from chalicelib.domain.entry import Entry
from chalicelib.domain.entry_views import ranking_labels
from chalicelib.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from chalicelib.domain.exports import Sheet
from chalicelib.domain.exact_numbers import render_exact
from chalicelib.domain.fraud import detect_fraud
from chalicelib.domain.ingestion import RunStatus, run_id
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.result_versions import LATE_REVISION_PREFIX, PENDING_VERSION, LateReading, StoredWeekResult
from chalicelib.domain.review import campaign_week_key
from chalicelib.domain.rollup import WeeklyBests, weekly_bests
from chalicelib.domain.scope import Principal, can_see_unit
from chalicelib.domain.ranking import RANKING_RULES_VERSION, WeekRules
from chalicelib.domain.scoring import WeekEntry
from chalicelib.domain.weeks import week_state, week_window
from chalicelib.observability import logger as log
from chalicelib.services.audit import AuditLog
from chalicelib.services.notifications import SILENT
from chalicelib.services.ports import (
    BestWeeklyScores,
    BoundaryRuns,
    CompetingEntries,
    LateReadings,
    NotificationEvents,
    RunningCampaigns,
    SnapshotHistory,
    Units,
    WeekBoundaryReadings,
    WeekResults,
)

SNAPSHOT_MARGIN = timedelta(days=2)
# The boundary fan-out runs on the close's own cron; a week with entries to measure whose
# boundary run has not even started this long after its end is closed without it.
BOUNDARY_RUN_GRACE = timedelta(minutes=15)
# How long after a week's end the five-minute retry keeps trying a close that waited.
CLOSE_RETRY_WINDOW = timedelta(days=1)
MAX_REVISION_REASON = 500
# The scheduled close acts for nobody in particular; the audit log names it.
SCHEDULER = Principal(user_id="system:weekly-close", role="admin", username="system:weekly-close")



def live_leaderboard_path(campaign_id: str, week: int) -> str:
    return f"/campaigns/{campaign_id}/weeks/{week}/leaderboard"


def bounded_history(
    snapshots: SnapshotHistory, submission_id: str, published_at: datetime,
    start: datetime, end: datetime, as_of: datetime,
) -> list[Snapshot]:
    """Readings that can decide values at `start` and `end` (see the module docstring)."""
    low = start - SNAPSHOT_MARGIN
    high = min(end + SNAPSHOT_MARGIN, as_of)
    found = snapshots.history(submission_id, low, high)
    if published_at < low and not any(s.at <= start for s in found):
        found = snapshots.latest_before(submission_id, low) + found
    return found


def history_from_basis(
    basis: Iterable[Snapshot], published_at: datetime, start: datetime, end: datetime, as_of: datetime,
) -> list[Snapshot]:
    """What `bounded_history` would return, for deciding the boundaries, cut from an entry's kept
    boundary readings (domain.ingestion.boundary_basis) instead of Queries of its history: the
    readings inside the margins, up to the close; and the last one before the margin when none
    lies between it and the open."""
    low = start - SNAPSHOT_MARGIN
    high = min(end + SNAPSHOT_MARGIN, as_of)
    kept = sorted((s for s in basis if s.at <= high), key=lambda s: (s.at, s.source))
    found = [s for s in kept if s.at >= low]
    earlier = [s for s in kept if s.at < low]
    if published_at < low and earlier and not any(s.at <= start for s in found):
        found = [earlier[-1]] + found
    return found


def disqualification_reason(entry: Entry) -> str:
    return ((entry.review or {}).get("disqualification") or {}).get("reason") or "disqualified"


AUDITED_IDS = 20


def _unmeasured_reason(unmeasured: Iterable[str]) -> str:
    """The audit reason names the entries, but a bounded number: a week of thousands must fit an item."""
    ids = sorted(unmeasured)
    shown = ", ".join(ids[:AUDITED_IDS])
    more = f" (+{len(ids) - AUDITED_IDS} more)" if len(ids) > AUDITED_IDS else ""
    return f"confirm_unmeasured: {len(ids)} entries: {shown}{more}"


@dataclass
class WeekResultsService:
    campaigns: RunningCampaigns
    submissions: CompetingEntries
    snapshots: SnapshotHistory
    results: WeekResults
    units: Units
    audit: AuditLog
    counters: BestWeeklyScores
    boundary_runs: BoundaryRuns | None = None
    late_readings: LateReadings | None = None
    notifications: NotificationEvents = SILENT
    boundary_readings: WeekBoundaryReadings | None = None

    # --- shared reads -------------------------------------------------------
    def campaign(self, campaign_id: str) -> Campaign:
        campaign = self.campaigns.require(campaign_id)
        return campaign

    def require_organiser(self, principal: Principal, campaign: Campaign) -> None:
        require_campaign_organiser(principal, campaign)

    def week_records(self, campaign: Campaign, week: int) -> list[Entry]:
        """Entries ever published into the week: still competing or since disqualified."""
        return [
            r
            for r in self.submissions.in_voting_week(campaign_week_key(campaign.id, week))
            if r.campaign_id == campaign.id and r.published_at is not None
            and r.status in ("published", "disqualified")
        ]

    def week_entries(
        self, campaign: Campaign, week: int, as_of: datetime, records: Iterable[Entry] | None = None,
        whole_history: bool = False,
    ) -> list[WeekEntry]:
        """Each entry with the readings that decide its boundaries. With the kept boundary readings
        (ingestion keeps them on each score item) the whole week is a few Query pages; an entry
        whose kept readings are stale is read alone, and one with no score item was never measured."""
        start, end = week_window(campaign, week)
        chosen = self.week_records(campaign, week) if records is None else records
        kept = None
        if self.boundary_readings is not None and not whole_history:
            kept = self.boundary_readings.week_bases(campaign_week_key(campaign.id, week))

        def history(r: Entry) -> list[Snapshot]:
            if kept is not None:
                if r.submission_id not in kept:
                    return []
                if kept[r.submission_id] is not None:
                    return history_from_basis(kept[r.submission_id], r.published_at, start, end, as_of)
            return bounded_history(self.snapshots, r.submission_id, r.published_at, start, end, as_of)

        return [WeekEntry(r.submission_id, r.published_at, history(r)) for r in chosen]

    def _freeze(
        self, campaign: Campaign, week: int, as_of: datetime, disqualified: Mapping[str, str] | None = None,
        records: list[Entry] | None = None, rules: WeekRules | None = None, rules_version: int | None = None,
    ) -> week_result.WeekResult:
        if records is None:
            records = self.week_records(campaign, week)
        if disqualified is None:
            disqualified = {r.submission_id: disqualification_reason(r) for r in records if r.status == "disqualified"}
        entries = self.week_entries(campaign, week, as_of, records)
        return week_result.freeze_week(campaign, week, entries, as_of, disqualified, rules=rules, rules_version=rules_version)

    # --- closing ------------------------------------------------------------
    def close_week(
        self, campaign_id: str, week: int, now: datetime, principal: Principal | None = None,
        confirm_unmeasured: bool = False,
    ) -> dict:
        """Freeze version 1 of the week, or confirm the stored one reproduces.

        principal None means the schedule: a week needing confirmation is then
        left "closing" with the reason stored; an organiser gets a 409 instead."""
        campaign = self.campaign(campaign_id)
        actor = principal or SCHEDULER
        if principal is not None:
            self.require_organiser(principal, campaign)
        _, end = week_window(campaign, week)
        if now < end:
            raise Conflict(
                f"Tuần {week} chưa kết thúc, chưa thể chốt kết quả.",
                f"Week {week} has not ended yet; it cannot be closed.",
                code="week_not_over", week=week, ends_at=local_time(end, campaign.timezone),
            )
        latest = self.results.latest(campaign.id, week)
        if latest is not None:
            return self._reclose(campaign, week, latest)
        records = self.week_records(campaign, week)
        waiting = self._boundary_reading_unfinished(campaign, week, end, now, records, scheduled=principal is None)
        if waiting is not None:
            return self._wait_for_boundary(campaign, week, waiting, scheduled=principal is None)
        result = self._freeze(campaign, week, now, records=records)
        unmeasured = result.outputs.unmeasured_entries
        if unmeasured and not confirm_unmeasured:
            return self._hold_for_confirmation(campaign, week, result, now, actor, scheduled=principal is None)
        stored = StoredWeekResult(
            campaign.id, week, 1, result.to_dict(), result.hash, now, actor.username or actor.user_id, now,
            reason="confirmed_unmeasured" if unmeasured else None,
        )
        if not self.results.add(stored):  # closed concurrently: fine if it is the same result
            return self._reclose(campaign, week, self.results.latest(campaign.id, week))
        self._raise_best_weekly_scores(campaign, result, records)
        self.audit.record(
            actor, "close_week", "week", campaign_week_key(campaign.id, week), now, campaign_id=campaign.id,
            before={"state": "closing"},
            after={"state": "closed", "version": 1, "hash": result.hash,
                   "winners": list(result.winners), "finalists": list(result.finalists)},
            reason=(_unmeasured_reason(unmeasured) if unmeasured else None),
        )
        self.notifications.publish(notify.week_closed(stored.document))
        return self._outcome("closed", stored)

    def _raise_best_weekly_scores(
        self, campaign: Campaign, result: week_result.WeekResult, week_records: list[Entry]
    ) -> None:
        """Each unit's roll-up keeps its best frozen weekly score, from the entries the close
        already read: one conditional write per unit and one per aggregate on their paths."""
        records = {r.submission_id: r for r in week_records}
        bests = weekly_bests(
            (entry.unit_id, entry.unit_path, row.score.total)
            for row in result.rows
            if (entry := records.get(row.entry_id)) is not None
        )
        self.counters.raise_best_weekly_scores(campaign.id, WeeklyBests(
            own={unit_id: (path, _stored_score(score)) for unit_id, (path, score) in bests.own.items()},
            subtree={unit_id: _stored_score(score) for unit_id, score in bests.subtree.items()},
        ))

    def _boundary_reading_unfinished(
        self, campaign: Campaign, week: int, end: datetime, now: datetime, records: list[Entry], scheduled: bool,
    ) -> dict | None:
        """What the close waits for, or None when it may read: the boundary run of the week's end
        has finished or failed for every chunk (or, for the schedule, never started within the grace)."""
        if self.boundary_runs is None:
            return None
        run = self.boundary_runs.get(campaign.id, run_id(end, week))
        if run is not None:
            return _run_summary(run) if run.pending else None
        measurable = any(r.status == "published" and r.platform_video for r in records)
        if scheduled and measurable and now < end + BOUNDARY_RUN_GRACE:
            return {"run_id": run_id(end, week), "state": "not_started"}
        return None

    @staticmethod
    def _wait_for_boundary(campaign: Campaign, week: int, run: dict, scheduled: bool) -> dict:
        if scheduled:
            log.info("week close waits for the boundary reading",
                     extra={"campaign_id": campaign.id, "week": week, "boundary_run": run})
            return {"outcome": "waiting_for_boundary", "campaign_id": campaign.id, "week": week,
                    "state": "closing", "boundary_run": run}
        raise Conflict(
            f"Số liệu tại thời điểm kết thúc tuần {week} đang được đọc; hãy chốt lại sau ít phút.",
            f"The engagement reading at the end of week {week} is still in progress; close again in a few minutes.",
            code="boundary_reading_in_progress", week=week, boundary_run=run,
        )

    def _reclose(self, campaign: Campaign, week: int, latest: StoredWeekResult) -> dict:
        """Closing again changes nothing: the latest version is recomputed from the readings it
        recorded (readings stored since are late and wait for a revision). A result frozen before
        readings were recorded is only checked against its own inputs and hash."""
        result = week_result.WeekResult.from_dict(latest.document)  # refuses a tampered document
        if result.readings is not None:
            recomputed = week_result.recompute(result)
            if recomputed.hash != latest.hash:
                raise Conflict(
                    "Kết quả tính lại từ các số đo đã ghi không khớp với kết quả đã lưu.",
                    "The result recomputed from its recorded readings differs from the stored one.",
                    code="week_result_differs", stored_hash=latest.hash, recomputed_hash=recomputed.hash,
                )
        return self._outcome("unchanged", latest)

    def _recompute_first(self, campaign: Campaign, week: int, first: StoredWeekResult) -> week_result.WeekResult:
        """Under the rules the version recorded, whatever the campaign's rules are now."""
        disqualified = {d["entry_id"]: d["reason"] for d in first.document.get("disqualified", [])}
        recorded = replace(WeekRules.from_dict(first.document["rules"]), ranking_rules_version=RANKING_RULES_VERSION)
        return week_result.without_readings(
            self._freeze(campaign, week, first.snapshots_as_of, disqualified, rules=recorded,
                         rules_version=first.document.get("rules_version")))

    def _hold_for_confirmation(
        self, campaign: Campaign, week: int, result: week_result.WeekResult, now: datetime,
        actor: Principal, scheduled: bool,
    ) -> dict:
        unmeasured = {
            row.entry_id: list(row.unmeasured_metrics) for row in result.rows if row.unmeasured_metrics
        }
        pending = StoredWeekResult(
            campaign.id, week, PENDING_VERSION,
            {"awaiting": "confirm_unmeasured", "unmeasured": unmeasured, "result_hash": result.hash,
             "notices": result.to_dict()["notices"]},
            None, now, actor.username or actor.user_id, now,
        )
        self.results.put_pending(pending)
        self.audit.record(
            actor, "close_week_held", "week", campaign_week_key(campaign.id, week), now, campaign_id=campaign.id,
            before=None, after={"state": "closing", "awaiting": "confirm_unmeasured", "unmeasured": unmeasured},
        )
        if scheduled:
            return {"outcome": "awaiting_confirmation", "campaign_id": campaign.id, "week": week,
                    "state": "closing", "unmeasured": unmeasured}
        raise Conflict(
            "Có chỉ số tính điểm chưa từng được đo (ví dụ lượt đăng lại khi chỉ có dữ liệu TikTok). "
            "Gửi lại với \"confirm_unmeasured\": true để chốt, các chỉ số đó được tính 0 điểm.",
            "Some weighted metrics were never measured (e.g. reposts with only TikTok data). "
            "Send \"confirm_unmeasured\": true to close anyway; those metrics count 0.",
            code="unmeasured_confirmation_required", unmeasured=unmeasured,
        )

    @staticmethod
    def _outcome(outcome: str, stored: StoredWeekResult) -> dict:
        return {"outcome": outcome, "campaign_id": stored.campaign_id, "week": stored.week, "state": "closed",
                "version": stored.version, "hash": stored.hash}

    def close_due_weeks(self, now: datetime, retry: bool = False) -> list[dict]:
        """What the Monday 00:00 schedule runs: every ended week of every campaign not closed yet.

        `retry` is the five-minute pass after a boundary: only weeks ended within the retry
        window, and none held for an organiser's confirmation (holding again would add nothing)."""
        outcomes = []
        for campaign in self.campaigns.list_running():
            for voting_week in campaign.voting_weeks:
                _, end = week_window(campaign, voting_week.number)
                if end > now or (retry and now - end > CLOSE_RETRY_WINDOW):
                    continue
                if self.results.latest(campaign.id, voting_week.number) is not None:
                    continue
                if retry and self.results.pending(campaign.id, voting_week.number) is not None:
                    continue
                try:
                    outcomes.append(self.close_week(campaign.id, voting_week.number, now))
                except DomainError as error:  # one bad week must not stop the others
                    log.error("week close failed", extra={"campaign_id": campaign.id, "week": voting_week.number,
                                                          "code": error.code})
                    outcomes.append({"outcome": "failed", "campaign_id": campaign.id,
                                     "week": voting_week.number, "code": error.code})
        return outcomes

    def revised_for_disqualification(
        self, entry: Entry, reason: str, by: str, now: datetime
    ) -> StoredWeekResult | None:
        """Version n+1 of the entry's closed week without it; None when the week is not closed."""
        if not entry.campaign_week:
            return None
        campaign_id, _, week = entry.campaign_week.rpartition("#")
        latest = self.results.latest(campaign_id, int(week))
        if latest is None:
            return None
        revised = week_result.disqualify(week_result.WeekResult.from_dict(latest.document), entry.submission_id, reason)
        return StoredWeekResult(
            campaign_id, int(week), revised.version, revised.to_dict(), revised.hash, now, by,
            latest.snapshots_as_of, reason=reason,
        )

    # --- reading ------------------------------------------------------------
    def weeks(self, campaign_id: str, now: datetime) -> dict:
        campaign = self.campaign(campaign_id)
        weeks = []
        for voting_week in campaign.voting_weeks:
            number = voting_week.number
            start, end = week_window(campaign, number)
            latest = self.results.latest(campaign.id, number)
            state = week_state(campaign, number, now, closed=latest is not None)
            item = {
                "number": number,
                "starts_at": iso_utc(start),
                "ends_at": iso_utc(end),
                "starts_at_local": local_time(start, campaign.timezone),
                "ends_at_local": local_time(end, campaign.timezone),
                "state": state,
                "latest_version": latest.version if latest else None,
                "hash": latest.hash if latest else None,
                "closed_at": iso_utc(latest.created_at) if latest else None,
                # the campaign's rules version the week was frozen under (None: frozen before it was recorded)
                "rules_version": latest.document.get("rules_version") if latest else None,
            }
            if state == "open":
                item["live_leaderboard"] = live_leaderboard_path(campaign.id, number)
            if state == "closing":
                pending = self.results.pending(campaign.id, number)
                if pending is not None:
                    item["awaiting_confirmation"] = pending.document
            weeks.append(item)
        return {"campaign_id": campaign.id, "timezone": campaign.timezone, "weeks": weeks}

    def ranking(self, campaign_id: str, week: int, version: int | None, now: datetime) -> dict:
        campaign = self.campaign(campaign_id)
        week_window(campaign, week)  # unknown_week
        latest = self.results.latest(campaign.id, week)
        if latest is None:
            state = week_state(campaign, week, now, closed=False)
            raise Conflict(
                f"Tuần {week} chưa được chốt kết quả; xem bảng xếp hạng tạm thời.",
                f"Week {week} is not closed yet; see the live leaderboard.",
                code="week_not_closed", state=state, live_leaderboard=live_leaderboard_path(campaign.id, week),
            )
        stored = latest if version in (None, latest.version) else self.results.get(campaign.id, week, version)
        if stored is None or stored.pending:
            raise NotFound(
                f"Tuần {week} không có phiên bản kết quả {version}.",
                f"Week {week} has no result version {version}.",
                code="week_result_version_not_found", latest_version=latest.version,
            )
        result = week_result.WeekResult.from_dict(stored.document)  # refuses a tampered document
        records = self.submissions.many(i.entry_id for i in result.inputs)
        tree = self.units.whole_tree()
        rows = [
            {**row.to_dict(), **ranking_labels(records.get(row.entry_id), tree)} for row in result.rows
        ]
        disqualified = [
            {"entry_id": e, "reason": r, **ranking_labels(records.get(e), tree)}
            for e, r in sorted(result.disqualified.items())
        ]
        return {
            "campaign_id": campaign.id,
            "week": week,
            "version": stored.version,
            "latest_version": latest.version,
            "hash": stored.hash,
            "previous_hash": result.previous_hash,
            "state": "closed",
            "closed_at": iso_utc(stored.created_at),
            "closed_at_local": local_time(stored.created_at, campaign.timezone),
            "created_by": stored.created_by,
            "starts_at_local": local_time(result.starts_at, campaign.timezone),
            "ends_at_local": local_time(result.ends_at, campaign.timezone),
            "weights": result.rules.to_dict()["weights"],
            "rules_version": result.rules_version,
            "rows": rows,
            "winners": list(result.winners),
            "finalists": list(result.finalists),
            "disqualified": disqualified,
            "notices": stored.document.get("notices", []),
            # Readings stored after the close for instants it could have read: not in this result;
            # they enter only through a revision (POST .../revisions).
            "late_readings": late_summary(self.outstanding_late_readings(campaign.id, week, latest)),
            "document": stored.document,
        }

    def ranking_sheet(self, view: dict, name: str) -> Sheet:
        """The frozen ranking `view` as a workbook people can hand on: a title block naming the
        campaign, the week's dates, the freeze, version and hash; authors, unit names and links.
        Fraud flags stay out: the ranking is public and flags are for organisers only."""
        campaign = self.campaign(view["campaign_id"])
        entry_ids = [r["entry_id"] for r in view["rows"]] + [d["entry_id"] for d in view["disqualified"]]
        records = self.submissions.many(entry_ids)
        tree = self.units.whole_tree()
        details = {e: exports.entry_details(records.get(e), tree) for e in entry_ids}
        title = exports.ranking_title(
            campaign, view["week"],
            datetime.fromisoformat(view["starts_at_local"]["iso"]),
            datetime.fromisoformat(view["ends_at_local"]["iso"]),
            datetime.fromisoformat(view["closed_at"]) if view.get("closed_at") else None,
            view["version"], view["latest_version"], view["hash"],
        )
        return exports.ranking_sheet(view, name, campaign, details, title)

    def flags(self, campaign_id: str, week: int, principal: Principal, now: datetime) -> dict:
        """Fraud signals with evidence: for organisers to review, never an automatic ban.
        A branch organiser sees flags on their branch's entries only."""
        campaign = self.campaign(campaign_id)
        _, end = week_window(campaign, week)
        records = self.week_records(campaign, week)
        whole_campaign = runs_campaign(principal, campaign)
        visible = {r.submission_id: r for r in records if whole_campaign or can_see_unit(principal, r.unit_path)}
        # Fraud signals look at every hourly interval, not only the boundaries.
        entries = self.week_entries(campaign, week, now, records, whole_history=True)
        tree = self.units.whole_tree()
        flags = [
            {**flag.to_dict(), **ranking_labels(visible[flag.entry_id], tree)}
            for flag in detect_fraud(campaign, week, entries)
            if flag.entry_id in visible
        ]
        return {"campaign_id": campaign.id, "week": week, "as_of": iso_utc(min(now, end + SNAPSHOT_MARGIN)),
                "entries_checked": sum(1 for e in entries if e.entry_id in visible), "flags": flags}

    # --- verification -----------------------------------------------------
    def verify(self, campaign_id: str, week: int) -> dict:
        """Recompute every stored version: from the readings it recorded, or, for a version
        frozen before readings were recorded, from the snapshots measured up to its close."""
        campaign = self.campaign(campaign_id)
        versions = self.results.versions(campaign.id, week)
        if not versions:
            raise NotFound(
                f"Tuần {week} chưa được chốt.", f"Week {week} has not been closed.", code="week_not_closed"
            )
        report = []
        previous: week_result.WeekResult | None = None
        for stored in versions:
            if "readings" in stored.document:
                recomputed = _recomputed_from_readings(stored)
                previous = recomputed
                report.append(self._check(stored, recomputed.hash if recomputed else None, "recorded_readings"))
                continue
            replayed_hash = None
            if stored.version == 1:
                previous = self._recompute_first(campaign, week, stored)
                replayed_hash = previous.hash
            elif previous is not None:
                added = {d["entry_id"]: d["reason"] for d in stored.document.get("disqualified", [])}
                new = sorted(set(added) - set(previous.disqualified))
                if len(new) == 1:
                    previous = week_result.disqualify(previous, new[0], added[new[0]])
                    replayed_hash = previous.hash
            report.append(self._check(stored, replayed_hash, "snapshots_as_of"))
        return {"campaign_id": campaign.id, "week": week, "ok": all(v["ok"] for v in report), "versions": report}

    @staticmethod
    def _check(stored: StoredWeekResult, recomputed_hash: str | None, recomputed_from: str) -> dict:
        self_consistent = week_result.verify(stored.document)
        return {
            "version": stored.version,
            "stored_hash": stored.hash,
            "recomputed_hash": recomputed_hash,
            "recomputed_from": recomputed_from,
            "document_verifies": self_consistent,
            "ok": self_consistent and recomputed_hash == stored.hash == stored.document.get("hash"),
        }

    # --- late readings and revisions ------------------------------------------
    def outstanding_late_readings(
        self, campaign_id: str, week: int, latest: StoredWeekResult | None = None
    ) -> list[LateReading]:
        """Late readings the latest version has not taken in: recorded after the last revision that
        took late readings, and not among the readings the latest version recorded."""
        if self.late_readings is None:
            return []
        latest = latest or self.results.latest(campaign_id, week)
        if latest is None:
            return []
        late = self.late_readings.for_week(campaign_id, week)
        if not late:  # the usual case: one Query, and the versions are not read
            return []
        considered_until = max(
            (v.created_at for v in self.results.versions(campaign_id, week)
             if (v.reason or "").startswith(LATE_REVISION_PREFIX)),
            default=None,
        )
        recorded = _recorded_values(latest.document)
        return [
            reading for reading in late
            if (considered_until is None or reading.recorded_at > considered_until)
            and recorded.get(reading.key) != dict(reading.snapshot.values)
        ]

    def revise_with_late_readings(
        self, campaign_id: str, week: int, principal: Principal, reason: object, now: datetime
    ) -> dict:
        """Version n+1 computed from version n's readings and the late ones, on an organiser's
        explicit, audited request."""
        campaign = self.campaign(campaign_id)
        self.require_organiser(principal, campaign)
        week_window(campaign, week)  # unknown_week
        text = reason.strip() if isinstance(reason, str) else ""
        if not text or len(text) > MAX_REVISION_REASON:
            raise InvalidInput(
                f"Phải nêu lý do sửa kết quả tuần (tối đa {MAX_REVISION_REASON} ký tự).",
                f"A revision needs a reason (at most {MAX_REVISION_REASON} characters).",
                code="revision_reason_required",
            )
        latest = self.results.latest(campaign.id, week)
        if latest is None:
            raise Conflict(
                f"Tuần {week} chưa được chốt kết quả.", f"Week {week} is not closed yet.", code="week_not_closed",
            )
        result = week_result.WeekResult.from_dict(latest.document)
        if result.readings is None:
            raise Conflict(
                "Kết quả tuần này được chốt trước khi hệ thống ghi lại các số đo đã dùng; không thể bổ sung số đo muộn.",
                "This week was closed before results recorded the readings they used; late readings cannot be added.",
                code="week_result_without_readings",
            )
        late = self.outstanding_late_readings(campaign.id, week, latest)
        if not late:
            raise Conflict(
                "Không có số đo đến muộn nào chưa được xem xét cho tuần này.",
                "There are no late readings left to consider for this week.",
                code="no_late_readings",
            )
        grouped: dict[str, list[Snapshot]] = {}
        for item in late:
            grouped.setdefault(item.entry_id, []).append(item.snapshot)
        revised = week_result.revise_with_readings(result, grouped)
        actor = principal.username or principal.user_id
        stored = StoredWeekResult(
            campaign.id, week, revised.version, revised.to_dict(), revised.hash, now, actor,
            latest.snapshots_as_of, reason=LATE_REVISION_PREFIX + text,
        )
        if not self.results.add(stored):
            raise Conflict(
                "Kết quả tuần vừa được người khác sửa; hãy tải lại rồi thử lại.",
                "The week's result was revised by someone else meanwhile; reload and try again.",
                code="week_result_changed", latest_version=latest.version,
            )
        self._raise_best_weekly_scores(campaign, revised, self.week_records(campaign, week))
        self.audit.record(
            principal, "revise_week", "week", campaign_week_key(campaign.id, week), now, campaign_id=campaign.id,
            before={"version": latest.version, "hash": latest.hash},
            after={"version": revised.version, "hash": revised.hash, "winners": list(revised.winners),
                   "finalists": list(revised.finalists), "late_readings": len(late),
                   "entries": sorted(grouped)[:AUDITED_IDS]},
            reason=text,
        )
        return {**self._outcome("revised", stored), "previous_version": latest.version,
                "late_readings_used": len(late)}


def _stored_score(score: Fraction) -> Decimal:
    return Decimal(render_exact(score))


def _run_summary(run: RunStatus) -> dict:
    return {"run_id": run.run_id, "state": run.state, "chunks_planned": run.chunks_planned,
            "chunks_pending": run.pending}


def _recomputed_from_readings(stored: StoredWeekResult) -> week_result.WeekResult | None:
    try:
        return week_result.recompute(week_result.WeekResult.from_dict(stored.document))
    except (Conflict, KeyError, TypeError, ValueError):
        return None


def _recorded_values(document: Mapping) -> dict[tuple[str, datetime, str], dict]:
    readings = week_result.readings_from_list(document.get("readings") or [])
    return {(e, s.at, s.source): dict(s.values) for e, found in readings.items() for s in found}


def late_summary(late: Iterable[LateReading]) -> dict:
    items = list(late)
    return {"count": len(items), "entries": sorted({r.entry_id for r in items})}
