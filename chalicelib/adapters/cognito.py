"""Cognito user pool: password sign-in and the pool's public signing keys."""
from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import DependencyUnavailable, Unauthenticated

JWKS_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


class CognitoUserPool:
    def __init__(self, client: Any, user_pool_id: str, client_id: str, jwks_url: str) -> None:
        self._client = client
        self._user_pool_id = user_pool_id
        self._client_id = client_id
        self._jwks_url = jwks_url

    def sign_in(self, username: str, password: str) -> Tokens:
        try:
            result = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("NotAuthorizedException", "UserNotFoundException"):
                raise Unauthenticated(
                    "Tên đăng nhập hoặc mật khẩu không đúng.",
                    "Wrong username or password.",
                    code="wrong_credentials",
                ) from None
            raise DependencyUnavailable(
                "Dịch vụ đăng nhập tạm thời không phản hồi.",
                "The sign-in service is unavailable.",
                code="identity_unavailable",
            ) from exc
        if "AuthenticationResult" not in result:
            raise Unauthenticated(
                "Tài khoản cần hoàn tất bước xác thực bổ sung ({}).".format(result.get("ChallengeName")),
                "The account must complete a further challenge ({}).".format(result.get("ChallengeName")),
                code="challenge_required",
            )
        auth = result["AuthenticationResult"]
        return Tokens(
            id_token=auth["IdToken"],
            access_token=auth["AccessToken"],
            refresh_token=auth.get("RefreshToken"),
            expires_in=int(auth.get("ExpiresIn", 3600)),
        )

    def fetch_jwks(self) -> dict:
        with urllib.request.urlopen(self._jwks_url, timeout=JWKS_TIMEOUT_SECONDS) as response:
            return json.loads(response.read())

    def is_reachable(self) -> bool:
        self._client.describe_user_pool(UserPoolId=self._user_pool_id)
        return True
