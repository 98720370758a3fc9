"""BatchWriteItem that finishes the job or says it could not.

DynamoDB may accept part of a batch and hand the rest back as UnprocessedItems (or
refuse the whole call when throttled); a writer that ignores either loses data
silently. This one re-sends what came back, with jittered exponential backoff, and
raises a typed error if items are still unwritten after `max_attempts`, so the SQS
message is retried rather than acknowledged. moto never returns UnprocessedItems:
tests/integration/test_batch_writer.py drives this with botocore's Stubber.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

from chalicelib.domain.errors import DependencyUnavailable

MAX_ITEMS_PER_CALL = 25
THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable",
})


@dataclass
class BatchWriter:
    client: Any
    max_attempts: int = 8
    base_seconds: float = 0.05
    cap_seconds: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def put_items(self, table_name: str, items: list[dict]) -> int:
        """Write `items` (DynamoDB attribute-value maps); returns how many were written."""
        for start in range(0, len(items), MAX_ITEMS_PER_CALL):
            batch = items[start:start + MAX_ITEMS_PER_CALL]
            self._write({table_name: [{"PutRequest": {"Item": item}} for item in batch]})
        return len(items)

    def _write(self, pending: dict[str, list]) -> None:
        for attempt in range(self.max_attempts):
            try:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in THROTTLING_CODES:
                    raise
                # Throttled: nothing in this call was written; send the same items again.
            if not pending:
                return
            if attempt + 1 < self.max_attempts:
                self.sleep(self.rng.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt)))
        left = sum(len(requests) for requests in pending.values())
        raise DependencyUnavailable(
            "Chưa ghi được hết dữ liệu vào cơ sở dữ liệu; hệ thống sẽ thử lại.",
            f"{left} item(s) were still unwritten after {self.max_attempts} attempts; the work will be retried.",
            code="dynamodb_write_incomplete",
            unprocessed=left,
        )
