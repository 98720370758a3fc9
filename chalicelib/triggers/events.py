"""What schedule triggers read from their EventBridge event."""
from __future__ import annotations

from datetime import datetime, timezone


def event_time(event) -> datetime:
    """The instant the schedule fired for: a late or replayed invocation still acts as of that
    moment. An event without one (a hand-made test event) is taken as now."""
    text = getattr(event, "time", None) or ""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)
