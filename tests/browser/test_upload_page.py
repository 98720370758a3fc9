"""The participant upload page, driven by headless Chromium against the real local cloud.

Every verdict below comes from the validator reading the uploaded bytes in (emulated) S3;
the tests also ask the API directly so the page is held to what the server decided.
Screenshots of the phone-sized page go to the temp directory (never committed).
"""
from __future__ import annotations

import re
import struct
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from playwright.sync_api import expect

from tests.fixtures.make_videos import case, ensure_videos

pytestmark = pytest.mark.slow

CAMPAIGN = "khat-vong-hung-cuong"
RULES_VI = "MP4 hoặc MOV, mã hóa H.264, 1080 x 1920 (video dọc), dài 15 giây – 3 phút, tối đa 2 GB"
SCREENSHOTS = Path(tempfile.gettempdir())
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def videos() -> Path:
    return ensure_videos()


@pytest.fixture(scope="module")
def big_valid_video(videos, tmp_path_factory) -> Path:
    """A valid video over the 64 MiB presigned-POST limit, so the API hands out a multipart
    upload: the valid fixture followed by a 65 MiB top-level `free` box, which MP4 readers
    (and the validator) skip. Nine 8 MiB parts."""
    path = tmp_path_factory.mktemp("big") / "valid-large.mp4"
    padding = 65 * MiB
    with path.open("wb") as out:
        out.write(case("valid-faststart.mp4").path(videos).read_bytes())
        out.write(struct.pack(">I4s", padding + 8, b"free"))
        chunk = b"\0" * MiB
        for _ in range(padding // MiB):
            out.write(chunk)
    return path


def open_page(page, live_server, query: str = "") -> None:
    response = page.goto(f"{live_server.base_url}/upload{query}")
    assert response is not None and response.status == 200, (
        f"GET /upload answered {response and response.status}: is upload_page_routes registered in app.py?"
    )
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    expect(page.get_by_test_id("entry-form")).to_be_visible()


def fill_entry(page, video: Path, title: str) -> None:
    page.get_by_test_id("campaign").select_option(CAMPAIGN)
    expect(page.get_by_test_id("campaign-rules")).to_contain_text(RULES_VI)
    page.get_by_test_id("title").fill(title)
    page.get_by_test_id("description").fill("Video dự thi về tuổi trẻ và khát vọng cống hiến.")
    page.get_by_test_id("category").fill("Phóng sự")
    # Seed 000's contest is for the branches under Đoàn Khối: only they are offered.
    page.get_by_test_id("unit").fill("bo thong tin")  # no diacritics: the search folds them
    option = page.locator("[data-testid=unit-option][data-unit-id=dk-tw-bo-tttt]")
    expect(option).to_contain_text("Đoàn Thanh niên Bộ Thông tin và Truyền thông")
    expect(option).to_contain_text("Đoàn Khối các cơ quan Trung ương")  # parents disambiguate
    expect(page.locator("[data-testid=unit-option][data-unit-id^=ha-noi]")).to_have_count(0)
    option.click()
    expect(page.get_by_test_id("unit-chosen")).to_contain_text("Bộ Thông tin và Truyền thông")
    page.get_by_test_id("author-name").first.fill("Nguyễn Thị Thu Hà")
    page.get_by_test_id("author-email").first.fill("thuha@example.com")
    page.get_by_test_id("add-author").click()
    page.get_by_test_id("author-name").nth(1).fill("Trần Văn Bình")
    page.get_by_test_id("author-phone").nth(1).fill("0912 345 678")
    page.get_by_test_id("file").set_input_files(str(video))
    expect(page.get_by_test_id("file-info")).to_contain_text(video.name)
    page.get_by_test_id("accept-terms").check()


def entry_from_page(page) -> tuple[str, str]:
    expect(page.get_by_test_id("entry-panel")).to_be_visible()
    submission_id = page.get_by_test_id("submission-id").inner_text()
    link = page.get_by_test_id("entry-link").get_attribute("href")
    assert parse_qs(urlparse(link).query)["submission"] == [submission_id]
    token = page.get_by_test_id("access-token").input_value()
    assert len(token) >= 32
    return submission_id, token


def server_view(live_server, submission_id: str, token: str) -> dict:
    status, view = live_server.api("GET", f"/submissions/{submission_id}", token=token)
    assert status == 200, view
    return view


def test_valid_video_uploads_and_is_judged_valid(live_server, new_page, videos):
    page = new_page()
    open_page(page, live_server)
    fill_entry(page, case("valid-faststart.mp4").path(videos), "Tuổi trẻ Ba Đình")
    page.screenshot(path=str(SCREENSHOTS / "upload-page-form.png"), full_page=True)
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("entry-panel")).to_be_visible()
    expect(page.get_by_test_id("token-box")).to_be_visible()
    submission_id, token = entry_from_page(page)

    expect(page.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100", timeout=30_000)
    upload_finished = time.monotonic()
    expect(page.get_by_test_id("progress-text")).to_have_text("100 %")
    label = page.get_by_test_id("verdict-label")
    expect(label).to_have_text("Hợp lệ", timeout=10_000)
    waited = time.monotonic() - upload_finished
    assert waited < 10, f"the verdict took {waited:.1f} s after the upload finished"

    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-status", "valid")
    facts = page.get_by_test_id("verdict-facts")
    expect(facts).to_contain_text("1080 × 1920")
    expect(facts).to_contain_text("16,0 giây")
    expect(facts).to_contain_text("H.264")
    expect(page.get_by_test_id("verdict-failures")).to_have_count(0)
    assert server_view(live_server, submission_id, token)["status"] == "valid"
    page.screenshot(path=str(SCREENSHOTS / "upload-page-valid.png"), full_page=True)

    page.get_by_test_id("lang-en").click()
    expect(label).to_have_text("Valid")
    expect(facts).to_contain_text("16.0 s")
    expect(page.locator("h1")).to_have_text("Submit your contest entry")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("lang-vi").click()
    expect(label).to_have_text("Hợp lệ")

    # The kept link works after a reload: the status comes back, the access token is not shown again.
    page.reload()
    expect(page.get_by_test_id("verdict-label")).to_have_text("Hợp lệ")
    expect(page.get_by_test_id("token-box")).to_be_hidden()


def test_landscape_video_is_judged_invalid_with_the_reason(live_server, new_page, videos):
    page = new_page()
    open_page(page, live_server)
    fill_entry(page, case("landscape-1920x1080.mp4").path(videos), "Phong cảnh quê hương")
    page.get_by_test_id("submit").click()
    submission_id, token = entry_from_page(page)

    label = page.get_by_test_id("verdict-label")
    expect(label).to_have_text("Không hợp lệ", timeout=30_000)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-status", "invalid")
    failure = page.get_by_test_id("verdict-failures").locator("[data-code=landscape_not_rotated]")
    expect(failure).to_contain_text("dạng ngang (1920×1080)")
    expect(failure).to_contain_text("video dọc 1080×1920")
    expect(page.get_by_test_id("verdict-facts")).to_contain_text("1920 × 1080")
    expect(page.get_by_test_id("replace-box")).to_be_visible()  # the participant can send another video
    view = server_view(live_server, submission_id, token)
    assert view["status"] == "invalid"
    assert "landscape_not_rotated" in [c["code"] for c in view["verdict"]["checks"] if c["outcome"] == "fail"]
    page.screenshot(path=str(SCREENSHOTS / "upload-page-invalid.png"), full_page=True)

    page.get_by_test_id("lang-en").click()
    expect(label).to_have_text("Invalid")
    expect(failure).to_contain_text("Your video is landscape (1920×1080)")

    # The participant fixes it: the same entry gets a new video, checked again.
    page.get_by_test_id("lang-vi").click()
    page.get_by_test_id("replace-file").set_input_files(str(case("valid-rotated-90.mp4").path(videos)))
    page.get_by_test_id("replace-upload").click()
    expect(label).to_have_text("Hợp lệ", timeout=30_000)
    expect(page.get_by_test_id("verdict-facts")).to_contain_text("1080 × 1920")
    assert server_view(live_server, submission_id, token)["status"] == "valid"


def test_multipart_upload_resumes_after_a_dropped_connection_and_a_reload(live_server, new_page, big_valid_video):
    page = new_page()
    put_parts: list[int] = []

    def part_number(url: str) -> int:
        return int(parse_qs(urlparse(url).query)["partNumber"][0])

    page.on("request", lambda r: put_parts.append(part_number(r.url)) if r.method == "PUT" and "partNumber=" in r.url else None)

    # The connection "drops" for parts 4 and later: every attempt at them fails.
    def drop(route):
        if route.request.method == "PUT":
            route.abort("connectionreset")
        else:
            route.continue_()

    dropped = re.compile(r"[?&]partNumber=([4-9]|\d{2,})(&|$)")
    page.route(dropped, drop)

    open_page(page, live_server)
    fill_entry(page, big_valid_video, "Khát vọng tuổi trẻ")
    page.get_by_test_id("submit").click()
    submission_id, token = entry_from_page(page)

    error = page.get_by_test_id("upload-error")
    expect(error).to_contain_text("Tải lên bị gián đoạn", timeout=45_000)
    expect(page.get_by_test_id("resume-upload")).to_be_visible()
    status, progress = live_server.api("GET", f"/submissions/{submission_id}/uploads/current/parts", token=token)
    assert status == 200, progress
    assert progress["part_count"] == 9
    assert sorted(p["part_number"] for p in progress["uploaded"]) == [1, 2, 3]
    assert 4 in put_parts  # the page did try (and retry) the dropped parts

    # The connection is back; the participant reloads the page, which offers to resume.
    page.unroute(dropped, drop)
    put_parts.clear()
    page.reload()
    resume_panel = page.get_by_test_id("resume-panel")
    expect(resume_panel).to_be_visible()
    expect(page.get_by_test_id("resume-title")).to_have_text("Khát vọng tuổi trẻ")
    expect(page.get_by_test_id("resume-file-hint")).to_contain_text(big_valid_video.name)
    page.get_by_test_id("resume-file").set_input_files(str(big_valid_video))
    page.screenshot(path=str(SCREENSHOTS / "upload-page-resume.png"), full_page=True)
    page.get_by_test_id("resume").click()

    expect(page.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    upload_finished = time.monotonic()
    expect(page.get_by_test_id("verdict-label")).to_have_text("Hợp lệ", timeout=10_000)
    assert time.monotonic() - upload_finished < 10
    assert sorted(set(put_parts)) == [4, 5, 6, 7, 8, 9], "only the missing parts are uploaded again"
    assert server_view(live_server, submission_id, token)["status"] == "valid"
    assert page.evaluate("localStorage.getItem('contest.upload.pending')") is None


def test_lost_answers_and_a_dropped_upload_are_recovered_in_the_same_session(live_server, new_page, videos):
    page = new_page()

    # The answer to "create my entry" is lost once: the entry exists, the phone never hears of it.
    creations: list[tuple[str, str]] = []

    def lose_first_answer(route):
        response = route.fetch()
        creations.append((route.request.headers.get("idempotency-key"), response.json()["submission_id"]))
        if len(creations) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route(re.compile(r"/campaigns/[^/?]+/submissions$"), lose_first_answer)

    # Then every POST to the bucket fails until the connection "comes back".
    attempts = {"post": 0, "blocked": True}

    def to_bucket(route):
        if route.request.method == "POST":
            attempts["post"] += 1
            if attempts["blocked"]:
                route.abort("internetdisconnected")
                return
        route.continue_()

    bucket_requests = re.compile("^" + re.escape(live_server.cloud_url) + "/")
    page.route(bucket_requests, to_bucket)

    open_page(page, live_server)
    fill_entry(page, case("valid-moov-at-end.mp4").path(videos), "Sắc màu Ba Đình")
    page.get_by_test_id("submit").click()
    submission_id, token = entry_from_page(page)
    assert len(creations) == 2, "the page retried the lost request by itself"
    (first_key, first_id), (second_key, second_id) = creations
    assert first_key and first_key == second_key
    assert first_id == second_id == submission_id, "one entry, not two"

    expect(page.get_by_test_id("upload-error")).to_contain_text("Tải lên bị gián đoạn", timeout=30_000)
    assert attempts["post"] == 3  # the first try and two automatic retries
    assert server_view(live_server, submission_id, token)["status"] == "awaiting_upload"

    attempts["blocked"] = False
    page.get_by_test_id("resume-upload").click()
    expect(page.get_by_test_id("verdict-label")).to_have_text("Hợp lệ", timeout=30_000)
    assert attempts["post"] == 4
    expect(page.get_by_test_id("token-box")).to_be_visible()  # still on screen: it is shown only in this session
    assert server_view(live_server, submission_id, token)["status"] == "valid"


def test_kept_link_opens_on_another_device_with_the_access_code(live_server, new_page, videos):
    video = case("valid-faststart.mp4").path(videos)
    status, created = live_server.api(
        "POST",
        f"/campaigns/{CAMPAIGN}/submissions",
        {
            "title": "Bài gửi từ điện thoại khác",
            "unit_id": "dk-tw-bo-tttt",
            "authors": [{"name": "Lê Minh", "phone": "0987654321"}],
            "file_name": video.name,
            "content_type": "video/mp4",
            "size_bytes": video.stat().st_size,
            "accepted_terms_version": "2024-1",
        },
    )
    assert status == 201, created
    # The first device is not part of this test: the bytes go to the bucket the way a
    # browser sends them (multipart/form-data, fields first, the file last).
    upload = created["upload"]
    with video.open("rb") as handle:
        sent = requests.post(upload["url"], data=upload["fields"], files={"file": (video.name, handle, "video/mp4")}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text

    page = new_page()  # a fresh context: nothing in localStorage
    page.goto(f"{live_server.base_url}/upload?submission={created['submission_id']}")
    expect(page.get_by_test_id("lookup-panel")).to_be_visible()
    page.get_by_test_id("lookup").click()
    expect(page.get_by_test_id("error-lookup-token")).to_have_text("Vui lòng nhập mã truy cập.")
    page.get_by_test_id("lookup-token").fill("not-the-token")
    page.get_by_test_id("lookup").click()
    expect(page.get_by_test_id("error-lookup-token")).to_have_text("Không tìm thấy bài dự thi.")
    page.get_by_test_id("lookup-token").fill(created["access_token"])
    page.get_by_test_id("lookup").click()
    expect(page.get_by_test_id("verdict-label")).to_have_text("Hợp lệ", timeout=30_000)
    expect(page.get_by_test_id("entry-title")).to_have_text("Bài gửi từ điện thoại khác")


def test_form_points_at_each_missing_field(live_server, new_page, videos):
    page = new_page()
    open_page(page, live_server, "?lang=en")
    expect(page.get_by_test_id("campaign-rules")).to_be_visible()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("form-error")).to_have_text("Please check the highlighted fields.")
    expect(page.get_by_test_id("error-title")).to_have_text("Please enter a title.")
    expect(page.get_by_test_id("error-unit")).to_be_visible()
    expect(page.get_by_test_id("error-file")).to_have_text("Please choose the video file.")
    expect(page.get_by_test_id("author-row").first.locator(".field__error")).to_have_text("Enter the author's full name.")
    expect(page.get_by_test_id("error-terms")).to_have_text(
        "Please read the campaign's terms and tick that you accept them.")
    expect(page.get_by_test_id("title")).to_be_focused()

    page.get_by_test_id("lang-vi").click()
    expect(page.get_by_test_id("error-title")).to_have_text("Vui lòng nhập tên tác phẩm.")
    page.get_by_test_id("file").set_input_files(
        {"name": "anh-chup.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}
    )
    expect(page.get_by_test_id("error-file")).to_contain_text("Cuộc thi chỉ nhận video MP4 hoặc MOV")
    expect(page.get_by_test_id("campaign")).to_have_value(re.compile(r".+"))
    assert page.get_by_test_id("title").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/upload", "text/html; charset=utf-8"),
        ("/upload/upload.js", "text/javascript; charset=utf-8"),
        ("/upload/upload.css", "text/css; charset=utf-8"),
    ],
)
def test_page_files_are_served_with_their_types_and_security_headers(live_server, path, content_type):
    with urllib.request.urlopen(live_server.base_url + path, timeout=10) as response:
        body = response.read().decode("utf-8")
        headers = response.headers
    assert headers["Content-Type"] == content_type
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src *" in policy and "frame-ancestors 'none'" in policy
    assert body.strip()
    external = re.findall(r"""(?:src|href)="(?:https?:)?//[^"]*"|url\(["']?(?:https?:)?//""", body)
    assert external == [], "the page loads nothing from other origins (no CDN: the machine may be offline)"


def test_the_terms_are_shown_and_accepted_and_an_entry_is_withdrawn_after_a_confirmation(live_server, new_page, videos):
    page = new_page()
    open_page(page, live_server)
    fill_entry(page, case("valid-faststart.mp4").path(videos), "Rút bài thử")
    terms = page.get_by_test_id("terms-text")
    expect(terms).to_be_hidden()  # folded: the form stays short on a phone
    page.get_by_test_id("terms-details").locator("summary").click()
    expect(terms).to_contain_text("không sử dụng tác phẩm tham gia cuộc thi này để tham gia các cuộc thi khác")
    expect(page.get_by_test_id("terms-version")).to_have_text("Phiên bản điều khoản: 2024-1")
    page.get_by_test_id("lang-en").click()
    expect(terms).to_contain_text("will not use this entry in any other contest")
    page.get_by_test_id("lang-vi").click()
    page.screenshot(path=str(SCREENSHOTS / "upload-page-terms.png"), full_page=True)

    page.get_by_test_id("accept-terms").uncheck()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-terms")).to_have_text(
        "Vui lòng đọc và đánh dấu đồng ý với điều khoản của cuộc thi.")
    expect(page.get_by_test_id("entry-form")).to_be_visible()
    page.get_by_test_id("accept-terms").check()
    expect(page.get_by_test_id("error-terms")).to_be_hidden()
    page.get_by_test_id("submit").click()
    submission_id, token = entry_from_page(page)
    expect(page.get_by_test_id("verdict-label")).to_have_text("Hợp lệ", timeout=30_000)

    withdraw = page.get_by_test_id("withdraw")
    expect(withdraw).to_be_visible()
    withdraw.click()
    expect(page.get_by_test_id("withdraw-confirm")).to_be_visible()
    page.get_by_test_id("withdraw-no").click()  # changed their mind: nothing happens
    expect(page.get_by_test_id("withdraw-confirm")).to_be_hidden()
    assert server_view(live_server, submission_id, token)["status"] == "valid"
    withdraw.click()
    page.get_by_test_id("withdraw-yes").click()
    expect(page.get_by_test_id("verdict-label")).to_have_text("Đã rút khỏi cuộc thi")
    expect(page.get_by_test_id("withdraw-box")).to_be_hidden()
    expect(page.get_by_test_id("replace-box")).to_be_hidden()
    assert server_view(live_server, submission_id, token)["status"] == "withdrawn"
    page.screenshot(path=str(SCREENSHOTS / "upload-page-withdrawn.png"), full_page=True)
