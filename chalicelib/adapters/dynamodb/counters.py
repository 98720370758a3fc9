"""Roll-up counters per (campaign, unit) and the public day-by-day counter.

Counters are never read-modify-written: every change is an ADD staged into the
same TransactWrite as the status change that causes it (see submissions.py), so
concurrent transitions cannot lose an update and a refused transition counts
nothing. Decrements carry a `counter >= n` condition so a bug that subtracts
twice cancels the whole transaction instead of driving a count negative.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.connection import Connection
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.models import CounterRecord, DailyCountRecord
from chalicelib.domain.organisation import branch_key
from chalicelib.domain.rollup import COUNTER_FIELDS, UnitCounters, counters_from_items, required_minimums

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# The public counter keeps two of a unit's counters, under its own attribute names.
DAILY_FIELDS = {
    CounterRecord.entries.attr_name: DailyCountRecord.received.attr_name,
    CounterRecord.valid.attr_name: DailyCountRecord.valid.attr_name,
}


@lru_cache(maxsize=1)
def transaction_connection() -> Connection:
    """One low-level connection for TransactWriteItems (every table shares the region and endpoint)."""
    meta = CounterRecord.Meta
    return Connection(region=meta.region, host=getattr(meta, "host", None))


def vietnam_day(moment: datetime) -> str:
    """The calendar day in Vietnam: an entry at 23:30 on the 1st (16:30 UTC) counts on the 1st."""
    return moment.astimezone(VIETNAM).date().isoformat()


def _attribute(name: str) -> Any:
    return getattr(CounterRecord, name)


def stage_unit_deltas(
    tx: TransactWrite, campaign_id: str, unit_id: str, unit_path: str, deltas: Mapping[str, int]
) -> None:
    """Stage the ADDs of one unit's counter item into `tx` (nothing when there are no deltas)."""
    if not deltas:
        return
    item = CounterRecord(campaign_id=campaign_id, branch=branch_key(unit_path))
    actions = [CounterRecord.unit_id.set(unit_id)]
    actions += [_attribute(name).add(delta) for name, delta in deltas.items()]
    condition = None
    for name, minimum in required_minimums(deltas).items():
        check = _attribute(name) >= minimum
        condition = check if condition is None else condition & check
    tx.update(item, actions=actions, condition=condition)


def stage_counts_moved(
    tx: TransactWrite, campaign_id: str, unit_id: str, old_path: str, new_path: str, counts: Mapping[str, int]
) -> None:
    """Stage moving one item's counts from the unit's counter item at its old path to the new one."""
    stage_unit_deltas(tx, campaign_id, unit_id, old_path, {k: -v for k, v in counts.items()})
    stage_unit_deltas(tx, campaign_id, unit_id, new_path, counts)


def stage_daily_deltas(tx: TransactWrite, campaign_id: str, received_at: datetime, deltas: Mapping[str, int]) -> None:
    """Stage the public counter's ADDs for the day the entry was received."""
    daily = {DAILY_FIELDS[name]: delta for name, delta in deltas.items() if name in DAILY_FIELDS}
    if not daily:
        return
    item = DailyCountRecord(campaign_id=campaign_id, day=vietnam_day(received_at))
    actions = [getattr(DailyCountRecord, name).add(delta) for name, delta in daily.items()]
    condition = None
    for name, delta in daily.items():
        if delta < 0:
            check = getattr(DailyCountRecord, name) >= -delta
            condition = check if condition is None else condition & check
    tx.update(item, actions=actions, condition=condition)


class CounterStore:
    def branch(self, campaign_id: str, path: str) -> dict[str, UnitCounters]:
        """Every counter item of the branch, in one Query: cost grows with units, never entries."""
        items = (
            {"unit_id": r.unit_id, **{n: getattr(r, n) for n in COUNTER_FIELDS},
             "best_weekly_score": r.best_weekly_score}
            for r in CounterRecord.query(campaign_id, CounterRecord.branch.startswith(branch_key(path)))
        )
        return counters_from_items(items)

    def items_for(self, campaign_id: str, unit_paths: Iterable[str]) -> dict[str, UnitCounters]:
        """Counter items of specific units (a BatchGet), e.g. to refuse removing units in use."""
        keys = [(campaign_id, branch_key(p)) for p in unit_paths]
        items = (
            {"unit_id": r.unit_id, **{n: getattr(r, n) for n in COUNTER_FIELDS}}
            for r in CounterRecord.batch_get(keys)
        )
        return counters_from_items(items)

    def daily(self, campaign_id: str) -> list[tuple[date, int, int]]:
        """(day, received, valid) for every day with entries, oldest first: one Query."""
        return [
            (date.fromisoformat(r.day), int(r.received or 0), int(r.valid or 0))
            for r in DailyCountRecord.query(campaign_id)
        ]

    def raise_best_weekly_score(self, campaign_id: str, unit_id: str, unit_path: str, score: Decimal | int) -> bool:
        """Record a unit's weekly score if it beats its best so far (the best only rises)."""
        item = CounterRecord(campaign_id=campaign_id, branch=branch_key(unit_path))
        # PynamoDB's NumberAttribute serialises through json, which takes int and float only.
        score = int(score) if score == int(score) else float(score)
        try:
            item.update(
                actions=[CounterRecord.unit_id.set(unit_id), CounterRecord.best_weekly_score.set(score)],
                condition=CounterRecord.best_weekly_score.does_not_exist() | (CounterRecord.best_weekly_score < score),
            )
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def write_bulk(self, items: Iterable[tuple[str, str, str, Mapping[str, int]]]) -> None:
        """(campaign_id, unit_id, unit_path, counts) straight into the table: benchmarks and seeds only."""
        with CounterRecord.batch_write() as batch:
            for campaign_id, unit_id, unit_path, counts in items:
                batch.save(CounterRecord(campaign_id=campaign_id, branch=branch_key(unit_path), unit_id=unit_id,
                                         **{n: counts.get(n, 0) for n in COUNTER_FIELDS}))

    def write_daily_bulk(self, items: Iterable[tuple[str, str, int, int]]) -> None:
        with DailyCountRecord.batch_write() as batch:
            for campaign_id, day, received, valid in items:
                batch.save(DailyCountRecord(campaign_id=campaign_id, day=day, received=received, valid=valid))
