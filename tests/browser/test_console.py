"""The organiser and jury console, driven by headless Chromium against the real local cloud.

One runner for the whole module (tests/browser/conftest.py's live_server). Every page is checked by
axe-core (injected from console/node_modules, never fetched) for serious or critical violations, and
photographed at phone and desktop sizes into build/screenshots/.
"""
from __future__ import annotations

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


def sign_in(page, live_server, username: str) -> None:
    response = page.goto(f"{live_server.base_url}/console")
    assert response is not None and response.status == 200
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


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
