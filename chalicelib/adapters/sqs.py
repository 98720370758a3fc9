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
        """Send every message (10 per call, SQS's limit); raises if SQS refused any."""
        for start in range(0, len(messages), 10):
            batch = messages[start:start + 10]
            response = self._client.send_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "MessageBody": json.dumps(m, ensure_ascii=False)} for i, m in enumerate(batch)],
            )
            if response.get("Failed"):
                failed = response["Failed"][0]
                raise RuntimeError(f"SQS refused {len(response['Failed'])} message(s): {failed.get('Code')} {failed.get('Message')}")
        return len(messages)
