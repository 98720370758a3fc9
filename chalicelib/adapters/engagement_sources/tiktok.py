"""TikTok Display API: like, comment, share and view counts of the campaign channel's videos.

POST /v2/video/query/?fields=... with {"filters": {"video_ids": [...]}} (at most 20 ids),
`Authorization: Bearer <user access token>`. The Display API has no saves and no reposts:
those are None ("not measured"), and organisers import them from TikTok Studio instead.

OAuth tokens live in SSM Parameter Store (SecureString JSON). An access token lives 24 h;
it is refreshed with the refresh token when fewer than `refresh_margin` seconds remain, or
when TikTok answers `access_token_invalid`, and the new pair is written back to SSM so
every Lambda process picks it up.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from chalicelib.adapters.engagement_sources import Readings, VideoRequest, fetch_in_calls
from chalicelib.adapters.engagement_sources.http import HttpResponse, JsonHttp
from chalicelib.adapters.ssm import ParameterStore
from chalicelib.domain.errors import DependencyUnavailable

FIELDS = "id,like_count,comment_count,share_count,view_count"
MAX_IDS_PER_CALL = 20
_METRIC_OF_FIELD = {"like_count": "likes", "comment_count": "comments", "share_count": "shares", "view_count": "views"}
_TOKEN_ERRORS = frozenset({"access_token_invalid", "access_token_expired"})


@dataclass(frozen=True)
class TikTokTokens:
    client_key: str
    client_secret: str
    access_token: str
    refresh_token: str
    access_expires_at: float
    refresh_expires_at: float

    @classmethod
    def from_dict(cls, data: dict) -> "TikTokTokens":
        return cls(data["client_key"], data["client_secret"], data["access_token"], data["refresh_token"],
                   float(data.get("access_expires_at", 0)), float(data.get("refresh_expires_at", 0)))

    def to_dict(self) -> dict:
        return {
            "client_key": self.client_key, "client_secret": self.client_secret,
            "access_token": self.access_token, "refresh_token": self.refresh_token,
            "access_expires_at": self.access_expires_at, "refresh_expires_at": self.refresh_expires_at,
        }


def _unavailable(code: str, message: str, **details: Any) -> DependencyUnavailable:
    return DependencyUnavailable(
        f"TikTok không trả lời được lúc này ({code}).", f"TikTok could not answer: {message} ({code}).",
        code=f"tiktok_{code}", **details,
    )


class TikTokDisplayApi:
    name = "tiktok-display-api"
    platform = "tiktok"
    ids_per_call = MAX_IDS_PER_CALL

    def __init__(self, http: JsonHttp, credentials: ParameterStore, parameter: str, base_url: str,
                 clock: Callable[[], float] = time.time, refresh_margin_seconds: float = 300) -> None:
        self._http = http
        self._credentials = credentials
        self._parameter = parameter
        self._base = base_url.rstrip("/")
        self._clock = clock
        self._margin = refresh_margin_seconds
        self._tokens: TikTokTokens | None = None

    # --- tokens -------------------------------------------------------------

    def _stored_tokens(self) -> TikTokTokens:
        return TikTokTokens.from_dict(self._credentials.get_json(self._parameter))

    def _current_tokens(self) -> TikTokTokens:
        if self._tokens is None:
            self._tokens = self._stored_tokens()
        if self._tokens.access_expires_at - self._clock() < self._margin:
            # Another process may have refreshed already: take its pair before spending ours.
            self._tokens = self._stored_tokens()
            if self._tokens.access_expires_at - self._clock() < self._margin:
                self._tokens = self._refresh(self._tokens)
        return self._tokens

    def _after_rejection(self, rejected: TikTokTokens) -> TikTokTokens:
        stored = self._stored_tokens()
        self._tokens = stored if stored.access_token != rejected.access_token else self._refresh(stored)
        return self._tokens

    def _refresh(self, tokens: TikTokTokens) -> TikTokTokens:
        if tokens.refresh_expires_at and tokens.refresh_expires_at <= self._clock():
            raise _unavailable("refresh_token_expired", "the refresh token has expired; authorise the app again")
        response = self._http.send(
            "POST", f"{self._base}/v2/oauth/token/",
            form={"client_key": tokens.client_key, "client_secret": tokens.client_secret,
                  "grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
        )
        body = response.body if isinstance(response.body, dict) else {}
        if response.status != 200 or "access_token" not in body:
            raise _unavailable("token_refresh_failed", str(body.get("error_description") or body.get("error")
                                                             or f"HTTP {response.status}"),
                               log_id=body.get("log_id"))
        now = self._clock()
        fresh = TikTokTokens(
            tokens.client_key, tokens.client_secret, body["access_token"],
            body.get("refresh_token") or tokens.refresh_token,
            now + float(body.get("expires_in", 0)),
            now + float(body["refresh_expires_in"]) if body.get("refresh_expires_in") else tokens.refresh_expires_at,
        )
        self._credentials.put_json(self._parameter, fresh.to_dict())
        return fresh

    # --- queries ------------------------------------------------------------

    def _post_query(self, tokens: TikTokTokens, ids: list[str]) -> HttpResponse:
        return self._http.send(
            "POST", f"{self._base}/v2/video/query/?fields={FIELDS}",
            headers={"Authorization": f"Bearer {tokens.access_token}"},
            json_body={"filters": {"video_ids": ids}},
        )

    @staticmethod
    def _error_code(response: HttpResponse) -> str:
        body = response.body if isinstance(response.body, dict) else {}
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        return str(error.get("code") or ("ok" if response.status == 200 else f"http_{response.status}"))

    def _query(self, ids: list[str]) -> Readings:
        tokens = self._current_tokens()
        response = self._post_query(tokens, ids)
        if self._error_code(response) in _TOKEN_ERRORS or response.status == 401:
            response = self._post_query(self._after_rejection(tokens), ids)
        code = self._error_code(response)
        if response.status != 200 or code != "ok":
            body = response.body if isinstance(response.body, dict) else {}
            error = body.get("error") or {}
            raise _unavailable(code, str(error.get("message") or f"HTTP {response.status}"),
                               status=response.status, log_id=error.get("log_id"))
        readings: Readings = {}
        for video in (response.body.get("data") or {}).get("videos") or []:
            reading: dict[str, int | None] = {"saves": None, "reposts": None}
            for field, metric in _METRIC_OF_FIELD.items():
                value = video.get(field)
                reading[metric] = int(value) if isinstance(value, (int, float)) and value >= 0 else None
            readings[str(video["id"])] = reading
        return readings

    def fetch(self, videos: Sequence[VideoRequest], at: datetime) -> Readings:
        return fetch_in_calls(videos, MAX_IDS_PER_CALL, self._query)
