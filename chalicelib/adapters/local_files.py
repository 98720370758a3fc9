"""Local files as RangeReaders, for the offline CLI (`./contest validate FILE`) and tests."""
from __future__ import annotations

import os
from pathlib import Path


class LocalFileRangeReader:
    """Reads byte ranges of one local file, the same way the S3 reader does ranged GETs."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.size = self.path.stat().st_size

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0:
            return b""
        # Opened per read so a reader can be shared without leaking a handle;
        # probes make only a handful of reads.
        with self.path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def __repr__(self) -> str:
        return f"LocalFileRangeReader({str(self.path)!r}, size={self.size})"
