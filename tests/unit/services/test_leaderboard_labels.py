"""A leaderboard row is labelled from its score item: the unit's name and the platform link are kept
there when ingestion writes it, so a top-20 reads no tree and no entry (issue 10). Only a row whose
score item was written before the labels were kept is named from the tree and linked from its entry."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.ingestion import Chunk
from chalicelib.services.engagement import EngagementService
from chalicelib.services.public_pages import LeaderboardView
from chalicelib.services.review import ReviewService
from chalicelib.services.week_results import WeekResultsService
from tests.fakes.stores import FakeIngestionRuns, FakeLiveScores, FakePublishedEntries, FakeQueue, FakeSnapshotWriter, \
    FakeSource
from tests.fakes.world import ADMIN, TREE

PUBLISHED_AT = "2024-08-05T09:00:00+07:00"  # voting week 1 of the sample campaign
PUBLISHED_ON = datetime(2024, 8, 6, 3, 0, tzinfo=timezone.utc)
READ_AT = datetime(2024, 8, 7, 3, 0, tzinfo=timezone.utc)
UNIT = "ha-noi-ba-dinh-kim-ma"
LIKES = {"v1": 300, "v2": 200, "v3": 100}


class CountingTree:
    def __init__(self, tree) -> None:
        self._tree = tree
        self.reads = 0

    def tree(self):
        self.reads += 1
        return self._tree

    def forget(self) -> None:
        pass


class CountingEntries:
    def __init__(self, entries) -> None:
        self._entries = entries
        self.asked: list[list[str]] = []

    def many(self, submission_ids):
        ids = list(submission_ids)
        self.asked.append(ids)
        return self._entries.many(ids)


@dataclasses.dataclass
class FrozenTop:
    """A closed week whose frozen ranking's first rows are `top`."""

    top: list[dict]

    def latest_top(self, campaign_id: str, week: int):
        return 1, "sha256:frozen", self.top

    def latest(self, campaign_id: str, week: int):
        return None


@dataclasses.dataclass
class Board:
    engagement: EngagementService
    review: ReviewService
    view: LeaderboardView
    tree: CountingTree
    entries: CountingEntries


@pytest.fixture
def board(world) -> Board:
    tiktok = FakeSource("tiktok", {v: {"likes": n, "comments": 0, "shares": 0, "views": 1000, "saves": None,
                                       "reposts": None} for v, n in LIKES.items()})
    sheet = [["Mã video", "Lượt thích"], ["v1", 400]]
    engagement = EngagementService(
        world.campaigns, FakePublishedEntries(world.entries), FakeSnapshotWriter(), FakeLiveScores(),
        FakeIngestionRuns(), FakeQueue(), lambda platform: tiktok if platform == "tiktok" else None,
        read_table=lambda content, file_name: sheet,
    )
    weeks = WeekResultsService(world.campaigns, world.entries, world.snapshots, world.week_results, world.units,
                               world.audit, world.best_scores)
    review = ReviewService(world.entries, world.snapshots, weeks, world.audit, world.units)
    tree, entries = CountingTree(TREE), CountingEntries(world.entries)
    return Board(engagement, review, LeaderboardView(engagement, entries, tree), tree, entries)  # type: ignore[arg-type]


def link(video_id: str) -> str:
    return f"https://www.tiktok.com/@doanthanhnien/video/{video_id}"


def published(world, board: Board, video_id: str) -> str:
    entry = world.entry(UNIT, status="approved")
    board.review.publish(ADMIN, entry.submission_id, {"platform": "tiktok", "video_id": video_id,
                                                      "url": link(video_id), "published_at": PUBLISHED_AT},
                         PUBLISHED_ON)
    return entry.submission_id


def ingest_round(board: Board, drop_labels: bool = False) -> None:
    """One hourly round; `drop_labels`: its chunk messages are as a deployment before the labels sent them."""
    board.engagement.fan_out(READ_AT, "hourly", READ_AT)
    for message in board.engagement.queue.sent:
        if drop_labels:
            message = {**message, "entries": [{k: v for k, v in e.items() if k not in ("unit_name", "url")}
                                              for e in message["entries"]]}
        board.engagement.ingest_chunk(Chunk.from_message(message), READ_AT)


def test_publishing_keeps_the_units_name_on_the_entry(world, board):
    entry_id = published(world, board, "v1")

    assert world.entries.get(entry_id).unit_name == TREE.find(UNIT).name


def test_a_round_labels_the_score_items_and_the_board_reads_no_tree_and_no_entry(world, board):
    # Given three entries published through review and read by one ingestion round
    ids = [published(world, board, v) for v in LIKES]
    ingest_round(board)

    # When the live top 20 is shown
    rows = board.view.rows(world.campaign.id, 1, 20)["rows"]

    # Then each row carries its unit's name and its platform link, from its score item alone
    assert [r["entry_id"] for r in rows] == ids
    assert [(r["unit_name"], r["url"]) for r in rows] == [(TREE.find(UNIT).name, link(v)) for v in LIKES]
    assert board.tree.reads == 0 and board.entries.asked == []
    stored = board.engagement.scores.rows[(f"{world.campaign.id}#1", ids[0])]
    assert (stored.unit_name, stored.url) == (TREE.find(UNIT).name, link("v1"))


def test_chunks_queued_before_the_labels_still_ingest_and_their_rows_are_looked_up(world, board):
    # Given a round whose chunk messages were queued by the deployment before this one (no labels)
    ids = [published(world, board, v) for v in LIKES]
    ingest_round(board, drop_labels=True)
    assert all(r.unit_name is None and r.url is None for r in board.engagement.scores.rows.values())

    rows = board.view.rows(world.campaign.id, 1, 20)["rows"]

    # Then the board still names and links every row, by the lookups of before
    assert [(r["unit_name"], r["url"]) for r in rows] == [(TREE.find(UNIT).name, link(v)) for v in LIKES]
    assert board.entries.asked == [ids] and board.tree.reads == 1


def test_only_the_rows_without_labels_are_looked_up(world, board):
    # Given labelled score items but the first one's, written before the labels were kept
    ids = [published(world, board, v) for v in LIKES]
    ingest_round(board)
    key = (f"{world.campaign.id}#1", ids[0])
    board.engagement.scores.rows[key] = dataclasses.replace(board.engagement.scores.rows[key], unit_name=None, url=None)
    board.engagement.scores.rank(key[0])

    rows = board.view.rows(world.campaign.id, 1, 20)["rows"]

    # Then every row is labelled, and only the unlabelled one was looked up
    assert [(r["unit_name"], r["url"]) for r in rows] == [(TREE.find(UNIT).name, link(v)) for v in LIKES]
    assert board.entries.asked == [[ids[0]]] and board.tree.reads == 1


def test_a_closed_weeks_board_takes_the_labels_from_the_score_items(world, board):
    ids = [published(world, board, v) for v in LIKES]
    ingest_round(board)
    top = [{"rank": n + 1, "entry_id": entry_id, "score": 10 - n, "breakdown": [], "unmeasured_metrics": [],
            "estimated_metrics": [], "winner": n == 0, "finalist": True} for n, entry_id in enumerate(ids)]
    board.engagement.closed_weeks = FrozenTop(top)  # type: ignore[assignment]

    frozen = board.view.rows(world.campaign.id, 1, 20)

    assert frozen["frozen"] and [r["entry_id"] for r in frozen["rows"]] == ids
    assert [(r["unit_name"], r["url"]) for r in frozen["rows"]] == [(TREE.find(UNIT).name, link(v)) for v in LIKES]
    assert board.tree.reads == 0 and board.entries.asked == []


def test_an_imported_sheet_writes_labelled_score_items(world, board):
    entry_id = published(world, board, "v1")

    board.engagement.import_sheet(world.campaign.id, ADMIN, b"sheet", "studio.csv", READ_AT,
                                  READ_AT + timedelta(minutes=1))

    stored = board.engagement.scores.rows[(f"{world.campaign.id}#1", entry_id)]
    assert (stored.unit_name, stored.url) == (TREE.find(UNIT).name, link("v1"))
