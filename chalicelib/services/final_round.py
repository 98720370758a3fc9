"""The final round and the prizes: jury pool, judges' scorecards, results, special awards."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain import exports, week_result
from chalicelib.domain.awards import AwardEntry, campaign_end, special_awards
from chalicelib.domain.campaign import Campaign
from chalicelib.domain.display import local_time
from chalicelib.domain.entry_views import jury_labels
from chalicelib.domain.entry import Entry
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.exports import Sheet
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.jury import (
    Finalist,
    Judge,
    JudgeAssignment,
    JuryPool,
    NotAssigned,
    check_declared_conflicts,
    judge_for,
    jury_pool,
    jury_results,
    score_entry,
)
from chalicelib.domain.scope import Principal, require_role
from chalicelib.domain.submission import parse_request
from chalicelib.domain import entry_status
from chalicelib.services.audit import AuditLog
from chalicelib.domain import result_publication
from chalicelib.services.notifications import SILENT
from chalicelib.services.ports import JudgePanels, NotificationEvents, ResultPublications, Scorecards
from chalicelib.services.week_results import WeekResultsService, bounded_history


JUDGE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$"
MAX_PANEL = 100
MAX_DECLARED_UNITS = 50


class PanelRequest(BaseModel):
    """The campaign's whole panel: judges' usernames (sign-in names of accounts in the jury group)."""
    model_config = ConfigDict(extra="forbid")

    judges: list[Annotated[str, Field(pattern=JUDGE_ID_PATTERN)]] = Field(max_length=MAX_PANEL)


class ConflictDeclaration(BaseModel):
    """The units a judge declares as their own for this campaign (their branch, their employer...)."""
    model_config = ConfigDict(extra="forbid")

    unit_ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(max_length=MAX_DECLARED_UNITS)


class ScorecardRequest(BaseModel):
    # Only the points: the judge, the entry and the campaign come from the URL and the token.
    model_config = ConfigDict(extra="forbid")

    points: dict[str, Any]


def finalist_not_found() -> NotFound:
    return NotFound(
        "Bài dự thi không nằm trong vòng chung khảo.", "The entry is not in the final round.",
        code="finalist_not_found",
    )


def _published_view(document: dict) -> dict:
    return {**result_publication.summary(document), "standings": document["standings"],
            "judges": document["judges"], "pool": document["pool"],
            "verified": result_publication.verify_publication(document)}


def _judge_id(principal: Principal) -> str:
    return principal.username or principal.user_id


def not_assigned(campaign: Campaign) -> NotAssigned:
    return NotAssigned(
        "Bạn không thuộc Ban giám khảo của cuộc thi này.",
        "You are not on this campaign's jury.",
        campaign_id=campaign.id,
    )


def _blind(item: dict) -> dict:
    """What a judge of a blind campaign sees of a finalist: no authors, unit, weekly position or
    platform link (the post shows its author and engagement)."""
    hidden = {"unit_id", "unit_name", "position", "url", "authors"}
    return {key: value for key, value in item.items() if key not in hidden}


@dataclass
class FinalRoundService:
    weeks: WeekResultsService
    jury_scores: Scorecards
    audit: AuditLog
    panel: JudgePanels
    publications: ResultPublications | None = None
    notifications: NotificationEvents = SILENT

    # --- the panel ------------------------------------------------------------
    def _organiser_path(self, campaign: Campaign) -> str | None:
        unit = self.weeks.units.find(campaign.organiser_unit) if campaign.organiser_unit else None
        return unit.path if unit else None

    def _paths(self, unit_ids) -> dict[str, str | None]:
        found = {}
        for unit_id in unit_ids:
            unit = self.weeks.units.find(unit_id)
            found[unit_id] = unit.path if unit else None
        return found

    def _unit_names(self, unit_ids) -> dict[str, str | None]:
        found = {}
        for unit_id in unit_ids:
            unit = self.weeks.units.find(unit_id)
            found[unit_id] = unit.name if unit else None
        return found

    def _judge(self, campaign: Campaign, assignment: JudgeAssignment, account_unit_path: str | None) -> Judge:
        declared = [p for p in self._paths(assignment.conflict_units).values() if p]
        return judge_for(assignment.judge_id, account_unit_path, self._organiser_path(campaign), declared)

    def _assigned_judge(self, principal: Principal, campaign: Campaign) -> Judge:
        """The calling judge with their conflicts; a judge not on the panel sees nothing (403)."""
        require_role(principal, "jury")
        assignment = self.panel.get(campaign.id, _judge_id(principal))
        if assignment is None:
            raise not_assigned(campaign)
        return self._judge(campaign, assignment, principal.unit_path)

    def judges(self, campaign_id: str, principal: Principal) -> dict:
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        assignments = self.panel.for_campaign(campaign.id)
        names = self._unit_names({unit_id for a in assignments for unit_id in a.conflict_units})
        # The names spare the console one unit look-up per declared conflict.
        judges = [{**a.to_dict(), "conflict_unit_names": {u: names[u] for u in a.conflict_units}} for a in assignments]
        return {"campaign_id": campaign.id, "blind": campaign.jury.blind, "judges": judges}

    def set_judges(self, campaign_id: str, principal: Principal, body: dict, now: datetime) -> dict:
        """Replace the panel; judges who stay keep their declarations, and removing a judge
        sets their scorecards aside (results list them) instead of deleting them."""
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        request = parse_request(PanelRequest, body)
        assert isinstance(request, PanelRequest)
        wanted = list(dict.fromkeys(request.judges))
        before = sorted(a.judge_id for a in self.panel.for_campaign(campaign.id))
        for judge_id in wanted:
            self.panel.assign(JudgeAssignment(campaign.id, judge_id, _judge_id(principal), now))
        for judge_id in set(before) - set(wanted):
            self.panel.remove(campaign.id, judge_id)
        after = sorted(wanted)
        if after != before:
            self.audit.record(principal, "assign_judges", "campaign", campaign.id, now, campaign_id=campaign.id,
                              before={"judges": before}, after={"judges": after})
        return self.judges(campaign_id, principal)

    def declare_conflicts(self, campaign_id: str, principal: Principal, body: dict, now: datetime) -> dict:
        campaign = self.weeks.campaign(campaign_id)
        require_role(principal, "jury")
        assignment = self.panel.get(campaign.id, _judge_id(principal))
        if assignment is None:
            raise not_assigned(campaign)
        request = parse_request(ConflictDeclaration, body)
        assert isinstance(request, ConflictDeclaration)
        paths = self._paths(request.unit_ids)
        units = check_declared_conflicts(request.unit_ids, paths, self._organiser_path(campaign))
        declared = replace(assignment, conflict_units=units, declared_at=now)
        judge = self._judge(campaign, declared, principal.unit_path)
        scored = self.jury_scores.for_campaign(campaign.id)
        records = self.weeks.submissions.many([s.card.entry_id for s in scored if s.card.judge_id == judge.judge_id])
        already = sorted(e for e, r in records.items() if r is not None and judge.conflicts_with(r.unit_path))
        if already:
            raise Conflict(
                "Bạn đã chấm bài dự thi của đơn vị vừa khai báo; hãy báo Ban tổ chức trước khi khai báo.",
                "You have already scored entries of a unit you now declare; tell the organisers first.",
                code="conflict_with_scored_entry", entry_ids=already,
            )
        if not self.panel.declare(declared):
            raise not_assigned(campaign)
        self.audit.record(principal, "declare_conflicts", "campaign", campaign.id, now, campaign_id=campaign.id,
                          before={"conflict_units": list(assignment.conflict_units)},
                          after={"conflict_units": list(units)})
        return {"campaign_id": campaign.id, **declared.to_dict()}

    def campaign(self, campaign_id: str) -> Campaign:
        return self.weeks.campaign(campaign_id)

    # --- pool -----------------------------------------------------------------
    def _pool(self, campaign: Campaign) -> JuryPool:
        results = []
        for voting_week in campaign.voting_weeks:
            latest = self.weeks.results.latest(campaign.id, voting_week.number)
            if latest is not None:
                results.append(week_result.WeekResult.from_dict(latest.document))
        return jury_pool(campaign, results)  # weeks_not_frozen until every week is closed

    def may_judge(self, principal: Principal, entry: Entry) -> bool:
        """A judge reaches an entry only on the campaign's panel, in its final pool, and outside
        the units they have a conflict with."""
        if principal.role != "jury":
            return False
        campaign = self.weeks.campaign(entry.campaign_id)
        try:
            judge = self._assigned_judge(principal, campaign)
            pool = self._pool(campaign)
        except (Conflict, NotAssigned):  # not on the panel, or weeks not frozen yet: there is no pool
            return False
        return entry.submission_id in pool.entry_ids and not judge.conflicts_with(entry.unit_path)

    def finalists(self, campaign_id: str, principal: Principal) -> dict:
        campaign = self.weeks.campaign(campaign_id)
        judge = self._assigned_judge(principal, campaign) if principal.role == "jury" else None
        if judge is None:
            self.weeks.require_organiser(principal, campaign)
        pool = self._pool(campaign)
        records = self.weeks.submissions.many(pool.entry_ids)
        tree = self.weeks.units.whole_tree()
        mine = {}
        if judge is not None:
            mine = {s.card.entry_id: s.card.to_dict()
                    for s in self.jury_scores.for_campaign(campaign.id) if s.card.judge_id == judge.judge_id}
        blind = judge is not None and campaign.jury.blind
        finalists = []
        for entry in pool.entries:
            record = records.get(entry.entry_id)
            item = {**entry.to_dict(), **jury_labels(record, tree)}
            if judge is not None:
                item["can_score"] = record is not None and not judge.conflicts_with(record.unit_path)
                item["my_scorecard"] = mine.get(entry.entry_id)
            finalists.append(_blind(item) if blind else item)
        if blind:  # the weekly order would tell the engagement ranking
            finalists.sort(key=lambda item: item["entry_id"])
        answer = {
            "campaign_id": campaign.id,
            "blind": campaign.jury.blind,
            "criteria": [c.model_dump() for c in campaign.jury_criteria],
            "finalists": finalists,
            "week_versions": pool.to_dict()["week_versions"],
            "pending_confirmation": list(pool.pending_confirmation),
        }
        if judge is not None:
            assignment = self.panel.get(campaign.id, judge.judge_id)
            answer["my_conflict_units"] = list(assignment.conflict_units) if assignment else []
        return answer

    # --- scoring --------------------------------------------------------------
    def score(self, campaign_id: str, submission_id: str, principal: Principal, body: dict, now: datetime) -> dict:
        require_role(principal, "jury")
        campaign = self.weeks.campaign(campaign_id)
        judge = self._assigned_judge(principal, campaign)
        request = parse_request(ScorecardRequest, body)
        assert isinstance(request, ScorecardRequest)
        pool = self._pool(campaign)
        entry = next((e for e in pool.entries if e.entry_id == submission_id), None)
        record = self.weeks.submissions.get(submission_id) if entry else None
        if entry is None or record is None:
            raise finalist_not_found()
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
        view, _counted, _pool = self._live_results(campaign)
        latest = self.publications.latest(campaign.id) if self.publications else None
        view["published"] = _published_view(latest) if latest else None
        return view

    def _live_results(self, campaign: Campaign) -> tuple[dict, list, JuryPool]:
        pool = self._pool(campaign)
        records = self.weeks.submissions.many(pool.entry_ids)
        weeks_of = {e.entry_id: e.week for e in pool.entries}
        finalists = [Finalist(e.entry_id, records[e.entry_id].unit_path, e.week)
                     for e in pool.entries if e.entry_id in records]
        stored = self.jury_scores.for_campaign(campaign.id)
        # The panel as it is now, each judge with their own unit as recorded on their cards.
        own_units = {s.card.judge_id: s.judge_unit_path for s in stored}
        judges = {a.judge_id: self._judge(campaign, a, own_units.get(a.judge_id))
                  for a in self.panel.for_campaign(campaign.id)}
        paths = {f.entry_id: f.unit_path for f in finalists}
        # A card for an entry that has since left the pool (disqualified after scoring), from a
        # judge no longer on the panel, or in conflict since (a unit moved) no longer counts; it is
        # listed, not silently dropped.
        counted = [s for s in stored if s.card.entry_id in paths and s.card.judge_id in judges
                   and not judges[s.card.judge_id].conflicts_with(paths[s.card.entry_id])]
        outside = [s.card.to_dict() for s in stored if s not in counted]
        result = jury_results(campaign, finalists, list(judges.values()), [s.card for s in counted])
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
        }, [s.card.to_dict() for s in counted], pool

    # --- publishing the results ---------------------------------------------------
    def _publications(self) -> ResultPublications:
        assert self.publications is not None, "FinalRoundService needs its publications store to publish"
        return self.publications

    def publish_results(self, campaign_id: str, principal: Principal, now: datetime) -> dict:
        """Freeze the live standings as version n+1, with the pool, panel and scorecards they used;
        each winner hears of their prize once per prize."""
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        view, counted, pool = self._live_results(campaign)
        if pool.pending_confirmation:
            raise result_publication.pool_not_final(pool.pending_confirmation)
        if not counted:
            raise result_publication.nothing_to_publish()
        standings = [{key: s[key] for key in ("position", "rank", "entry_id", "average", "average_exact",
                                              "judge_count", "criteria", "prize", "week")} for s in view["standings"]]
        basis = result_publication.publication_basis(
            campaign.id, {"week_versions": pool.to_dict()["week_versions"]}, view["judges"], counted, standings,
            view["prizes"])
        store = self._publications()
        previous = store.latest(campaign.id)
        document = result_publication.seal_publication(basis, previous, iso_utc(now), _judge_id(principal))
        if not store.add(campaign.id, document, now):
            raise Conflict("Một người khác vừa công bố kết quả; hãy tải lại.",
                           "Someone else has just published the results; reload.", code="results_published_meanwhile")
        self.audit.record(
            principal, "publish_results", "campaign", campaign.id, now, campaign_id=campaign.id,
            before=result_publication.summary(previous) if previous else None,
            after=result_publication.summary(document),
        )
        self.notifications.publish(result_publication.prize_events(document))
        return _published_view(document)

    def publications_of(self, campaign_id: str, principal: Principal) -> dict:
        campaign = self.weeks.campaign(campaign_id)
        self.weeks.require_organiser(principal, campaign)
        versions = self._publications().versions(campaign.id)
        return {"campaign_id": campaign.id,
                "versions": [result_publication.summary(d) for d in reversed(versions)]}

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
