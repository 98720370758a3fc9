"""Triggers of engagement ingestion: an hourly schedule and one at every week boundary
fan out chunks through the metrics queue; the chunk handler reads and stores them."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from chalice import Blueprint, Rate

from chalicelib.bootstrap import services
from chalicelib.config import METRICS_MAX_CONCURRENCY, metrics_interval_minutes, metrics_queue_name
from chalicelib.domain.schedule import boundary_cron_utc
from chalicelib.observability import logger, metrics, observed
from chalicelib.triggers.batches import process_sqs_batch

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

MAX_RECEIVE_COUNT = 3

engagement_triggers = Blueprint(__name__)


def _interval() -> Rate:
    minutes = metrics_interval_minutes()
    return Rate(minutes // 60, unit=Rate.HOURS) if minutes % 60 == 0 else Rate(minutes, unit=Rate.MINUTES)


def _handle_record(record: SQSRecord) -> None:
    from chalicelib.domain.ingestion import Chunk

    chunk = Chunk.from_message(json.loads(record.body))
    service = services().engagement
    final_attempt = int(record.attributes.approximate_receive_count or 1) >= MAX_RECEIVE_COUNT
    try:
        outcome = service.ingest_chunk(chunk, datetime.now(timezone.utc))
    except Exception as error:
        # Recorded on every try, so organisers see the gap; SQS retries, then dead-letters.
        service.chunk_failed(chunk, f"{type(error).__name__}: {error}", dead_lettered=final_attempt)
        raise
    logger.info("metrics chunk ingested", extra={"run_id": chunk.run_id, "chunk": chunk.number, **outcome})
    metrics.add_metric(name="SnapshotsWritten", unit="Count", value=outcome["snapshots"])


# One chunk per invocation keeps each one short; at most METRICS_MAX_CONCURRENCY run at once
# so the per-process rate limiters add up to the platform's quota.
@engagement_triggers.on_sqs_message(queue=metrics_queue_name(), batch_size=1,
                                 maximum_concurrency=METRICS_MAX_CONCURRENCY)
@observed
def ingest_metrics_chunk(event):
    return process_sqs_batch(event, _handle_record)


def _event_time(event) -> datetime:
    raw = event.to_dict().get("time")
    return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else datetime.now(timezone.utc)


@engagement_triggers.schedule(_interval())
@observed
def schedule_metrics_ingestion(event):
    at = _event_time(event)
    summary = services().engagement.fan_out(at, "hourly", datetime.now(timezone.utc))
    logger.info("metrics fan-out", extra=summary)
    return summary


@engagement_triggers.schedule(boundary_cron_utc())
@observed
def snapshot_week_boundary(event):
    # EventBridge stamps the scheduled minute; reading "at" the boundary itself gives the
    # week an exact open and close value instead of an interpolated one.
    at = _event_time(event).replace(second=0, microsecond=0)
    summary = services().engagement.fan_out(at, "boundary", datetime.now(timezone.utc))
    logger.info("week boundary snapshot fan-out", extra=summary)
    return summary
