"""Who may see what: the one scope rule every organiser route applies.

- admin: everything;
- organiser: their own unit and everything below it, nothing else (not the
  parent, not siblings);
- jury: no organisation data at all, only the final-round pool, which those
  routes guard with `require_role(principal, "jury", "admin")`.

Out-of-branch single resources raise the same NotFound as a missing unit
(`unit_not_found`), so an organiser cannot probe which units or entries exist
elsewhere. A wrong role raises Forbidden: the caller already knows their role,
so saying "not allowed" leaks nothing.

The principal's `unit_path` must be resolved from the current tree at request
time (by unit_id), not trusted from a token issued before the unit was moved.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.organisation import (
    PATH_SEPARATOR,
    UNIT_ID_PATTERN,
    OrgTree,
    OrgUnit,
    is_within,
    unit_not_found,
)

Role = Literal["admin", "organiser", "jury"]
ROLES: frozenset[str] = frozenset({"admin", "organiser", "jury"})

T = TypeVar("T")


def _invalid_principal(reason_vi: str, reason_en: str) -> Forbidden:
    # Fail closed: a principal we cannot interpret gets nothing.
    return Forbidden(
        f"Tài khoản không hợp lệ: {reason_vi}",
        f"Invalid account: {reason_en}",
        code="invalid_principal",
    )


def _well_formed_path(path: str) -> bool:
    segments = path.split(PATH_SEPARATOR)
    return all(UNIT_ID_PATTERN.fullmatch(segment) for segment in segments)


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role
    unit_id: str | None = None
    unit_path: str | None = None
    username: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise _invalid_principal(f"vai trò “{self.role}” không tồn tại.", f"unknown role “{self.role}”.")
        if self.role == "organiser" and not (self.unit_id and self.unit_path):
            raise _invalid_principal(
                "người tổ chức phải thuộc một đơn vị.", "an organiser must belong to a unit."
            )
        if self.unit_path is not None:
            # An empty or malformed path could act as a prefix of every path.
            if not _well_formed_path(self.unit_path):
                raise _invalid_principal("đường dẫn đơn vị sai.", "malformed unit path.")
            if self.unit_id and self.unit_path.rsplit(PATH_SEPARATOR, 1)[-1] != self.unit_id:
                raise _invalid_principal(
                    "đơn vị và đường dẫn không khớp.", "unit id and unit path disagree."
                )

    @classmethod
    def for_unit(cls, user_id: str, role: Role, unit: OrgUnit, username: str | None = None) -> "Principal":
        """A principal whose path comes from the current tree, not from a stale token."""
        return cls(user_id=user_id, role=role, unit_id=unit.unit_id, unit_path=unit.path, username=username)


def require_role(principal: Principal, *roles: Role) -> None:
    if not roles:
        raise ValueError("require_role needs at least one role")
    if principal.role not in roles:
        raise Forbidden(
            "Bạn không có quyền thực hiện thao tác này.",
            "You are not allowed to do this.",
            code="forbidden_role",
        )


def can_see_unit(principal: Principal, unit_path: str) -> bool:
    if principal.role == "admin":
        return True
    if principal.role == "organiser" and principal.unit_path:
        return is_within(unit_path, principal.unit_path)
    return False


def require_unit_in_scope(principal: Principal, unit_path: str) -> None:
    """Guard for a single unit-owned resource (a unit, its report, one of its entries)."""
    require_role(principal, "admin", "organiser")
    if not can_see_unit(principal, unit_path):
        raise unit_not_found()


def require_unit_found_in_scope(principal: Principal, unit: OrgUnit | None) -> OrgUnit:
    """The unit if it exists and the caller may see it; missing and out of branch look the same (404)."""
    require_unit_in_scope(principal, unit.path if unit else "")
    if unit is None:  # an admin sees every path, the empty one too
        raise unit_not_found()
    return unit


def scope_prefix(principal: Principal) -> str | None:
    """The branch path a list query must stay within; None means everything (admin only).

    Query storage with organisation.branch_key(prefix), never with the bare
    prefix, or "tw/ha-noi" also matches "tw/ha-noi-2".
    """
    require_role(principal, "admin", "organiser")
    if principal.role == "admin":
        return None
    assert principal.unit_path  # guaranteed by Principal.__post_init__
    return principal.unit_path


def scope_unit(principal: Principal, tree: OrgTree, unit_id: str | None = None) -> OrgUnit:
    """The unit a report is about: the requested one if in scope, else the principal's own."""
    require_role(principal, "admin", "organiser")
    if unit_id is None:
        if principal.role == "admin":
            return tree.root
        unit_id = principal.unit_id
    unit = tree.find(unit_id or "")
    if unit is None or not can_see_unit(principal, unit.path):
        raise unit_not_found()
    return unit


def filter_in_scope(
    principal: Principal, items: Iterable[T], path_of: Callable[[T], str]
) -> list[T]:
    """Drop items outside the principal's branch; a second fence behind the query prefix."""
    require_role(principal, "admin", "organiser")
    return [item for item in items if can_see_unit(principal, path_of(item))]
