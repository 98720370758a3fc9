"""A published final result: the standings frozen with what they were computed from, hash-sealed.

A published result never changes: a new publication is version n+1 whose `previous_hash`
chains to version n. `basis_hash` covers what the standings came from and what they are
(pool, panel, scorecards counted, standings), so publishing twice with nothing changed is
refused instead of making a version that says nothing new.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import NotificationEvent, prize_awarded
from chalicelib.domain.week_result import content_hash

_BASIS_KEYS = ("campaign_id", "pool", "judges", "scorecards", "standings", "prizes")


def publication_basis(campaign_id: str, pool: Mapping, judges: Sequence[str], scorecards: Sequence[Mapping],
                      standings: Sequence[Mapping], prizes: Mapping) -> dict:
    return {
        "campaign_id": campaign_id,
        "pool": dict(pool),
        "judges": sorted(judges),
        "scorecards": sorted((dict(c) for c in scorecards), key=lambda c: (c["entry_id"], c["judge_id"])),
        "standings": [dict(s) for s in standings],
        "prizes": {tier: list(ids) for tier, ids in prizes.items()},
    }


def nothing_to_publish() -> Conflict:
    return Conflict("Chưa có phiếu chấm nào được tính: chưa có kết quả để công bố.",
                    "No scorecard counts yet: there is no result to publish.", code="no_results_to_publish")


def pool_not_final(pending: Sequence[str]) -> Conflict:
    return Conflict("Vòng chung khảo chưa chốt (còn tuần chờ xác nhận): chưa thể công bố kết quả.",
                    "The final pool is not final yet (weeks await confirmation): results cannot be published.",
                    code="results_pool_not_final", pending_confirmation=list(pending))


def results_unchanged(version: int) -> Conflict:
    return Conflict(f"Kết quả không thay đổi so với lần công bố thứ {version}.",
                    f"The results have not changed since published version {version}.",
                    code="results_unchanged", version=version)


def seal_publication(basis: Mapping, previous: Mapping | None, published_at: str, published_by: str) -> dict:
    """Version n+1 of the published results, or a refusal when its basis is that of version n."""
    basis_hash = content_hash(basis)
    if previous is not None and previous.get("basis_hash") == basis_hash:
        raise results_unchanged(int(previous["version"]))
    document = {
        **{key: basis[key] for key in _BASIS_KEYS},
        "basis_hash": basis_hash,
        "version": int(previous["version"]) + 1 if previous else 1,
        "previous_hash": previous["hash"] if previous else None,
        "published_at": published_at,
        "published_by": published_by,
    }
    document["hash"] = content_hash(document)
    return document


def verify_publication(document: Mapping) -> bool:
    basis = {key: document[key] for key in _BASIS_KEYS}
    return content_hash(basis) == document.get("basis_hash") and content_hash(document) == document.get("hash")


def prize_events(document: Mapping) -> list[NotificationEvent]:
    """One PRIZE event per winner; its key names the prize, so the same prize published again sends
    nothing twice and a changed prize sends its own message."""
    return [prize_awarded(entry_id, tier) for tier, entry_ids in sorted(document["prizes"].items())
            for entry_id in entry_ids]


def summary(document: Mapping) -> dict:
    """A version as listed: no scorecards (they stay in the document)."""
    return {key: document[key] for key in ("version", "hash", "previous_hash", "basis_hash", "published_at",
                                           "published_by", "prizes")}
