"""Verifies Cognito-issued JWTs inside the app, on every stage.

API Gateway's Cognito authorizer never runs locally and `chalice local` does not
check signatures, so the app itself checks signature, expiry, audience, issuer
and token use against the pool's JWKS.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

import jwt

from chalicelib.domain.errors import Unauthenticated

ROLES_BY_PRECEDENCE = ("admin", "organiser", "jury")
ACCEPTED_ALGORITHMS = ["RS256"]
JWKS_REFRESH_MIN_SECONDS = 60


@dataclass(frozen=True)
class Identity:
    username: str
    subject: str
    role: str | None
    groups: tuple[str, ...]
    unit_id: str | None


def _refused(reason_en: str) -> Unauthenticated:
    return Unauthenticated(
        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.",
        f"Invalid or expired sign-in token ({reason_en}). Please sign in again.",
        code="invalid_token",
    )


class TokenVerifier:
    def __init__(
        self,
        fetch_jwks: Callable[[], dict],
        issuer: str,
        audience: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch_jwks = fetch_jwks
        self._issuer = issuer
        self._audience = audience
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def _key_for(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            if kid not in self._keys and self._clock() - self._fetched_at >= JWKS_REFRESH_MIN_SECONDS:
                # Unknown kid: the pool may have rotated keys; refetch, but not on every bad token.
                key_set = jwt.PyJWKSet.from_dict(self._fetch_jwks())
                self._keys = {k.key_id: k for k in key_set.keys if k.key_id}
                self._fetched_at = self._clock()
            if kid not in self._keys:
                raise _refused("unknown signing key")
            return self._keys[kid]

    def verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _refused("malformed token") from None
        if header.get("alg") not in ACCEPTED_ALGORITHMS:
            raise _refused("algorithm not accepted")
        key = self._key_for(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=ACCEPTED_ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            raise _refused("expired") from None
        except jwt.PyJWTError as exc:
            raise _refused(type(exc).__name__) from None
        if claims.get("token_use") != "id":
            raise _refused("not an ID token")
        groups = tuple(claims.get("cognito:groups") or ())
        role = next((r for r in ROLES_BY_PRECEDENCE if r in groups), None)
        return Identity(
            username=str(claims.get("cognito:username") or claims["sub"]),
            subject=str(claims["sub"]),
            role=role,
            groups=groups,
            unit_id=claims.get("custom:org_unit"),
        )
