"""A participant hears back and finds their entries again: the outbox of the real local cloud, read
as the participant's mailbox, and the upload page in headless Chromium."""
from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.fixtures.make_videos import case, ensure_videos

pytestmark = pytest.mark.slow

CAMPAIGN = "khat-vong-hung-cuong"


@pytest.fixture(scope="module")
def videos():
    return ensure_videos()


def wait_for_message(live_server, address: str, event: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in live_server.outbox(address) if m["event"].startswith(event)]
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no {event} message to {address} within {timeout} s: {live_server.outbox(address)}")


def entered(live_server, videos, address: str, title: str) -> dict:
    data = case("valid-faststart.mp4").path(videos).read_bytes()
    status, created = live_server.api("POST", f"/campaigns/{CAMPAIGN}/submissions", {
        "title": title, "unit_id": "dk-tw-bo-ct-vp", "category": "Clip",
        "authors": [{"name": "Trần Thị C", "email": address}], "file_name": "clip.mp4",
        "content_type": "video/mp4", "size_bytes": len(data), "accepted_terms_version": "2024-1"})
    assert status == 201, created
    upload = created["upload"]
    requests.post(upload["url"], data=upload["fields"], files={"file": ("clip.mp4", data, "video/mp4")},
                  timeout=30).raise_for_status()
    return created


def test_the_participant_hears_received_then_the_verdict_within_ten_seconds(live_server, videos):
    address = "nhan-thong-bao@example.vn"
    created = entered(live_server, videos, address, "Thông báo đến")
    deadline = time.monotonic() + 30
    while live_server.api("GET", f"/submissions/{created['submission_id']}",
                          token=created["access_token"])[1]["status"] in ("awaiting_upload", "validating"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    judged = time.monotonic()

    verdict = wait_for_message(live_server, address, "verdict", timeout=10)

    assert time.monotonic() - judged < 10
    received = wait_for_message(live_server, address, "received")
    assert received["entry"] == verdict["entry"] == created["submission_id"]
    assert [m["event"].split("#")[0] for m in live_server.outbox(address)] == ["received", "verdict"]
    assert "hợp lệ" in verdict["subject"]


def test_a_participant_recovers_access_by_email_through_the_outbox_link(live_server, new_page, videos):
    address = "tra-cuu@example.vn"
    created = entered(live_server, videos, address, "Tuổi trẻ tra cứu")
    wait_for_message(live_server, address, "verdict")

    page = new_page()  # another device: it holds no access code
    page.goto(live_server.base_url + "/upload")
    page.get_by_test_id("open-recover").click()
    page.get_by_test_id("recover-contact").fill(address.upper())
    page.get_by_test_id("recover-send").click()
    expect(page.get_by_test_id("recover-status")).to_contain_text("đường dẫn tra cứu sẽ tới đó")

    link = re.search(r"https?://\S+#recover=\S+", wait_for_message(live_server, address, "access_link")["text"])
    page.goto(link.group(0))

    entry = page.get_by_test_id("recovered-entry")
    expect(entry).to_have_text("Tuổi trẻ tra cứu")
    entry.click()
    expect(page.get_by_test_id("entry-panel")).to_be_visible()
    expect(page.get_by_test_id("verdict-label")).to_have_text("Hợp lệ")
    assert page.get_by_test_id("submission-id").inner_text() == created["submission_id"]
    # The link worked once: opening it again is refused.
    page.goto(link.group(0))
    expect(page.get_by_test_id("recover-status")).to_contain_text("đã dùng hoặc đã hết hạn")
