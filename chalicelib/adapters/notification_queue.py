"""Notification events onto their SQS queue, from the services that change entries."""
from __future__ import annotations

from typing import Sequence

from chalicelib.domain.notifications import NotificationEvent
from chalicelib.observability import logger, metrics
from chalicelib.services.ports import MessageQueue


class QueuedNotifications:
    def __init__(self, queue: MessageQueue) -> None:
        self._queue = queue

    def publish(self, events: Sequence[NotificationEvent]) -> None:
        if not events:
            return
        try:
            self._queue.send_json_batch([e.to_message() for e in events])
        except Exception:  # noqa: BLE001 - the entry's change is already written; a lost message must not undo it
            logger.exception("notification events not queued",
                             extra={"events": [f"{e.submission_id}/{e.key}" for e in events][:20]})
            metrics.add_metric(name="NotificationEventsLost", unit="Count", value=len(events))
