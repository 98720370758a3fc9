"""The app checks every token itself: signature, expiry, audience, issuer, algorithm, use."""
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.domain.errors import Unauthenticated
from chalicelib.services.identity import TokenVerifier

ISSUER = "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_pool"
AUDIENCE = "client-123"


def _keypair(kid):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    public_jwk.update(kid=kid, alg="RS256", use="sig")
    return private, public_jwk


POOL_KEY, POOL_JWK = _keypair("pool-key")
OTHER_KEY, _ = _keypair("pool-key")


def claims(**overrides):
    now = int(time.time())
    base = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "u-1", "token_use": "id",
        "iat": now, "exp": now + 600, "cognito:username": "organiser-ha-noi",
        "cognito:groups": ["organiser"], "custom:org_unit": "ha-noi",
    }
    base.update(overrides)
    return base


def sign(payload, key=POOL_KEY, kid="pool-key", alg="RS256"):
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def verifier():
    fetches = []

    def fetch():
        fetches.append(1)
        return {"keys": [POOL_JWK]}

    v = TokenVerifier(fetch, ISSUER, AUDIENCE)
    v.fetches = fetches
    return v


def test_a_valid_token_gives_the_role_and_the_unit(verifier):
    identity = verifier.verify(sign(claims()))
    assert identity.role == "organiser"
    assert identity.unit_id == "ha-noi"
    assert identity.username == "organiser-ha-noi"


def test_admin_wins_when_a_user_is_in_several_groups(verifier):
    assert verifier.verify(sign(claims(**{"cognito:groups": ["jury", "admin"]}))).role == "admin"


def _unsigned(payload):
    def b64(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{b64({'alg': 'none', 'kid': 'pool-key'})}.{b64(payload)}."


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: sign(claims(), key=OTHER_KEY), id="forged-signature"),
        pytest.param(lambda: sign(claims(exp=int(time.time()) - 1)), id="expired"),
        pytest.param(lambda: sign(claims(iss=ISSUER.replace("_pool", "_other"))), id="wrong-pool"),
        pytest.param(lambda: sign(claims(aud="someone-else")), id="wrong-audience"),
        pytest.param(lambda: _unsigned(claims()), id="alg-none"),
        pytest.param(lambda: sign(claims(token_use="access")), id="access-token"),
        pytest.param(lambda: sign(claims(), kid="unknown"), id="unknown-key"),
        pytest.param(lambda: sign(claims())[:-4] + "AAAA", id="tampered"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
        pytest.param(lambda: jwt.encode(claims(), "a-shared-secret-of-at-least-32-bytes!", algorithm="HS256", headers={"kid": "pool-key"}), id="hs256"),
    ],
)
def test_bad_tokens_are_refused(verifier, token):
    with pytest.raises(Unauthenticated) as refused:
        verifier.verify(token())
    assert refused.value.code == "invalid_token"


def test_keys_are_fetched_once_and_not_refetched_for_every_unknown_kid(verifier):
    verifier.verify(sign(claims()))
    verifier.verify(sign(claims()))
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            verifier.verify(sign(claims(), kid="rotated"))
    assert len(verifier.fetches) == 1
