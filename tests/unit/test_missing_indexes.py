"""A kept table gains the indexes its model declares as DynamoDB allows it, which moto does not
enforce: one index per UpdateTable, the next only once the last is active ("Only 1 online index
can be created or deleted simultaneously per table"). Driven through botocore's Stubber."""
from __future__ import annotations

import pytest

from chalicelib.adapters.dynamodb.models import SubmissionRecord
from chalicelib.adapters.dynamodb.schema import create_table_request
from chalicelib.local.cloud import add_missing_indexes

REQUEST = create_table_request(SubmissionRecord)
TABLE = REQUEST["TableName"]
DECLARED = [i["IndexName"] for i in REQUEST["GlobalSecondaryIndexes"]]


def described(statuses: dict[str, str], table_status: str = "ACTIVE") -> dict:
    return {"Table": {"TableName": TABLE, "TableStatus": table_status, "GlobalSecondaryIndexes": [
        {"IndexName": name, "IndexStatus": status} for name, status in statuses.items()]}}


def declared(name: str) -> dict:
    return next(i for i in REQUEST["GlobalSecondaryIndexes"] if i["IndexName"] == name)


def test_each_missing_index_is_one_update_and_the_next_waits_for_the_last_to_be_active(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    # Given a kept table with the first declared index only
    first, *missing = DECLARED
    assert len(missing) >= 2
    stubber.add_response("describe_table", described({first: "ACTIVE"}), {"TableName": TABLE})
    have = {first: "ACTIVE"}
    for name in missing:
        # Then each missing index is created on its own, with every attribute the table's keys use
        stubber.add_response("update_table", {}, {
            "TableName": TABLE, "AttributeDefinitions": REQUEST["AttributeDefinitions"],
            "GlobalSecondaryIndexUpdates": [{"Create": declared(name)}]})
        # And the next one waits while DynamoDB is still filling this one
        stubber.add_response("describe_table", described({**have, name: "CREATING"}, "UPDATING"), {"TableName": TABLE})
        have[name] = "ACTIVE"
        stubber.add_response("describe_table", described(have), {"TableName": TABLE})
    # When the table is brought up to its model
    assert add_missing_indexes(client, REQUEST, wait_seconds=30) == missing


def test_a_table_that_has_every_index_is_left_as_it_is(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    stubber.add_response("describe_table", described({name: "ACTIVE" for name in DECLARED}), {"TableName": TABLE})
    assert add_missing_indexes(client, REQUEST) == []


def test_an_index_that_never_becomes_active_stops_start_up_with_its_table_named(stubbed_dynamodb):
    client, stubber = stubbed_dynamodb
    first, second, *_ = DECLARED
    stubber.add_response("describe_table", described({n: "ACTIVE" for n in DECLARED if n != second}),
                         {"TableName": TABLE})
    stubber.add_response("update_table", {}, None)
    stubber.add_response("describe_table", described({second: "CREATING"}, "UPDATING"), {"TableName": TABLE})
    with pytest.raises(TimeoutError, match=TABLE):
        add_missing_indexes(client, REQUEST, wait_seconds=0)
