"""Fires the app's @app.schedule handlers at their times, as EventBridge would.

Expressions are read from the Chalice app itself, so the local schedule is the
deployed one: cron in UTC, `?` allowed, day-of-week 1-7 meaning SUN-SAT.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from croniter import croniter

from chalicelib.local.lambda_runtime import LocalLambdaContext, resolve_handler, scheduled_event

log = logging.getLogger("contest.local.scheduler")

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class ScheduleBinding:
    name: str
    expression: str
    handler: Callable[[dict, Any], Any]


def _expression_text(expression: Any) -> str:
    return expression if isinstance(expression, str) else expression.to_string()


def schedule_bindings(app: Any) -> list[ScheduleBinding]:
    return [
        ScheduleBinding(source.name, _expression_text(source.schedule_expression), resolve_handler(source.handler_string))
        for source in app.event_sources
        if hasattr(source, "schedule_expression")
    ]


def _croniter_fields(aws_fields: str) -> str:
    minute, hour, dom, month, dow, *_year = aws_fields.split()
    dom = "*" if dom == "?" else dom
    if dow == "?":
        dow = "*"
    else:
        # AWS numbers days 1-7 from Sunday; cron numbers them 0-6.
        dow = re.sub(r"\d+", lambda m: str((int(m.group()) - 1) % 7), dow)
    return " ".join((minute, hour, dom, month, dow))


def next_fire_time(expression: str, after: datetime) -> datetime:
    """The first instant strictly after `after` (UTC) at which the expression fires."""
    after = after.astimezone(timezone.utc)
    rate = _RATE.match(expression.strip())
    if rate:
        unit = rate.group(2).rstrip("s")
        return after + timedelta(seconds=int(rate.group(1)) * _UNIT_SECONDS[unit])
    cron = _CRON.match(expression.strip())
    if not cron:
        raise ValueError(f"unsupported schedule expression: {expression}")
    return croniter(_croniter_fields(cron.group(1)), after).get_next(datetime)


def fire(binding: ScheduleBinding, at: datetime, region: str) -> Any:
    return binding.handler(scheduled_event(binding.name, at, region), LocalLambdaContext(binding.name))


class Scheduler:
    def __init__(self, bindings: list[ScheduleBinding], region: str, clock: Callable[[], datetime] | None = None) -> None:
        self._bindings = bindings
        self._region = region
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def upcoming(self) -> list[tuple[datetime, ScheduleBinding]]:
        now = self._clock()
        return sorted(((next_fire_time(b.expression, now), b) for b in self._bindings), key=lambda p: p[0])

    def _run(self) -> None:
        due = {b.name: next_fire_time(b.expression, self._clock()) for b in self._bindings}
        while not self._stop.is_set():
            now = self._clock()
            for binding in self._bindings:
                if due[binding.name] <= now:
                    try:
                        fire(binding, due[binding.name], self._region)
                    except Exception:  # noqa: BLE001 - one failing job must not stop the others
                        log.exception("scheduled %s failed", binding.name)
                    due[binding.name] = next_fire_time(binding.expression, now)
            self._stop.wait(1)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
