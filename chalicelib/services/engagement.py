"""Engagement ingestion use cases: fan out a scheduled run, ingest one chunk, import an
organiser's sheet, and read the live leaderboard and the runs' status."""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.campaign_access import not_campaign_reviewer, reviews_entry, runs_campaign
from chalicelib.domain.engagement import METRICS, Snapshot
from chalicelib.domain.engagement_import import ImportRow, parse_measured_at, parse_sheet
from chalicelib.domain.entry import Entry
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.ingestion import (
    LIVE_TOP_ROWS,
    Chunk,
    LeaderboardRow,
    MetricSource,
    PublishedEntry,
    RunStatus,
    Trigger,
    VideoRequest,
    boundary_basis,
    campaign_week_key,
    competition_ranks,
    live_entry_score,
    merge_basis,
    plan_chunks,
    run_id,
    snapshot_from_reading,
    split_platform_video,
    sortable_score,
    weeks_to_ingest,
)
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.result_versions import LateReading
from chalicelib.domain.scope import Principal, require_role
from chalicelib.observability import logger as log
from chalicelib.domain.weeks import week_window
from chalicelib.services.ports import (
    ClosedWeeks,
    IngestionRuns,
    LateReadings,
    LiveScores,
    MessageQueue,
    PublishedEntries,
    RunningCampaigns,
    SheetReader,
    SnapshotWriter,
)

IMPORT_SOURCE = "organiser-import"
MAX_LEADERBOARD = LIVE_TOP_ROWS
_LOOKUP_THREADS = 8



@dataclass
class EngagementService:
    campaigns: RunningCampaigns
    entries: PublishedEntries
    snapshots: SnapshotWriter
    scores: LiveScores
    runs: IngestionRuns
    queue: MessageQueue
    source_for: Callable[[str], MetricSource | None]
    read_table: SheetReader
    closed_weeks: ClosedWeeks | None = None
    late_readings: LateReadings | None = None

    def _campaign(self, campaign_id: str) -> Campaign:
        campaign = self.campaigns.require(campaign_id)
        return campaign

    # --- scheduled fan-out ---------------------------------------------------------

    def fan_out(self, at: datetime, trigger: Trigger, now: datetime) -> dict:
        """One run per (campaign, week) being read at `at`, its chunks sent to the metrics queue."""
        summary: dict[str, Any] = {"at": iso_utc(at), "trigger": trigger, "runs": []}
        ids_per_call: dict[str, int] = {}
        for platform in ("tiktok", "youtube", "facebook"):
            source = self.source_for(platform)
            if source is not None:
                ids_per_call[platform] = source.ids_per_call
        for campaign in self.campaigns.list_running():
            for week in weeks_to_ingest(campaign, at, trigger):
                entries = self.entries.in_week(campaign_week_key(campaign.id, week))
                if not entries:
                    continue
                plan = plan_chunks(campaign.id, week, at, entries, ids_per_call)
                identifier = run_id(at, week)
                self.runs.start(campaign.id, identifier, week, at, trigger, plan.entries_planned, len(plan.chunks),
                                len(plan.entries_without_source), now)
                self.queue.send_json_batch([c.to_message() for c in plan.chunks])
                summary["runs"].append({"campaign_id": campaign.id, "week": week, "run_id": identifier,
                                        "entries": plan.entries_planned, "chunks": len(plan.chunks)})
        return summary

    # --- one chunk -----------------------------------------------------------------

    def ingest_chunk(self, chunk: Chunk, now: datetime) -> dict:
        source = self.source_for(chunk.platform)
        if source is None:
            raise InvalidInput(
                f"Không có nguồn số liệu cho nền tảng {chunk.platform}.",
                f"No metric source for platform {chunk.platform}.",
                code="no_metric_source", platform=chunk.platform,
            )
        requests = [VideoRequest(e.video_id, e.submission_id, e.published_at) for e in chunk.entries]
        readings = source.fetch(requests, chunk.at)
        rows: list[tuple[str, str, Snapshot]] = []
        for entry in chunk.entries:
            reading = readings.get(entry.video_id)
            if reading is not None:  # not returned (deleted, private): no snapshot rather than zeros
                rows.append((entry.submission_id, chunk.campaign_id, snapshot_from_reading(chunk.at, source.name, reading)))
        written = self.snapshots.write(rows)
        campaign = self._campaign(chunk.campaign_id)
        self.keep_late(campaign, {chunk.week: [(s, snap) for s, _, snap in rows]}, now)
        new = {submission_id: [snapshot] for submission_id, _, snapshot in rows}
        self.refresh_scores(campaign, chunk.week, [e for e in chunk.entries if e.video_id in readings],
                            max(chunk.at, now), new)
        not_returned = len(chunk.entries) - len(rows)
        run = self.runs.chunk_ok(chunk.campaign_id, chunk.run_id, chunk.number, written, not_returned)
        self._rank_when_finished(chunk, run)
        return {"snapshots": written, "not_returned": not_returned}

    def chunk_failed(self, chunk: Chunk, error: str, dead_lettered: bool) -> None:
        run = self.runs.chunk_failed(chunk.campaign_id, chunk.run_id, chunk.number, error, dead_lettered)
        self._rank_when_finished(chunk, run)

    def _rank_when_finished(self, chunk: Chunk, run: RunStatus | None) -> None:
        """The board is ranked once per round, by whichever chunk finishes it (a chunk delivered
        twice may rank it twice: the same rows). Ranking after every chunk would read the whole
        week each time."""
        if run is not None and run.pending == 0:
            self.scores.rank(campaign_week_key(chunk.campaign_id, chunk.week))

    # --- readings after a close --------------------------------------------------------

    def keep_late(self, campaign: Campaign, by_week: dict[int, list[tuple[str, Snapshot]]], now: datetime) -> int:
        """Readings just stored for a week already closed, for an instant its close could have
        read (at or before the close), are kept as late: the frozen result stays as it is."""
        if self.closed_weeks is None or self.late_readings is None:
            return 0
        kept = 0
        for week, rows in by_week.items():
            if not rows or now < week_window(campaign, week)[1]:  # a week not over cannot be closed
                continue
            closed = self.closed_weeks.latest(campaign.id, week)
            if closed is None:
                continue
            late = [LateReading(s, snapshot, now) for s, snapshot in rows if snapshot.at <= closed.snapshots_as_of]
            if late:
                self.late_readings.add(campaign.id, week, late)
                log.warning("readings arrived after the week was closed", extra={
                    "campaign_id": campaign.id, "week": week, "late_readings": len(late)})
                kept += len(late)
        return kept

    # --- live scores ---------------------------------------------------------------

    def refresh_scores(
        self, campaign: Campaign, week: int, entries: Sequence[PublishedEntry], now: datetime,
        new: Mapping[str, Sequence[Snapshot]],
    ) -> int:
        """Recompute each entry's week score with the domain rules from the readings its score
        item keeps (the week's boundary basis) and the `new` ones just stored: one BatchGetItem
        per 100 entries, no history read, except for an entry whose kept readings are missing
        or cannot absorb the new ones (see merge_basis)."""
        key = campaign_week_key(campaign.id, week)
        start, end = week_window(campaign, week)
        kept = self.scores.bases(key, [e.submission_id for e in entries])
        rows = []
        for entry in entries:
            fresh = new.get(entry.submission_id, ())
            basis = None
            if entry.submission_id not in kept:  # no score item: nothing was kept for it yet
                basis = boundary_basis(fresh, (start, end))
            elif kept[entry.submission_id] is not None:
                basis = merge_basis(kept[entry.submission_id], fresh, (start, end))
            if basis is None:
                basis = boundary_basis(self.snapshots.for_entry(entry.submission_id), (start, end))
            live = live_entry_score(campaign, week, entry.published_at, basis, now)
            # The unit's name is the one kept on the entry when it was published: no round reads
            # the tree, so a unit renamed since keeps its old name on the entry's board row.
            rows.append(LeaderboardRow(
                campaign_week=key, submission_id=entry.submission_id,
                score=sortable_score(live.total), breakdown=live.breakdown(), unit_id=entry.unit_id,
                title=entry.title, flags=list(live.flags), updated_at=now, basis=basis,
                unit_name=entry.unit_name, url=entry.url,
            ))
        return self.scores.put_many(rows)

    def leaderboard(self, campaign_id: str, week: int, limit: int) -> dict:
        campaign = self._campaign(campaign_id)
        if campaign.week(week) is None:
            raise NotFound(
                f"Cuộc thi không có tuần bình chọn số {week}.", f"The campaign has no voting week {week}.",
                code="week_not_found", week=week,
            )
        frozen = self.closed_weeks.latest_top(campaign_id, week) if self.closed_weeks is not None else None
        if frozen is not None:
            return self._frozen_leaderboard(campaign_id, week, limit, *frozen)
        rows = self.scores.top(campaign_week_key(campaign_id, week), limit)
        ranks = competition_ranks([r.score for r in rows])
        return {
            "campaign_id": campaign_id,
            "week": week,
            "rows": [
                {
                    "rank": rank,
                    "entry_id": r.submission_id,
                    "title": r.title,
                    "unit_id": r.unit_id,
                    "unit_name": r.unit_name,
                    "url": r.url,
                    "score": r.breakdown.get("total", r.score),
                    "breakdown": r.breakdown.get("parts", []),
                    "unmeasured_metrics": r.breakdown.get("unmeasured_metrics", []),
                    "estimated_metrics": r.breakdown.get("estimated_metrics", []),
                    "flags": list(r.flags or []),
                    "updated_at": iso_utc(r.updated_at),
                }
                for rank, r in zip(ranks, rows)
            ],
        }

    def _frozen_leaderboard(
        self, campaign_id: str, week: int, limit: int, version: int, result_hash: str, top: list[dict]
    ) -> dict:
        """A closed week's leaderboard is its frozen ranking's first rows (kept on the result's item),
        labelled from the entries' score items: never the whole result, never a live score."""
        rows = top[:limit]
        labels = self.scores.many(campaign_week_key(campaign_id, week), [r["entry_id"] for r in rows])

        def label(entry_id: str, name: str) -> Any:
            return getattr(labels[entry_id], name) if entry_id in labels else None

        return {
            "campaign_id": campaign_id,
            "week": week,
            "frozen": True,
            "version": version,
            "hash": result_hash,
            "rows": [
                {
                    "rank": r["rank"],
                    "entry_id": r["entry_id"],
                    "title": label(r["entry_id"], "title"),
                    "unit_id": label(r["entry_id"], "unit_id"),
                    "unit_name": label(r["entry_id"], "unit_name"),
                    "url": label(r["entry_id"], "url"),
                    "score": r["score"],
                    "breakdown": r["breakdown"],
                    "unmeasured_metrics": r["unmeasured_metrics"],
                    "estimated_metrics": r["estimated_metrics"],
                    "flags": [],
                    "winner": r["winner"],
                    "finalist": r["finalist"],
                }
                for r in rows
            ],
        }

    def recent_runs(self, campaign_id: str, limit: int) -> dict:
        self._campaign(campaign_id)
        return {"campaign_id": campaign_id, "runs": [r.to_dict() for r in self.runs.recent(campaign_id, limit)]}

    # --- organiser import -----------------------------------------------------------

    def _match(self, campaign: Campaign, rows: Sequence[ImportRow]) -> dict[int, str]:
        """Row line -> submission id, through the by-platform-video index."""
        def candidates(row: ImportRow) -> list[str]:
            platforms = [row.platform] if row.platform else list(campaign.platforms)
            return [f"{p}#{row.video_id}" for p in platforms]

        keys = sorted({key for row in rows for key in candidates(row)})
        with ThreadPoolExecutor(max_workers=_LOOKUP_THREADS) as pool:
            found = dict(zip(keys, pool.map(self.entries.ids_for_video, keys)))
        matched: dict[int, str] = {}
        for row in rows:
            ids = [i for key in candidates(row) for i in found.get(key, [])]
            # Two entries claiming one video (or one id on two platforms) cannot be told apart
            # from the sheet: the row is reported back rather than credited to either.
            if len(ids) == 1:
                matched[row.line] = ids[0]
        return matched

    def _read_sheet(self, campaign: Campaign, principal: Principal, content: bytes, file_name: str,
                    measured_at: datetime | None) -> tuple[Any, list[tuple[ImportRow, Entry]], list[str],
                                                           list[tuple[str, str, Snapshot]], list[dict | None]]:
        """The sheet, its rows matched to entries the caller reviews, the ids left unknown,
        the readings they make and the values already stored for the same instants."""
        if not (runs_campaign(principal, campaign) or principal.unit_id in campaign.review_delegated_to):
            raise not_campaign_reviewer(campaign)  # figures are changed by the campaign's reviewers only
        sheet = parse_sheet(self.read_table(content, file_name), campaign.zone, measured_at)
        matched = self._match(campaign, sheet.rows)
        found = self.entries.many(set(matched.values()))
        accepted: list[tuple[ImportRow, Entry]] = []
        unknown: list[str] = []
        for row in sheet.rows:
            entry = found.get(matched.get(row.line, ""))
            # An entry the caller does not review (a delegated unit's: outside its branch) is reported
            # exactly like an unknown one: no probing.
            if (entry is None or entry.campaign_id != campaign.id or not entry.campaign_week
                    or not reviews_entry(principal, campaign, entry.unit_path)):
                unknown.append(row.video_id)
                continue
            accepted.append((row, entry))
        snapshots = [
            (entry.submission_id, campaign.id, Snapshot(row.measured_at, IMPORT_SOURCE,
                                                        {m: row.values.get(m) for m in METRICS}))
            for row, entry in accepted
        ]
        stored = self.snapshots.stored_values([(s, snap) for s, _, snap in snapshots])
        return sheet, accepted, unknown, snapshots, stored

    def preview_sheet(self, campaign_id: str, principal: Principal, content: bytes, file_name: str,
                      measured_at: datetime | None, row_limit: int) -> dict:
        """What import_sheet would do, writing nothing: the matched rows (up to `row_limit`),
        which of them would change a stored reading, and the unknown ids."""
        require_role(principal, "admin", "organiser")
        campaign = self._campaign(campaign_id)
        sheet, accepted, unknown, snapshots, stored = self._read_sheet(campaign, principal, content, file_name,
                                                                       measured_at)
        rows = [
            {"line": row.line, "video_id": row.video_id, "entry_id": entry.submission_id, "title": entry.title,
             "unit_id": entry.unit_id, "week": entry.week, "measured_at": iso_utc(snap.at),
             "values": {m: v for m, v in snap.values.items() if v is not None},
             "changes_stored": values != dict(snap.values)}
            for (row, entry), (_, _, snap), values in zip(accepted, snapshots, stored)
        ]
        would_write = sum(1 for r in rows if r["changes_stored"])
        return {
            "dry_run": True,
            "file_sha256": hashlib.sha256(content).hexdigest(),
            "rows": len(sheet.rows),
            "matched": len(accepted),
            "written": 0,
            "would_write": would_write,
            "unchanged": len(accepted) - would_write,
            "unknown_video_ids": unknown,
            "metrics": list(sheet.metrics),
            "ignored_columns": list(sheet.ignored_columns),
            "matched_rows": rows[:row_limit],
            "matched_rows_truncated": len(rows) > row_limit,
        }

    def import_sheet(self, campaign_id: str, principal: Principal, content: bytes, file_name: str,
                     measured_at: datetime | None, now: datetime) -> dict:
        require_role(principal, "admin", "organiser")
        campaign = self._campaign(campaign_id)
        sheet, accepted, unknown, snapshots, stored = self._read_sheet(campaign, principal, content, file_name,
                                                                       measured_at)
        changed = [(s, c, snap) for (s, c, snap), values in zip(snapshots, stored) if values != dict(snap.values)]
        self.snapshots.write(changed)
        touched = {s for s, _, _ in changed}
        changed_by_week: dict[int, list[tuple[str, Snapshot]]] = {}
        weeks_of = {entry.submission_id: entry.week for _, entry in accepted}
        for submission_id, _, snapshot in changed:
            if weeks_of.get(submission_id) is not None:
                changed_by_week.setdefault(weeks_of[submission_id], []).append((submission_id, snapshot))
        self.keep_late(campaign, changed_by_week, now)
        by_week: dict[int, list[PublishedEntry]] = {}
        for row, entry in accepted:
            if entry.submission_id in touched and entry.published_at is not None:
                platform, video_id = split_platform_video(entry.platform_video)
                published = PublishedEntry(entry.submission_id, platform, video_id, entry.published_at,
                                           entry.unit_id, entry.title, entry.unit_name, entry.publication.get("url"))
                by_week.setdefault(entry.week, []).append(published)
        fresh: dict[str, list[Snapshot]] = {}
        for submission_id, _, snapshot in changed:
            fresh.setdefault(submission_id, []).append(snapshot)
        for week, entries in by_week.items():
            unique = list({e.submission_id: e for e in entries}.values())
            self.refresh_scores(campaign, week, unique, now, fresh)
            self.scores.rank(campaign_week_key(campaign.id, week))
        result = {
            "file_sha256": hashlib.sha256(content).hexdigest(),
            "rows": len(sheet.rows),
            "matched": len(accepted),
            "written": len(changed),
            "unchanged": len(accepted) - len(changed),
            "unknown_video_ids": unknown,
            "metrics": list(sheet.metrics),
            "ignored_columns": list(sheet.ignored_columns),
        }
        return result


def parse_measured_at_field(value: Any, campaign_zone: Any) -> datetime | None:
    """The request's optional measured_at (ISO 8601; no zone means the campaign's)."""
    if value in (None, ""):
        return None
    try:
        return parse_measured_at(value, campaign_zone)
    except (TypeError, ValueError):
        raise InvalidInput(
            "measured_at phải là thời điểm ISO 8601 hoặc dd/mm/yyyy HH:MM.",
            "measured_at must be an ISO 8601 time or dd/mm/yyyy HH:MM.",
            code="invalid_measured_at",
        ) from None

