"""The weekly close: Monday 00:00 in Vietnam, which EventBridge (UTC) knows as Sunday 17:00."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint

from chalicelib.bootstrap import services
from chalicelib.domain.schedule import boundary_cron_utc
from chalicelib.observability import logger, observed

weekly_triggers = Blueprint(__name__)


def _event_time(event) -> datetime:
    # The event's own time is the boundary it was scheduled for; a late or
    # replayed invocation still closes as of that boundary's run.
    text = getattr(event, "time", None) or ""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)


@weekly_triggers.schedule(boundary_cron_utc())
@observed
def close_finished_weeks(event):
    outcomes = services().week_results.close_due_weeks(_event_time(event))
    logger.info("weekly close", extra={"outcomes": outcomes})
    return {"outcomes": outcomes}
