"""Typed domain errors.

Each carries a stable machine-readable `code` and a message in Vietnamese and
English. The API maps the type to an HTTP status in one place
(chalicelib/api/errors.py); nothing ever matches on message text.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(
        self, message_vi: str, message_en: str, code: str | None = None, **details: Any
    ) -> None:
        super().__init__(message_en)
        if code:
            self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    code = "invalid_input"


class Conflict(DomainError):
    code = "conflict"


class Unprocessable(DomainError):
    """Well-formed, but a rule refuses what it asks (e.g. an entry without the terms accepted)."""

    code = "unprocessable"


class PayloadTooLarge(DomainError):
    code = "body_too_large"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class TooManyRequests(DomainError):
    code = "too_many_requests"


class DependencyUnavailable(DomainError):
    code = "dependency_unavailable"


class CampaignConfigError(ValueError):
    """A campaign file that breaks the rules; the message names each bad field."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "; ".join(f"{field}: {msg}" for field, msg in problems)
        super().__init__(f"{source}: invalid campaign configuration: {lines}")

    @classmethod
    def from_validation(cls, source: str, exc: Any) -> "CampaignConfigError":
        problems = [
            (".".join(str(part) for part in err["loc"]) or "(root)", err["msg"])
            for err in exc.errors()
        ]
        return cls(source, problems)
