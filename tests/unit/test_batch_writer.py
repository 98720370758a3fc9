"""BatchWriteItem as AWS behaves under load, which moto never shows: partial batches
(UnprocessedItems) and throttling, driven through botocore's Stubber."""
from __future__ import annotations

import random

import pytest

from chalicelib.adapters.dynamodb.batch_writer import BatchWriter
from chalicelib.domain.errors import DependencyUnavailable

TABLE = "contest-local-snapshots"


def item(n: int) -> dict:
    return {"submission_id": {"S": f"s-{n}"}, "at_source": {"S": f"2024-08-12T00:00:00Z#tiktok-{n}"}}


def puts(*numbers: int) -> dict:
    return {TABLE: [{"PutRequest": {"Item": item(n)}} for n in numbers]}


def writer(client, sleeps, attempts=5):
    return BatchWriter(client, max_attempts=attempts, base_seconds=0.1, sleep=sleeps.append, rng=random.Random(2))


def test_unprocessed_items_are_sent_again_until_none_are_left(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    # Given DynamoDB accepts 1 of 3 items, then 1 of the 2 left, then the last
    stubber.add_response("batch_write_item", {"UnprocessedItems": puts(2, 3)}, {"RequestItems": puts(1, 2, 3)})
    stubber.add_response("batch_write_item", {"UnprocessedItems": puts(3)}, {"RequestItems": puts(2, 3)})
    stubber.add_response("batch_write_item", {"UnprocessedItems": {}}, {"RequestItems": puts(3)})
    sleeps = []
    # When the writer writes the three
    written = writer(client, sleeps).put_items(TABLE, [item(1), item(2), item(3)])
    # Then only the unprocessed ones were re-sent, each time after a jittered, growing pause
    assert written == 3
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.1 and 0 <= sleeps[1] <= 0.2


def test_throttling_resends_the_whole_batch(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    stubber.add_client_error("batch_write_item", "ProvisionedThroughputExceededException", http_status_code=400,
                             expected_params={"RequestItems": puts(1, 2)})
    stubber.add_response("batch_write_item", {"UnprocessedItems": {}}, {"RequestItems": puts(1, 2)})
    sleeps = []
    assert writer(client, sleeps).put_items(TABLE, [item(1), item(2)]) == 2
    assert len(sleeps) == 1


def test_giving_up_raises_a_typed_error_naming_what_is_left(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    for _ in range(3):
        stubber.add_response("batch_write_item", {"UnprocessedItems": puts(2)})
    with pytest.raises(DependencyUnavailable) as failed:
        writer(client, [], attempts=3).put_items(TABLE, [item(1), item(2)])
    assert failed.value.code == "dynamodb_write_incomplete" and failed.value.details["unprocessed"] == 1


def test_other_errors_are_not_retried(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    stubber.add_client_error("batch_write_item", "ValidationException", http_status_code=400)
    with pytest.raises(Exception) as failed:
        writer(client, []).put_items(TABLE, [item(1)])
    assert "ValidationException" in str(failed.value)


def test_more_than_25_items_go_in_calls_of_25(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    stubber.add_response("batch_write_item", {}, {"RequestItems": puts(*range(25))})
    stubber.add_response("batch_write_item", {}, {"RequestItems": puts(25, 26)})
    assert writer(client, []).put_items(TABLE, [item(n) for n in range(27)]) == 27
