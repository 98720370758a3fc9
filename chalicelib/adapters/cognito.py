"""Cognito user pool: password sign-in, the new-password step, token refresh, accounts an operator creates
and the pool's public signing keys."""
from __future__ import annotations

import json
import urllib.request
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from chalicelib.domain.errors import Conflict, DependencyUnavailable, InvalidInput, Unauthenticated
from chalicelib.domain.sign_in import NEW_PASSWORD_REQUIRED, NewPasswordRequired, Tokens

JWKS_TIMEOUT_SECONDS = 5


def _wrong_credentials() -> Unauthenticated:
    return Unauthenticated(
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
        code="wrong_credentials",
    )


def _challenge_expired() -> Unauthenticated:
    return Unauthenticated(
        "Phiên đổi mật khẩu đã hết hạn. Vui lòng đăng nhập lại bằng mật khẩu tạm thời.",
        "The password-change session has expired. Sign in again with the temporary password.",
        code="challenge_expired",
    )


def _refresh_expired() -> Unauthenticated:
    return Unauthenticated(
        "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
        "The sign-in has expired. Please sign in again.",
        code="refresh_expired",
    )


def _unavailable(exc: ClientError) -> DependencyUnavailable:
    return DependencyUnavailable(
        "Dịch vụ đăng nhập tạm thời không phản hồi.",
        "The sign-in service is unavailable.",
        code="identity_unavailable",
    )


def _tokens(auth: dict, refresh_token: str | None = None) -> Tokens:
    return Tokens(
        id_token=auth["IdToken"],
        access_token=auth["AccessToken"],
        # A refresh answers without a new refresh token: the one sent stays valid.
        refresh_token=auth.get("RefreshToken") or refresh_token,
        expires_in=int(auth.get("ExpiresIn", 3600)),
    )


class CognitoUserPool:
    def __init__(self, client: Any, user_pool_id: str, client_id: str, jwks_url: str) -> None:
        self._client = client
        self._user_pool_id = user_pool_id
        self._client_id = client_id
        self._jwks_url = jwks_url

    def sign_in(self, username: str, password: str) -> Tokens | NewPasswordRequired:
        try:
            result = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NotAuthorizedException", "UserNotFoundException"):
                raise _wrong_credentials() from None
            raise _unavailable(exc) from exc
        if "AuthenticationResult" in result:
            return _tokens(result["AuthenticationResult"])
        if result.get("ChallengeName") == NEW_PASSWORD_REQUIRED:
            return NewPasswordRequired(username=username, session=result["Session"])
        raise Unauthenticated(
            "Tài khoản cần hoàn tất bước xác thực bổ sung ({}).".format(result.get("ChallengeName")),
            "The account must complete a further challenge ({}).".format(result.get("ChallengeName")),
            code="challenge_required",
        )

    def set_new_password(self, username: str, session: str, new_password: str) -> Tokens:
        try:
            result = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=NEW_PASSWORD_REQUIRED,
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except ParamValidationError:
            raise _challenge_expired() from None
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "InvalidPasswordException":
                raise InvalidInput(
                    "Mật khẩu mới chưa đủ mạnh: cần ít nhất 8 ký tự, có chữ hoa, chữ thường, chữ số và ký hiệu.",
                    "The new password is too weak: at least 8 characters with upper case, lower case, a digit "
                    "and a symbol.",
                    code="weak_password",
                ) from None
            # AWS answers NotAuthorized for a stale session; the emulator answers ResourceNotFound.
            if code in ("NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException",
                        "UserNotFoundException", "ResourceNotFoundException"):
                raise _challenge_expired() from None
            raise _unavailable(exc) from exc
        if "AuthenticationResult" not in result:
            raise Unauthenticated(
                "Tài khoản cần hoàn tất bước xác thực bổ sung ({}).".format(result.get("ChallengeName")),
                "The account must complete a further challenge ({}).".format(result.get("ChallengeName")),
                code="challenge_required",
            )
        return _tokens(result["AuthenticationResult"])

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            result = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ParamValidationError:
            raise _refresh_expired() from None
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NotAuthorizedException", "UserNotFoundException"):
                raise _refresh_expired() from None
            raise _unavailable(exc) from exc
        return _tokens(result["AuthenticationResult"], refresh_token)

    def fetch_jwks(self) -> dict:
        with urllib.request.urlopen(self._jwks_url, timeout=JWKS_TIMEOUT_SECONDS) as response:
            return json.loads(response.read())

    def is_reachable(self) -> bool:
        self._client.describe_user_pool(UserPoolId=self._user_pool_id)
        return True

    def create_account(
        self, username: str, role: str, unit_id: str | None, temporary_password: str, email: str | None = None,
    ) -> dict:
        """A new account in the role's group, bound to its unit, that chooses its own password at first
        sign-in. With an email Cognito sends the invitation; without one the operator hands the
        temporary password over."""
        attributes = [{"Name": "custom:org_unit", "Value": unit_id}] if unit_id else []
        if email:
            attributes += [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        invitation = {"DesiredDeliveryMediums": ["EMAIL"]} if email else {"MessageAction": "SUPPRESS"}
        try:
            user = self._client.admin_create_user(
                UserPoolId=self._user_pool_id, Username=username, UserAttributes=attributes,
                TemporaryPassword=temporary_password, **invitation,
            )["User"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UsernameExistsException":
                raise Conflict(
                    f"Đã có tài khoản “{username}”.", f"An account named {username!r} already exists.",
                    code="account_exists", username=username,
                ) from None
            raise
        self._client.admin_add_user_to_group(UserPoolId=self._user_pool_id, Username=username, GroupName=role)
        return {"username": username, "role": role, "unit_id": unit_id, "status": user.get("UserStatus")}
