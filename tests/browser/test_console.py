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
# Each page waits on the API, which a loaded machine answers in seconds, not milliseconds.
expect.set_options(timeout=15_000)


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
PAGES = ["overview", "review", "publish", "weeks", "final", "reports", "imports", "audit"]


def upload_valid_entry(live_server, title: str, campaign: str = CAMPAIGN) -> str:
    """An entry with a real video, sent as a participant's browser would, then judged valid by the validator."""
    import time

    import requests

    from tests.fixtures.make_videos import case, ensure_videos

    video = case("valid-faststart.mp4").path(ensure_videos())
    status, created = live_server.api("POST", f"/campaigns/{campaign}/submissions", {
        "title": title, "description": "Bài dự thi dùng cho kiểm thử bảng điều khiển.", "unit_id": ENTRY_UNIT,
        "authors": [{"name": "Nguyễn Văn An", "phone": "0912345678"}], "file_name": video.name,
        "content_type": "video/mp4", "size_bytes": video.stat().st_size, "accepted_terms_version": "2024-1",
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
              "final": "Chung kết", "reports": "Báo cáo", "imports": "Nhập số liệu", "audit": "Nhật ký"}


def test_every_console_page_opens_for_an_organiser_and_passes_axe(console_page, live_server):
    page = console_page
    sign_in(page, live_server, "admin", CAMPAIGN)
    for name in PAGES:
        open_console_page(page, live_server, name)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text("Đang tải…")).to_have_count(0, timeout=30_000)
        check_accessibility(page)
        snapshot(page, name)


ORGANISER = "organiser-dk-tw"
OTHER_BRANCH_ORGANISER = "organiser-hcm"
JUDGE = "jury-1"
ENDED_WEEK = 1
XLSX_MAGIC = b"PK\x03\x04"


def watch_video(detail) -> float:
    """Waits for the player's metadata, plays a moment muted, and answers the duration it reports."""
    video = detail.locator("video")
    expect(video).to_have_attribute("src", re.compile(r"^http"))
    duration = video.evaluate("""v => new Promise((done, fail) => {
        if (v.readyState >= 1) return done(v.duration);
        v.addEventListener('loadedmetadata', () => done(v.duration));
        v.addEventListener('error', () => fail(new Error('media error ' + (v.error && v.error.code))));
    })""")
    played = video.evaluate("""async v => { v.muted = true; await v.play();
        await new Promise(r => setTimeout(r, 700)); v.pause(); return v.currentTime; }""")
    assert played > 0, played
    return duration


def vietnam_minutes_ago(minutes: int, fmt: str = "%Y-%m-%dT%H:%M") -> str:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) - timedelta(minutes=minutes)).strftime(fmt)


def figures_sheet(video_id: str, likes: int) -> bytes:
    measured = vietnam_minutes_ago(0, "%d/%m/%Y %H:%M")
    return (f"Mã video;Lượt thích;Lượt lưu;Lượt chia sẻ;Lượt đăng lại;Thời điểm đo\n"
            f"{video_id};{likes};9000;6000;3000;{measured}\n").encode("utf-8")


def require_walk_sample(live_server) -> None:
    """The walk stands on `make run`'s sample under way: an organiser of the organising unit, week 1 ended,
    week 2 open, review rows that carry the entry's description."""
    status, _ = live_server.api("POST", "/auth/token", {"username": ORGANISER, "password": PASSWORD})
    _, weeks = live_server.api("GET", f"/campaigns/{CAMPAIGN}/weeks")
    states = {w["number"]: w["state"] for w in weeks.get("weeks", [])}
    _, listing = signed_in_api(live_server, "admin", "GET", f"/campaigns/{CAMPAIGN}/submissions?limit=1")
    rows = listing.get("entries") or [{}]
    assert status == 200, "organiser-dk-tw cannot sign in"
    assert states.get(ENDED_WEEK) in ("closing", "closed") and states.get(2) == "open", states
    assert "description" in rows[0], rows[0]


def test_the_organisers_week_from_review_to_the_closed_weeks_workbook(console_page, live_server, tmp_path):
    """Issue 12's walk: sign in, review with the video playing, approve, publish with a TikTok link, see the
    entry lead the live leaderboard with its chart, close the ended week, download and open the ranking
    workbook; another branch's organiser sees none of it."""
    import openpyxl

    require_walk_sample(live_server)
    page = console_page
    title = f"Thanh niên với chuyển đổi số ({page.size_name})"
    entry_id = upload_valid_entry(live_server, title)
    video_id = str(7_412_000_000_000_000_000 + (1 if page.size_name == "phone" else 2))

    sign_in(page, live_server, ORGANISER, CAMPAIGN)
    snapshot(page, "walk-overview")

    # Thẩm định: the entry with its video, facts, description and authors; "Duyệt".
    open_console_page(page, live_server, "review")
    page.get_by_role("button", name=title).click()
    detail = page.get_by_role("article")
    expect(detail.get_by_role("heading", name=title)).to_be_visible()
    expect(detail).to_contain_text("Bài dự thi dùng cho kiểm thử bảng điều khiển.")
    expect(detail).to_contain_text("Nguyễn Văn An")
    expect(detail).to_contain_text("Đoàn Thanh niên Bộ Công Thương")
    assert watch_video(detail) > 1
    check_accessibility(page)
    snapshot(page, "walk-review")
    detail.get_by_role("button", name="Duyệt").click()
    expect(page.get_by_role("status")).to_have_text("Đã duyệt.")
    expect(page.get_by_role("button", name=title)).to_have_count(0)

    # Đăng tải: the TikTok link gives the video id and the voting week before confirming.
    open_console_page(page, live_server, "publish")
    form = page.get_by_role("form", name=title)
    form.get_by_label("Đường dẫn TikTok").fill(f"https://www.tiktok.com/@doanbocongthuong/video/{video_id}?lang=vi")
    # Posted a few minutes ago (the form takes Vietnam time): the figures imported below are read after it.
    form.get_by_label("Thời điểm đăng (giờ Việt Nam)").fill(vietnam_minutes_ago(5))
    expect(form.get_by_test_id("publish-week")).to_contain_text(video_id)
    expect(form.get_by_test_id("publish-week")).to_contain_text("tuần 2")
    check_accessibility(page)
    snapshot(page, "walk-publish")
    form.get_by_role("button", name="Xác nhận đăng tải").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận đăng tải.")
    status, listing = signed_in_api(live_server, ORGANISER, "GET",
                                    f"/campaigns/{CAMPAIGN}/submissions?status=published&limit=100")
    assert status == 200 and entry_id in {e["submission_id"] for e in listing["entries"]}

    # Its figures arrive by an organiser's import (preview, then apply): then it leads week 2 with a chart.
    open_console_page(page, live_server, "imports")
    page.get_by_label("Chọn tệp CSV hoặc XLSX").set_input_files(
        {"name": "so-lieu.csv", "mimeType": "text/csv",
         # Each screen size's entry must lead the board when its run looks: the later run scores higher.
         "buffer": figures_sheet(video_id, 90_000 if page.size_name == "phone" else 95_000)})
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_role("table")).to_contain_text(title)
    page.get_by_role("button", name="Nhập số liệu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi: 1")

    open_console_page(page, live_server, "weeks")
    page.get_by_label("Tuần", exact=True).select_option("2")
    board = page.get_by_test_id("leaderboard")
    expect(board.get_by_role("row").nth(1)).to_contain_text(title)
    expect(board.get_by_role("row").nth(1)).to_contain_text("Lượt đăng lại: 3.000 × 5 = 15.000")
    expect(page.get_by_test_id("score-chart").locator("canvas")).to_be_visible()
    check_accessibility(page)
    snapshot(page, "walk-leaderboard")

    # "Chốt tuần" for the ended week 1, then its frozen version, hash and workbook.
    page.get_by_label("Tuần", exact=True).select_option(str(ENDED_WEEK))
    closing = page.get_by_role("button", name="Chốt tuần")
    if closing.count():  # the other screen size may have closed it already: one close per week
        closing.click()
        expect(page.get_by_text(f"Chốt tuần {ENDED_WEEK}? Kết quả sẽ được đóng băng.")).to_be_visible()
        page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_test_id("week-hash")).to_have_text(re.compile(r"^sha256:[0-9a-f]{64}$"))
    check_accessibility(page)
    snapshot(page, "walk-closed-week")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tải bảng xếp hạng (Excel)").click()
    workbook_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(workbook_path)
    assert workbook_path.read_bytes()[:4] == XLSX_MAGIC
    sheet = openpyxl.load_workbook(workbook_path, read_only=True).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    _, ranking = live_server.api("GET", f"/campaigns/{CAMPAIGN}/weeks/{ENDED_WEEK}/ranking")
    assert ranking["rows"][0]["title"] in cells
    page.get_by_role("button", name="Đăng xuất").click()

    # An organiser of another branch sees none of that branch's entries, whatever the status.
    sign_in(page, live_server, OTHER_BRANCH_ORGANISER, CAMPAIGN)
    open_console_page(page, live_server, "review")
    for status_label in ("Hợp lệ, chờ duyệt", "Đã duyệt", "Đã đăng tải"):
        page.get_by_label("Trạng thái").select_option(label=status_label)
        expect(page.get_by_text("Đang tải…")).to_have_count(0, timeout=30_000)
        expect(page.get_by_role("button", name=title)).to_have_count(0)
    snapshot(page, "walk-other-branch")


FINAL_CAMPAIGN = "kvhc-chung-khao"
FINALIST_TITLE = "Tuổi trẻ Bộ Công Thương vào chung khảo"


@pytest.fixture(scope="module")
def final_pool(live_server) -> str:
    """The sample's pool opens only once all four of its weeks are frozen, weeks away. So the test does what
    an organiser of Đoàn Khối would, through the API: a one-week copy of seed 000's contest whose week has
    ended (created, opened), jury-1 on its panel, one entry sent, approved, published in that week, and the
    week closed with its unmeasured metrics confirmed. Its pool then holds that entry."""
    _, sample = signed_in_api(live_server, ORGANISER, "GET", f"/campaigns/{CAMPAIGN}")
    document = {**sample, "id": FINAL_CAMPAIGN, "name_vi": "Chung khảo Khát vọng hùng cường",
                "name_en": "Aspiration final round", "voting_weeks": sample["voting_weeks"][:1]}
    status, created = signed_in_api(live_server, ORGANISER, "POST", "/campaigns", document)
    assert status == 201, created
    status, opened = signed_in_api(live_server, ORGANISER, "POST", f"/campaigns/{FINAL_CAMPAIGN}/open")
    assert status == 200, opened
    status, panel = signed_in_api(live_server, ORGANISER, "PUT", f"/campaigns/{FINAL_CAMPAIGN}/judges",
                                  {"judges": [JUDGE]})
    assert status == 200, panel
    entry_id = upload_valid_entry(live_server, FINALIST_TITLE, FINAL_CAMPAIGN)
    status, approved = signed_in_api(live_server, ORGANISER, "POST", f"/submissions/{entry_id}/review",
                                     {"decision": "approve"})
    assert status == 200, approved
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    week_starts = datetime.fromisoformat(document["voting_weeks"][0]["starts_at"])
    published_at = (week_starts.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(hours=9)).isoformat()
    video_id = "7412000000000000009"
    status, published = signed_in_api(live_server, ORGANISER, "POST", f"/submissions/{entry_id}/publication", {
        "platform": "tiktok", "video_id": video_id,
        "url": f"https://www.tiktok.com/@doanbocongthuong/video/{video_id}", "published_at": published_at})
    assert status == 200, published
    status, closed = signed_in_api(live_server, ORGANISER, "POST", f"/campaigns/{FINAL_CAMPAIGN}/weeks/1/close",
                                   {"confirm_unmeasured": True})
    assert status == 200, closed
    status, pool = signed_in_api(live_server, JUDGE, "GET", f"/campaigns/{FINAL_CAMPAIGN}/finalists")
    assert status == 200 and [f["entry_id"] for f in pool["finalists"]] == [entry_id], pool
    return entry_id


def test_a_judge_opens_the_final_round_and_scores_a_finalist_within_each_maximum(console_page, live_server,
                                                                                  final_pool):
    page = console_page
    sign_in(page, live_server, JUDGE, FINAL_CAMPAIGN)
    expect(page.get_by_role("navigation", include_hidden=True).get_by_role("link", include_hidden=True)).to_have_text(
        ["Chung kết"])
    open_console_page(page, live_server, "final")
    card = page.get_by_role("form").first
    card.get_by_label(re.compile("Nội dung, thông điệp")).fill("35")
    card.get_by_label(re.compile("Tính sáng tạo")).fill("25")
    card.get_by_label(re.compile("Chất lượng hình ảnh, âm thanh")).fill("27.5")
    card.get_by_role("button", name="Lưu phiếu chấm").click()
    expect(card.get_by_role("status")).to_contain_text("87,5")
    check_accessibility(page)
    snapshot(page, "walk-judge")
    status, results = signed_in_api(live_server, ORGANISER, "GET", f"/campaigns/{FINAL_CAMPAIGN}/results")
    assert status == 200 and results["judges"] == [JUDGE], results
    assert [s["entry_id"] for s in results["standings"]] == [final_pool], results
