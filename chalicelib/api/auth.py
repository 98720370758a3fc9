from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.access import Guard
from chalicelib.bootstrap import services
from chalicelib.domain.errors import InvalidInput

auth_routes = Blueprint(__name__)
guard = Guard(auth_routes)


@auth_routes.route("/auth/token", methods=["POST"])
@guard.public
def issue_token() -> dict:
    """Username and password in, Cognito tokens out: a convenience for scripts."""
    body = guard.json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str) or not password:
        raise InvalidInput(
            "Cần nhập tên đăng nhập và mật khẩu.",
            "Both username and password are required.",
            code="credentials_required",
        )
    tokens = services().user_pool.sign_in(username, password)
    return {
        "id_token": tokens.id_token,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
        "token_type": "Bearer",
    }


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
