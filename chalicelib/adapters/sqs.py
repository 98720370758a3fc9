"""SQS queues, addressed by name."""
from __future__ import annotations

import json
from typing import Any


class Queue:
    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = name
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = self._client.get_queue_url(QueueName=self.name)["QueueUrl"]
        return self._url

    def is_reachable(self) -> bool:
        self._client.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])
        return True

    def send_json_batch(self, messages: list[dict]) -> int:
        """Send every message, 10 per call and at most 256 KB per call (SQS's limits, which moto
        does not enforce); raises if SQS refused any."""
        for batch in _batches([json.dumps(m, ensure_ascii=False) for m in messages]):
            response = self._client.send_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)],
            )
            if response.get("Failed"):
                failed = response["Failed"][0]
                raise RuntimeError(f"SQS refused {len(response['Failed'])} message(s): {failed.get('Code')} {failed.get('Message')}")
        return len(messages)


MAX_BATCH_MESSAGES = 10
MAX_BATCH_BYTES = 256 * 1024


def _batches(bodies: list[str]) -> list[list[str]]:
    batches: list[list[str]] = []
    size = 0
    for body in bodies:
        length = len(body.encode("utf-8"))
        if not batches or len(batches[-1]) == MAX_BATCH_MESSAGES or size + length > MAX_BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(body)
        size += length
    return batches
