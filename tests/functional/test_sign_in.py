"""Organisers sign in against the user pool; every protected route checks the token itself."""
import json
import time

import jwt
import pytest

from tests.functional.conftest import bearer

JSON = {"Content-Type": "application/json"}


def _moto_pool_key():
    # moto signs every pool's tokens with this key; using it proves that signature
    # alone is not enough (issuer, audience and expiry are checked too).
    from moto.utilities.utils import load_resource

    return jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json")).key


def _claims(seeded_cloud, **overrides):
    from chalicelib.bootstrap import services

    settings = services().settings
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer, "aud": settings.user_pool_client_id, "sub": "x",
        "token_use": "id", "iat": now, "exp": now + 600, "cognito:username": "admin",
        "cognito:groups": ["admin"], "custom:org_unit": "tw",
    }
    claims.update(overrides)
    return claims


def _sign(claims):
    return jwt.encode(claims, _moto_pool_key(), algorithm="RS256", headers={"kid": "dummy"})


def test_printed_admin_credentials_give_a_token_that_protected_routes_accept(client, seeded_cloud):
    admin = seeded_cloud.accounts["admin"]
    response = client.http.post("/auth/token", headers=JSON,
                                body=json.dumps({"username": admin.username, "password": admin.password}))
    assert response.status_code == 200
    token = response.json_body["id_token"]
    me = client.http.get("/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json_body == {"username": "admin", "role": "admin", "groups": ["admin"], "unit_id": "tw"}


def test_a_tampered_token_is_refused(client, tokens):
    header, payload, signature = tokens["admin"].split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["custom:org_unit"] = "hcm"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    response = client.http.get("/auth/me", headers=bearer(f"{header}.{forged_payload}.{signature}"))
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "invalid_token"
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": int(time.time()) - 5},
        {"iss": "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_otherpool"},
        {"aud": "another-app-client"},
    ],
    ids=["expired", "wrong-pool", "wrong-audience"],
)
def test_properly_signed_tokens_for_the_wrong_context_are_refused(client, seeded_cloud, overrides):
    token = _sign(_claims(seeded_cloud, **overrides))
    assert client.http.get("/auth/me", headers=bearer(token)).status_code == 401


def test_alg_none_is_refused(client, seeded_cloud):
    unsigned = jwt.encode(_claims(seeded_cloud), key=None, algorithm="none", headers={"kid": "dummy"})
    assert client.http.get("/auth/me", headers=bearer(unsigned)).status_code == 401


def test_a_token_with_no_role_is_forbidden(client, seeded_cloud):
    token = _sign(_claims(seeded_cloud, **{"cognito:groups": ["participants"]}))
    response = client.http.get("/auth/me", headers=bearer(token))
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "role_not_allowed"


def test_missing_token_is_a_401(client):
    response = client.http.get("/auth/me")
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "missing_token"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"username": "admin", "password": "wrong-password"}, 401, "wrong_credentials"),
        ({"username": "nobody", "password": "whatever-123"}, 401, "wrong_credentials"),
        ({"username": "admin"}, 400, "credentials_required"),
        ("not json", 400, "invalid_json"),
        ([1, 2], 400, "invalid_json"),
    ],
    ids=["wrong-password", "unknown-user", "missing-password", "not-json", "not-an-object"],
)
def test_sign_in_errors_are_specific(client, body, status, code):
    raw = body if isinstance(body, str) else json.dumps(body)
    response = client.http.post("/auth/token", headers=JSON, body=raw)
    assert response.status_code == status
    assert response.json_body["error"]["code"] == code


def _post(client, path, body):
    return client.http.post(path, headers=JSON, body=json.dumps(body))


def _account_with_temporary_password(seeded_cloud, username, temporary):
    import boto3

    idp = boto3.client("cognito-idp", endpoint_url=seeded_cloud.config.endpoint_url)
    pool = seeded_cloud.provisioned.user_pool_id
    idp.admin_create_user(UserPoolId=pool, Username=username, TemporaryPassword=temporary, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "custom:org_unit", "Value": "hn"}])
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="organiser")


def test_a_temporary_password_leads_to_the_new_password_step_then_to_tokens(client, seeded_cloud):
    _account_with_temporary_password(seeded_cloud, "new-organiser-1", "Temporary-Pass-1!")
    step = _post(client, "/auth/token", {"username": "new-organiser-1", "password": "Temporary-Pass-1!"})
    assert step.status_code == 200
    assert step.json_body["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert "id_token" not in step.json_body
    done = _post(client, "/auth/new-password", {"username": "new-organiser-1", "session": step.json_body["session"],
                                                "new_password": "Own-Strong-Pass-2!"})
    assert done.status_code == 200
    me = client.http.get("/auth/me", headers=bearer(done.json_body["id_token"]))
    assert me.json_body["username"] == "new-organiser-1"
    again = _post(client, "/auth/token", {"username": "new-organiser-1", "password": "Own-Strong-Pass-2!"})
    assert again.status_code == 200 and again.json_body["id_token"]


def test_the_new_password_step_refuses_a_stale_session(client, seeded_cloud):
    _account_with_temporary_password(seeded_cloud, "new-organiser-2", "Temporary-Pass-1!")
    response = _post(client, "/auth/new-password", {"username": "new-organiser-2", "session": "not-a-session",
                                                    "new_password": "Own-Strong-Pass-2!"})
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "challenge_expired"


def test_the_new_password_step_needs_every_field(client):
    response = _post(client, "/auth/new-password", {"username": "x", "session": "y"})
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "credentials_required"


def test_a_refresh_token_gives_fresh_tokens_without_the_password(client, seeded_cloud):
    admin = seeded_cloud.accounts["admin"]
    signed_in = _post(client, "/auth/token", {"username": admin.username, "password": admin.password}).json_body
    refreshed = _post(client, "/auth/refresh", {"refresh_token": signed_in["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json_body["refresh_token"] == signed_in["refresh_token"]
    me = client.http.get("/auth/me", headers=bearer(refreshed.json_body["id_token"]))
    assert me.status_code == 200 and me.json_body["username"] == "admin"


@pytest.mark.parametrize("body, status, code", [
    ({"refresh_token": "not-a-refresh-token"}, 401, "refresh_expired"),
    ({}, 400, "credentials_required"),
], ids=["unknown-token", "missing-token"])
def test_refresh_refusals_are_specific(client, body, status, code):
    response = _post(client, "/auth/refresh", body)
    assert response.status_code == status
    assert response.json_body["error"]["code"] == code
