"""The console's campaign editor and judge panel, driven by headless Chromium against the real local cloud.

A draft is created with a bad field (the API's field error shows next to that field), fixed, edited over a
version another editor moved on (the conflict is told in words), opened, and given a judge; every page is
checked by axe-core and photographed at phone and desktop sizes into build/screenshots/.
"""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_console import (  # noqa: F401  (console_page is a fixture)
    CAMPAIGN,
    check_accessibility,
    console_page,
    sign_in,
    signed_in_api,
    snapshot,
)

pytestmark = pytest.mark.slow

EDITOR = "admin"
JUDGE = "jury-1"


def open_page(page, live_server, name: str, label: str) -> None:
    page.goto(f"{live_server.base_url}/console#/{name}")
    if page.viewport_size["width"] < 720:
        page.get_by_role("button", name="Điều hướng chính").click()
    page.get_by_role("navigation").get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def test_a_draft_is_created_fixed_opened_and_given_a_judge(console_page, live_server):
    page = console_page
    draft_id = f"nhap-{page.size_name}-{uuid.uuid4().hex[:8]}"
    sign_in(page, live_server, EDITOR, CAMPAIGN)
    open_page(page, live_server, "campaigns", "Cuộc thi")
    expect(page.get_by_test_id("campaign-list")).to_contain_text(CAMPAIGN)
    check_accessibility(page)
    snapshot(page, "campaigns")

    page.get_by_role("button", name="Tạo bản nháp").click()
    identifier = page.get_by_label("Mã (dùng trong đường dẫn)")
    identifier.fill("Nháp Sai!")
    page.get_by_label("Tên tiếng Việt").fill("Cuộc thi thử của trình duyệt")
    page.get_by_label("Tên tiếng Anh").fill("A browser's trial campaign")
    page.get_by_label("Mở nhận bài (giờ Việt Nam)").fill("2027-01-05T08:00")
    page.get_by_label("Hết hạn nhận bài (giờ Việt Nam)").fill("2027-03-31T23:59")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(identifier).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#campaign-id-error")).to_contain_text("sai định dạng")
    expect(page.locator("#campaign-name_vi-error")).to_have_count(0)
    check_accessibility(page)
    snapshot(page, "campaign-field-error")

    identifier.fill(draft_id)
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Trạng thái: Bản nháp · phiên bản 1")
    expect(page.locator(".field-error")).to_have_count(0)
    status, saved = signed_in_api(live_server, EDITOR, "GET", f"/campaigns/{draft_id}")
    assert status == 200 and saved["status"] == "draft" and saved["name_vi"] == "Cuộc thi thử của trình duyệt"
    assert saved["submission_window"]["opens_at"] == "2027-01-05T08:00:00"

    # Another editor saves version 2 while this page still holds version 1.
    status, _ = signed_in_api(live_server, EDITOR, "PATCH", f"/campaigns/{draft_id}",
                              {"name_en": "Renamed elsewhere", "version": 1})
    assert status == 200
    page.get_by_label("Hashtag").fill("#ThuNghiem")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("alert")).to_contain_text("Người khác đã sửa cuộc thi")
    page.get_by_role("button", name="Tải lại bản mới nhất").click()
    expect(page.get_by_label("Tên tiếng Anh")).to_have_value("Renamed elsewhere")
    expect(page.get_by_test_id("campaign-status")).to_contain_text("phiên bản 2")

    page.get_by_role("button", name="Mở", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_contain_text(f"Mở {draft_id}?")
    check_accessibility(page)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_test_id("campaign-status")).to_contain_text("Đang mở")
    expect(page.get_by_test_id("campaign-versions")).to_contain_text("open")
    expect(page.get_by_role("button", name="Xoá bản nháp")).to_have_count(0)
    snapshot(page, "campaign-editor")
    status, opened = signed_in_api(live_server, EDITOR, "GET", f"/campaigns/{draft_id}")
    assert status == 200 and opened["status"] == "open"

    page.reload()
    page.get_by_label("Cuộc thi").select_option(draft_id)
    open_page(page, live_server, "judges", "Giám khảo")
    expect(page.get_by_text("Không có mục nào.")).to_be_visible()
    page.get_by_label("Tên đăng nhập của giám khảo").fill(JUDGE)
    page.get_by_role("button", name="Thêm giám khảo").click()
    expect(page.get_by_test_id("judge-panel")).to_contain_text(JUDGE)
    expect(page.get_by_test_id("judge-panel")).to_contain_text("chưa khai báo")
    check_accessibility(page)
    snapshot(page, "judges")
    status, panel = signed_in_api(live_server, EDITOR, "GET", f"/campaigns/{draft_id}/judges")
    assert status == 200 and [j["judge_id"] for j in panel["judges"]] == [JUDGE]


def test_the_judge_panel_shows_declared_conflicts_by_unit_name_and_the_page_reads_in_english(console_page, live_server):
    page = console_page
    sign_in(page, live_server, EDITOR, CAMPAIGN)
    open_page(page, live_server, "judges", "Giám khảo")
    panel = page.get_by_test_id("judge-panel")
    expect(panel).to_contain_text(JUDGE)
    expect(panel).to_contain_text("Viện Hàn lâm")
    expect(page.get_by_text("./contest create-account")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Judges")
    expect(page.get_by_role("button", name="Add judge")).to_be_visible()
    check_accessibility(page)
