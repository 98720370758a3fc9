"""Uploads go browser → S3 → SQS → validator, and every fixture gets the verdict
the offline validator gives it."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from chalicelib.adapters.local_files import LocalFileRangeReader
from chalicelib.bootstrap import services
from chalicelib.domain.media.probe import DEFAULT_MAX_REQUESTS
from chalicelib.domain.media.verdict import verdict_for
from tests.fixtures.make_videos import fixture_cases

CAMPAIGN = "khat-vong-hung-cuong"


def _create_entry(path: Path, content_type: str = "video/mp4", size: int | None = None) -> dict:
    body = {
        "title": f"Khát vọng {path.stem}",
        "unit_id": "dk-tw-bo-ct-vp",  # seed 000: the branches under Đoàn Khối
        "authors": [{"name": "Nguyễn Văn A", "email": "a@example.vn"}],
        "file_name": path.name,
        "content_type": content_type,
        "size_bytes": size if size is not None else max(path.stat().st_size, 1),
        "accepted_terms_version": "2024-1",
    }
    return services().participants.create(CAMPAIGN, body, datetime.now(timezone.utc))


def _post_upload(upload: dict, data: bytes, content_type: str = "video/mp4") -> None:
    response = requests.post(upload["url"], data=upload["fields"],
                             files={"file": ("video", data, content_type)}, timeout=30)
    assert response.status_code in (200, 204), response.text


def _status(submission_id: str, token: str) -> dict:
    return services().participants.view(submission_id, token)


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda c: c.name)
def test_every_fixture_gets_the_same_verdict_through_s3_and_offline(seeded_cloud, pump, videos, case):
    path = case.path(videos)
    created = _create_entry(path)
    _post_upload(created["upload"], path.read_bytes())
    pump.drain()
    view = _status(created["submission_id"], created["access_token"])
    campaign = services().campaign_store.get(CAMPAIGN)
    offline = verdict_for(LocalFileRangeReader(path), campaign)

    assert view["status"] == case.expected_status
    online = view["verdict"]
    assert online["status"] == offline["status"] == case.expected_status
    assert [(c["code"], c["outcome"]) for c in online["checks"]] == [(c["code"], c["outcome"]) for c in offline["checks"]]
    assert case.expected_codes <= {c["code"] for c in online["checks"] if c["outcome"] != "pass"}
    online_facts = {k: v for k, v in online["facts"].items() if k not in ("bytes_read", "get_requests")}
    offline_facts = {k: v for k, v in offline["facts"].items() if k not in ("bytes_read", "get_requests")}
    assert online_facts == offline_facts
    assert online["facts"]["bytes_read"] <= 8 * 1024**2
    assert online["facts"]["get_requests"] <= DEFAULT_MAX_REQUESTS

    cli = subprocess.run([sys.executable, "-m", "contest_cli", "validate", str(path), "--campaign", CAMPAIGN],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert cli.returncode == (0 if case.expected_status == "valid" else 1), cli.stderr
    assert json.loads(cli.stdout) == offline
