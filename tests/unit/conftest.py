"""Unit tests exercise pure code: any attempt to open a socket fails the test."""
import boto3
import pytest
from botocore.stub import Stubber


@pytest.fixture(autouse=True)
def _no_network(socket_disabled):
    yield


@pytest.fixture
def stubbed_dynamodb():
    """A DynamoDB client answered by botocore's Stubber (what AWS does that moto does not),
    with every queued answer required to be asked for."""
    client = boto3.client("dynamodb", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()
