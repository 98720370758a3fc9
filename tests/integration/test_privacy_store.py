"""Withdrawal and erasure in DynamoDB: a withdrawn entry leaves every counter exactly, and
personal data is erased once, page by page, by conditional writes."""
import uuid
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from chalicelib.adapters.dynamodb.counters import CounterStore
from chalicelib.adapters.dynamodb.submissions import SubmissionStore
from chalicelib.domain.rollup import UnitAggregate, UnitCounters
from tests.integration.test_counters import HANG_BAC, KIM_MA, new_entry, validate

PATH_UNITS = ["tw", "ha-noi", "ha-noi-ba-dinh", KIM_MA[0], "ha-noi-hoan-kiem", HANG_BAC[0]]
AT = datetime(2026, 12, 1, 3, tzinfo=timezone.utc)


@pytest.fixture
def campaign_id(seeded_cloud):
    return f"privacy-{uuid.uuid4().hex[:8]}"


def test_withdrawn_entries_leave_the_counters_their_unit_and_the_public_counter(campaign_id):
    store, counters = SubmissionStore(), CounterStore()
    kept, leaving = new_entry(store, campaign_id), new_entry(store, campaign_id)
    validate(store, kept)
    leaving = validate(store, leaving)
    alone = new_entry(store, campaign_id, HANG_BAC)

    # Given two entries in Kim Mã (one stays) and one alone in Hàng Bạc, when both of the latter leave:
    assert store.withdraw(leaving, AT).status == "withdrawn"
    assert store.withdraw(alone, AT).status == "withdrawn"

    assert counters.branch(campaign_id, "tw/ha-noi") == {KIM_MA[0]: UnitCounters(entries=1, valid=1),
                                                         HANG_BAC[0]: UnitCounters()}
    found = CounterStore().aggregates(campaign_id, PATH_UNITS)
    assert found["tw"] == UnitAggregate(UnitCounters(entries=1, valid=1), UnitCounters(), 1)
    assert found[HANG_BAC[0]].units_with_entries == 0 and found["ha-noi-hoan-kiem"].subtree == UnitCounters()
    [(_, received, valid)] = counters.daily(campaign_id)
    assert (received, valid) == (1, 1)


def test_a_repeated_or_late_withdrawal_changes_nothing(campaign_id):
    store, counters = SubmissionStore(), CounterStore()
    entry = new_entry(store, campaign_id)
    assert store.withdraw(entry, AT)
    assert store.withdraw(entry, AT) is False  # the status it was read in is gone
    published = replace(store.get(entry.submission_id), status="published")
    assert store.withdraw(published, AT) is False
    assert counters.branch(campaign_id, KIM_MA[1]) == {KIM_MA[0]: UnitCounters()}


def test_personal_data_is_erased_once_page_by_page(campaign_id):
    store = SubmissionStore()
    ids = {new_entry(store, campaign_id).submission_id for _ in range(5)}

    seen, start = [], None
    while True:
        page, start = store.not_erased_page(campaign_id, start, 2)
        seen += page
        if start is None:
            break
    assert {e.submission_id for e in seen} == ids and len(seen) == 5

    first = seen[0]
    erased = store.erase_personal_data(first, [], {"terms_version": "2024-1"}, AT)
    assert erased.authors == [] and erased.personal_data_erased_at == AT
    assert erased.consent == {"terms_version": "2024-1"}
    assert store.erase_personal_data(first, [{"name": "X"}], None, AT) is False  # once only
    assert store.get(first.submission_id).authors == []

    remaining, _ = store.not_erased_page(campaign_id, None, 10)
    assert {e.submission_id for e in remaining} == ids - {first.submission_id}
