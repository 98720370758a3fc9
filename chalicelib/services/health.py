"""Reachability of every dependency, for GET /health."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class DependencyStatus:
    name: str
    reachable: bool
    detail: str | None = None

    def to_dict(self) -> dict:
        out: dict = {"reachable": self.reachable}
        if self.detail:
            out["detail"] = self.detail
        return out


def check_dependencies(probes: dict[str, Callable[[], object]]) -> list[DependencyStatus]:
    statuses = []
    for name, probe in probes.items():
        try:
            result = probe()
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            statuses.append(DependencyStatus(name, False, f"{type(exc).__name__}: {exc}"[:300]))
            continue
        if isinstance(result, dict):
            missing = sorted(k for k, ok in result.items() if not ok)
            statuses.append(
                DependencyStatus(name, not missing, f"missing: {', '.join(missing)}" if missing else None)
            )
        else:
            statuses.append(DependencyStatus(name, bool(result)))
    return statuses
