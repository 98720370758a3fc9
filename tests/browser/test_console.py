"""The organiser and jury console, driven by headless Chromium against the real local cloud.

One runner for the whole module (tests/browser/conftest.py's live_server). Every page is checked by
axe-core (injected from console/node_modules, never fetched) for serious or critical violations, and
photographed at phone and desktop sizes into build/screenshots/.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
PASSWORD = "Local-Contest-2026!"
SIZES = {"phone": PHONE_VIEWPORT, "desktop": DESKTOP_VIEWPORT}


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def console_page(request, browser):
    """A fresh browser context at phone or desktop size; page errors and CSP refusals fail the test."""
    size = request.param
    phone = size == "phone"
    context = browser.new_context(viewport=SIZES[size], locale="vi-VN", is_mobile=phone, has_touch=phone,
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.size_name = size
    yield page
    context.close()
    assert not problems, problems


def check_accessibility(page) -> None:
    """axe-core over the current page: no serious or critical violation."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def snapshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.size_name}.png"), full_page=True)


def sign_in(page, live_server, username: str, campaign: str | None = None) -> None:
    response = page.goto(f"{live_server.base_url}/console")
    assert response is not None and response.status == 200
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    if campaign:
        page.get_by_label("Cuộc thi").select_option(campaign)


def test_sign_in_page_is_vietnamese_accessible_and_refuses_a_wrong_password(console_page, live_server):
    page = console_page
    page.goto(f"{live_server.base_url}/console")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    check_accessibility(page)
    snapshot(page, "sign-in")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_label("Username")).to_be_visible()


def test_signing_in_keeps_the_session_across_reloads_and_signing_out_ends_it(console_page, live_server):
    page = console_page
    sign_in(page, live_server, "organiser-ha-noi")
    page.reload()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()


CAMPAIGN = "khat-vong-hung-cuong"
ENTRY_UNIT = "dk-tw-bo-ct"
PAGES = ["overview", "review", "publish", "weeks", "final", "reports", "imports"]


def upload_valid_entry(live_server, title: str) -> str:
    """An entry with a real video, sent as a participant's browser would, then judged valid by the validator."""
    import time

    import requests

    from tests.fixtures.make_videos import case, ensure_videos

    video = case("valid-faststart.mp4").path(ensure_videos())
    status, created = live_server.api("POST", f"/campaigns/{CAMPAIGN}/submissions", {
        "title": title, "description": "Bài dự thi dùng cho kiểm thử bảng điều khiển.", "unit_id": ENTRY_UNIT,
        "authors": [{"name": "Nguyễn Văn An", "phone": "0912345678"}], "file_name": video.name,
        "content_type": "video/mp4", "size_bytes": video.stat().st_size,
    })
    assert status == 201, created
    upload = created["upload"]
    with video.open("rb") as handle:
        sent = requests.post(upload["url"], data=upload["fields"], files={"file": (video.name, handle, "video/mp4")},
                             timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        _, view = live_server.api("GET", f"/submissions/{created['submission_id']}", token=created["access_token"])
        if view.get("status") == "valid":
            return created["submission_id"]
        assert view.get("status") in ("awaiting_upload", "validating"), view
        time.sleep(0.5)
    raise AssertionError("the entry was not judged valid within 90 s")


def signed_in_api(live_server, username: str, method: str, path: str, body: dict | None = None):
    """The API as that account sees it: what the console shows is held to it."""
    import json
    import urllib.error
    import urllib.request

    _, tokens = live_server.api("POST", "/auth/token", {"username": username, "password": PASSWORD})
    headers = {"Accept": "application/json", "Authorization": f"Bearer {tokens['id_token']}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(live_server.base_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def open_console_page(page, live_server, name: str) -> None:
    page.goto(f"{live_server.base_url}/console#/{name}")
    if page.viewport_size["width"] < 720:
        page.get_by_role("button", name="Điều hướng chính").click()
    page.get_by_role("navigation").get_by_role("link", name=NAV_LABELS[name]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAV_LABELS[name])


NAV_LABELS = {"overview": "Tổng quan", "review": "Thẩm định", "publish": "Đăng tải", "weeks": "Bảng xếp hạng",
              "final": "Chung kết", "reports": "Báo cáo", "imports": "Nhập số liệu"}


def test_every_console_page_opens_for_an_organiser_and_passes_axe(console_page, live_server):
    page = console_page
    sign_in(page, live_server, "admin", CAMPAIGN)
    for name in PAGES:
        open_console_page(page, live_server, name)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text("Đang tải…")).to_have_count(0)
        check_accessibility(page)
        snapshot(page, name)
