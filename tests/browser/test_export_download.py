"""Exports downloaded by a real browser: a plain link, and the console's JSON form.

The API writes the file into (emulated) S3 and answers with a presigned link; Chromium follows it
and S3's answer (Content-Disposition: attachment) makes it a download, which is opened here with
openpyxl to check the workbook and its Vietnamese text.
"""
from __future__ import annotations

import json
import urllib.request

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.slow

CAMPAIGN = "khat-vong-hung-cuong"
REPORT = f"/campaigns/{CAMPAIGN}/reports/units/tw?format=xlsx"
ROOT_NAME = "Trung ương Đoàn TNCS Hồ Chí Minh (toàn nhánh)"


@pytest.fixture(scope="module")
def admin_token(live_server) -> str:
    request = urllib.request.Request(
        live_server.base_url + "/auth/token", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"username": "admin", "password": "Local-Contest-2026!"}).encode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["id_token"]


def _workbook_rows(download, tmp_path) -> list[tuple]:
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    return list(load_workbook(saved).active.iter_rows(values_only=True))


def test_a_plain_link_to_an_export_downloads_the_workbook(live_server, new_page, admin_token, tmp_path):
    page = new_page()
    # The sign-in travels only to the API, as a console's would: the presigned S3 link needs none.
    page.route(f"{live_server.base_url}/**", lambda route: route.continue_(
        headers={**route.request.headers, "authorization": f"Bearer {admin_token}"}))
    page.goto(f"{live_server.base_url}/health")  # an API page without scripts of its own
    page.set_content(f'<a id="export" href="{live_server.base_url}{REPORT}">Tải bảng tổng hợp (Excel)</a>')
    with page.expect_download() as downloading:
        page.click("#export")
    download = downloading.value
    assert download.url.startswith(live_server.cloud_url + "/") and "/exports/" in download.url
    assert download.suggested_filename == f"tong-hop-{CAMPAIGN}-tw.xlsx"
    rows = _workbook_rows(download, tmp_path)
    assert rows[0][:3] == ("Mã đơn vị", "Đơn vị", "Cấp")
    assert rows[1][:3] == ("tw", ROOT_NAME, "Trung ương")
    assert "Đoàn Khối các cơ quan Trung ương" in {r[1] for r in rows}


def test_the_console_asks_for_the_link_as_json_and_the_browser_downloads_it(
        live_server, new_page, admin_token, tmp_path):
    page = new_page()
    page.goto(f"{live_server.base_url}/health")  # an API page without scripts of its own
    link = page.evaluate(
        """async ([path, token]) => {
            const answer = await fetch(path, {headers: {Authorization: `Bearer ${token}`, Accept: "application/json"}});
            return {status: answer.status, body: await answer.json()};
        }""",
        [REPORT.replace("format=xlsx", "format=csv"), admin_token],
    )
    assert link["status"] == 200 and set(link["body"]) == {"download_url", "expires_at", "file_name"}
    page.evaluate(
        """(url) => { const a = document.createElement("a"); a.id = "file"; a.href = url;
                      a.textContent = "Tải về"; document.body.append(a); }""",
        link["body"]["download_url"],
    )
    with page.expect_download() as downloading:
        page.click("#file")
    download = downloading.value
    assert download.suggested_filename == link["body"]["file_name"] == f"tong-hop-{CAMPAIGN}-tw.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffMã đơn vị,Đơn vị,Cấp")
    assert f"tw,{ROOT_NAME},Trung ương" in text


def test_the_consoles_report_button_downloads_the_workbook(live_server, browser, tmp_path):
    from tests.browser.test_console import open_console_page, sign_in

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, live_server, "organiser-ha-noi", CAMPAIGN)
        open_console_page(page, live_server, "reports")
        with page.expect_download() as downloading:
            page.get_by_role("button", name="Báo cáo đơn vị (Excel)").click()
        download = downloading.value
        assert download.url.startswith(live_server.cloud_url + "/") and "/exports/" in download.url
        rows = _workbook_rows(download, tmp_path)
        assert rows[0][:3] == ("Mã đơn vị", "Đơn vị", "Cấp")
        assert rows[1][1] == "Thành đoàn Hà Nội (toàn nhánh)"
    finally:
        context.close()
