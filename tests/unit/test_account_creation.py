"""Accounts an operator creates, as Cognito answers (botocore's Stubber: the emulator neither
sends invitations nor checks what AWS checks)."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from chalicelib.adapters.cognito import CognitoUserPool
from chalicelib.domain.errors import Conflict

POOL = "ap-southeast-1_x"


@pytest.fixture
def stubbed():
    client = boto3.client("cognito-idp", region_name="ap-southeast-1")
    with Stubber(client) as stub:
        yield stub, CognitoUserPool(client, POOL, "client", "http://127.0.0.1/jwks")


def test_with_an_email_cognito_sends_the_invitation_and_the_account_joins_its_group(stubbed):
    stub, pool = stubbed
    stub.add_response("admin_create_user", {"User": {"Username": "gk1", "UserStatus": "FORCE_CHANGE_PASSWORD"}}, {
        "UserPoolId": POOL, "Username": "gk1", "TemporaryPassword": "Temporary1234",
        "UserAttributes": [{"Name": "custom:org_unit", "Value": "ha-noi"}, {"Name": "email", "Value": "gk1@x.vn"},
                           {"Name": "email_verified", "Value": "true"}],
        "DesiredDeliveryMediums": ["EMAIL"]})
    stub.add_response("admin_add_user_to_group", {}, {"UserPoolId": POOL, "Username": "gk1", "GroupName": "jury"})

    account = pool.create_account("gk1", "jury", "ha-noi", "Temporary1234", "gk1@x.vn")

    assert account == {"username": "gk1", "role": "jury", "unit_id": "ha-noi", "status": "FORCE_CHANGE_PASSWORD"}


def test_without_an_email_no_message_is_sent_and_a_taken_name_is_a_conflict(stubbed):
    stub, pool = stubbed
    stub.add_client_error("admin_create_user", "UsernameExistsException", "User account already exists",
                          expected_params={"UserPoolId": POOL, "Username": "admin", "TemporaryPassword": ANY,
                                           "UserAttributes": [], "MessageAction": "SUPPRESS"})
    with pytest.raises(Conflict) as refused:
        pool.create_account("admin", "admin", None, "Temporary1234")
    assert refused.value.code == "account_exists"
