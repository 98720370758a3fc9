"""YouTube Data API v3: view, like and comment counts (no shares, saves or reposts).

GET /videos?part=statistics&id=a,b,c&key=... with at most 50 ids per call. Counts come
as strings; a hidden like count is absent and stays None. The API key is a SecureString
in SSM, read once per process.
"""
from __future__ import annotations

import urllib.parse
from datetime import datetime
from typing import Sequence

from chalicelib.adapters.engagement_sources import Readings, VideoRequest, fetch_in_calls
from chalicelib.adapters.engagement_sources.http import JsonHttp
from chalicelib.adapters.ssm import ParameterStore
from chalicelib.domain.errors import DependencyUnavailable

MAX_IDS_PER_CALL = 50
_METRIC_OF_FIELD = {"viewCount": "views", "likeCount": "likes", "commentCount": "comments"}


def _count(value: object) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


class YouTubeDataApi:
    name = "youtube-data-api"
    platform = "youtube"
    ids_per_call = MAX_IDS_PER_CALL

    def __init__(self, http: JsonHttp, credentials: ParameterStore, key_parameter: str, base_url: str) -> None:
        self._http = http
        self._credentials = credentials
        self._key_parameter = key_parameter
        self._base = base_url.rstrip("/")
        self._key: str | None = None

    def _query(self, ids: list[str]) -> Readings:
        if self._key is None:
            self._key = self._credentials.get_text(self._key_parameter)
        query = urllib.parse.urlencode({"part": "statistics", "id": ",".join(ids), "key": self._key,
                                        "maxResults": MAX_IDS_PER_CALL})
        response = self._http.send("GET", f"{self._base}/videos?{query}")
        body = response.body if isinstance(response.body, dict) else {}
        if response.status != 200:
            error = body.get("error") or {}
            reason = next((e.get("reason") for e in error.get("errors", []) if e.get("reason")), None)
            raise DependencyUnavailable(
                "YouTube không trả lời được lúc này.",
                f"YouTube could not answer: {error.get('message') or f'HTTP {response.status}'}.",
                code=f"youtube_{reason or response.status}", status=response.status,
            )
        readings: Readings = {}
        for item in body.get("items") or []:
            statistics = item.get("statistics") or {}
            reading: dict[str, int | None] = {"shares": None, "saves": None, "reposts": None}
            reading.update({metric: _count(statistics.get(field)) for field, metric in _METRIC_OF_FIELD.items()})
            readings[str(item["id"])] = reading
        return readings

    def fetch(self, videos: Sequence[VideoRequest], at: datetime) -> Readings:
        return fetch_in_calls(videos, MAX_IDS_PER_CALL, self._query)
