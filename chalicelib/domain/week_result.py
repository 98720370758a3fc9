"""The frozen, hash-sealed result of a week (ranking rules are in `ranking`).

A frozen `WeekResult` holds the inputs (boundary values and the readings they
came from), the rules (weights, tie-break, cut sizes, formula version and
`ranking.RANKING_RULES_VERSION`), the disqualifications and the outputs, sealed
by SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8). Human-readable
`notices` are derived text and stay outside the hash so rewording a message
never invalidates an old result. Revisions never edit a version: `disqualify`
returns version n+1 whose `previous_hash` chains to version n.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Mapping, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.instants import iso_utc, parse_iso_utc, require_aware
from chalicelib.domain.ranking import (
    RANKING_RULES_VERSION,
    RankingRow,
    WeekOutputs,
    WeekRules,
    collect_inputs,
    rank_entries,
)
from chalicelib.domain.scoring import EntryInputs, WeekEntry
from chalicelib.domain.weeks import week_window

HASH_PREFIX = "sha256:"
_UNHASHED_KEYS = ("hash", "notices")


def canonical_json(payload: Any) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(payload: Mapping) -> str:
    hashed = {k: v for k, v in payload.items() if k not in _UNHASHED_KEYS}
    return HASH_PREFIX + hashlib.sha256(canonical_json(hashed)).hexdigest()


_NOTICE_TEXT = {
    "unmeasured_metrics": (
        "Có bài dự thi chưa từng được đo một số chỉ số tính điểm; cần Ban tổ chức xác nhận trước khi chốt kết quả tuần.",
        "Some entries were never measured on a weighted metric; organisers must confirm before the week is closed.",
    ),
    "tie_at_cut": (
        "Các bài dự thi bằng nhau sau mọi tiêu chí phụ tại ngưỡng “{cut}”; Ban tổ chức cần quyết định.",
        "Entries still tied after every tie-break at the “{cut}” cut; organisers must decide.",
    ),
}
_CUT_NAMES_VI = {"winners": "giải tuần", "finalists": "vào chung kết"}


def _notice(item: Mapping) -> dict:
    vi, en = _NOTICE_TEXT[item["code"]]
    cut = item.get("cut", "")
    return {
        **item,
        "message_vi": vi.format(cut=_CUT_NAMES_VI.get(cut, cut)),
        "message_en": en.format(cut=cut),
    }


@dataclass(frozen=True)
class WeekResult:
    campaign_id: str
    week: int
    version: int
    starts_at: datetime
    ends_at: datetime
    rules: WeekRules
    inputs: tuple[EntryInputs, ...]
    disqualified: Mapping[str, str]
    outputs: WeekOutputs
    previous_hash: str | None = None
    hash: str = field(default="", compare=False)

    @property
    def winners(self) -> tuple[str, ...]:
        return self.outputs.winners

    @property
    def finalists(self) -> tuple[str, ...]:
        return self.outputs.finalists

    @property
    def rows(self) -> tuple[RankingRow, ...]:
        return self.outputs.rows

    def payload(self) -> dict:
        return {
            "kind": "week_result",
            "campaign_id": self.campaign_id,
            "week": self.week,
            "version": self.version,
            "previous_hash": self.previous_hash,
            "window": {"starts_at": iso_utc(self.starts_at), "ends_at": iso_utc(self.ends_at)},
            "rules": self.rules.to_dict(),
            "inputs": [i.to_dict() for i in self.inputs],
            "disqualified": [
                {"entry_id": e, "reason": r} for e, r in sorted(self.disqualified.items())
            ],
            "outputs": self.outputs.to_dict(),
        }

    def to_dict(self) -> dict:
        return {
            **self.payload(),
            "hash": self.hash,
            "notices": [_notice(c) for c in self.outputs.confirmations_required],
        }

    @classmethod
    def from_dict(cls, document: Mapping) -> "WeekResult":
        """Rebuild from storage; refuses a document that does not reproduce itself."""
        if not verify(document):
            raise Conflict(
                "Kết quả tuần đã lưu không khớp với dữ liệu đầu vào hoặc mã băm.",
                "The stored week result does not reproduce from its inputs or hash.",
                code="week_result_mismatch",
            )
        return _rebuild(document)


def _seal(unsealed: WeekResult) -> WeekResult:
    return replace(unsealed, hash=content_hash(unsealed.payload()))


def _build(
    *,
    campaign_id: str,
    week: int,
    version: int,
    starts_at: datetime,
    ends_at: datetime,
    rules: WeekRules,
    inputs: tuple[EntryInputs, ...],
    disqualified: Mapping[str, str],
    previous_hash: str | None,
) -> WeekResult:
    return _seal(
        WeekResult(
            campaign_id=campaign_id,
            week=week,
            version=version,
            starts_at=starts_at,
            ends_at=ends_at,
            rules=rules,
            inputs=inputs,
            disqualified=dict(sorted(disqualified.items())),
            outputs=rank_entries(inputs, rules, disqualified),
            previous_hash=previous_hash,
        )
    )


def _check_disqualified(disqualified: Mapping[str, str], known: set[str]) -> None:
    unknown = sorted(set(disqualified) - known)
    if unknown:
        raise NotFound(
            f"Không có bài dự thi {', '.join(unknown)} trong tuần này.",
            f"No entry {', '.join(unknown)} in this week.",
            code="entry_not_in_week",
            entry_ids=unknown,
        )
    blank = sorted(e for e, reason in disqualified.items() if not str(reason).strip())
    if blank:
        raise InvalidInput(
            "Phải nêu lý do loại bài dự thi.",
            "A disqualification needs a reason.",
            code="disqualification_reason_required",
            entry_ids=blank,
        )


def freeze_week(
    campaign: Campaign,
    week_number: int,
    entries: Sequence[WeekEntry],
    now: datetime,
    disqualified: Mapping[str, str] | None = None,
) -> WeekResult:
    """Version 1 of the week's result. `entries` are the published entries that
    compete in this week (with all their snapshots); `disqualified` maps entry
    id to reason for entries already excluded at close time."""
    start, end = week_window(campaign, week_number)
    if require_aware(now, "now") < end:
        raise Conflict(
            f"Tuần {week_number} chưa kết thúc, chưa thể chốt kết quả.",
            f"Week {week_number} has not ended yet; it cannot be frozen.",
            code="week_not_over",
            week=week_number,
        )
    rules = WeekRules.from_campaign(campaign)
    inputs = collect_inputs(entries, start, end, rules)
    disqualified = dict(disqualified or {})
    _check_disqualified(disqualified, {i.entry_id for i in inputs})
    return _build(
        campaign_id=campaign.id,
        week=week_number,
        version=1,
        starts_at=start,
        ends_at=end,
        rules=rules,
        inputs=inputs,
        disqualified=disqualified,
        previous_hash=None,
    )


def disqualify(result: WeekResult, entry_id: str, reason: str) -> WeekResult:
    """Version n+1 without `entry_id`; version n is left exactly as it was."""
    if entry_id in result.disqualified:
        raise Conflict(
            f"Bài dự thi {entry_id} đã bị loại trước đó.",
            f"Entry {entry_id} is already disqualified.",
            code="already_disqualified",
            entry_id=entry_id,
        )
    disqualified = {**result.disqualified, entry_id: reason}
    _check_disqualified(disqualified, {i.entry_id for i in result.inputs})
    return _build(
        campaign_id=result.campaign_id,
        week=result.week,
        version=result.version + 1,
        starts_at=result.starts_at,
        ends_at=result.ends_at,
        # The weights and cut sizes frozen in version n carry over even if the
        # campaign file changed since; only the ranking rules version is current.
        rules=replace(result.rules, ranking_rules_version=RANKING_RULES_VERSION),
        inputs=result.inputs,
        disqualified=disqualified,
        previous_hash=result.hash,
    )


def _rebuild(document: Mapping) -> WeekResult:
    if document.get("kind") != "week_result":
        raise ValueError("not a week result")
    rules = WeekRules.from_dict(document["rules"])
    if rules.ranking_rules_version != RANKING_RULES_VERSION:
        raise ValueError(f"ranking rules {rules.ranking_rules_version} cannot be replayed")
    return _build(
        campaign_id=document["campaign_id"],
        week=int(document["week"]),
        version=int(document["version"]),
        starts_at=parse_iso_utc(document["window"]["starts_at"]),
        ends_at=parse_iso_utc(document["window"]["ends_at"]),
        rules=rules,
        inputs=tuple(EntryInputs.from_dict(i) for i in document["inputs"]),
        disqualified={d["entry_id"]: d["reason"] for d in document["disqualified"]},
        previous_hash=document["previous_hash"],
    )


def verify(result: WeekResult | Mapping) -> bool:
    """True when the hash matches the content and the outputs recompute exactly
    from the recorded inputs and rules."""
    document = result.to_dict() if isinstance(result, WeekResult) else result
    try:
        if document["hash"] != content_hash(document):
            return False
        replayed = _rebuild(document)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidInput, NotFound):
        return False
    return replayed.hash == document["hash"] and canonical_json(
        replayed.payload()
    ) == canonical_json({k: v for k, v in document.items() if k not in _UNHASHED_KEYS})
