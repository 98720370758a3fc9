"""Scheduled engagement ingestion, as pure rules: which weeks to read, how to cut the
work into chunks, and what an entry's live score is after a reading.

The hourly job reads every published entry whose voting week is open; the boundary
job (Monday 00:00 in the campaign zone) reads with `at` = the boundary itself, for the
week that closes and the week that opens there, so a week's open and close values are
exact readings rather than interpolations whenever nothing failed.

Work is fanned out in chunks: one chunk is one platform's videos, at most
`calls_per_chunk` API calls' worth, so one handler invocation stays short and a failure
retries (and, after three tries, dead-letters) only that slice.
"""
from __future__ import annotations

import heapq
import json
import math
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Iterable, Literal, Mapping, Protocol, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.engagement import METRICS, Snapshot, readings
from chalicelib.domain.exact_numbers import render_exact
from chalicelib.domain.instants import iso_utc, parse_iso_utc, require_aware
from chalicelib.domain.ranking import WeekRules
from chalicelib.domain.scoring import ScoreBreakdown, WeekEntry, weekly_gains, weighted_score
from chalicelib.domain.weeks import week_window

Trigger = Literal["hourly", "boundary", "manual"]
Readings = dict[str, dict[str, int | None]]  # platform video id -> metric -> count, None = not measured

# Entries per chunk message: a multiple of 20 and 50 (the ids one TikTok or YouTube call takes),
# of 25 (one BatchWriteItem) and of 100 (one BatchGetItem), so every call and batch is full.
# 500 TikTok ids are 25 calls (5 s at 300/min per process); the campaign, the run item and the
# chunk's own bookkeeping are read and written once per 500 entries; the message stays well
# under SQS's 256 KB.
ENTRIES_PER_CHUNK = 500


def campaign_week_key(campaign_id: str, week: int) -> str:
    """The partition of the by-voting-week index and of the week's score items."""
    return f"{campaign_id}#{week}"


def split_platform_video(platform_video: str) -> tuple[str, str]:
    platform, _, video_id = platform_video.partition("#")
    if not platform or not video_id:
        raise ValueError(f"not a platform video key: {platform_video!r}")
    return platform, video_id


def weeks_to_ingest(campaign: Campaign, at: datetime, trigger: Trigger) -> list[int]:
    """Hourly: weeks open at `at`. Boundary: weeks that open or close exactly at `at`."""
    at = require_aware(at, "at")
    numbers: list[int] = []
    for week in campaign.voting_weeks:
        start, end = week_window(campaign, week.number)
        if trigger == "boundary":
            if at in (start, end):
                numbers.append(week.number)
        elif start <= at < end:
            numbers.append(week.number)
    return numbers


@dataclass(frozen=True)
class PublishedEntry:
    """What ingestion needs of a published entry (read from the by-voting-week index), and what
    its leaderboard row shows besides the score: the unit's name and the platform link (None when
    the entry was published before they were kept; the board then looks them up)."""

    submission_id: str
    platform: str
    video_id: str
    published_at: datetime
    unit_id: str
    title: str
    unit_name: str | None = None
    url: str | None = None

    def to_dict(self) -> dict:
        return {
            "submission_id": self.submission_id,
            "platform": self.platform,
            "video_id": self.video_id,
            "published_at": iso_utc(self.published_at),
            "unit_id": self.unit_id,
            "title": self.title,
            "unit_name": self.unit_name,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "PublishedEntry":
        # Chunk messages queued before the labels existed carry neither.
        return cls(
            data["submission_id"], data["platform"], data["video_id"],
            parse_iso_utc(data["published_at"]), data["unit_id"], data["title"],
            data.get("unit_name"), data.get("url"),
        )


@dataclass(frozen=True)
class Chunk:
    """One SQS message: read these videos of one platform at `at`, for one campaign week."""

    campaign_id: str
    week: int
    at: datetime
    run_id: str
    number: int
    platform: str
    entries: tuple[PublishedEntry, ...] = field(default=())

    def to_message(self) -> dict:
        return {
            "kind": "metrics_chunk/1",
            "campaign_id": self.campaign_id,
            "week": self.week,
            "at": iso_utc(self.at),
            "run_id": self.run_id,
            "number": self.number,
            "platform": self.platform,
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_message(cls, data: Mapping) -> "Chunk":
        if data.get("kind") != "metrics_chunk/1":
            raise ValueError(f"not a metrics chunk: {data.get('kind')!r}")
        return cls(
            data["campaign_id"], int(data["week"]), parse_iso_utc(data["at"]), data["run_id"],
            int(data["number"]), data["platform"],
            tuple(PublishedEntry.from_dict(e) for e in data["entries"]),
        )


def run_id(at: datetime, week: int) -> str:
    """Sorts by time within a campaign; the boundary and an hourly run never share an `at`
    to the microsecond, and if they did they would be the same reading anyway."""
    return f"{iso_utc(at)}#w{week:03d}"


@dataclass(frozen=True)
class Plan:
    chunks: tuple[Chunk, ...]
    entries_planned: int
    entries_without_source: tuple[str, ...]


def plan_chunks(
    campaign_id: str,
    week: int,
    at: datetime,
    entries: Iterable[PublishedEntry],
    ids_per_call: Mapping[str, int],
    entries_per_chunk: int = ENTRIES_PER_CHUNK,
) -> Plan:
    """Group entries by platform and cut each group into chunks of `entries_per_chunk`
    videos (whole calls of `ids_per_call[platform]`). Entries on a platform with no
    source are left out and named, so the run shows them instead of hiding them."""
    at = require_aware(at, "at")
    by_platform: dict[str, list[PublishedEntry]] = {}
    orphans: list[str] = []
    for entry in sorted(entries, key=lambda e: e.submission_id):
        if entry.platform in ids_per_call:
            by_platform.setdefault(entry.platform, []).append(entry)
        else:
            orphans.append(entry.submission_id)
    identifier = run_id(at, week)
    chunks: list[Chunk] = []
    for platform in sorted(by_platform):
        group = by_platform[platform]
        size = max(ids_per_call[platform], entries_per_chunk - entries_per_chunk % ids_per_call[platform])
        start = 0
        while start < len(group):
            taken = _fitting(group[start:start + size], ids_per_call[platform])
            chunks.append(Chunk(campaign_id, week, at, identifier, len(chunks) + 1, platform, taken))
            start += len(taken)
    planned = sum(len(c.entries) for c in chunks)
    return Plan(tuple(chunks), planned, tuple(orphans))


# A chunk message stays under SQS's 256 KB even when every title is 200 Vietnamese characters.
MAX_CHUNK_MESSAGE_BYTES = 200_000
# Shrinking a chunk keeps whole TikTok calls and whole 25-item batches.
_SHRINK_STEP = 100


def _entry_bytes(entry: PublishedEntry) -> int:
    return len(json.dumps(entry.to_dict(), ensure_ascii=False).encode("utf-8")) + 2


def _fitting(entries: Sequence[PublishedEntry], ids_per_call: int) -> tuple[PublishedEntry, ...]:
    """The longest prefix of `entries`, in steps of whole calls and batches, that fits a message."""
    taken = len(entries)
    sizes = [_entry_bytes(e) for e in entries]
    step = max(_SHRINK_STEP, ids_per_call)
    while taken > step and sum(sizes[:taken]) > MAX_CHUNK_MESSAGE_BYTES:
        taken = ((taken - 1) // step) * step
    return tuple(entries[:taken])


def chunk_count(entries: int, ids_per_call: int, entries_per_chunk: int = ENTRIES_PER_CHUNK) -> int:
    return math.ceil(entries / max(ids_per_call, entries_per_chunk - entries_per_chunk % ids_per_call))


# --- snapshots from readings --------------------------------------------------


def snapshot_from_reading(at: datetime, source: str, reading: Mapping[str, int | None]) -> Snapshot:
    """Every metric is stored, None where the source does not measure it, so a stored
    snapshot says per field whether it was measured."""
    return Snapshot(at, source, {m: reading.get(m) for m in METRICS})


# --- boundary readings kept on the score item ------------------------------------


def boundary_basis(snapshots: Iterable[Snapshot], instants: Iterable[datetime]) -> tuple[Snapshot, ...]:
    """The readings that decide every metric's value at each of `instants` (a week's open and
    close): per metric, the reading at the instant, the last one before and the first one after
    (as scoring.boundary_value chooses them). Kept instead of the whole history, they give the
    same boundary values, and the same live score for any reading up to the close: the latest
    reading is the last one before the close for every metric it measures.

    Keeping is incremental: the basis of (basis ∪ new readings) is the basis of (history ∪ new
    readings), because each kept reading is an extreme on its side and a new one can only
    replace it (see merge_basis for the one exception)."""
    points = list(snapshots)
    wanted = list(instants)
    kept: dict[tuple[datetime, str], Snapshot] = {}
    for metric in METRICS:
        series = readings(points, metric)
        if not series:
            continue
        times = [s.at for s in series]
        for boundary in wanted:
            at_or_after = bisect_left(times, boundary)
            chosen = []
            if at_or_after > 0:
                chosen.append(series[at_or_after - 1])
            if at_or_after < len(series):
                chosen.append(series[at_or_after])
                if series[at_or_after].at == boundary and at_or_after + 1 < len(series):
                    chosen.append(series[at_or_after + 1])
            for snapshot in chosen:
                kept[(snapshot.at, snapshot.source)] = snapshot
    return tuple(kept[k] for k in sorted(kept))


def merge_basis(
    basis: Sequence[Snapshot], new: Sequence[Snapshot], instants: Sequence[datetime]
) -> tuple[Snapshot, ...] | None:
    """The basis after `new` readings are stored, or None when it cannot be told without the
    whole history: a new reading that rewrites a kept one (same instant and source) and no longer
    measures a metric the kept one measured may uncover an older reading the basis dropped."""
    by_key = {(s.at, s.source): s for s in basis}
    for snapshot in new:
        old = by_key.get((snapshot.at, snapshot.source))
        if old is not None and any(old.measured(m) and not snapshot.measured(m) for m in METRICS):
            return None
        by_key[(snapshot.at, snapshot.source)] = snapshot
    return boundary_basis(by_key.values(), instants)


def snapshots_to_items(snapshots: Iterable[Snapshot]) -> list[dict]:
    return [s.to_dict() for s in snapshots]


def snapshots_from_items(items: Iterable[Mapping]) -> tuple[Snapshot, ...]:
    return tuple(Snapshot.from_dict(item) for item in items)


# --- live score ---------------------------------------------------------------


@dataclass(frozen=True)
class LiveScore:
    score: ScoreBreakdown
    flags: tuple[str, ...]
    estimated_metrics: tuple[str, ...]

    @property
    def total(self) -> Fraction:
        return self.score.total

    def breakdown(self) -> dict:
        return {**self.score.to_dict(), "estimated_metrics": list(self.estimated_metrics)}


def live_entry_score(
    campaign: Campaign, week: int, published_at: datetime, snapshots: Sequence[Snapshot], now: datetime
) -> LiveScore:
    """The entry's score on the week's gains up to its latest reading (never past `now`
    or the week's close).

    Up to the latest reading rather than up to `now`: a close value at `now` would be
    carried forward from a reading seconds older and flag every live score "estimated".
    The same domain rules as the frozen week result (scoring.weekly_gains with the
    campaign's weights), so the live leaderboard and the frozen ranking cannot disagree
    on the same snapshots."""
    start, end = week_window(campaign, week)
    close = min(require_aware(now, "now"), end)
    latest = [s.at for s in snapshots if s.at <= close]
    if latest:
        close = max(latest)
    rules = WeekRules.from_campaign(campaign)
    if close <= start or require_aware(published_at, "published_at") >= close:
        # Nothing can have been gained yet inside the week.
        return LiveScore(weighted_score({m: 0 for m in rules.weights}, rules.weights), ("no_gain_yet",), ())
    inputs = weekly_gains(WeekEntry("-", published_at, snapshots), start, close, rules.metrics)
    score = inputs.score(rules.weights)
    flags: list[str] = []
    if score.unmeasured:
        flags.append("unmeasured_metrics")
    estimated = tuple(m for m in inputs.estimated_metrics if m in rules.metrics)
    if estimated:
        flags.append("estimated")
    return LiveScore(score, tuple(flags), estimated)


def sortable_score(total: Fraction) -> int | float:
    """The board is ranked on a number; the exact value stays in the breakdown."""
    rendered = render_exact(total)
    return rendered if isinstance(rendered, int) else float(total)


# --- leaderboard ------------------------------------------------------------------


def competition_ranks(scores: Sequence) -> list[int]:
    """1, 2, 2, 4: equal scores share a rank. Correct on a top-N page too, because every
    strictly higher score is on the page."""
    ranks: list[int] = []
    for index, score in enumerate(scores):
        ranks.append(ranks[-1] if index and score == scores[index - 1] else index + 1)
    return ranks


# --- run status -----------------------------------------------------------------


@dataclass(frozen=True)
class RunStatus:
    campaign_id: str
    run_id: str
    week: int
    at: datetime
    trigger: str
    entries_planned: int
    chunks_planned: int
    chunks_ok: frozenset[str]
    chunks_dead_lettered: frozenset[str]
    failed_attempts: int
    snapshots_written: int
    videos_not_returned: int
    entries_without_source: int
    last_error: str | None = None

    @property
    def pending(self) -> int:
        return max(0, self.chunks_planned - len(self.chunks_ok | self.chunks_dead_lettered))

    @property
    def state(self) -> str:
        # A dead-lettered chunk redriven later and then ingested counts as ok.
        if self.chunks_dead_lettered - self.chunks_ok:
            return "gap"
        if self.pending:
            return "in_progress"
        return "complete"

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "week": self.week,
            "at": iso_utc(self.at),
            "trigger": self.trigger,
            "state": self.state,
            "entries_planned": self.entries_planned,
            "entries_without_source": self.entries_without_source,
            "chunks": {
                "planned": self.chunks_planned,
                "ok": len(self.chunks_ok),
                "dead_lettered": len(self.chunks_dead_lettered - self.chunks_ok),
                "pending": self.pending,
                "failed_attempts": self.failed_attempts,
            },
            "snapshots_written": self.snapshots_written,
            "videos_not_returned": self.videos_not_returned,
            "last_error": self.last_error,
        }


# --- what the sources and the leaderboard exchange ---------------------------------

Readings = dict[str, dict[str, int | None]]


@dataclass(frozen=True)
class VideoRequest:
    video_id: str
    entry_id: str
    published_at: datetime


class MetricSource(Protocol):
    """One platform's counters: readings per platform video id, None for a metric the source
    does not measure; a video the source did not return is absent, never a row of zeros."""

    name: str  # stored as the snapshot's source
    platform: str
    ids_per_call: int

    def fetch(self, videos: Sequence[VideoRequest], at: datetime) -> Readings: ...


# The live board's rows kept per week: the longest page the leaderboard serves.
LIVE_TOP_ROWS = 100


def live_top(rows: Iterable["LeaderboardRow"], limit: int = LIVE_TOP_ROWS) -> list["LeaderboardRow"]:
    """The first `limit` rows by score, ties in entry order (so a recount reproduces the page);
    bounded memory whatever the number of rows."""
    return heapq.nsmallest(limit, rows, key=lambda r: (-r.score, r.submission_id))


@dataclass(frozen=True)
class LeaderboardRow:
    """An entry's live score in its voting week, as the leaderboard keeps and serves it."""

    campaign_week: str
    submission_id: str
    score: int | float  # sortable; the exact value is in the breakdown
    breakdown: dict
    unit_id: str
    title: str
    flags: list[str]
    updated_at: datetime
    basis: tuple[Snapshot, ...] = ()
    # Kept so a board row needs no other read; None on items written before they were kept.
    unit_name: str | None = None
    url: str | None = None
