"""Deterministic engagement for the local demo: no platform account needed.

Each entry gets, from a hash of (seed, entry id, metric), a final audience and a
time constant; its counter at time t is final × (1 − e^(−(t − published)/τ)),
rounded down. The same seed, entry and time always give the same numbers, and a
counter never decreases as time moves on (floor of a non-decreasing function).
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime
from typing import Sequence

from chalicelib.adapters.engagement_sources import Readings, VideoRequest
from chalicelib.domain.engagement import METRICS
from chalicelib.domain.instants import require_aware

# Rough shape of a TikTok audience: every viewer watches, a few like, fewer share.
_SHARE_OF_VIEWS = {"views": 1.0, "likes": 0.08, "comments": 0.01, "shares": 0.006, "saves": 0.01, "reposts": 0.003}


def _unit(seed: str, entry_id: str, label: str) -> float:
    """A number in [0, 1) fixed by its inputs."""
    digest = hashlib.sha256(f"{seed}|{entry_id}|{label}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def simulated_counters(seed: str, entry_id: str, published_at: datetime, at: datetime) -> dict[str, int]:
    hours = max(0.0, (require_aware(at, "at") - require_aware(published_at, "published_at")).total_seconds() / 3600)
    audience = 500 + 50_000 * _unit(seed, entry_id, "audience") ** 3  # most entries small, a few go far
    tau_hours = 12 + 96 * _unit(seed, entry_id, "tau")
    reached = 1 - math.exp(-hours / tau_hours)
    counters: dict[str, int] = {}
    for metric in METRICS:
        appetite = 0.5 + _unit(seed, entry_id, metric)  # each entry's audience reacts a little differently
        counters[metric] = math.floor(audience * _SHARE_OF_VIEWS[metric] * appetite * reached)
    return counters


# The real APIs' batch sizes, so the demo fans out the way production does.
_IDS_PER_CALL = {"tiktok": 20, "youtube": 50}


class SimulatedSource:
    name = "simulator"

    def __init__(self, platform: str, seed: str) -> None:
        self.platform = platform
        self.ids_per_call = _IDS_PER_CALL.get(platform, 20)
        self._seed = seed

    def fetch(self, videos: Sequence[VideoRequest], at: datetime) -> Readings:
        return {
            v.video_id: dict(simulated_counters(self._seed, v.entry_id, v.published_at, at)) for v in videos
        }
