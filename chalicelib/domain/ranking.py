"""Weekly ranking and prize cut-offs (the frozen result is in `week_result`).

Ranking rules (decided here where the campaign brief was silent):

* `rank` is competition ranking on the score alone: scores 10, 8, 8, 5 rank
  1, 2, 2, 4. Equal scores always share a rank, whatever the tie-break says.
* `position` (1..n, unique) is the order after the campaign tie-break: weekly
  gains of `scoring.tie_break` metrics (default reposts, shares, saves, likes),
  larger first, then earlier publication. Cut-offs (weekly winners, finalists)
  are taken by position.
* Two rows still equal after *all* tie-breaks (score, every tie-break gain and
  publication instant) are "fully tied". They are ordered by entry id only so
  the output is deterministic; if such a group straddles a cut (winners or
  finalists) the result carries a `tie_at_cut` flag naming the cut and the
  entries, and organisers must decide. Nothing is settled silently.
* Disqualified entries leave the rows; everyone below moves up.
* A weighted metric never measured for an entry puts it in the row's
  `unmeasured_metrics`, and the result lists it under `confirmations_required`.
  Estimated boundaries (interpolated / carried forward) are marked per row and
  listed in `estimated_entries` but do not by themselves block the close.
"""
from __future__ import annotations

from collections import Counter

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Literal, Mapping, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.exact_numbers import render_exact
from chalicelib.domain.instants import iso_utc, require_aware
from chalicelib.domain.scoring import (
    EntryInputs,
    ScoreBreakdown,
    WeekEntry,
    campaign_weights,
    parse_weights,
    weekly_gains,
)
from chalicelib.domain.weeks import week_window

RANKING_RULES_VERSION = "rank/1"
SUPPORTED_FORMULAS = frozenset({"weighted-sum/1"})

Cut = Literal["winners", "finalists"]


# --- rules ------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRules:
    formula_version: str
    weights: Mapping[str, Fraction]
    tie_break: tuple[str, ...]
    winners_per_week: int
    finalists_per_week: int
    ranking_rules_version: str = RANKING_RULES_VERSION

    def __post_init__(self) -> None:
        if self.formula_version not in SUPPORTED_FORMULAS:
            raise InvalidInput(
                f"Công thức tính điểm “{self.formula_version}” chưa được hỗ trợ.",
                f"Scoring formula {self.formula_version!r} is not supported.",
                code="unsupported_formula",
                formula_version=self.formula_version,
            )

    @classmethod
    def from_campaign(cls, campaign: Campaign) -> "WeekRules":
        return cls(
            formula_version=campaign.scoring.formula_version,
            weights=campaign_weights(campaign),
            tie_break=tuple(campaign.scoring.tie_break),
            winners_per_week=campaign.rounds.winners_per_week,
            finalists_per_week=campaign.rounds.finalists_per_week,
        )

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metrics whose gains a result must record: weighted or tie-breaking."""
        return tuple(sorted(set(self.weights) | set(self.tie_break)))

    def cuts(self) -> tuple[tuple[Cut, int], ...]:
        return (("winners", self.winners_per_week), ("finalists", self.finalists_per_week))

    def to_dict(self) -> dict:
        return {
            "formula_version": self.formula_version,
            "ranking_rules_version": self.ranking_rules_version,
            "weights": {m: render_exact(w) for m, w in sorted(self.weights.items())},
            "tie_break": list(self.tie_break),
            "winners_per_week": self.winners_per_week,
            "finalists_per_week": self.finalists_per_week,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "WeekRules":
        return cls(
            formula_version=data["formula_version"],
            weights=parse_weights(data["weights"]),
            tie_break=tuple(data["tie_break"]),
            winners_per_week=int(data["winners_per_week"]),
            finalists_per_week=int(data["finalists_per_week"]),
            ranking_rules_version=data["ranking_rules_version"],
        )


# --- rows -------------------------------------------------------------------


@dataclass(frozen=True)
class RankingRow:
    position: int
    rank: int
    entry_id: str
    score: ScoreBreakdown
    tie_break: tuple[tuple[str, int], ...]
    published_at: datetime
    estimated_metrics: tuple[str, ...]
    winner: bool
    finalist: bool
    tie_at_cut: tuple[Cut, ...] = ()

    @property
    def unmeasured_metrics(self) -> tuple[str, ...]:
        return self.score.unmeasured

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_metrics)

    def to_dict(self) -> dict:
        return {
            "position": self.position,
            "rank": self.rank,
            "entry_id": self.entry_id,
            "score": render_exact(self.score.total),
            "breakdown": [p.to_dict() for p in self.score.parts],
            "tie_break": [{"metric": m, "gain": g} for m, g in self.tie_break],
            "published_at": iso_utc(self.published_at),
            "estimated": self.estimated,
            "estimated_metrics": list(self.estimated_metrics),
            "unmeasured_metrics": list(self.unmeasured_metrics),
            "winner": self.winner,
            "finalist": self.finalist,
            "tie_at_cut": list(self.tie_at_cut),
        }


@dataclass(frozen=True)
class TieFlag:
    """A group still tied after every tie-break whose order decides a cut."""

    cut: Cut
    cut_size: int
    entry_ids: tuple[str, ...]
    provisionally_inside: tuple[str, ...]
    provisionally_outside: tuple[str, ...]

    code = "tie_at_cut"

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "cut": self.cut,
            "cut_size": self.cut_size,
            "entry_ids": list(self.entry_ids),
            "provisionally_inside": list(self.provisionally_inside),
            "provisionally_outside": list(self.provisionally_outside),
        }


@dataclass(frozen=True)
class WeekOutputs:
    rows: tuple[RankingRow, ...]
    tie_flags: tuple[TieFlag, ...]

    @property
    def winners(self) -> tuple[str, ...]:
        return tuple(r.entry_id for r in self.rows if r.winner)

    @property
    def finalists(self) -> tuple[str, ...]:
        return tuple(r.entry_id for r in self.rows if r.finalist)

    @property
    def unmeasured_entries(self) -> tuple[str, ...]:
        return tuple(r.entry_id for r in self.rows if r.unmeasured_metrics)

    @property
    def estimated_entries(self) -> tuple[str, ...]:
        return tuple(r.entry_id for r in self.rows if r.estimated)

    @property
    def confirmations_required(self) -> tuple[dict, ...]:
        """What organisers must explicitly accept before the week can be closed."""
        needed: list[dict] = []
        if self.unmeasured_entries:
            needed.append(
                {"code": "unmeasured_metrics", "entry_ids": list(self.unmeasured_entries)}
            )
        needed.extend(
            {"code": flag.code, "cut": flag.cut, "entry_ids": list(flag.entry_ids)}
            for flag in self.tie_flags
        )
        return tuple(needed)

    @property
    def requires_confirmation(self) -> bool:
        return bool(self.confirmations_required)

    def row(self, entry_id: str) -> RankingRow | None:
        return next((r for r in self.rows if r.entry_id == entry_id), None)

    def to_dict(self) -> dict:
        return {
            "rows": [r.to_dict() for r in self.rows],
            "winners": list(self.winners),
            "finalists": list(self.finalists),
            "tie_flags": [f.to_dict() for f in self.tie_flags],
            "estimated_entries": list(self.estimated_entries),
            "confirmations_required": list(self.confirmations_required),
            "requires_confirmation": self.requires_confirmation,
        }


# --- ranking ----------------------------------------------------------------


def _tie_key(entry: EntryInputs, score: Fraction, rules: WeekRules) -> tuple:
    """Everything the rules compare; equal keys mean a tie no rule can break."""
    return (score, tuple(entry.gain(m) for m in rules.tie_break), entry.published_at)


def _order_key(entry: EntryInputs, score: Fraction, rules: WeekRules) -> tuple:
    gains = tuple(-entry.gain(m) for m in rules.tie_break)
    # entry_id last: not a rule, only so that identical inputs give identical output.
    return (-score, gains, entry.published_at, entry.entry_id)


def _competition_ranks(scores: Sequence[Fraction]) -> list[int]:
    ranks: list[int] = []
    for index, score in enumerate(scores):
        ranks.append(ranks[-1] if index and score == scores[index - 1] else index + 1)
    return ranks


def _tie_flags(keys: Sequence[tuple], ids: Sequence[str], rules: WeekRules) -> list[TieFlag]:
    flags: list[TieFlag] = []
    for cut, size in rules.cuts():
        if not 0 < size < len(keys) or keys[size - 1] != keys[size]:
            continue
        group = [i for i, key in enumerate(keys) if key == keys[size - 1]]
        flags.append(
            TieFlag(
                cut,
                size,
                tuple(ids[i] for i in group),
                tuple(ids[i] for i in group if i < size),
                tuple(ids[i] for i in group if i >= size),
            )
        )
    return flags


def rank_entries(
    inputs: Sequence[EntryInputs],
    rules: WeekRules,
    disqualified: Mapping[str, str] | None = None,
) -> WeekOutputs:
    """Rows, cut-offs and tie flags for the non-disqualified `inputs`."""
    disqualified = disqualified or {}
    scored = [
        (entry, entry.score(rules.weights))
        for entry in inputs
        if entry.entry_id not in disqualified
    ]
    scored.sort(key=lambda pair: _order_key(pair[0], pair[1].total, rules))
    ids = [entry.entry_id for entry, _ in scored]
    keys = [_tie_key(entry, score.total, rules) for entry, score in scored]
    ranks = _competition_ranks([score.total for _, score in scored])
    flags = _tie_flags(keys, ids, rules)
    rows = []
    for index, (entry, score) in enumerate(scored):
        position = index + 1
        rows.append(
            RankingRow(
                position=position,
                rank=ranks[index],
                entry_id=entry.entry_id,
                score=score,
                tie_break=tuple((m, entry.gain(m)) for m in rules.tie_break),
                published_at=entry.published_at,
                estimated_metrics=tuple(
                    m for m in entry.estimated_metrics if m in rules.metrics
                ),
                winner=position <= rules.winners_per_week,
                finalist=position <= rules.finalists_per_week,
                tie_at_cut=tuple(f.cut for f in flags if entry.entry_id in f.entry_ids),
            )
        )
    return WeekOutputs(tuple(rows), tuple(flags))


def collect_inputs(
    entries: Sequence[WeekEntry], start: datetime, end: datetime, rules: WeekRules
) -> tuple[EntryInputs, ...]:
    ids = [e.entry_id for e in entries]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise InvalidInput(
            f"Bài dự thi bị lặp: {', '.join(duplicates)}.",
            f"Duplicate entries: {', '.join(duplicates)}.",
            code="duplicate_entries",
            entry_ids=duplicates,
        )
    gathered = (weekly_gains(e, start, end, rules.metrics) for e in entries)
    return tuple(sorted(gathered, key=lambda i: i.entry_id))


def live_ranking(
    campaign: Campaign, week_number: int, entries: Sequence[WeekEntry], now: datetime
) -> WeekOutputs:
    """Provisional standings while a week is open: gains up to `now` (or the
    close, if passed). Carried-forward readings show up as estimated."""
    start, end = week_window(campaign, week_number)
    close = min(require_aware(now, "now"), end)
    if close <= start:
        raise Conflict(
            f"Tuần {week_number} chưa bắt đầu.",
            f"Week {week_number} has not started yet.",
            code="week_not_started",
            week=week_number,
        )
    rules = WeekRules.from_campaign(campaign)
    live_entries = [e for e in entries if e.published_at < close]
    return rank_entries(collect_inputs(live_entries, start, close, rules), rules)
