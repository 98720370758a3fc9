"""The public campaign page and its embeddable counter, in headless Chromium against the real
local cloud, without signing in: the counter and its chart, the leaderboard, the English switch,
the widget framed by another site, and axe-core finding no serious or critical violation."""
from __future__ import annotations

import json
import os
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.slow

# Seed 004's campaign: the local seed gives it demo entries, so its counter is not empty.
CAMPAIGN = "clip-phan-bac-thong-tin-xau-doc"
SCREENSHOTS = Path(tempfile.gettempdir())
AXE_JS = Path(os.environ.get("AXE_CORE_JS", ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"))


def vi_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def assert_accessible(page, label: str) -> None:
    """axe-core (the console's pinned copy, never a CDN): no serious or critical violation."""
    # Through the debugging protocol, not a <script> tag: the page's policy rightly refuses inline scripts.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{label}: {bad}"


@pytest.fixture(scope="module")
def framing_site():
    """Another origin (a newspaper's page) that frames the widget."""
    folder = Path(tempfile.mkdtemp(prefix="framing-site-"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_public_page_shows_the_counter_and_the_leaderboard_without_signing_in(new_page, live_server):
    status, stats = live_server.api("GET", f"/campaigns/{CAMPAIGN}/stats")
    assert status == 200 and stats["totals"]["received"] > 0
    status, board = live_server.api("GET", f"/campaigns/{CAMPAIGN}/public-board")
    assert status == 200
    page = new_page()
    response = page.goto(f"{live_server.base_url}/c/{CAMPAIGN}")
    assert response is not None and response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.locator("#campaign-name")).to_have_text(board["name_vi"])
    expect(page.locator("#total-received")).to_have_text(vi_number(stats["totals"]["received"]))
    expect(page.locator("#total-valid")).to_have_text(vi_number(stats["totals"]["valid"]))
    expect(page.locator("#daily-chart svg rect.bar")).to_have_count(min(30, len(stats["days"])))
    expect(page.get_by_role("heading", name="Bảng xếp hạng")).to_be_visible()
    if board["rows"]:
        expect(page.locator("#board li")).to_have_count(len(board["rows"]))
    else:
        expect(page.locator("#board-empty")).to_be_visible()
    embed = page.locator("#embed-code").input_value()
    assert f"/c/{CAMPAIGN}/widget" in embed and embed.startswith("<iframe")
    page.screenshot(path=str(SCREENSHOTS / "public-page-phone.png"), full_page=True)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#campaign-name")).to_have_text(board["name_en"])


ROWS = [
        {"rank": 1, "title": "Tỉnh táo trước tin giả", "unit_name": "Đoàn phường Kim Mã",
         "url": "https://www.tiktok.com/@kvhc/video/7301", "score": 12500},
        {"rank": 2, "title": "Bến Nghé sống đẹp", "unit_name": "Đoàn phường Bến Nghé", "url": None, "score": "17.5"},
]


def open_with_rows(page, live_server) -> None:
    """The page with leaderboard rows in the documented shape of GET .../public-board (the local
    seed publishes no entry, so its board is empty)."""
    status, board = live_server.api("GET", f"/campaigns/{CAMPAIGN}/public-board")
    assert status == 200
    page.route(f"**/campaigns/{CAMPAIGN}/public-board", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({**board, "week": 1, "rows": ROWS})))
    page.goto(f"{live_server.base_url}/c/{CAMPAIGN}")


def test_the_leaderboard_rows_show_title_unit_link_and_score(new_page, live_server):
    page = new_page()
    open_with_rows(page, live_server)
    items = page.locator("#board li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Tỉnh táo trước tin giả")
    expect(items.nth(0)).to_contain_text("Đoàn phường Kim Mã")
    expect(items.nth(0)).to_contain_text("12.500 điểm")
    link = items.nth(0).get_by_role("link", name="Xem trên TikTok: Tỉnh táo trước tin giả")
    expect(link).to_have_attribute("href", "https://www.tiktok.com/@kvhc/video/7301")
    expect(items.nth(1)).to_contain_text("17,5 điểm")
    expect(items.nth(1).get_by_role("link")).to_have_count(0)


def framed_widget(page, live_server, framing_site):
    folder, origin = framing_site
    (folder / "news.html").write_text(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo Thanh niên</title></head><body>'
        f'<h1>Tin tức</h1><iframe id="counter" title="Bộ đếm tác phẩm dự thi" width="320" height="240" '
        f'src="{live_server.base_url}/c/{CAMPAIGN}/widget"></iframe></body></html>', encoding="utf-8")
    page.goto(f"{origin}/news.html")
    return page.frame_locator("#counter")


def test_the_widget_counts_inside_another_sites_iframe(new_page, live_server, framing_site):
    status, stats = live_server.api("GET", f"/campaigns/{CAMPAIGN}/stats")
    assert status == 200
    page = new_page()
    widget = framed_widget(page, live_server, framing_site)
    expect(widget.locator("#total-received")).to_have_text(vi_number(stats["totals"]["received"]))
    expect(widget.locator("#daily-chart svg")).to_be_visible()
    expect(widget.get_by_role("link", name="Xem bảng xếp hạng")).to_have_attribute("href", f"/c/{CAMPAIGN}")
    page.screenshot(path=str(SCREENSHOTS / "public-widget-framed.png"), full_page=True)


@pytest.mark.skipif(not AXE_JS.exists(), reason=f"{AXE_JS} is missing: the console's npm dependencies (make console) "
                                                "bring axe-core; set AXE_CORE_JS to use another copy")
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_axe_finds_no_serious_or_critical_violation_on_the_public_pages(new_page, live_server, framing_site, viewport):
    page = new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.base_url}/c/{CAMPAIGN}")
    expect(page.locator("#total-received")).not_to_have_text("–")
    assert_accessible(page, "public page (vi)")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page, "public page (en)")
    open_with_rows(page, live_server)
    expect(page.locator("#board li")).to_have_count(2)
    assert_accessible(page, "public page with rows")
    framed_widget(page, live_server, framing_site).locator("#daily-chart svg").wait_for()
    assert_accessible(next(f for f in page.frames if f.url.endswith("/widget")), "widget")
