"""SQS batches with partial failures: only the records that raised go back to the queue."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch import BatchProcessor
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@cache
def _processor() -> BatchProcessor:
    # Powertools' batch utility is loaded by the functions that receive a batch, not by every one.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

    return BatchProcessor(event_type=EventType.SQS)


def process_sqs_batch(event: Any, handle_record: Callable[[SQSRecord], None]) -> dict:
    """Runs `handle_record` on each record of a Chalice SQS event; answers Lambda's batchItemFailures."""
    from aws_lambda_powertools.utilities.batch import process_partial_response

    return process_partial_response(
        event=event.to_dict(), record_handler=handle_record, processor=_processor(), context=event.context
    )
