"""Where engagement counters come from: one module per outside system, one interface.

Every source answers `fetch(videos, at)` with readings per platform video id:
`{video_id: {metric: int | None}}`, None meaning "this source does not measure
this metric" (TikTok's Display API has no saves or reposts). A video the source
did not return is absent from the answer, never a row of zeros.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol, Sequence

Readings = dict[str, dict[str, int | None]]


@dataclass(frozen=True)
class VideoRequest:
    video_id: str
    entry_id: str
    published_at: datetime


class MetricSource(Protocol):
    name: str  # stored as the snapshot's source
    platform: str
    ids_per_call: int

    def fetch(self, videos: Sequence[VideoRequest], at: datetime) -> Readings: ...


def fetch_in_calls(
    videos: Sequence[VideoRequest], ids_per_call: int, query: Callable[[list[str]], Readings]
) -> Readings:
    """Each distinct video id once, in calls of at most `ids_per_call` ids (the platform's limit)."""
    ids = list(dict.fromkeys(v.video_id for v in videos))
    readings: Readings = {}
    for start in range(0, len(ids), ids_per_call):
        readings.update(query(ids[start:start + ids_per_call]))
    return readings
