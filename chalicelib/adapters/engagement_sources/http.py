"""A small JSON-over-HTTPS client for the platforms' APIs: retries with jittered
exponential backoff on 429 and 5xx, and a client-side rate limiter.

urllib from the standard library, because `requests` is not a runtime dependency
(it would be one more wheel in the Lambda package for two POSTs and a GET).
"""
from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from chalicelib.domain.errors import DependencyUnavailable

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any
    headers: Mapping[str, str]


class RateLimiter:
    """At most `max_calls` in any sliding `window_seconds`, as TikTok counts them.

    Per process: with Lambda's SQS MaximumConcurrency = N, give each process 1/N of
    the platform's quota (see bootstrap.py)."""

    def __init__(self, max_calls: int, window_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        self.max_calls = max_calls
        self.window = window_seconds
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                while self._calls and now - self._calls[0] >= self.window:
                    self._calls.popleft()
                if len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    return
                wait = self.window - (now - self._calls[0])
            self._sleep(max(wait, 0.001))


@dataclass
class Backoff:
    """Full jitter (AWS Architecture Blog): sleep uniform(0, min(cap, base × 2^attempt))."""

    max_attempts: int = 5
    base_seconds: float = 0.5
    cap_seconds: float = 20.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.strip().isdigit():
            # The server knows when its window reopens; still jitter so callers do not stampede.
            return min(self.cap_seconds, float(retry_after)) + self.rng.uniform(0, self.base_seconds)
        return self.rng.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))


class JsonHttp:
    def __init__(self, service: str, backoff: Backoff | None = None, limiter: RateLimiter | None = None,
                 timeout_seconds: float = 10.0,
                 opener: Callable[..., Any] = urllib.request.urlopen) -> None:
        self.service = service
        self.backoff = backoff or Backoff()
        self.limiter = limiter
        self.timeout = timeout_seconds
        self._open = opener

    def _once(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None) -> HttpResponse:
        if self.limiter:
            self.limiter.acquire()
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        try:
            with self._open(request, timeout=self.timeout) as response:
                return HttpResponse(response.status, _json(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, _json(error.read()), dict(error.headers or {}))

    def send(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
             json_body: Any = None, form: Mapping[str, str] | None = None) -> HttpResponse:
        """The response, after retrying 429/5xx and network errors; the last one if all fail."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode("ascii")
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        last: HttpResponse | None = None
        for attempt in range(self.backoff.max_attempts):
            try:
                last = self._once(method, url, all_headers, data)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last = None
                failure = f"{type(error).__name__}: {error}"
            else:
                if last.status not in RETRYABLE_STATUS:
                    return last
                failure = f"HTTP {last.status}"
            if attempt + 1 < self.backoff.max_attempts:
                retry_after = last.headers.get("Retry-After") if last else None
                self.backoff.sleep(self.backoff.delay(attempt, retry_after))
        if last is not None:
            return last
        raise DependencyUnavailable(
            f"Không kết nối được {self.service}.", f"{self.service} could not be reached ({failure}).",
            code="platform_unreachable", service=self.service,
        )


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None
