"""A loopback stand-in for TikTok's and YouTube's APIs, speaking their documented shapes.

Tests set the videos each platform knows, which tokens are valid, and a script of
failures (429, 5xx) for the next calls; the fake records every call it receives.
"""
from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakePlatforms:
    tiktok_videos: dict[str, dict[str, int]] = field(default_factory=dict)
    youtube_videos: dict[str, dict[str, str]] = field(default_factory=dict)
    valid_access_tokens: set[str] = field(default_factory=lambda: {"act.initial"})
    refresh_token: str = "rft.initial"
    youtube_key: str = "yt-key"
    # (status, body, headers) answered by the next video queries, before the normal answer.
    tiktok_script: deque = field(default_factory=deque)
    youtube_script: deque = field(default_factory=deque)
    calls: list[Call] = field(default_factory=list)
    _counter: Any = field(default_factory=lambda: itertools.count(1))

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def reset(self) -> None:
        self.tiktok_videos.clear()
        self.youtube_videos.clear()
        self.valid_access_tokens = {"act.initial"}
        self.refresh_token = "rft.initial"
        self.tiktok_script.clear()
        self.youtube_script.clear()
        self.calls.clear()

    # --- TikTok -------------------------------------------------------------

    @staticmethod
    def _tiktok_error(code: str, message: str) -> dict:
        return {"data": {}, "error": {"code": code, "message": message, "log_id": "fake-log-id"}}

    def tiktok_token(self, form: dict[str, str]) -> tuple[int, dict, dict]:
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "Refresh token is invalid or expired.",
                         "log_id": "fake-log-id"}, {}
        n = next(self._counter)
        access, self.refresh_token = f"act.{n}", f"rft.{n}"
        self.valid_access_tokens = {access}  # TikTok's new access token replaces the old one
        return 200, {"access_token": access, "expires_in": 86400, "open_id": "open-1",
                     "refresh_expires_in": 31536000, "refresh_token": self.refresh_token,
                     "scope": "user.info.basic,video.list", "token_type": "Bearer"}, {}

    def tiktok_query(self, headers: dict[str, str], query: dict, body: Any) -> tuple[int, dict, dict]:
        if self.tiktok_script:
            return self.tiktok_script.popleft()
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.valid_access_tokens:
            return 401, self._tiktok_error("access_token_invalid",
                                           "The access token is invalid or not found in the request."), {}
        ids = ((body or {}).get("filters") or {}).get("video_ids") or []
        if not ids or len(ids) > 20:
            return 400, self._tiktok_error("invalid_params", "video_ids must hold 1 to 20 ids."), {}
        fields = query.get("fields", [""])[0].split(",")
        videos = [{"id": i, **{k: v for k, v in self.tiktok_videos[i].items() if k in fields}}
                  for i in ids if i in self.tiktok_videos]
        return 200, {"data": {"videos": videos, "cursor": 0, "has_more": False},
                     "error": {"code": "ok", "message": "", "log_id": "fake-log-id"}}, {}

    # --- YouTube ------------------------------------------------------------

    def youtube_videos_list(self, query: dict) -> tuple[int, dict, dict]:
        if self.youtube_script:
            return self.youtube_script.popleft()
        if query.get("key", [""])[0] != self.youtube_key:
            return 400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                   "errors": [{"reason": "keyInvalid", "domain": "usageLimits"}]}}, {}
        ids = query.get("id", [""])[0].split(",")
        if len(ids) > 50:
            return 400, {"error": {"code": 400, "message": "Too many ids.",
                                   "errors": [{"reason": "invalidFilters"}]}}, {}
        items = [{"kind": "youtube#video", "id": i, "statistics": self.youtube_videos[i]}
                 for i in ids if i in self.youtube_videos]
        return 200, {"kind": "youtube#videoListResponse", "items": items,
                     "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}}, {}


def _handler(fake: FakePlatforms):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _answer(self, status: int, body: dict, headers: dict) -> None:
            payload = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                body: Any = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            else:
                body = json.loads(raw) if raw else None
            fake.calls.append(Call(method, url.path, query, headers, body))
            if method == "POST" and url.path == "/v2/oauth/token/":
                self._answer(*fake.tiktok_token(body or {}))
            elif method == "POST" and url.path == "/v2/video/query/":
                self._answer(*fake.tiktok_query(headers, query, body))
            elif method == "GET" and url.path == "/youtube/v3/videos":
                self._answer(*fake.youtube_videos_list(query))
            else:
                self._answer(404, {"error": {"code": "not_found", "message": url.path}}, {})

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

    return Handler


class FakePlatformServer:
    """Serves a FakePlatforms on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self) -> None:
        self.state = FakePlatforms()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-platforms", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def tiktok_base_url(self) -> str:
        return self.base_url

    @property
    def youtube_base_url(self) -> str:
        return self.base_url + "/youtube/v3"

    def __enter__(self) -> "FakePlatformServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
