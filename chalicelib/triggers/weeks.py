"""The weekly close: Monday 00:00 in Vietnam, which EventBridge (UTC) knows as Sunday 17:00.

The boundary reading runs on the same cron, so a close that finds it unfinished answers
"waiting_for_boundary"; a five-minute schedule retries such weeks until they close. A retry
was chosen over the last boundary chunk triggering the close: it needs no coupling between
ingestion and results, and it also closes a week whose last chunk was dead-lettered."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.bootstrap import services
from chalicelib.domain.schedule import boundary_cron_utc
from chalicelib.observability import logger, observed
from chalicelib.triggers.events import event_time

weekly_triggers = Blueprint(__name__)
RETRY_MINUTES = 5


@weekly_triggers.schedule(boundary_cron_utc())
@observed
def close_finished_weeks(event):
    # The event's own time is the boundary it was scheduled for: a late or replayed
    # invocation still closes as of that boundary's run.
    outcomes = services().week_results.close_due_weeks(event_time(event))
    logger.info("weekly close", extra={"outcomes": outcomes})
    return {"outcomes": outcomes}


@weekly_triggers.schedule(Rate(RETRY_MINUTES, unit=Rate.MINUTES))
@observed
def retry_waiting_week_closes(event):
    outcomes = services().week_results.close_due_weeks(event_time(event), retry=True)
    if outcomes:
        logger.info("weekly close retried", extra={"outcomes": outcomes})
    return {"outcomes": outcomes}
