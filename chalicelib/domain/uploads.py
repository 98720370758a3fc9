"""Uploads as the product sees them: which way a file is sent, in how many parts,
and the arrival of an object in the upload bucket."""
from __future__ import annotations

import math
from dataclasses import dataclass

PRESIGNED_POST_LIMIT = 64 * 1024**2
MIN_PART_SIZE = 8 * 1024**2
MAX_PARTS = 10_000


def part_size_for(size_bytes: int) -> int:
    """At least 8 MiB (S3 wants 5), growing so no file needs more than 10,000 parts."""
    return max(MIN_PART_SIZE, math.ceil(size_bytes / MAX_PARTS / 1024**2) * 1024**2)


def part_plan(size_bytes: int) -> tuple[int, int]:
    """(part size, number of parts) for a multipart upload of this size."""
    part_size = part_size_for(size_bytes)
    return part_size, -(-size_bytes // part_size)


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str
    content_type: str | None


class ObjectReplaced(Exception):
    """A read pinned to an object's ETag found a newer object under the key: the one being judged is gone."""

    def __init__(self, key: str, etag: str) -> None:
        super().__init__(f"{key} no longer has ETag {etag}")
        self.key = key


@dataclass(frozen=True)
class ObjectCreated:
    """One object stored in the upload bucket, as its event notification names it."""

    bucket: str
    key: str
    size: int
    etag: str
    sequencer: str | None
