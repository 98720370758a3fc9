"""The notifier's trigger: notification events from their SQS queue, one message each, or a
bundle of them (a week's close) sent back one per message."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.bootstrap import services
from chalicelib.config import notifications_queue_name
from chalicelib.observability import logger, metrics, observed
from chalicelib.triggers.batches import process_sqs_batch

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

notification_triggers = Blueprint(__name__)


def _handle_record(record: SQSRecord) -> None:
    from chalicelib.domain.notifications import ACCESS_LINK, NotificationEvent

    try:
        message = json.loads(record.body)
        if isinstance(message, dict) and isinstance(message.get("bundle"), list):
            sent = services().notification_events.unbundle(message["bundle"])
            logger.info("notification bundle sent on", extra={"events": sent})
            return
        event = NotificationEvent.from_message(message)
    except ValueError:  # json's errors are ValueErrors too: a malformed message never becomes valid
        logger.error("malformed notification event dropped", extra={"body": record.body[:300]})
        return
    if event.kind == ACCESS_LINK:
        outcome = services().access_recovery.send_link(event, datetime.now(timezone.utc))
    else:
        outcome = services().notifier.deliver(event, datetime.now(timezone.utc))
    logger.info("notification", extra={"submission_id": event.submission_id, "event": event.key, "outcome": outcome})
    metrics.add_metric(name=f"Notification_{outcome}", unit="Count", value=1)


@notification_triggers.on_sqs_message(queue=notifications_queue_name(), batch_size=10)
@observed
def send_notifications(event):
    return process_sqs_batch(event, _handle_record)
