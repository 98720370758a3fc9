"""What a participant's status page shows once the entry competes: where it was published, its
voting week with the dates in the campaign's time, its live score, and its rank once the week closed."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.display import local_time
from chalicelib.domain.entry import Entry
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.weeks import week_state, week_window
from chalicelib.services.ports import Campaigns, ClosedWeeks, EntryScores


@dataclass
class EntryProgress:
    campaigns: Campaigns
    scores: EntryScores
    results: ClosedWeeks

    def of(self, entry: Entry, now) -> dict:
        progress: dict = {"publication": None, "voting_week": None, "live_score": None, "week_result": None}
        campaign = self.campaigns.get(entry.campaign_id)
        week = entry.week
        if campaign is None or week is None or campaign.week(week) is None:
            return progress
        publication = entry.publication
        progress["publication"] = {
            "platform": publication.get("platform"),
            "url": publication.get("url"),
            "published_at": iso_utc(entry.published_at) if entry.published_at else None,
        }
        start, end = week_window(campaign, week)
        latest = self.results.latest(campaign.id, week)
        progress["voting_week"] = {
            "number": week,
            "starts_at_local": local_time(start, campaign.timezone),
            "ends_at_local": local_time(end, campaign.timezone),
            "state": week_state(campaign, week, now, closed=latest is not None),
            "weights": dict(campaign.scoring.weights),
        }
        live = self.scores.of_entry(entry.campaign_week or "", entry.submission_id)
        if live is not None:
            progress["live_score"] = {
                "score": live.breakdown.get("total", live.score),
                "breakdown": live.breakdown.get("parts", []),
                "unmeasured_metrics": live.breakdown.get("unmeasured_metrics", []),
                "updated_at": iso_utc(live.updated_at),
            }
        if latest is not None and not latest.pending:
            rows = (latest.document.get("outputs") or {}).get("rows") or []
            mine = next((r for r in rows if r.get("entry_id") == entry.submission_id), None)
            if mine is not None:
                progress["week_result"] = {
                    "rank": mine["rank"], "of": len(rows), "score": mine["score"],
                    "breakdown": mine.get("breakdown", []), "winner": bool(mine.get("winner")),
                    "finalist": bool(mine.get("finalist")), "version": latest.version,
                }
        return progress
