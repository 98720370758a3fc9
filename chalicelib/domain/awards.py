"""Special awards decided by counting, not by the jury.

* `most_entries_unit`: the unit with the most valid entries. An entry counts
  for the unit that submitted it, not for the unit's ancestors (otherwise the
  root would always win). Ties are all listed as winners.
* `most_viewed_entry`: the valid entry with the most views at the campaign's
  end — the close of the last voting week (the submission deadline when the
  campaign has no voting weeks). Views at that instant follow the same
  boundary rules as weekly scores (exact snapshot, interpolation, carried
  forward; see scoring.py), so the winner may be marked estimated. Entries
  whose views were never measured cannot win and are listed.

"Valid" is decided by the caller (published, passed checks, not disqualified).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping, Sequence

from chalicelib.domain.campaign import Campaign, SpecialAward
from chalicelib.domain.engagement import VIEWS, Snapshot
from chalicelib.domain.instants import iso_utc, require_aware
from chalicelib.domain.scoring import BoundaryValue, boundary_value

LEADERS_SHOWN = 10


@dataclass(frozen=True)
class AwardEntry:
    entry_id: str
    unit_id: str
    published_at: datetime
    valid: bool = True
    snapshots: Sequence[Snapshot] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "published_at", require_aware(self.published_at, "published_at"))
        object.__setattr__(self, "snapshots", tuple(self.snapshots))


@dataclass(frozen=True)
class AwardOutcome:
    key: str
    kind: str
    name_vi: str
    name_en: str
    winners: tuple[str, ...]  # unit ids or entry ids; more than one means a tie
    value: int  # entries counted, or views
    estimated: bool = False
    evidence: Mapping = field(default_factory=dict, hash=False)

    @property
    def tied(self) -> bool:
        return len(self.winners) > 1

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "kind": self.kind,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "winners": list(self.winners),
            "value": self.value,
            "tied": self.tied,
            "estimated": self.estimated,
            "evidence": dict(self.evidence),
        }


def campaign_end(campaign: Campaign) -> datetime:
    if campaign.voting_weeks:
        last = max(campaign.voting_weeks, key=lambda w: w.ends_at)
        return campaign.localize(last.ends_at).astimezone(timezone.utc)
    return campaign.localize(campaign.submission_window.closes_at).astimezone(timezone.utc)


def most_entries_unit(award: SpecialAward, entries: Sequence[AwardEntry]) -> AwardOutcome:
    counts = Counter(e.unit_id for e in entries if e.valid)
    leaders = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    best = leaders[0][1] if leaders else 0
    winners = tuple(unit for unit, count in leaders if count == best and best > 0)
    return AwardOutcome(
        award.key, award.kind, award.name_vi, award.name_en, winners, best,
        evidence={
            "leaders": [{"unit_id": u, "entries": c} for u, c in leaders[:LEADERS_SHOWN]],
            "units_counted": len(counts),
        },
    )


def most_viewed_entry(
    award: SpecialAward, entries: Sequence[AwardEntry], at: datetime
) -> AwardOutcome:
    views: dict[str, BoundaryValue] = {
        e.entry_id: boundary_value(e.snapshots, VIEWS, at, e.published_at)
        for e in entries
        if e.valid
    }
    measured = {entry_id: v for entry_id, v in views.items() if v.value is not None}
    leaders = sorted(measured.items(), key=lambda item: (-item[1].value, item[0]))
    best = leaders[0][1].value if leaders else 0
    winners = tuple(entry_id for entry_id, v in leaders if v.value == best and best > 0)
    return AwardOutcome(
        award.key, award.kind, award.name_vi, award.name_en, winners, best,
        estimated=any(measured[w].estimated for w in winners),
        evidence={
            "at": iso_utc(at),
            "leaders": [
                {"entry_id": entry_id, "views": v.value, "boundary": v.to_dict()}
                for entry_id, v in leaders[:LEADERS_SHOWN]
            ],
            "unmeasured": sorted(set(views) - set(measured)),
        },
    )


def special_awards(
    campaign: Campaign, entries: Sequence[AwardEntry], at: datetime | None = None
) -> list[AwardOutcome]:
    """Every special award the campaign configures, in configuration order.
    `at` overrides the campaign end (for a provisional view mid-campaign)."""
    end = require_aware(at, "at") if at is not None else campaign_end(campaign)
    outcomes = []
    for award in campaign.special_awards:
        if award.kind == "most_entries_unit":
            outcomes.append(most_entries_unit(award, entries))
        elif award.kind == "most_viewed_entry":
            outcomes.append(most_viewed_entry(award, entries, end))
    return outcomes
