"""Final round: the jury pool, judges' scorecards and prize tiers.

* The pool is every week's finalists, taken from the latest version of each
  week's frozen result (20 entries after 4 weeks of 5 in seed 000).
* Judges are assigned to a campaign by its organisers (`JudgeAssignment`); an
  unassigned judge sees nothing of the campaign's final round.
* A judge scores every finalist on every campaign criterion, 0..max_points
  (fractions of a point allowed), except entries from the subtree of a unit
  they have a conflict with: the units they declare for the campaign, and
  their own account's unit. The organising unit (and any unit above it) is never
  a conflict: Đoàn Khối's own judges judge Đoàn Khối's contest, which every
  entry of is below Đoàn Khối. External judges have no unit.
* An entry's jury score is the mean of its judges' totals, over the judges who
  scored it (conflicts of interest mean entries may have different counts).
  Entries nobody scored are left out of the standings and listed as unscored.
* Prize tiers are filled in campaign order (seed 000: 1 first, 2 second,
  3 third, 5 consolation) down the standings. Equal means share a rank. When
  equal means straddle a tier boundary (including the last prize vs no prize)
  the rules say nothing more, so the tie is flagged for organisers and the
  provisional order is by entry id only to stay deterministic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Mapping, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.exact_numbers import exact, render_exact, render_rounded
from chalicelib.domain.instants import iso_utc
from chalicelib.domain.organisation import is_within
from chalicelib.domain.week_result import WeekResult


class ConflictOfInterest(Forbidden):
    code = "judge_own_subtree"


class NotAssigned(Forbidden):
    code = "judge_not_assigned"


class InvalidScore(InvalidInput):
    code = "invalid_jury_score"


@dataclass(frozen=True)
class Judge:
    judge_id: str
    unit_path: str | None = None  # None: an outside judge with no unit, or their unit is no conflict
    conflict_paths: tuple[str, ...] = ()  # the units they declared for the campaign

    def conflicts_with(self, entry_unit_path: str) -> bool:
        return any(in_subtree(entry_unit_path, path) for path in (self.unit_path, *self.conflict_paths))


@dataclass(frozen=True)
class JudgeAssignment:
    """A judge on one campaign's panel, with the units they declared a conflict of interest with."""

    campaign_id: str
    judge_id: str  # the judge's username
    assigned_by: str
    assigned_at: datetime
    conflict_units: tuple[str, ...] = ()
    declared_at: datetime | None = None

    def to_dict(self) -> dict:
        return {
            "judge_id": self.judge_id,
            "assigned_by": self.assigned_by,
            "assigned_at": iso_utc(self.assigned_at),
            "conflict_units": list(self.conflict_units),
            "declared_at": iso_utc(self.declared_at) if self.declared_at else None,
        }


def judge_for(judge_id: str, account_unit_path: str | None, organiser_unit_path: str | None,
              conflict_paths: Sequence[str]) -> Judge:
    """The judge as scoring sees them: their account's unit counts as a conflict unless it is the
    organising unit or above it (the organising unit is no conflict)."""
    own = account_unit_path
    if own and organiser_unit_path and is_within(organiser_unit_path, own):
        own = None
    return Judge(judge_id, own, tuple(conflict_paths))


def check_declared_conflicts(unit_ids: Sequence[str], paths: Mapping[str, str | None],
                             organiser_unit_path: str | None) -> tuple[str, ...]:
    """The declared unit ids, each known and none the organising unit or above it; `paths`
    maps each declared id to its unit's current path (None: no such unit)."""
    unknown = sorted({u for u in unit_ids if not paths.get(u)})
    if unknown:
        raise InvalidInput(
            "Không tìm thấy đơn vị đã khai báo.", "Some declared units do not exist.",
            code="unknown_unit", unit_ids=unknown,
        )
    covering = sorted({u for u in unit_ids if organiser_unit_path and is_within(organiser_unit_path, paths[u] or "")})
    if covering:
        raise InvalidInput(
            "Đơn vị tổ chức cuộc thi (và cấp trên của đơn vị này) không phải là xung đột lợi ích.",
            "The organising unit (or a unit above it) is no conflict of interest.",
            code="organising_unit_not_a_conflict", unit_ids=covering,
        )
    return tuple(dict.fromkeys(unit_ids))


@dataclass(frozen=True)
class Finalist:
    entry_id: str
    unit_path: str
    week: int | None = None


# --- jury pool -------------------------------------------------------------


@dataclass(frozen=True)
class PoolEntry:
    entry_id: str
    week: int
    position: int  # weekly position, kept so the pool reads in a meaningful order

    def to_dict(self) -> dict:
        return {"entry_id": self.entry_id, "week": self.week, "position": self.position}


@dataclass(frozen=True)
class JuryPool:
    entries: tuple[PoolEntry, ...]
    week_versions: Mapping[int, int] = field(hash=False)
    # Weeks whose frozen result still lists unresolved confirmations (ties at a
    # cut, unmeasured metrics): the pool may change once organisers decide.
    pending_confirmation: tuple[int, ...] = ()

    @property
    def entry_ids(self) -> tuple[str, ...]:
        return tuple(e.entry_id for e in self.entries)

    def to_dict(self) -> dict:
        return {
            "entries": [e.to_dict() for e in self.entries],
            "week_versions": {str(w): v for w, v in sorted(self.week_versions.items())},
            "pending_confirmation": list(self.pending_confirmation),
        }


def jury_pool(campaign: Campaign, results: Sequence[WeekResult]) -> JuryPool:
    """Finalists of every voting week, from the highest version of each week."""
    foreign = sorted({r.campaign_id for r in results} - {campaign.id})
    if foreign:
        raise InvalidInput(
            "Có kết quả tuần không thuộc chiến dịch này.",
            "Some week results belong to another campaign.",
            code="foreign_week_result",
            campaign_ids=foreign,
        )
    latest: dict[int, WeekResult] = {}
    for result in results:
        if result.week not in latest or result.version > latest[result.week].version:
            latest[result.week] = result
    missing = [w.number for w in campaign.voting_weeks if w.number not in latest]
    if missing:
        raise Conflict(
            f"Chưa chốt kết quả các tuần: {', '.join(map(str, missing))}.",
            f"Weeks not frozen yet: {', '.join(map(str, missing))}.",
            code="weeks_not_frozen",
            weeks=missing,
        )
    entries = [
        PoolEntry(row.entry_id, week, row.position)
        for week in sorted(latest)
        for row in latest[week].rows
        if row.finalist
    ]
    ids = [e.entry_id for e in entries]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise Conflict(
            "Một bài dự thi vào chung kết ở nhiều tuần.",
            "An entry reached the final in more than one week.",
            code="finalist_in_several_weeks",
            entry_ids=repeated,
        )
    return JuryPool(
        tuple(entries),
        {w: r.version for w, r in sorted(latest.items())},
        tuple(w for w in sorted(latest) if latest[w].outputs.requires_confirmation),
    )


# --- who may score what ------------------------------------------------------


def in_subtree(entry_unit_path: str, judge_unit_path: str | None) -> bool:
    """Is the entry's unit the judge's unit or below it?"""
    return bool(judge_unit_path) and is_within(entry_unit_path, judge_unit_path)


def ensure_can_score(judge: Judge, finalist: Finalist) -> None:
    if judge.conflicts_with(finalist.unit_path):
        raise ConflictOfInterest(
            "Giám khảo không được chấm bài dự thi của đơn vị mình (đã khai báo) hoặc đơn vị trực thuộc.",
            "A judge may not score an entry from their own (declared) units or any unit below them.",
            judge_id=judge.judge_id,
            entry_id=finalist.entry_id,
            judge_unit_path=judge.unit_path,
            entry_unit_path=finalist.unit_path,
        )


# --- scorecards ----------------------------------------------------------------


def _as_points(value: object) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        if isinstance(value, (int, float, Fraction, Decimal)):
            return exact(value)
        if isinstance(value, str):
            parsed = Decimal(value.strip())
            return Fraction(parsed) if parsed.is_finite() else None
    except (InvalidOperation, ValueError):
        return None
    return None


def validate_points(campaign: Campaign, points: Mapping[str, object]) -> dict[str, Fraction]:
    """Every criterion present, nothing else, each within 0..max_points."""
    criteria = {c.key: c for c in campaign.jury_criteria}
    problems: list[dict] = []
    checked: dict[str, Fraction] = {}
    for key in sorted(set(points) - set(criteria)):
        problems.append({"criterion": key, "problem": "unknown"})
    for key, criterion in criteria.items():
        if key not in points:
            problems.append({"criterion": key, "problem": "missing"})
            continue
        value = _as_points(points[key])
        maximum = exact(criterion.max_points)
        if value is None or not 0 <= value <= maximum:
            problems.append(
                {"criterion": key, "problem": "out_of_range", "max_points": render_exact(maximum)}
            )
            continue
        checked[key] = value
    if problems:
        raise InvalidScore(
            "Phiếu chấm không hợp lệ: mỗi tiêu chí phải có điểm từ 0 đến mức tối đa.",
            "Invalid scorecard: every criterion needs a score from 0 to its maximum.",
            problems=problems,
        )
    return checked


@dataclass(frozen=True)
class Scorecard:
    judge_id: str
    entry_id: str
    points: Mapping[str, Fraction] = field(hash=False)

    def __post_init__(self) -> None:
        # Stored cards come back from DynamoDB as Decimal; keep arithmetic exact.
        normalised = {key: _as_points(value) for key, value in self.points.items()}
        bad = sorted(key for key, value in normalised.items() if value is None)
        if bad:
            raise InvalidScore(
                "Điểm chấm phải là số.",
                "Scores must be numbers.",
                problems=[{"criterion": key, "problem": "not_a_number"} for key in bad],
            )
        object.__setattr__(self, "points", normalised)

    @property
    def total(self) -> Fraction:
        return sum(self.points.values(), Fraction(0))

    def to_dict(self) -> dict:
        return {
            "judge_id": self.judge_id,
            "entry_id": self.entry_id,
            "points": {k: render_exact(v) for k, v in sorted(self.points.items())},
            "total": render_exact(self.total),
        }


def score_entry(
    campaign: Campaign, judge: Judge, finalist: Finalist, points: Mapping[str, object]
) -> Scorecard:
    """A judge's validated scorecard for one finalist (what the API stores)."""
    ensure_can_score(judge, finalist)
    return Scorecard(judge.judge_id, finalist.entry_id, validate_points(campaign, points))


# --- results -------------------------------------------------------------------


@dataclass(frozen=True)
class JuryStanding:
    position: int
    rank: int
    entry_id: str
    average: Fraction
    judge_count: int
    criteria: Mapping[str, Fraction] = field(hash=False)  # mean per criterion
    prize: str | None = None

    def to_dict(self) -> dict:
        return {
            "position": self.position,
            "rank": self.rank,
            "entry_id": self.entry_id,
            "average": render_rounded(self.average, 2),
            "average_exact": render_exact(self.average),
            "judge_count": self.judge_count,
            "criteria": {k: render_rounded(v, 2) for k, v in sorted(self.criteria.items())},
            "prize": self.prize,
        }


@dataclass(frozen=True)
class TierTieFlag:
    upper_tier: str
    lower_tier: str | None  # None: the boundary between the last prize and no prize
    entry_ids: tuple[str, ...]
    provisionally_upper: tuple[str, ...]

    code = "tie_at_tier_boundary"

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "upper_tier": self.upper_tier,
            "lower_tier": self.lower_tier,
            "entry_ids": list(self.entry_ids),
            "provisionally_upper": list(self.provisionally_upper),
            "message_vi": "Các bài dự thi bằng điểm tại ranh giới giữa hai hạng giải; Ban tổ chức cần quyết định.",
            "message_en": "Entries tie on the jury score across a prize-tier boundary; organisers must decide.",
        }


@dataclass(frozen=True)
class JuryResult:
    standings: tuple[JuryStanding, ...]
    tie_flags: tuple[TierTieFlag, ...]
    missing_scorecards: tuple[tuple[str, str], ...]  # (judge_id, entry_id)
    unscored: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_scorecards and not self.unscored

    def prize_of(self, entry_id: str) -> str | None:
        return next((s.prize for s in self.standings if s.entry_id == entry_id), None)

    def awarded(self) -> dict[str, list[str]]:
        tiers: dict[str, list[str]] = {}
        for standing in self.standings:
            if standing.prize:
                tiers.setdefault(standing.prize, []).append(standing.entry_id)
        return tiers

    def to_dict(self) -> dict:
        return {
            "standings": [s.to_dict() for s in self.standings],
            "prizes": self.awarded(),
            "tie_flags": [f.to_dict() for f in self.tie_flags],
            "missing_scorecards": [
                {"judge_id": j, "entry_id": e} for j, e in self.missing_scorecards
            ],
            "unscored": list(self.unscored),
            "complete": self.complete,
        }


def _checked_cards(
    campaign: Campaign,
    finalists: Mapping[str, Finalist],
    judges: Mapping[str, Judge],
    scorecards: Sequence[Scorecard],
) -> dict[str, list[Scorecard]]:
    by_entry: dict[str, list[Scorecard]] = {entry_id: [] for entry_id in finalists}
    seen: set[tuple[str, str]] = set()
    for card in scorecards:
        if card.judge_id not in judges or card.entry_id not in finalists:
            raise InvalidInput(
                "Phiếu chấm của giám khảo hoặc bài dự thi không thuộc vòng chung kết.",
                "Scorecard from an unknown judge or for an entry outside the final.",
                code="scorecard_outside_final",
                judge_id=card.judge_id,
                entry_id=card.entry_id,
            )
        if (card.judge_id, card.entry_id) in seen:
            raise Conflict(
                "Giám khảo đã chấm bài dự thi này.",
                "This judge has already scored this entry.",
                code="duplicate_scorecard",
                judge_id=card.judge_id,
                entry_id=card.entry_id,
            )
        seen.add((card.judge_id, card.entry_id))
        ensure_can_score(judges[card.judge_id], finalists[card.entry_id])
        validate_points(campaign, card.points)
        by_entry[card.entry_id].append(card)
    return by_entry


def _allocate(campaign: Campaign, ordered: list[JuryStanding]) -> tuple[list[JuryStanding], list[TierTieFlag]]:
    allocated: list[JuryStanding] = []
    tiers = [tier.key for tier in campaign.prizes for _ in range(tier.count)]
    for index, standing in enumerate(ordered):
        prize = tiers[index] if index < len(tiers) else None
        allocated.append(replace(standing, prize=prize))
    flags: list[TierTieFlag] = []
    boundary = 0
    for number, tier in enumerate(campaign.prizes):
        boundary += tier.count
        if boundary >= len(ordered) or ordered[boundary - 1].average != ordered[boundary].average:
            continue
        tied = [s for s in ordered if s.average == ordered[boundary - 1].average]
        lower = campaign.prizes[number + 1].key if number + 1 < len(campaign.prizes) else None
        flags.append(
            TierTieFlag(
                tier.key,
                lower,
                tuple(s.entry_id for s in tied),
                tuple(s.entry_id for s in tied if s.position <= boundary),
            )
        )
    return allocated, flags


def jury_results(
    campaign: Campaign,
    finalists: Sequence[Finalist],
    judges: Sequence[Judge],
    scorecards: Sequence[Scorecard],
) -> JuryResult:
    by_id = {f.entry_id: f for f in finalists}
    judges_by_id = {j.judge_id: j for j in judges}
    cards = _checked_cards(campaign, by_id, judges_by_id, scorecards)
    scored = {entry_id: entry_cards for entry_id, entry_cards in cards.items() if entry_cards}
    means = {
        entry_id: sum((c.total for c in entry_cards), Fraction(0)) / len(entry_cards)
        for entry_id, entry_cards in scored.items()
    }
    order = sorted(scored, key=lambda entry_id: (-means[entry_id], entry_id))
    ordered: list[JuryStanding] = []
    for index, entry_id in enumerate(order):
        tied_above = index and means[order[index - 1]] == means[entry_id]
        ordered.append(
            JuryStanding(
                position=index + 1,
                rank=ordered[-1].rank if tied_above else index + 1,
                entry_id=entry_id,
                average=means[entry_id],
                judge_count=len(scored[entry_id]),
                criteria={
                    c.key: sum((card.points[c.key] for card in scored[entry_id]), Fraction(0))
                    / len(scored[entry_id])
                    for c in campaign.jury_criteria
                },
            )
        )
    standings, flags = _allocate(campaign, ordered)
    scored_pairs = {(c.judge_id, c.entry_id) for c in scorecards}
    missing = tuple(
        (judge.judge_id, finalist.entry_id)
        for judge in sorted(judges, key=lambda j: j.judge_id)
        for finalist in sorted(finalists, key=lambda f: f.entry_id)
        if (judge.judge_id, finalist.entry_id) not in scored_pairs
        and not judge.conflicts_with(finalist.unit_path)
    )
    unscored = tuple(sorted(set(by_id) - set(scored)))
    return JuryResult(tuple(standings), tuple(flags), missing, unscored)


@dataclass(frozen=True)
class StoredScorecard:
    """A judge's card as kept, with the judge's unit (for conflicts of interest) and when it was given."""

    card: Scorecard
    judge_unit_path: str | None
    scored_at: datetime
