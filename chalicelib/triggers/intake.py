"""Triggers of the intake: S3 ObjectCreated through SQS, and a sweeper on a schedule."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from chalice import Blueprint, Rate

from chalicelib.bootstrap import services
from chalicelib.config import INTAKE_MAX_RECEIVE_COUNT, intake_queue_name
from chalicelib.observability import logger, metrics, observed
from chalicelib.triggers.batches import process_sqs_batch

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

intake_triggers = Blueprint(__name__)


def _handle_record(record: SQSRecord) -> None:
    from chalicelib.adapters.s3_events import objects_created

    service = services().intake
    final_attempt = int(record.attributes.approximate_receive_count or 1) >= INTAKE_MAX_RECEIVE_COUNT
    for created in objects_created(record.body):
        try:
            outcome = service.handle(created, datetime.now(timezone.utc))
        except Exception as error:
            if final_attempt:
                service.give_up(created, f"{type(error).__name__}: {error}", datetime.now(timezone.utc))
            raise
        logger.info("upload judged", extra={"key": created.key, "outcome": outcome})
        metrics.add_metric(name=f"Upload_{outcome}", unit="Count", value=1)


@intake_triggers.on_sqs_message(queue=intake_queue_name(), batch_size=10)
@observed
def validate_upload(event):
    return process_sqs_batch(event, _handle_record)


@intake_triggers.schedule(Rate(15, unit=Rate.MINUTES))
@observed
def sweep_stuck_validations(event):
    marked = services().intake.sweep_stuck(datetime.now(timezone.utc))
    logger.info("stuck validations swept", extra={"marked": marked})
    return {"marked": marked}
