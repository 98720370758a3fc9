"""Roll-up counters per (campaign, unit) and the public day-by-day counter.

Counters are never read-modify-written: every change is an ADD staged into the
same TransactWrite as the status change that causes it (see submissions.py), so
concurrent transitions cannot lose an update and a refused transition counts
nothing. Decrements carry a `counter >= n` condition so a bug that subtracts
twice cancels the whole transaction instead of driving a count negative.

The same transaction ADDs to the aggregate of every unit on the entry's path
(domain/rollup.py path_deltas: at most four items), so a report reads one
aggregate per unit it shows. An aggregate also counts the units of its subtree
that have entries; that count moves only when a unit's counter item gets its
first entry or loses its last, which the writer cannot see from an ADD. So the
counter item's write carries a condition on what the writer believes its
`entries` were (`entries_before`), and a wrong belief refuses the transaction
and is retried with the other one (`with_occupancy_guesses`, `with_occupancy_read`).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb.models import CounterRecord, DailyCountRecord, RollupRecord
from chalicelib.domain.organisation import branch_key
from chalicelib.domain.rollup import (
    COUNTER_FIELDS,
    UnitAggregate,
    UnitCounters,
    WeeklyBests,
    aggregates_from_counter_items,
    counters_from_items,
    occupancy_change,
    path_deltas,
    required_minimums,
    weekly_bests,
)

T = TypeVar("T")
# A unit's counter item almost always has entries already; only its first entry needs the second guess.
OCCUPANCY_GUESSES = (1, 0, 1, 0)
OCCUPANCY_READS = 4
# Every transaction of a campaign ADDs to its root aggregate and its day's counter, so concurrent
# ones collide on those items; DynamoDB cancels one of them (TransactionConflict) and no SDK retries it.
CONFLICT_RETRIES = 4
CONFLICT_BACKOFF_SECONDS = 0.025

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


def _and(condition: Any, check: Any) -> Any:
    return check if condition is None else condition & check


def _occupancy_condition(entries_before: int, entries_delta: int) -> Any:
    """What the counter item's `entries` must be for `occupancy_change(entries_before, delta)` to hold."""
    entries = CounterRecord.entries
    if entries_before == 0:
        return entries.does_not_exist() | (entries == 0)
    if entries_before + entries_delta == 0:
        return entries == entries_before
    return entries >= max(1, 1 - entries_delta)


def _stage_counter_item(
    tx: TransactWrite, campaign_id: str, unit_id: str, unit_path: str, deltas: Mapping[str, int], entries_before: int
) -> int:
    """Stage the ADDs on the unit's counter item; the occupancy change it implies."""
    item = CounterRecord(campaign_id=campaign_id, branch=branch_key(unit_path))
    actions = [CounterRecord.unit_id.set(unit_id)]
    actions += [_attribute(name).add(delta) for name, delta in deltas.items()]
    condition = None
    for name, minimum in required_minimums(deltas).items():
        condition = _and(condition, _attribute(name) >= minimum)
    entries_delta = deltas.get("entries", 0)
    if entries_delta:
        condition = _and(condition, _occupancy_condition(entries_before, entries_delta))
    tx.update(item, actions=actions, condition=condition)
    return occupancy_change(entries_before, entries_delta) if entries_delta else 0


def stage_aggregate_deltas(tx: TransactWrite, campaign_id: str, per_unit: Mapping[str, Mapping[str, int]]) -> None:
    """Stage ADDs on units' aggregates; a decrement is conditioned like the counter items'."""
    for unit_id, deltas in per_unit.items():
        actions = [getattr(RollupRecord, name).add(delta) for name, delta in deltas.items()]
        condition = None
        for name, minimum in required_minimums(deltas).items():
            condition = _and(condition, getattr(RollupRecord, name) >= minimum)
        tx.update(RollupRecord(campaign_id=campaign_id, unit_id=unit_id), actions=actions, condition=condition)


def stage_unit_deltas(
    tx: TransactWrite, campaign_id: str, unit_id: str, unit_path: str, deltas: Mapping[str, int],
    entries_before: int = 1,
) -> None:
    """Stage the ADDs of one unit's counter item and of the aggregates on its path (nothing
    when there are no deltas). `entries_before` matters only when `entries` changes."""
    if not deltas:
        return
    occupancy = _stage_counter_item(tx, campaign_id, unit_id, unit_path, deltas, entries_before)
    stage_aggregate_deltas(tx, campaign_id, path_deltas([(unit_path, deltas, occupancy)]))


def stage_counts_moved(
    tx: TransactWrite, campaign_id: str, unit_id: str, old_path: str, new_path: str, counts: Mapping[str, int],
    entries_before: tuple[int, int] = (1, 1),
) -> None:
    """Stage moving one item's counts from the unit's counter item at its old path to the new one.

    The aggregates of units on both paths (the moved unit, its subtree's
    units, the root) net to nothing; only the ancestors that differ change.
    """
    if not counts:
        return
    removed = {k: -v for k, v in counts.items()}
    left = _stage_counter_item(tx, campaign_id, unit_id, old_path, removed, entries_before[0])
    joined = _stage_counter_item(tx, campaign_id, unit_id, new_path, counts, entries_before[1])
    stage_aggregate_deltas(tx, campaign_id, path_deltas([(old_path, removed, left), (new_path, counts, joined)]))


def _counter_refused(error: TransactWriteError) -> bool:
    """Cancelled by a counter's condition, not by the first item (the entry or link itself)."""
    if error.cause_response_code != "TransactionCanceledException":
        return False
    reasons = error.cancellation_reasons or []
    first = reasons[0] if reasons else None
    first_refused = first is not None and first.code == "ConditionalCheckFailed"
    return not first_refused and any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons[1:])


def _conflicted(error: TransactWriteError) -> bool:
    """Cancelled only because another transaction held one of its items: nothing was written."""
    if error.cause_response_code != "TransactionCanceledException":
        return False
    codes = {r.code for r in error.cancellation_reasons or [] if r is not None}
    return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


def retrying_conflicts(write: Callable[[], T]) -> T:
    """`write()` (one TransactWrite), again after a short random pause while it loses a conflict."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            return write()
        except TransactWriteError as error:
            if attempt == CONFLICT_RETRIES or not _conflicted(error):
                raise
            time.sleep(random.uniform(0, CONFLICT_BACKOFF_SECONDS * 2**attempt))
    raise AssertionError("unreachable")


def with_occupancy_guesses(write: Callable[[int], T], guesses: tuple[int, ...] = OCCUPANCY_GUESSES) -> T:
    """`write(entries_before)` for a creation, guessing first that the unit already has entries.

    A wrong guess is refused by the counter item's condition and costs one more
    transaction, once per unit; racing first entries settle within the
    alternating guesses. A counter refused on every guess is a counting bug and raises.
    """
    for attempt, guess in enumerate(guesses, start=1):
        try:
            return retrying_conflicts(lambda: write(guess))
        except TransactWriteError as error:
            if attempt == len(guesses) or not _counter_refused(error):
                raise
    raise AssertionError("unreachable")


def _entries_filed(campaign_id: str, unit_path: str) -> int:
    try:
        record = CounterRecord.get(campaign_id, branch_key(unit_path), consistent_read=True,
                                   attributes_to_get=[CounterRecord.entries.attr_name])
    except DoesNotExist:
        return 0
    return int(record.entries or 0)


def with_occupancy_read(
    campaign_id: str, old_path: str, new_path: str, write: Callable[[tuple[int, int]], T]
) -> T:
    """`write((entries at old path, entries at new path))` for a move, read first: moves are
    rare and run in the background, and either path may be about to empty or to fill."""
    for attempt in range(1, OCCUPANCY_READS + 1):
        before = (_entries_filed(campaign_id, old_path), _entries_filed(campaign_id, new_path))
        try:
            return retrying_conflicts(lambda: write(before))
        except TransactWriteError as error:
            if attempt == OCCUPANCY_READS or not _counter_refused(error):
                raise
    raise AssertionError("unreachable")


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

    def aggregates(self, campaign_id: str, unit_ids: Iterable[str]) -> dict[str, UnitAggregate]:
        """The stored aggregates of these units (one BatchGet per 100); units with none are absent."""
        keys = [(campaign_id, unit_id) for unit_id in dict.fromkeys(unit_ids)]
        return {r.unit_id: UnitAggregate.from_item(r.attribute_values) for r in RollupRecord.batch_get(keys)}

    def raise_best_weekly_score(self, campaign_id: str, unit_id: str, unit_path: str, score: Decimal | int) -> bool:
        """Record one unit's weekly score if it beats its best so far (the best only rises)."""
        return unit_id in self.raise_best_weekly_scores(campaign_id, weekly_bests([(unit_id, unit_path, score)]))

    def raise_best_weekly_scores(self, campaign_id: str, bests: WeeklyBests) -> set[str]:
        """Raise each unit's own best (counter item and aggregate) and each subtree's best; the
        units whose counter item's best rose.

        A national week touches tens of thousands of items, so the stored bests are read first
        (one Query per table) and only the ones that rise are written, 100 conditional updates
        per TransactWriteItems. A transaction refused because someone raised an item meanwhile
        is done again item by item, each write with its own condition, so nothing is lowered.
        """
        counters = {r.branch: r.best_weekly_score for r in CounterRecord.query(
            campaign_id, attributes_to_get=["branch", "best_weekly_score"])}
        rollups = {r.unit_id: (r.own_best_weekly_score, r.best_weekly_score) for r in RollupRecord.query(
            campaign_id, attributes_to_get=["unit_id", "own_best_weekly_score", "best_weekly_score"])}
        writes: list[tuple[Any, Any, int | float, list]] = []
        raised: set[str] = set()
        for unit_id, (unit_path, score) in bests.own.items():
            stored = _storable(score)
            branch = branch_key(unit_path)
            if _rises(counters.get(branch), stored):
                raised.add(unit_id)
                writes.append((CounterRecord(campaign_id=campaign_id, branch=branch), CounterRecord.best_weekly_score,
                               stored, [CounterRecord.unit_id.set(unit_id)]))
            if _rises(rollups.get(unit_id, (None, None))[0], stored):
                writes.append((RollupRecord(campaign_id=campaign_id, unit_id=unit_id),
                               RollupRecord.own_best_weekly_score, stored, []))
        for unit_id, score in bests.subtree.items():
            stored = _storable(score)
            if _rises(rollups.get(unit_id, (None, None))[1], stored):
                writes.append((RollupRecord(campaign_id=campaign_id, unit_id=unit_id),
                               RollupRecord.best_weekly_score, stored, []))
        # One transaction may touch an item once: an aggregate's own and subtree bests go apart.
        own_writes = [w for w in writes if w[1] is not RollupRecord.best_weekly_score]
        subtree_writes = [w for w in writes if w[1] is RollupRecord.best_weekly_score]
        for group in (own_writes, subtree_writes):
            for start in range(0, len(group), TRANSACTION_ITEMS):
                _raise_together(group[start:start + TRANSACTION_ITEMS], raised)
        return raised

    def rebuild_aggregates(self, campaign_id: str) -> int:
        """Aggregates recomputed from the campaign's counter items (the migration from per-unit
        counters, and a repair); aggregates of units with no counter item left are deleted.

        Run it while nothing is being counted for the campaign: a count written
        between its read and its write would be overwritten. Running it again is harmless.
        """
        records = list(CounterRecord.query(campaign_id))
        counted = [(r.branch.rstrip("/"), _unit_counters(r)) for r in records]
        aggregates = aggregates_from_counter_items(counted)
        stale = [r for r in RollupRecord.query(campaign_id, attributes_to_get=["campaign_id", "unit_id"])
                 if r.unit_id not in aggregates]
        with RollupRecord.batch_write() as batch:
            for unit_id, aggregate in aggregates.items():
                item = {k: v for k, v in aggregate.to_item().items() if v is not None}
                batch.save(RollupRecord(campaign_id=campaign_id, unit_id=unit_id, **item))
            for record in stale:
                batch.delete(record)
        return len(aggregates)

    def write_bulk(self, items: Iterable[tuple[str, str, str, Mapping[str, int]]]) -> None:
        """(campaign_id, unit_id, unit_path, counts) straight into the table: benchmarks and seeds only.
        The aggregates are derived from them as the migration does."""
        campaigns: set[str] = set()
        with CounterRecord.batch_write() as batch:
            for campaign_id, unit_id, unit_path, counts in items:
                campaigns.add(campaign_id)
                batch.save(CounterRecord(campaign_id=campaign_id, branch=branch_key(unit_path), unit_id=unit_id,
                                         **{n: counts.get(n, 0) for n in COUNTER_FIELDS}))
        for campaign_id in campaigns:
            self.rebuild_aggregates(campaign_id)

    def write_daily_bulk(self, items: Iterable[tuple[str, str, int, int]]) -> None:
        with DailyCountRecord.batch_write() as batch:
            for campaign_id, day, received, valid in items:
                batch.save(DailyCountRecord(campaign_id=campaign_id, day=day, received=received, valid=valid))


def _unit_counters(record: CounterRecord) -> UnitCounters:
    return UnitCounters.from_item({**{n: getattr(record, n) for n in COUNTER_FIELDS},
                                   "best_weekly_score": record.best_weekly_score})


def _storable(score: Decimal | int) -> int | float:
    # PynamoDB's NumberAttribute serialises through json, which takes int and float only.
    return int(score) if score == int(score) else float(score)


TRANSACTION_ITEMS = 100


def _rises(stored: Any, score: int | float) -> bool:
    return stored is None or stored < score


def _raise_together(writes: list[tuple[Any, Any, int | float, list]], raised: set[str]) -> None:
    """One TransactWriteItems of conditional raises; refused as a whole, each is tried alone."""
    try:
        def write() -> None:
            with TransactWrite(connection=transaction_connection()) as tx:
                for item, attribute, score, also in writes:
                    tx.update(item, actions=[*also, attribute.set(score)],
                              condition=attribute.does_not_exist() | (attribute < score))
        retrying_conflicts(write)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        for item, attribute, score, also in writes:
            if not _raise(item, attribute, score, also) and attribute is CounterRecord.best_weekly_score:
                raised.discard(_unit_of(also))


def _unit_of(also: list) -> str:
    """The unit id a counter item's raise also SETs (its first action)."""
    return str(also[0].values[1].value["S"]) if also else ""


def _raise(item: Any, attribute: Any, score: int | float, also: list | None = None) -> bool:
    """SET the score where it beats the stored one; False when it does not."""
    try:
        item.update(actions=[*(also or []), attribute.set(score)],
                    condition=attribute.does_not_exist() | (attribute < score))
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True
