"""The upload bucket."""
from __future__ import annotations

from typing import Any


class UploadBucket:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.name = bucket

    def is_reachable(self) -> bool:
        self._client.head_bucket(Bucket=self.name)
        return True
