from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.sign_in import NEW_PASSWORD_REQUIRED, NewPasswordRequired, Tokens

auth_routes = Blueprint(__name__)
guard = Guard(auth_routes)


def _required_text(body: dict, *fields: str) -> list[str]:
    values = [body.get(field) for field in fields]
    if not all(isinstance(value, str) and value for value in values):
        raise InvalidInput(
            "Thiếu thông tin: cần {}.".format(", ".join(fields)),
            "Missing fields: {} are required.".format(", ".join(fields)),
            code="credentials_required",
        )
    return values


def _token_body(tokens: Tokens) -> dict:
    return {
        "id_token": tokens.id_token,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
        "token_type": "Bearer",
    }


@auth_routes.route("/auth/token", methods=["POST"])
@guard.public
def issue_token() -> dict:
    """Username and password in, Cognito tokens out; or the new-password step for a temporary password."""
    body = guard.json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str) or not password:
        raise InvalidInput(
            "Cần nhập tên đăng nhập và mật khẩu.",
            "Both username and password are required.",
            code="credentials_required",
        )
    outcome = services().user_pool.sign_in(username, password)
    if isinstance(outcome, NewPasswordRequired):
        return {"challenge": NEW_PASSWORD_REQUIRED, "username": outcome.username, "session": outcome.session}
    return _token_body(outcome)


@auth_routes.route("/auth/new-password", methods=["POST"])
@guard.public
def set_new_password() -> dict:
    """Completes the first sign-in of an account created with a temporary password."""
    username, session, new_password = _required_text(guard.json_body(), "username", "session", "new_password")
    return _token_body(services().user_pool.set_new_password(username, session, new_password))


@auth_routes.route("/auth/refresh", methods=["POST"])
@guard.public
def refresh_token() -> dict:
    """A refresh token in, fresh ID and access tokens out: one sign-in lasts a working day."""
    (token,) = _required_text(guard.json_body(), "refresh_token")
    return _token_body(services().user_pool.refresh(token))


@auth_routes.route("/auth/me", methods=["GET"])
@guard.requires("admin", "organiser", "jury", scope="own_account")
def who_am_i() -> dict:
    identity = guard.identity()
    return {
        "username": identity.username,
        "role": identity.role,
        "groups": list(identity.groups),
        "unit_id": identity.unit_id,
    }
