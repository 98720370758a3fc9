"""What the leaderboard and the public campaign page show beyond the stored scores: unit names,
the entries' platform links, each score part marked measured or not, and the week on now.
Presentation only: the scores themselves come from the engagement service as stored."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.campaign import Campaign, campaign_not_found
from chalicelib.domain.campaign_changes import visible_to
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.weeks import week_window
from chalicelib.services.engagement import EngagementService
from chalicelib.services.ports import CachedTree, Campaigns, CompetingEntries

PUBLIC_BOARD_ROWS = 20
PUBLIC_TTL_SECONDS = 60.0


def shown_week(campaign: Campaign, now: datetime) -> int | None:
    """The week being voted on now; between weeks the last one that started; before any, the first."""
    started = [w.number for w in campaign.voting_weeks if week_window(campaign, w.number)[0] <= now]
    if started:
        return max(started, key=lambda n: week_window(campaign, n)[0])
    return campaign.voting_weeks[0].number if campaign.voting_weeks else None


@dataclass
class LeaderboardView:
    engagement: EngagementService
    entries: CompetingEntries
    tree: CachedTree

    def rows(self, campaign_id: str, week: int, limit: int) -> dict:
        board = self.engagement.leaderboard(campaign_id, week, limit)
        self._label_unlabelled(board["rows"])
        for row in board["rows"]:
            unmeasured = set(row.get("unmeasured_metrics") or [])
            row["breakdown"] = [{**part, "measured": part.get("metric") not in unmeasured and part.get("value") is not None}
                                for part in row.get("breakdown") or []]
        return board

    def _label_unlabelled(self, rows: list[dict]) -> None:
        """Score items keep the unit's name and the platform link; only rows from items written
        before they were kept are named from the tree and linked from their entries, so a
        current board reads nothing beyond its score items."""
        unnamed = [r for r in rows if not r.get("unit_name")]
        unlinked = [r for r in rows if not r.get("url")]
        if unnamed:
            tree = self.tree.tree()
            for row in unnamed:
                unit = tree.find(row["unit_id"]) if row.get("unit_id") else None
                row["unit_name"] = unit.name if unit else row.get("unit_id")
        found = self.entries.many(r["entry_id"] for r in unlinked) if unlinked else {}
        for row in unlinked:
            entry = found.get(row["entry_id"])
            row["url"] = entry.publication.get("url") if entry else None


@dataclass
class PublicBoard:
    """The campaign page without sign-in: its name, the week shown, the top rows with only what
    is public anyway (title, unit name, platform link, score). Cached per warm Lambda a minute."""

    campaigns: Campaigns
    leaderboard: LeaderboardView
    ttl_seconds: float = PUBLIC_TTL_SECONDS
    clock: Any = time.monotonic
    _cache: dict[str, tuple[float, dict]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def for_campaign(self, campaign_id: str, now: datetime) -> dict:
        with self._lock:
            cached = self._cache.get(campaign_id)
            if cached and self.clock() - cached[0] < self.ttl_seconds:
                return cached[1]
        page = self._compute(campaign_id, now)
        with self._lock:
            self._cache[campaign_id] = (self.clock(), page)
        return page

    def _compute(self, campaign_id: str, now: datetime) -> dict:
        campaign = self.campaigns.require(campaign_id)
        if not visible_to(campaign, None):  # a draft or an archived campaign has no public page
            raise campaign_not_found()
        week = shown_week(campaign, now)
        rows: list[dict] = []
        window = None
        if week is not None:
            start, end = week_window(campaign, week)
            window = {"starts_at": iso_utc(start), "ends_at": iso_utc(end)}
            board = self.leaderboard.rows(campaign_id, week, PUBLIC_BOARD_ROWS)
            rows = [{"rank": r["rank"], "title": r["title"], "unit_name": r["unit_name"], "url": r["url"],
                     "score": r["score"]} for r in board["rows"]]
        return {
            "campaign_id": campaign.id, "name_vi": campaign.name_vi, "name_en": campaign.name_en,
            "timezone": campaign.timezone, "hashtag": campaign.hashtag, "week": week, "week_window": window,
            "weeks": [w.number for w in campaign.voting_weeks], "as_of": iso_utc(now), "rows": rows,
        }

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
