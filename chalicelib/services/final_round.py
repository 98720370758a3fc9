"""The final round and the prizes: jury pool, judges' scorecards, results, special awards."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from chalicelib.domain import exports, week_result
from chalicelib.domain.awards import AwardEntry, campaign_end, special_awards
from chalicelib.domain.campaign import Campaign
from chalicelib.domain.display import local_time
from chalicelib.domain.entry_views import jury_labels
from chalicelib.domain.entry import Entry
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.exports import Sheet
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.jury import Finalist, Judge, JuryPool, in_subtree, jury_pool, jury_results, score_entry
from chalicelib.domain.scope import Principal, require_role
from chalicelib.domain.submission import parse_request
from chalicelib.domain import entry_status
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import Scorecards
from chalicelib.services.week_results import WeekResultsService, bounded_history


class ScorecardRequest(BaseModel):
    # Only the points: the judge, the entry and the campaign come from the URL and the token.
    model_config = ConfigDict(extra="forbid")

    points: dict[str, Any]


def finalist_not_found() -> NotFound:
    return NotFound(
        "Bài dự thi không nằm trong vòng chung khảo.", "The entry is not in the final round.",
        code="finalist_not_found",
    )


def _judge(principal: Principal) -> Judge:
    return Judge(principal.username or principal.user_id, principal.unit_path)


@dataclass
class FinalRoundService:
    weeks: WeekResultsService
    jury_scores: Scorecards
    audit: AuditLog

    # --- pool -----------------------------------------------------------------
    def _pool(self, campaign: Campaign) -> JuryPool:
        results = []
        for voting_week in campaign.voting_weeks:
            latest = self.weeks.results.latest(campaign.id, voting_week.number)
            if latest is not None:
                results.append(week_result.WeekResult.from_dict(latest.document))
        return jury_pool(campaign, results)  # weeks_not_frozen until every week is closed

    def _require_pool_reader(self, principal: Principal, campaign: Campaign) -> None:
        if principal.role != "jury":
            self.weeks.require_organiser(principal, campaign)

    def may_judge(self, principal: Principal, entry: Entry) -> bool:
        """A judge reaches an entry only in its campaign's final pool and outside their own subtree."""
        if principal.role != "jury":
            return False
        try:
            pool = self._pool(self.weeks.campaign(entry.campaign_id))
        except Conflict:  # weeks not frozen yet: there is no pool
            return False
        return entry.submission_id in pool.entry_ids and not in_subtree(entry.unit_path, principal.unit_path)

    def finalists(self, campaign_id: str, principal: Principal) -> dict:
        campaign = self.weeks.campaign(campaign_id)
        self._require_pool_reader(principal, campaign)
        pool = self._pool(campaign)
        records = self.weeks.submissions.many(pool.entry_ids)
        tree = self.weeks.units.whole_tree()
        mine = {}
        if principal.role == "jury":
            judge_id = _judge(principal).judge_id
            mine = {s.card.entry_id: s.card.to_dict()
                    for s in self.jury_scores.for_campaign(campaign.id) if s.card.judge_id == judge_id}
        finalists = []
        for entry in pool.entries:
            record = records.get(entry.entry_id)
            item = {**entry.to_dict(), **jury_labels(record, tree)}
            if principal.role == "jury":
                item["can_score"] = record is not None and not in_subtree(record.unit_path, principal.unit_path)
                item["my_scorecard"] = mine.get(entry.entry_id)
            finalists.append(item)
        return {
            "campaign_id": campaign.id,
            "criteria": [c.model_dump() for c in campaign.jury_criteria],
            "finalists": finalists,
            "week_versions": pool.to_dict()["week_versions"],
            "pending_confirmation": list(pool.pending_confirmation),
        }

    # --- scoring --------------------------------------------------------------
    def score(self, campaign_id: str, submission_id: str, principal: Principal, body: dict, now: datetime) -> dict:
        require_role(principal, "jury")
        request = parse_request(ScorecardRequest, body)
        assert isinstance(request, ScorecardRequest)
        campaign = self.weeks.campaign(campaign_id)
        pool = self._pool(campaign)
        entry = next((e for e in pool.entries if e.entry_id == submission_id), None)
        record = self.weeks.submissions.get(submission_id) if entry else None
        if entry is None or record is None:
            raise finalist_not_found()
        judge = _judge(principal)
        card = score_entry(campaign, judge, Finalist(submission_id, record.unit_path, entry.week), request.points)
        previous = self.jury_scores.put(campaign.id, card, judge.unit_path, now)
        self.audit.record(
            principal, "jury_score", "submission", submission_id, now, campaign_id=campaign.id,
            before=previous.card.to_dict() if previous else None, after=card.to_dict(),
        )
        return {**card.to_dict(), "scored_at": iso_utc(now), "replaced_previous": previous is not None}

    # --- results --------------------------------------------------------------
    def results(self, campaign_id: str, principal: Principal) -> dict:
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        pool = self._pool(campaign)
        records = self.weeks.submissions.many(pool.entry_ids)
        weeks_of = {e.entry_id: e.week for e in pool.entries}
        finalists = [Finalist(e.entry_id, records[e.entry_id].unit_path, e.week)
                     for e in pool.entries if e.entry_id in records]
        stored = self.jury_scores.for_campaign(campaign.id)
        # A card for an entry that has since left the pool (disqualified after
        # scoring) no longer counts; it is listed, not silently dropped.
        in_pool = [s for s in stored if s.card.entry_id in weeks_of]
        outside = [s.card.to_dict() for s in stored if s.card.entry_id not in weeks_of]
        judges = {s.card.judge_id: Judge(s.card.judge_id, s.judge_unit_path) for s in in_pool}
        result = jury_results(campaign, finalists, list(judges.values()), [s.card for s in in_pool])
        tree = self.weeks.units.whole_tree()
        tiers = {t.key: t for t in campaign.prizes}
        standings = []
        for standing in result.standings:
            item = {**standing.to_dict(), **jury_labels(records.get(standing.entry_id), tree),
                    "week": weeks_of.get(standing.entry_id)}
            tier = tiers.get(standing.prize) if standing.prize else None
            item["prize_name_vi"] = tier.name_vi if tier else None
            item["prize_name_en"] = tier.name_en if tier else None
            standings.append(item)
        return {
            **result.to_dict(),
            "campaign_id": campaign.id,
            "standings": standings,
            "criteria": [c.model_dump() for c in campaign.jury_criteria],
            "prize_tiers": [t.model_dump() for t in campaign.prizes],
            "judges": sorted(judges),
            "scorecards_outside_final": outside,
            "pending_confirmation": list(pool.pending_confirmation),
        }

    def results_sheet(self, view: dict, name: str) -> Sheet:
        """The results `view` as the list certificates are written from: authors' names, their
        unit and its parent. Authors' contacts are not in it: who may see those is decided with
        the campaign's reviewers (issue item 5), and each such export is to be audited."""
        campaign = self.weeks.campaign(view["campaign_id"])
        entry_ids = [s["entry_id"] for s in view["standings"]]
        records = self.weeks.submissions.many(entry_ids)
        tree = self.weeks.units.whole_tree()
        details = {e: exports.entry_details(records.get(e), tree) for e in entry_ids}
        return exports.results_sheet(view, name, details, exports.results_title(campaign, view))

    # --- special awards -------------------------------------------------------
    def awards(self, campaign_id: str, principal: Principal, now: datetime) -> dict:
        """Counted at the campaign's end (provisional, as of now, before it)."""
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        end = campaign_end(campaign)
        at = min(now, end)
        submissions = self.weeks.submissions
        # Valid: passed review and not disqualified (approved entries may still await publication).
        records = [r for status in (entry_status.PUBLISHED, entry_status.APPROVED)
                   for r in submissions.in_status(campaign.id, status)]
        entries = [
            AwardEntry(
                r.submission_id, r.unit_id, r.published_at or r.created_at, True,
                bounded_history(self.weeks.snapshots, r.submission_id, r.published_at, at, at, now)
                if r.published_at else (),
            )
            for r in records
        ]
        tree = self.weeks.units.whole_tree()
        by_id = {r.submission_id: r for r in records}
        outcomes = []
        for outcome in special_awards(campaign, entries, at=at):
            item = outcome.to_dict()
            if outcome.kind == "most_entries_unit":
                item["winner_details"] = [
                    {"unit_id": u, "unit_name": (tree.find(u).name if tree.find(u) else u)} for u in outcome.winners
                ]
            else:
                item["winner_details"] = [
                    {"entry_id": e, **jury_labels(by_id.get(e), tree)} for e in outcome.winners
                ]
            outcomes.append(item)
        return {
            "campaign_id": campaign.id,
            "at": iso_utc(at),
            "at_local": local_time(at, campaign.timezone),
            "provisional": now < end,
            "awards": outcomes,
        }
