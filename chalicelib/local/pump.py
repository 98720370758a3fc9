"""Delivers SQS messages to the same handlers Lambda runs, with Lambda's batch semantics.

A batch succeeds or fails per message through `batchItemFailures`; a handler
that raises leaves the whole batch on the queue. Messages that stay on the
queue come back after the visibility timeout, and SQS's redrive policy moves
them to the dead-letter queue after maxReceiveCount receives, as in AWS.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.local.lambda_runtime import LocalLambdaContext, resolve_handler, sqs_record

log = logging.getLogger("contest.local.pump")


@dataclass(frozen=True)
class QueueBinding:
    queue_name: str
    handler_name: str
    handler: Callable[[dict, Any], Any]
    batch_size: int = 10


def sqs_bindings(app: Any) -> list[QueueBinding]:
    """Every on_sqs_message handler of the Chalice app, found the way `chalice package` finds them."""
    bindings = []
    for source in app.event_sources:
        queue = getattr(source, "queue", None)
        if queue is None or not hasattr(source, "batch_size"):
            continue
        bindings.append(
            QueueBinding(queue, source.name, resolve_handler(source.handler_string), source.batch_size or 10)
        )
    return bindings


class EventPump:
    def __init__(self, sqs: Any, bindings: list[QueueBinding], region: str, wait_seconds: int = 1) -> None:
        self._sqs = sqs
        self._bindings = bindings
        self._region = region
        self._wait_seconds = wait_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.delivered = 0

    def _queue(self, name: str) -> tuple[str, str]:
        url = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def poll_once(self, binding: QueueBinding, wait_seconds: int = 0) -> int:
        url, arn = self._queue(binding.queue_name)
        messages = self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(binding.batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [sqs_record(m, arn, self._region) for m in messages]}
        try:
            result = binding.handler(event, LocalLambdaContext(binding.handler_name))
        except Exception:  # noqa: BLE001 - Lambda retries the whole batch
            log.exception("handler %s failed; the batch stays on the queue", binding.handler_name)
            return 0
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        self.delivered += len(done)
        return len(done)

    def drain(self, max_rounds: int = 50) -> int:
        """Deliver until every queue is empty right now (for tests and one-shot commands)."""
        total = 0
        for _ in range(max_rounds):
            moved = sum(self.poll_once(b) for b in self._bindings)
            total += moved
            if moved == 0:
                break
        return total

    def _loop(self, binding: QueueBinding) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(binding, wait_seconds=self._wait_seconds)
            except Exception:  # noqa: BLE001 - keep pumping through emulator hiccups
                log.exception("polling %s failed", binding.queue_name)
                self._stop.wait(1)

    def start(self) -> None:
        for binding in self._bindings:
            thread = threading.Thread(target=self._loop, args=(binding,), name=f"pump-{binding.queue_name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self._wait_seconds + 5)
