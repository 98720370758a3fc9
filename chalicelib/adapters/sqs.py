"""SQS queues, addressed by name."""
from __future__ import annotations

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
