"""What a sign-in answers: tokens, or the new-password step an account with a temporary password must take first."""
from __future__ import annotations

from dataclasses import dataclass

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class NewPasswordRequired:
    """The user pool wants a new password before it hands out tokens; `session` ties the answer to this sign-in."""

    username: str
    session: str
