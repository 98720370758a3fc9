"""The request shape of ingestion, the weekly close and the leaderboards at small N, counted on
the DynamoDB clients with botocore's after-call event (issue 10): full batches, the campaign once
per chunk, no entry's history read, the close's requests growing by pages and not by entries."""
from __future__ import annotations

import dataclasses
import math
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters.dynamodb.models import ALL_MODELS, SubmissionRecord
from chalicelib.adapters.dynamodb.submissions import status_sort, unit_sort
from chalicelib.adapters.engagement_sources import fetch_in_calls
from chalicelib.bootstrap import services
from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.ingestion import Chunk, PublishedEntry, campaign_week_key, run_id
from chalicelib.domain.scope import Principal
from chalicelib.domain.weeks import week_window
from chalicelib.local.seed import SAMPLES

ADMIN = Principal(user_id="admin", role="admin", username="admin")
UNITS = ("ha-noi-ba-dinh", "ha-noi-ba-dinh-kim-ma", "dk-tw-bo-ct-vp")


class Requests:
    """DynamoDB requests by operation and table, from every client the adapters use."""

    def __init__(self) -> None:
        self.by_target: Counter = Counter()
        self.items_read = 0
        self._clients = []

    def _before(self, params=None, model=None, **_):
        table = (params or {}).get("TableName") or ",".join(sorted((params or {}).get("RequestItems") or {}))
        self.by_target[(model.name, table.split("contest-")[-1])] += 1

    def _after(self, parsed=None, **_):
        parsed = parsed or {}
        self.items_read += (len(parsed.get("Items") or []) + (1 if parsed.get("Item") else 0)
                            + sum(len(items) for items in (parsed.get("Responses") or {}).values()))

    def __enter__(self) -> "Requests":
        from chalicelib.adapters.dynamodb.counters import transaction_connection

        clients = {m._get_connection().connection.client for m in ALL_MODELS}
        clients.add(transaction_connection().client)
        clients.add(services().batch_writer.client)
        for client in clients:
            client.meta.events.register("before-parameter-build.dynamodb", self._before)
            client.meta.events.register("after-call.dynamodb", self._after)
            self._clients.append(client)
        return self

    def __exit__(self, *_):
        for client in self._clients:
            client.meta.events.unregister("before-parameter-build.dynamodb", self._before)
            client.meta.events.unregister("after-call.dynamodb", self._after)

    def count(self, operation: str, table_suffix: str = "") -> int:
        return sum(n for (op, table), n in self.by_target.items() if op == operation and table.endswith(table_suffix))

    @property
    def total(self) -> int:
        return sum(self.by_target.values())


@dataclasses.dataclass
class CountingTikTok:
    name: str = "tiktok-display-api"
    platform: str = "tiktok"
    ids_per_call: int = 20
    calls: int = 0

    def fetch(self, videos, at):
        def query(ids):
            self.calls += 1
            return {i: {"likes": 100 + len(i), "shares": 3, "comments": 1, "views": 1000} for i in ids}
        return fetch_in_calls(videos, self.ids_per_call, query)


@pytest.fixture
def campaign(seeded_cloud):
    """Seed 000 under a fresh id, moved a year back so every week is over."""
    sample = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
    copy = sample.shifted_by_weeks(-60).model_copy(update={"id": f"kvhc-scale-{uuid.uuid4().hex[:8]}"})
    services().campaign_store.put(copy)
    return copy


def published(campaign, count: int) -> list[PublishedEntry]:
    start, _ = week_window(campaign, 1)
    created = start - timedelta(days=3)
    entries = []
    with SubmissionRecord.batch_write() as batch:
        for n in range(count):
            unit = services().org_unit_store.find(UNITS[n % len(UNITS)])
            submission_id = f"s-{uuid.uuid4().hex[:12]}"
            published_at = start + timedelta(minutes=5 + n)
            url = f"https://www.tiktok.com/@doanthanhnien/video/v{n:05d}"
            batch.save(SubmissionRecord(
                submission_id=submission_id, campaign_id=campaign.id, unit_id=unit.unit_id, unit_path=unit.path,
                unit_sort=unit_sort(unit.path, created, submission_id), status="published",
                status_sort=status_sort("published", created, submission_id), status_changed_at=created,
                created_at=created, title=f"Bài {n}", authors=[], file_name="a.mp4", content_type="video/mp4",
                declared_size=1, access_token_hash="x", upload_key=f"uploads/{submission_id}", upload_kind="post",
                campaign_week=campaign_week_key(campaign.id, 1), platform_video=f"tiktok#v{n:05d}",
                published_at=published_at, unit_name=unit.name, review={"publication": {"url": url}},
            ))
            entries.append(PublishedEntry(submission_id, "tiktok", f"v{n:05d}", published_at, unit.unit_id, f"Bài {n}",
                                          unit.name, url))
    return entries


def ingest(campaign, entries, at: datetime, source: CountingTikTok) -> Requests:
    engagement = dataclasses.replace(services().engagement, source_for=lambda platform: source)
    services().ingestion_run_store.start(campaign.id, run_id(at, 1), 1, at, "hourly", len(entries), 1, 0, at)
    chunk = Chunk(campaign.id, 1, at, run_id(at, 1), 1, "tiktok", tuple(entries))
    with Requests() as requests:
        engagement.ingest_chunk(chunk, at)
    return requests


def test_a_chunk_of_100_entries_reads_the_campaign_once_writes_full_batches_and_no_history(campaign):
    # Given 100 published entries measured once already (their score items keep their boundary readings)
    entries = published(campaign, 100)
    start, end = week_window(campaign, 1)
    ingest(campaign, entries, start + timedelta(hours=1), CountingTikTok())
    # When the next hourly round reads them
    source = CountingTikTok()
    requests = ingest(campaign, entries, start + timedelta(hours=2), source)
    # Then TikTok is called ceil(100 / 20) = 5 times
    assert source.calls == math.ceil(100 / 20)
    # And DynamoDB sees: the campaign once, the score items in one batch of 100, 4 full batches of 25
    # per table, the run's bookkeeping once; no entry's history is read; this chunk being the run's
    # last, the week is ranked: one Query of its scores and one PutItem of its kept board
    assert requests.count("GetItem", "campaigns") == 1
    assert requests.count("BatchGetItem") == 1
    assert requests.count("BatchWriteItem", "snapshots") == 4
    assert requests.count("BatchWriteItem", "scores") == 4
    assert requests.count("Query", "snapshots") == 0
    assert requests.count("Query", "scores") == 1 and requests.count("PutItem", "live-tops") == 1
    assert requests.total <= 100 // 10 + 4


def test_the_board_is_ranked_once_a_round_by_its_last_chunk_and_read_in_one_item(campaign):
    # Given a round of 40 entries planned in two chunks
    entries = published(campaign, 40)
    start, _ = week_window(campaign, 1)
    at = start + timedelta(hours=1)
    engagement = dataclasses.replace(services().engagement, source_for=lambda platform: CountingTikTok())
    services().ingestion_run_store.start(campaign.id, run_id(at, 1), 1, at, "hourly", 40, 2, 0, at)
    chunks = [Chunk(campaign.id, 1, at, run_id(at, 1), n, "tiktok", tuple(entries[n * 20:(n + 1) * 20]))
              for n in (0, 1)]
    # When the first chunk lands, the week is not ranked; when the second does, it is
    with Requests() as first:
        engagement.ingest_chunk(chunks[0], at)
    with Requests() as second:
        engagement.ingest_chunk(chunks[1], at)
    assert first.count("Query", "scores") == 0 and first.count("PutItem", "live-tops") == 0
    assert second.count("Query", "scores") == 1 and second.count("PutItem", "live-tops") == 1
    # And the top 20 is one GetItem of the kept rows, highest first, all 40 entries ranked
    with Requests() as board:
        rows = services().engagement.leaderboard(campaign.id, 1, 20)["rows"]
    assert board.count("GetItem", "live-tops") == 1 and board.count("Query") == 1  # the week's results
    assert len(rows) == 20 and [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_the_close_of_250_entries_reads_pages_not_entries_and_its_top_20_reads_one_result_item(campaign):
    # Given 250 entries read at the week's open and at its close
    entries = published(campaign, 250)
    start, end = week_window(campaign, 1)
    ingest(campaign, entries, start + timedelta(hours=1), CountingTikTok())
    ingest(campaign, entries, end, CountingTikTok())
    # When an admin closes the week
    with Requests() as requests:
        outcome = services().week_results.close_week(campaign.id, 1, end + timedelta(minutes=5), ADMIN,
                                                      confirm_unmeasured=True)
    # Then it is frozen from a handful of Query pages: no Query or GetItem per entry
    assert outcome["outcome"] == "closed"
    assert requests.count("Query", "snapshots") == 0
    assert requests.total <= 20, requests.by_target
    # And verify-week recomputes it from the readings it recorded
    assert services().week_results.verify(campaign.id, 1)["ok"]
    # And the week's top 20 comes from the result's item and 20 score items, not the whole result
    with Requests() as requests:
        board = services().engagement.leaderboard(campaign.id, 1, 20)
    assert board["frozen"] and board["version"] == 1 and len(board["rows"]) == 20
    assert [r["rank"] for r in board["rows"]] == sorted(r["rank"] for r in board["rows"])
    assert requests.count("Scan") == 0 and requests.total <= 3


def test_a_live_top_20_reads_its_kept_labelled_rows_and_nothing_else(campaign):
    # Given 30 published entries whose score items a round labelled with their unit's name and link
    entries = published(campaign, 30)
    start, _ = week_window(campaign, 1)
    ingest(campaign, entries, start + timedelta(hours=1), CountingTikTok())
    services().unit_directory.forget()  # a cold process: the whole tree would be read if asked
    # When the week's live top 20 is shown
    with Requests() as requests:
        board = services().leaderboard_view.rows(campaign.id, 1, 20)
    # Then its rows are named and linked from the week's kept board (one item): no tree, no submission, no Scan
    names = {u: services().org_unit_store.find(u).name for u in UNITS}
    assert len(board["rows"]) == 20
    assert all(r["unit_name"] == names[r["unit_id"]] and r["url"].startswith("https://") for r in board["rows"])
    assert requests.count("Scan") == 0 and requests.count("BatchGetItem") == 0
    assert requests.count("Query", "org-units") == 0 and requests.count("Query", "scores") == 0
    assert requests.count("GetItem", "live-tops") == 1
    assert requests.items_read <= 25, requests.by_target
