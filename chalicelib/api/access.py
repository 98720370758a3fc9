"""Who may call a route, declared next to the route and enforced before it runs.

Every view function carries an `access_rule`; tests/functional/test_access_rules.py
fails when a route is registered without one. The guard also maps domain errors
to HTTP responses, so no handler needs its own try/except.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable

from chalice import Blueprint

from chalicelib import dependencies
from chalicelib.api.errors import preferred_language, to_response
from chalicelib.domain.errors import DomainError, Forbidden, InvalidInput, Unauthenticated
from chalicelib.services.identity import Identity


@dataclass(frozen=True)
class AccessRule:
    public: bool
    roles: tuple[str, ...] = ()


class Guard:
    def __init__(self, blueprint: Blueprint) -> None:
        self._bp = blueprint

    @property
    def request(self) -> Any:
        return self._bp.current_request

    def language(self) -> str:
        request = self.request
        return preferred_language(request.headers, request.query_params)

    def public(self, view: Callable[..., Any]) -> Callable[..., Any]:
        return self._wrap(view, AccessRule(public=True))

    def requires(self, *roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            return self._wrap(view, AccessRule(public=False, roles=tuple(roles)))

        return decorate

    def identity(self) -> Identity:
        return self.request.context["identity"]

    def json_body(self) -> dict:
        """The request body as a JSON object, or a clear 400."""
        raw = self.request.raw_body
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise InvalidInput(
                "Nội dung yêu cầu không phải JSON hợp lệ.",
                "The request body is not valid JSON.",
                code="invalid_json",
            ) from None
        if not isinstance(body, dict):
            raise InvalidInput(
                "Nội dung yêu cầu phải là một đối tượng JSON.",
                "The request body must be a JSON object.",
                code="invalid_json",
            )
        return body

    def _authenticate(self, rule: AccessRule) -> None:
        header = self.request.headers.get("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Bạn cần đăng nhập để thực hiện thao tác này.",
                "You must sign in to do this.",
                code="missing_token",
            )
        identity = dependencies.token_verifier().verify(token.strip())
        if identity.role not in rule.roles:
            raise Forbidden(
                "Tài khoản của bạn không có quyền thực hiện thao tác này.",
                "Your account is not allowed to do this.",
                code="role_not_allowed",
                required_roles=list(rule.roles),
            )
        self.request.context["identity"] = identity

    def _wrap(self, view: Callable[..., Any], rule: AccessRule) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                if not rule.public:
                    self._authenticate(rule)
                return view(*args, **kwargs)
            except DomainError as error:
                return to_response(error, self.language())

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded

