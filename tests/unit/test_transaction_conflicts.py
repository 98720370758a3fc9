"""A transaction cancelled only by a conflict on a hot item (the root aggregate, the day's
counter) wrote nothing and is tried again; a refused condition is never retried."""
from __future__ import annotations

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib.adapters.dynamodb import counters


def _cancelled(*codes: str | None) -> TransactWriteError:
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code=c) if c else None for c in codes],
    )
    return TransactWriteError("Failed to write transaction items", cause=cause)


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(counters.time, "sleep", lambda seconds: None)


def test_given_a_conflict_when_writing_then_the_transaction_is_tried_again():
    attempts = []

    def write():
        attempts.append(1)
        if len(attempts) < 3:
            raise _cancelled(None, "TransactionConflict")
        return "written"

    assert counters.retrying_conflicts(write) == "written"
    assert len(attempts) == 3


def test_given_conflicts_every_time_then_the_last_one_is_raised():
    attempts = []

    def write():
        attempts.append(1)
        raise _cancelled("TransactionConflict")

    with pytest.raises(TransactWriteError):
        counters.retrying_conflicts(write)
    assert len(attempts) == counters.CONFLICT_RETRIES + 1


@pytest.mark.parametrize("codes", [("ConditionalCheckFailed",), ("ConditionalCheckFailed", "TransactionConflict")])
def test_given_a_refused_condition_then_nothing_is_retried(codes):
    attempts = []

    def write():
        attempts.append(1)
        raise _cancelled(*codes)

    with pytest.raises(TransactWriteError):
        counters.retrying_conflicts(write)
    assert len(attempts) == 1


def test_given_a_first_entry_racing_a_conflict_then_the_guesses_still_settle():
    seen = []

    def write(entries_before):
        seen.append(entries_before)
        if len(seen) == 1:
            raise _cancelled(None, "TransactionConflict")
        if entries_before == 1:
            raise _cancelled(None, "ConditionalCheckFailed")
        return entries_before

    assert counters.with_occupancy_guesses(write) == 0
    assert seen == [1, 1, 0]
