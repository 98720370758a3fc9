"""Notification events onto their SQS queue, from the services that change entries.

A week's close tells every ranked entry's participants at once: 100,000 events sent one per
message would be 10,000 SendMessageBatch calls inside the close. Many events go instead as a few
bundles (one per call, under SQS's 256 KB); the notifier's trigger sends each bundle's events
back one per message, so each is still delivered, retried and dead-lettered alone."""
from __future__ import annotations

import json
from typing import Any, Sequence

from chalicelib.domain.notifications import NotificationEvent
from chalicelib.observability import logger, metrics
from chalicelib.services.ports import MessageQueue

# Up to this many events go one per message (a review, a publication, a prize).
SINGLE_MESSAGES_UP_TO = 50
BUNDLE_BYTES = 200 * 1024


def bundles(events: Sequence[NotificationEvent], limit: int = BUNDLE_BYTES) -> list[dict[str, Any]]:
    """The events' messages packed into bundles of at most `limit` bytes of JSON each."""
    packed: list[list[dict]] = []
    size = limit
    for event in events:
        message = event.to_message()
        length = len(json.dumps(message, ensure_ascii=False).encode("utf-8")) + 2
        if size + length > limit:
            packed.append([])
            size = 0
        packed[-1].append(message)
        size += length
    return [{"bundle": messages} for messages in packed]


class QueuedNotifications:
    def __init__(self, queue: MessageQueue) -> None:
        self._queue = queue

    def publish(self, events: Sequence[NotificationEvent]) -> None:
        if not events:
            return
        try:
            if len(events) > SINGLE_MESSAGES_UP_TO:
                self._queue.send_json_batch(bundles(events))
            else:
                self._queue.send_json_batch([e.to_message() for e in events])
        except Exception:  # noqa: BLE001 - the entry's change is already written; a lost message must not undo it
            logger.exception("notification events not queued",
                             extra={"events": [f"{e.submission_id}/{e.key}" for e in events][:20]})
            metrics.add_metric(name="NotificationEventsLost", unit="Count", value=len(events))

    def unbundle(self, bundle: Sequence[dict]) -> int:
        """Send a bundle's events one per message; raises if SQS refused any (the bundle is then
        delivered again, and an event sent twice is delivered once: the notifier claims each)."""
        return self._queue.send_json_batch(list(bundle))
