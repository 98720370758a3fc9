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
