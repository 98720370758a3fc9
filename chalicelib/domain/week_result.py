"""The frozen, hash-sealed result of a week (ranking rules are in `ranking`).

A frozen `WeekResult` holds the inputs (boundary values and the readings they
came from), the rules (weights, tie-break, cut sizes, formula version and
`ranking.RANKING_RULES_VERSION`), the disqualifications and the outputs, sealed
by SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8). Human-readable
`notices` are derived text and stay outside the hash so rewording a message
never invalidates an old result. Revisions never edit a version: `disqualify`
and `revise_with_readings` return version n+1 whose `previous_hash` chains to
version n.

A result also records, under `readings`, every reading its boundary values were
decided by (entry id, instant, source and values): recomputing it from exactly
those readings gives its hash again whatever was written to the store since.
Results frozen before that key existed have no `readings`; their payload, and so
their hash, stays what it was.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Mapping, Sequence

from chalicelib.domain.campaign import Campaign
from chalicelib.domain.engagement import Snapshot
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
# Rows kept beside a frozen result for its leaderboard (the live one serves at most 100 too).
TOP_ROWS = 100
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
    # entry id -> the readings that decided its boundary values; None for a result frozen before they were kept
    readings: Mapping[str, tuple[Snapshot, ...]] | None = None
    # the campaign's rules version the week was closed under; None for results frozen before it was kept
    rules_version: int | None = None

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
        """What the hash covers. A sealed result keeps the payload it was sealed from: a national
        week's is 100,000 entries' inputs, too costly to build again for storing it."""
        kept = self.__dict__.get("_sealed_payload")
        if kept is not None:
            return kept
        return self._build_payload()

    def _build_payload(self) -> dict:
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
            **({} if self.readings is None else {"readings": readings_to_list(self.readings)}),
            **({} if self.rules_version is None else {"rules_version": self.rules_version}),
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


def readings_to_list(readings: Mapping[str, Sequence[Snapshot]]) -> list[dict]:
    return [
        {"entry_id": entry_id, **snapshot.to_dict()}
        for entry_id in sorted(readings)
        for snapshot in sorted(readings[entry_id], key=lambda s: (s.at, s.source))
    ]


def readings_from_list(items: Sequence[Mapping]) -> dict[str, tuple[Snapshot, ...]]:
    grouped: dict[str, list[Snapshot]] = {}
    for item in items:
        grouped.setdefault(item["entry_id"], []).append(Snapshot.from_dict(item))
    return {e: tuple(sorted(s, key=lambda r: (r.at, r.source))) for e, s in grouped.items()}


def used_readings(entry: WeekEntry, inputs: EntryInputs) -> tuple[Snapshot, ...]:
    """The entry's snapshots some boundary value was read from (its basis): fed back alone,
    they decide the same values, since each was the nearest reading on its side."""
    wanted = {
        (reading.at, reading.source)
        for gain in inputs.gains.values()
        for boundary in (gain.open, gain.close)
        for reading in boundary.basis
    }
    return tuple(sorted((s for s in entry.snapshots if (s.at, s.source) in wanted), key=lambda s: (s.at, s.source)))


def _seal(unsealed: WeekResult) -> WeekResult:
    payload = unsealed.payload()
    sealed = replace(unsealed, hash=content_hash(payload))
    object.__setattr__(sealed, "_sealed_payload", payload)  # the same fields: `hash` is not in it
    return sealed


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
    readings: Mapping[str, tuple[Snapshot, ...]] | None = None,
    rules_version: int | None = None,
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
            readings=None if readings is None else {e: tuple(r) for e, r in sorted(readings.items()) if r},
            rules_version=rules_version,
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
    rules: WeekRules | None = None,
    rules_version: int | None = None,
) -> WeekResult:
    """Version 1 of the week's result. `entries` are the published entries that
    compete in this week (with all their snapshots); `disqualified` maps entry
    id to reason for entries already excluded at close time. `rules` replaces the
    campaign's current ones (with the `rules_version` it recorded, if any) when a
    result is recomputed under the rules it recorded."""
    start, end = week_window(campaign, week_number)
    if require_aware(now, "now") < end:
        raise Conflict(
            f"Tuần {week_number} chưa kết thúc, chưa thể chốt kết quả.",
            f"Week {week_number} has not ended yet; it cannot be frozen.",
            code="week_not_over",
            week=week_number,
        )
    if rules is None:
        rules, rules_version = WeekRules.from_campaign(campaign), campaign.rules_version
    inputs = collect_inputs(entries, start, end, rules)
    disqualified = dict(disqualified or {})
    _check_disqualified(disqualified, {i.entry_id for i in inputs})
    by_id = {i.entry_id: i for i in inputs}
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
        readings={e.entry_id: used_readings(e, by_id[e.entry_id]) for e in entries},
        rules_version=rules_version,
    )


def without_readings(result: WeekResult) -> WeekResult:
    """The result as it was sealed before results recorded their readings."""
    return _seal(replace(result, readings=None))


def _entries_from(result: WeekResult, readings: Mapping[str, Sequence[Snapshot]]) -> list[WeekEntry]:
    return [WeekEntry(i.entry_id, i.published_at, readings.get(i.entry_id, ())) for i in result.inputs]


def recompute(result: WeekResult) -> WeekResult:
    """The same version computed again from nothing but its recorded readings and rules."""
    if result.readings is None:
        raise ValueError("a result frozen before readings were recorded cannot be recomputed from them")
    entries = _entries_from(result, result.readings)
    inputs = collect_inputs(entries, result.starts_at, result.ends_at, result.rules)
    by_id = {i.entry_id: i for i in inputs}
    return _build(
        campaign_id=result.campaign_id, week=result.week, version=result.version, starts_at=result.starts_at,
        ends_at=result.ends_at, rules=result.rules, inputs=inputs, disqualified=result.disqualified,
        previous_hash=result.previous_hash,
        readings={e.entry_id: used_readings(e, by_id[e.entry_id]) for e in entries},
        rules_version=result.rules_version,
    )


def merge_readings(
    recorded: Mapping[str, Sequence[Snapshot]], late: Mapping[str, Sequence[Snapshot]]
) -> dict[str, tuple[Snapshot, ...]]:
    """Recorded readings with late ones added; a late reading replaces one of the same instant and source."""
    merged: dict[str, dict[tuple, Snapshot]] = {e: {(s.at, s.source): s for s in r} for e, r in recorded.items()}
    for entry_id, snapshots in late.items():
        for snapshot in snapshots:
            merged.setdefault(entry_id, {})[(snapshot.at, snapshot.source)] = snapshot
    return {e: tuple(sorted(r.values(), key=lambda s: (s.at, s.source))) for e, r in merged.items()}


def revise_with_readings(result: WeekResult, late: Mapping[str, Sequence[Snapshot]]) -> WeekResult:
    """Version n+1 computed from version n's readings plus `late` ones (for entries of the week only);
    rules and disqualifications carry over, as in `disqualify`."""
    if result.readings is None:
        raise ValueError("a result frozen before readings were recorded cannot take late readings")
    known = {i.entry_id for i in result.inputs}
    merged = merge_readings(result.readings, {e: r for e, r in late.items() if e in known})
    entries = _entries_from(result, merged)
    rules = replace(result.rules, ranking_rules_version=RANKING_RULES_VERSION)
    inputs = collect_inputs(entries, result.starts_at, result.ends_at, rules)
    by_id = {i.entry_id: i for i in inputs}
    return _build(
        campaign_id=result.campaign_id, week=result.week, version=result.version + 1,
        starts_at=result.starts_at, ends_at=result.ends_at, rules=rules, inputs=inputs,
        disqualified=result.disqualified, previous_hash=result.hash,
        readings={e.entry_id: used_readings(e, by_id[e.entry_id]) for e in entries},
        rules_version=result.rules_version,
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
        readings=result.readings,
        rules_version=result.rules_version,
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
        readings=readings_from_list(document["readings"]) if "readings" in document else None,
        rules_version=int(document["rules_version"]) if "rules_version" in document else None,
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


def top_rows(document: Mapping, limit: int = TOP_ROWS) -> list[dict]:
    """The first `limit` rows of a sealed result's ranking, in rank order, as stored in it."""
    rows = (document.get("outputs") or {}).get("rows") or []
    return [dict(r) for r in rows[:limit]]
