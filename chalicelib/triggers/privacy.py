"""Erasing authors' personal data once a campaign's retention period is over: daily at 02:00
Vietnam time (19:00 UTC), a quiet hour. A run stops before its invocation times out and the
next one carries on, so a campaign of any size is erased over as many runs as it needs."""
from __future__ import annotations

from chalice import Blueprint, Cron

from chalicelib.bootstrap import services
from chalicelib.observability import logger, observed
from chalicelib.triggers.events import event_time

privacy_triggers = Blueprint(__name__)
ERASURE_CRON_UTC = Cron(0, 19, "*", "*", "?", "*")


def _time_left_ms(event):
    context = getattr(event, "context", None)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining if callable(remaining) else None


@privacy_triggers.schedule(ERASURE_CRON_UTC)
@observed
def erase_expired_personal_data(event):
    outcomes = services().privacy.erase_due(event_time(event), _time_left_ms(event))
    if outcomes:
        logger.info("personal data erased", extra={"outcomes": outcomes})
    return {"outcomes": outcomes}
