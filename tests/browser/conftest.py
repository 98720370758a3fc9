"""Browser tests drive the real product: `python -m chalicelib.local.runner` (the API on
Chalice's local server, moto for S3/SQS/DynamoDB/Cognito, the event pump that runs the
validator) and Debian's Chromium through Playwright. Nothing is mocked: every verdict a
test sees was computed by the validator from the uploaded bytes.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by
scripts/install-system-deps.sh), headless, with no network beyond loopback.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
# A loaded machine (several test runs sharing two cores) was measured answering /health in 11 s.
STARTUP_TIMEOUT_SECONDS = 180  # and a fresh runner seeds the samples and the walk-through first
HEALTH_TIMEOUT_SECONDS = 15
LOG_TAIL_LINES = 60


@dataclass
class LiveServer:
    base_url: str
    cloud_url: str
    log_path: Path
    process: subprocess.Popen
    state_dir: Path | None = None

    def outbox(self, to: str | None = None) -> list[dict]:
        """The messages this runner's local cloud sent (what `./contest outbox` prints)."""
        from chalicelib.adapters.outbox_file import read_outbox

        return read_outbox(Path(self.state_dir or "") / "outbox.jsonl", to)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(runner log unreadable: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
        """Ask the API directly: how the tests check that the page showed the truth."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["X-Participant-Token"] = token
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (held open together so they cannot coincide)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # the runner stops its threads and moto on SIGINT
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the runner exited with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(server.base_url + "/health", timeout=HEALTH_TIMEOUT_SECONDS) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.3)
    raise RuntimeError(f"/health was not 200 within {STARTUP_TIMEOUT_SECONDS} s ({last_error})")


@contextlib.contextmanager
def running_product() -> Iterator[LiveServer]:
    """A fresh `make run`: the runner on free ports with a state directory of its own."""
    api_port, cloud_port = _free_ports(2)
    log_file = tempfile.NamedTemporaryFile(prefix="contest-runner-", suffix=".log", delete=False)
    env = {**os.environ, "LOCAL_QUEUE_VISIBILITY": "2", "PYTHONUNBUFFERED": "1"}
    # A state directory of its own: the runner keeps what it confirmed, and these tests start clean.
    state_dir = tempfile.mkdtemp(prefix="contest-runner-state-")
    process = subprocess.Popen(
        [sys.executable, "-m", "chalicelib.local.runner", "--port", str(api_port), "--cloud-port", str(cloud_port),
         "--state-dir", state_dir],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log_file.close()
    server = LiveServer(
        base_url=f"http://127.0.0.1:{api_port}",
        cloud_url=f"http://127.0.0.1:{cloud_port}",
        log_path=Path(log_file.name),
        process=process,
        state_dir=Path(state_dir),
    )
    try:
        _wait_healthy(server)
    except RuntimeError as exc:
        _stop(process)
        pytest.fail(f"the local cloud did not start: {exc}\n--- runner log (tail) ---\n{server.log_tail()}")
    try:
        yield server
    finally:
        _stop(process)
        os.unlink(server.log_path)
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server():
    with running_product() as server:
        yield server


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test shows the tail of the runner's log next to its traceback."""
    outcome = yield
    report = outcome.get_result()
    server = item.funcargs.get("live_server") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("runner log (tail)", server.log_tail()))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """Uncaught script errors and Content-Security-Policy refusals seen by a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None,
        )


@pytest.fixture
def new_page(browser):
    """Pages on a phone-sized screen, each in a fresh context (its own localStorage)."""
    contexts = []
    problems = PageProblems()

    def make():
        context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems.errors, problems.errors
