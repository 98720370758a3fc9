"""Drives `make run` as a person would: start it, act as participants, kill it, start it again.

Shared by the local-cloud benches. Each run uses its own ports and state directory,
so a developer's `make run` and its .local/ are left alone.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
VIDEO = ROOT / "tests" / "fixtures" / "videos" / "valid-faststart.mp4"
CAMPAIGN = "khat-vong-hung-cuong"
UNIT = "ha-noi-ba-dinh-kim-ma"
FINAL_STATUSES = {"valid", "invalid"}


@dataclass
class LocalRun:
    """One `make run` process group, on ports of its own, keeping its state in `state_dir`."""

    state_dir: Path
    api_port: int
    cloud_port: int
    log_path: Path
    process: subprocess.Popen | None = None
    started_in: float = 0.0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self, reset: bool = False, timeout: float = 180) -> None:
        environment = dict(os.environ, API_PORT=str(self.api_port), CLOUD_PORT=str(self.cloud_port),
                           LOCAL_STATE_DIR=str(self.state_dir), PYTHONUNBUFFERED="1")
        began = time.monotonic()
        log = open(self.log_path, "ab")
        # `-o` keeps make from reinstalling the venv when a requirements file is newer than its stamp.
        self.process = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed",
                                         "reset" if reset else "run"], cwd=ROOT,
                                        env=environment, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"make run exited with {self.process.returncode}; see {self.log_path}")
            try:
                if requests.get(f"{self.api}/campaigns", timeout=2).status_code < 500:
                    self.started_in = time.monotonic() - began
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"make run did not answer within {timeout} s; see {self.log_path}")

    def signal_group(self, sig: int) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> float:
        """Signals the whole process group; returns the seconds until make exited."""
        assert self.process is not None
        began = time.monotonic()
        try:
            self.signal_group(sig)
        except ProcessLookupError:
            return 0.0
        try:
            self.process.wait(timeout)
            while self._group_alive() and time.monotonic() - began < timeout:
                time.sleep(0.05)  # make may leave before the runner it started
        except subprocess.TimeoutExpired:
            pass
        if self._group_alive():
            self.signal_group(signal.SIGKILL)
            self.process.wait()
            return float("inf")
        return time.monotonic() - began

    def _group_alive(self) -> bool:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True


@dataclass
class Participant:
    """Creates an entry, uploads a small valid video through the presigned POST it gets."""

    api: str
    session: requests.Session = field(default_factory=requests.Session)
    resets: int = 0
    errors: list[str] = field(default_factory=list)

    def create_entry(self, title: str) -> dict[str, Any] | None:
        body = {
            "title": title,
            "description": "Đo tải cục bộ",
            "category": "Clip ngắn",
            "unit_id": UNIT,
            "authors": [{"name": "Người đo tải", "email": "tai@example.vn"}],
            "file_name": "clip.mp4",
            "content_type": "video/mp4",
            "size_bytes": VIDEO.stat().st_size,
            "accepted_terms_version": "2024-1",
        }
        try:
            response = self.session.post(f"{self.api}/campaigns/{CAMPAIGN}/submissions", json=body, timeout=60)
        except requests.ConnectionError as exc:
            self._failed(exc)
            return None
        if response.status_code != 201:
            self.errors.append(f"create {response.status_code} {response.text[:200]}")
            return None
        return response.json()

    def upload(self, created: dict[str, Any]) -> bool:
        upload = created["upload"]
        try:
            with open(VIDEO, "rb") as video:
                response = self.session.post(upload["url"], data=upload["fields"],
                                             files={"file": ("clip.mp4", video, "video/mp4")}, timeout=60)
        except requests.ConnectionError as exc:
            self._failed(exc)
            return False
        if response.status_code >= 300:
            self.errors.append(f"upload {response.status_code} {response.text[:200]}")
            return False
        return True

    def status(self, created: dict[str, Any]) -> str | None:
        try:
            response = self.session.get(f"{self.api}/submissions/{created['submission_id']}",
                                        headers={"X-Participant-Token": created["access_token"]}, timeout=30)
        except requests.ConnectionError as exc:
            self._failed(exc)
            return None
        return response.json().get("status") if response.status_code == 200 else f"http-{response.status_code}"

    def _failed(self, exc: Exception) -> None:
        text = repr(exc)
        if "reset" in text.lower() or "aborted" in text.lower() or "refused" in text.lower():
            self.resets += 1
        self.errors.append(text[:200])


def wait_for_verdicts(participant: Participant, created: list[dict[str, Any]],
                      timeout: float) -> dict[str, str | None]:
    deadline = time.monotonic() + timeout
    statuses: dict[str, str | None] = {}
    while True:
        statuses = {c["submission_id"]: participant.status(c) for c in created}
        if all(s in FINAL_STATUSES for s in statuses.values()) or time.monotonic() > deadline:
            return statuses
        time.sleep(1)


def require_fixture() -> None:
    if not VIDEO.exists():
        sys.exit(f"{VIDEO} is missing: run `make fixtures` first")
