"""Where engagement counters come from: one module per outside system, one interface.

Every source answers `fetch(videos, at)` with readings per platform video id:
`{video_id: {metric: int | None}}`, None meaning "this source does not measure
this metric" (TikTok's Display API has no saves or reposts). A video the source
did not return is absent from the answer, never a row of zeros.
"""
from __future__ import annotations

from typing import Callable, Sequence

from chalicelib.domain.ingestion import MetricSource, Readings, VideoRequest

__all__ = ["MetricSource", "Readings", "VideoRequest", "fetch_in_calls"]


def fetch_in_calls(
    videos: Sequence[VideoRequest], ids_per_call: int, query: Callable[[list[str]], Readings]
) -> Readings:
    """Each distinct video id once, in calls of at most `ids_per_call` ids (the platform's limit)."""
    ids = list(dict.fromkeys(v.video_id for v in videos))
    readings: Readings = {}
    for start in range(0, len(ids), ids_per_call):
        readings.update(query(ids[start:start + ids_per_call]))
    return readings
