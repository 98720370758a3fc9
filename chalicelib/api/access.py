"""Who may call a route, declared next to the route and enforced before it runs.

Every view function carries an `access_rule`; tests/functional/test_access_rules.py
fails when a route is registered without one. The guard also maps domain errors
to HTTP responses, so no handler needs its own try/except.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal

from chalice import Blueprint

from chalicelib.api.errors import preferred_language, to_response
from chalicelib.bootstrap import services
from chalicelib.domain.errors import DomainError, Forbidden, InvalidInput, NotFound, PayloadTooLarge, Unauthenticated
from chalicelib.domain.json_input import parse_bounded_json

if TYPE_CHECKING:
    from chalicelib.domain.scope import Principal
    from chalicelib.services.identity import Identity


Scope = Literal[
    "public", "branch", "campaign", "campaign_editors", "jury_pool", "entry_viewers", "everything", "own_account"
]
# Lambda takes at most 6 MB of request payload, the event around the body included: a larger body
# never reaches the function on AWS. The largest legitimate body, a 4 MiB spreadsheet in base64
# (5.33 MiB), fits, with room left for the headers.
MAX_BODY_BYTES = 5632 * 1024


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route (roles) and what part of the data it may reach (scope).

    branch: an organiser sees only their unit's subtree, an admin everything;
    campaign: the campaign as a whole, for its organisers (organising unit or above) and admins;
    campaign_editors: the campaign's settings, for admins and the organisers of its own organising unit;
    jury_pool: the final-round pool only;
    entry_viewers: one entry, for those who may review it and for judges while it is in their pool;
    everything: admin-wide data;
    own_account: nothing beyond the caller's own identity.
    """

    public: bool
    roles: tuple[str, ...] = ()
    scope: Scope = "public"


# Every id the product makes is far shorter; DynamoDB answers a key over 2,048 bytes with an
# error (the emulator does not), so such an id is "not found" before any table sees it.
MAX_PATH_ID_BYTES = 256


def _refuse_ids_no_record_can_have(path_parameters: dict[str, Any]) -> None:
    for name, value in path_parameters.items():
        if name.endswith("_id") and len(str(value).encode("utf-8", "surrogatepass")) > MAX_PATH_ID_BYTES:
            thing = name.removesuffix("_id")
            raise NotFound(
                "Không tìm thấy đối tượng được yêu cầu.",
                "The requested item was not found.",
                code=f"{thing}_not_found",
            )


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

    def requires(self, *roles: str, scope: Scope) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        if scope == "public" or not roles:
            raise ValueError("a protected route names its roles and a non-public scope")

        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            return self._wrap(view, AccessRule(public=False, roles=tuple(roles), scope=scope))

        return decorate

    def identity(self) -> Identity:
        return self.request.context["identity"]

    def optional_principal(self) -> Principal | None:
        """On a public route: the signed-in caller when a token is sent (a bad one is still a 401),
        else None, for answers that show signed-in callers more."""
        if not (self.request.headers.get("authorization") or "").strip():
            return None
        self._authenticate(AccessRule(public=False, roles=("admin", "organiser", "jury"), scope="own_account"))
        return self.principal()

    def principal(self) -> Principal:
        """The caller with their unit's current path, looked up now: units move, tokens don't."""
        from chalicelib.domain.scope import Principal  # the organisation tree's rules: only for signed-in calls

        context = self.request.context
        if "principal" not in context:
            identity = self.identity()
            unit = services().org_unit_store.find(identity.unit_id) if identity.unit_id else None
            if identity.role == "organiser" and unit is None:
                raise Forbidden(
                    "Tài khoản chưa được gắn với đơn vị hợp lệ.",
                    "Your account is not attached to an existing unit.",
                    code="invalid_principal",
                )
            context["principal"] = Principal(
                user_id=identity.subject,
                role=identity.role,  # type: ignore[arg-type]
                unit_id=unit.unit_id if unit else None,
                unit_path=unit.path if unit else None,
                username=identity.username,
            )
        return context["principal"]

    def json_body(self) -> dict:
        """The request body as a JSON object, or a clear 400."""
        raw = self.request.raw_body
        try:
            body = parse_bounded_json(raw or b"{}")
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

    def _refuse_oversized_body(self) -> None:
        size = len(self.request.raw_body or b"")
        if size > MAX_BODY_BYTES:
            megabytes = f"{MAX_BODY_BYTES / 1024 / 1024:.1f}"
            raise PayloadTooLarge(
                f"Nội dung yêu cầu quá lớn (tối đa {megabytes.replace('.', ',')} MB).",
                f"The request body is too large (at most {megabytes} MB).",
                max_bytes=MAX_BODY_BYTES,
            )

    def _authenticate(self, rule: AccessRule) -> None:
        header = self.request.headers.get("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Bạn cần đăng nhập để thực hiện thao tác này.",
                "You must sign in to do this.",
                code="missing_token",
            )
        identity = services().token_verifier.verify(token.strip())
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
                self._refuse_oversized_body()
                _refuse_ids_no_record_can_have(kwargs)
                if not rule.public:
                    self._authenticate(rule)
                return view(*args, **kwargs)
            except DomainError as error:
                return to_response(error, self.language())

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded

