"""The world bench/bench_scale.py measures, and bench/scale_reports.py (reports, counter, export) reads.

One national campaign on the local cloud (moto in this process, the local stage's names):

- a 4-level tree: 1 central unit, 63 provinces, 700 districts, 10,000 grassroots units (10,764);
- 1,000,000 counted submissions of the campaign: per-unit counter items and the roll-up aggregates
  derived from them (CounterStore.write_bulk, as the migration does), and one public-counter item
  per Vietnam day over 120 days;
- 100,000 of them published on TikTok into voting week 1, which is open at `at` (the hourly
  instant measured), each with its submission item and its live score item as a round before
  left it: the readings that decide the week's boundaries (domain.ingestion.boundary_basis) kept
  on it, the reading of an hour earlier among them.

Loading is not measured. The 100,000 submission and score items are put straight into moto's
DynamoDB backend (the items the adapters would write, from the PynamoDB models' own serialisation):
through the HTTP API they would take several minutes of the emulator's time and say nothing about
the product. The tree, counters, aggregates and day items go through the adapters.

`ScaleWorld` is the `env` handed to scale_reports.measure_reports_and_export(env).
"""
from __future__ import annotations

import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

PROVINCES, DISTRICTS, GRASSROOTS = 63, 700, 10_000
ENTRIES = 100_000
COUNTED_SUBMISSIONS = 1_000_000
COUNTED_DAYS = 120
WEEK = 1
CAMPAIGN_ID = "scale-bench"
TIKTOK_SOURCE = "tiktok-display-api"
MOTO_ACCOUNT = "123456789012"


@dataclass
class ScaleWorld:
    campaign: Any                       # domain Campaign: the contest, week 1 open at `at`
    week: int
    at: datetime                        # the hourly reading measured (on the hour, inside week 1)
    start: datetime                     # week 1's open and close (UTC)
    end: datetime
    tree: Any                           # domain OrgTree of 10,764 units
    province: Any                       # the province whose roll-up is measured (OrgUnit)
    grassroots: list                    # OrgUnit list
    entries: list[tuple[str, str]]      # (submission id, TikTok video id) of the 100,000 published entries
    counted_submissions: int            # submissions counted in the campaign's counters (1,000,000)
    endpoint_url: str
    table_prefix: str
    upload_bucket: str
    extra: dict = field(default_factory=dict)

    @property
    def campaign_id(self) -> str:
        return self.campaign.id


def build_tree():
    from chalicelib.domain.organisation import OrgTree, OrgUnit

    units = [OrgUnit("tw", "Trung ương Đoàn", None, "central", "tw")]
    provinces = [OrgUnit(f"p{i:02d}", f"Tỉnh đoàn {i}", "tw", "province", f"tw/p{i:02d}") for i in range(PROVINCES)]
    units += provinces
    districts = []
    for i in range(DISTRICTS):
        p = provinces[i % PROVINCES]
        districts.append(OrgUnit(f"{p.unit_id}-d{i:03d}", f"Huyện đoàn {i}", p.unit_id, "district",
                                 f"{p.path}/{p.unit_id}-d{i:03d}"))
    units += districts
    grassroots = []
    for i in range(GRASSROOTS):
        d = districts[i % DISTRICTS]
        uid = f"{d.unit_id}-g{i:05d}"
        grassroots.append(OrgUnit(uid, f"Đoàn cơ sở {i}", d.unit_id, "grassroots", f"{d.path}/{uid}"))
    units += grassroots
    return OrgTree(units), provinces, grassroots


def tiktok_counts(n: int, hours: float) -> dict:
    """The fake TikTok's counters of video n, `hours` into its life (grows with time)."""
    grow = 1 + hours / 24
    return {"like_count": int((50 + (n * 7919) % 5000) * grow), "comment_count": int(((n * 31) % 400) * grow),
            "share_count": int(((n * 13) % 900) * grow), "view_count": int((1000 + (n * 104729) % 200_000) * grow)}


def reading(counts: dict) -> dict:
    return {"likes": counts["like_count"], "saves": None, "shares": counts["share_count"], "reposts": None,
            "comments": counts["comment_count"], "views": counts["view_count"]}


def _backend_table(name: str):
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[MOTO_ACCOUNT]["ap-southeast-1"].get_table(name)


def load_world(campaign, at: datetime, endpoint_url: str, table_prefix: str, upload_bucket: str,
               entries: int = ENTRIES, seed: int = 10) -> ScaleWorld:
    """Write the world described above; returns it (the caller has installed the services)."""
    from chalicelib.adapters.dynamodb.models import ScoreRecord, SubmissionRecord
    from chalicelib.adapters.dynamodb.submissions import status_sort, unit_sort
    from chalicelib.bootstrap import services
    from chalicelib.domain.engagement import Snapshot
    from chalicelib.domain.instants import iso_utc
    from chalicelib.domain.ingestion import (
        boundary_basis,
        campaign_week_key,
        live_entry_score,
        snapshots_to_items,
        sortable_score,
    )
    from chalicelib.domain.weeks import week_window

    rng = random.Random(seed)
    start, end = week_window(campaign, WEEK)
    tree, provinces, grassroots = build_tree()
    services().org_unit_store.put_tree(tree)
    services().campaign_store.put(campaign)

    week_key = campaign_week_key(campaign.id, WEEK)
    created = start - timedelta(days=3)
    previous = at - timedelta(hours=1)
    span = max((previous - start).total_seconds() - 60, 60)
    submissions, scores = _backend_table(SubmissionRecord.Meta.table_name), _backend_table(ScoreRecord.Meta.table_name)
    published_counts: Counter = Counter()
    listed = []
    for n in range(entries):
        unit = grassroots[n % len(grassroots)]
        submission_id = f"s-{n:06d}-{rng.getrandbits(32):08x}"
        video_id = f"74{n:017d}"
        published_at = start + timedelta(seconds=rng.uniform(0, span))
        title = f"Khát vọng hùng cường — bài dự thi số {n + 1}"
        url = f"https://www.tiktok.com/@khatvonghungcuong/video/{video_id}"
        # As the review service's publish step leaves it: the publication record and the unit's name.
        review = {"decision": "approve", "reviewed_by": "organiser-tw", "reviewed_at": iso_utc(created),
                  "publication": {
            "platform": "tiktok", "video_id": video_id, "url": url, "published_at": iso_utc(published_at),
            "recorded_by": "organiser-tw", "recorded_at": iso_utc(published_at)}}
        submissions.put_item(SubmissionRecord(
            submission_id=submission_id, campaign_id=campaign.id, unit_id=unit.unit_id, unit_path=unit.path,
            unit_sort=unit_sort(unit.path, created, submission_id), status="published",
            status_sort=status_sort("published", created, submission_id), status_changed_at=created,
            created_at=created, title=title,
            authors=[{"name": "Nguyễn Văn A", "email": "a@example.vn"}], file_name="bai-du-thi.mp4",
            content_type="video/mp4", declared_size=48_000_000, access_token_hash="x" * 64,
            upload_key=f"uploads/{campaign.id}/{submission_id}/bai-du-thi.mp4", upload_kind="post",
            campaign_week=week_key, platform_video=f"tiktok#{video_id}", published_at=published_at,
            review=review, unit_name=unit.name,
        ).serialize())
        hours = (previous - published_at).total_seconds() / 3600
        basis = boundary_basis([Snapshot(previous, TIKTOK_SOURCE, reading(tiktok_counts(n, hours)))], (start, end))
        live = live_entry_score(campaign, WEEK, published_at, basis, previous)
        scores.put_item(ScoreRecord(
            campaign_week=week_key, submission_id=submission_id, score=sortable_score(live.total),
            breakdown=live.breakdown(), unit_id=unit.unit_id, title=title, flags=list(live.flags) or None,
            updated_at=previous, basis=snapshots_to_items(basis), unit_name=unit.name, url=url,
        ).serialize())
        published_counts[unit.unit_id] += 1
        listed.append((submission_id, video_id))

    # 1,000,000 counted submissions: the published entries above and 900,000 others, over every unit.
    counts: dict[str, Counter] = defaultdict(Counter)
    by_id = {u.unit_id: u for u in grassroots}
    others = COUNTED_SUBMISSIONS - entries
    per_unit = [others // len(grassroots) + (1 if i < others % len(grassroots) else 0) for i in range(len(grassroots))]
    for unit, extra in zip(grassroots, per_unit):
        published = published_counts[unit.unit_id]
        total = published + extra
        counts[unit.unit_id].update(entries=total, valid=published + extra * 7 // 10,
                                    invalid=extra * 2 // 10, approved=published, published=published)
    print(f"  {entries:,} submission and score items put", file=sys.stderr, flush=True)
    services().counter_store.write_bulk((campaign.id, uid, by_id[uid].path, dict(c)) for uid, c in counts.items())
    print("  counters and aggregates written", file=sys.stderr, flush=True)
    first_day = (start - timedelta(days=COUNTED_DAYS)).date()
    per_day = [COUNTED_SUBMISSIONS // COUNTED_DAYS + (1 if d < COUNTED_SUBMISSIONS % COUNTED_DAYS else 0)
               for d in range(COUNTED_DAYS)]
    services().counter_store.write_daily_bulk(
        (campaign.id, (first_day + timedelta(days=d)).isoformat(), n, n * 9 // 10) for d, n in enumerate(per_day))

    return ScaleWorld(campaign=campaign, week=WEEK, at=at, start=start, end=end, tree=tree, province=provinces[0],
                      grassroots=grassroots, entries=listed, counted_submissions=COUNTED_SUBMISSIONS,
                      endpoint_url=endpoint_url, table_prefix=table_prefix, upload_bucket=upload_bucket)


def measure_reports(world: ScaleWorld) -> dict:
    """The national and a province roll-up, the public counter and a 100,000-row export, from
    bench/scale_reports.py (another helper's) once it exists.

    PLACEHOLDER until bench/scale_reports.py lands: its figures are then missing (None)."""
    try:
        from scale_reports import measure_reports_and_export  # bench/ is on sys.path
    except ImportError:
        return {}
    return measure_reports_and_export(world)


def utc_hour(moment: datetime | None = None) -> datetime:
    moment = moment or datetime.now(timezone.utc)
    return moment.replace(minute=0, second=0, microsecond=0)
