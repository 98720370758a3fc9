"""Ranking and results downloads people can hand on (issue 11 item 6): title block, rules' order,
names instead of ids, the same columns in CSV and XLSX (pure parts, no network)."""
import csv
import io
from datetime import datetime, timezone

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from chalicelib.domain.campaign import load_campaign_file
from chalicelib.domain.entry import Entry
from chalicelib.domain.exports import (
    PROVISIONAL, entry_details, metrics_in_rules_order, ranking_sheet, ranking_title, results_sheet,
    results_title, video_link,
)
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.local.seed import SAMPLES
from chalicelib.services.spreadsheets import to_csv, to_xlsx

CAMPAIGN = load_campaign_file(SAMPLES / "campaigns" / "khat-vong-hung-cuong.json")
TREE = load_tree_csv(
    "unit_id,name,parent_id,level\ntw,Trung ương Đoàn,,central\nha-noi,Thành đoàn Hà Nội,tw,province\n"
    "ha-noi-bd,Quận đoàn Ba Đình,ha-noi,district\nha-noi-bd-km,Đoàn phường Kim Mã,ha-noi-bd,grassroots\n"
)
MONDAY = datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc)  # 00:00 on Monday 02/03/2026 in Vietnam
NEXT_MONDAY = datetime(2026, 3, 8, 17, 0, tzinfo=timezone.utc)
FROZEN = datetime(2026, 3, 8, 17, 5, tzinfo=timezone.utc)
ENTRY_ID = "3f0c" * 8  # the full 32-character id support goes by


def _entry(**changes) -> Entry:
    values = dict(
        submission_id=ENTRY_ID, campaign_id=CAMPAIGN.id, unit_id="ha-noi-bd-km", unit_path="tw/ha-noi/ha-noi-bd/ha-noi-bd-km",
        status="published", title="Khát vọng “Việt” – tuổi trẻ", created_at=MONDAY, status_changed_at=MONDAY,
        access_token_hash="h", upload_key="k", upload_kind="video", declared_size=1,
        authors=[{"name": "Nguyễn Thị Ánh", "email": "anh@example.vn", "phone": "0900000000"},
                 {"name": "Trần Đức"}],
        review={"publication": {"platform": "tiktok", "video_id": "7301", "url": "https://vt.tiktok.com/ZS1/"}},
        platform_video="tiktok#7301", published_at=MONDAY,
    )
    return Entry(**{**values, **changes})


def _row(**changes) -> dict:
    row = {
        "position": 1, "rank": 1, "entry_id": ENTRY_ID, "score": "10.5", "title": "Khát vọng “Việt” – tuổi trẻ",
        "unit_id": "ha-noi-bd-km", "unit_name": "Đoàn phường Kim Mã",
        "breakdown": [{"metric": m, "value": v} for m, v in (("likes", 4), ("reposts", 1), ("saves", 2), ("shares", 3))],
        "winner": True, "finalist": True, "estimated_metrics": ["likes"], "unmeasured_metrics": [],
        "tie_at_cut": ["finalists"],
    }
    return {**row, **changes}


def _ranking_view() -> dict:
    # A frozen result lists its weights sorted by name; the sheet follows the rules instead.
    return {"campaign_id": CAMPAIGN.id, "week": 1, "weights": {"likes": "1", "reposts": "5", "saves": "2", "shares": "3"},
            "rows": [_row()], "disqualified": [{"entry_id": "gone", "reason": "Mua lượt thích", "title": None,
                                                "unit_id": None, "unit_name": None}]}


def _title(frozen_at=FROZEN):
    return ranking_title(CAMPAIGN, 1, MONDAY, NEXT_MONDAY, frozen_at, 2, 3 if frozen_at else None, "ab" * 32)


def _sheet(frozen_at=FROZEN):
    details = {ENTRY_ID: entry_details(_entry(), TREE), "gone": entry_details(None, TREE)}
    return ranking_sheet(_ranking_view(), "xep-hang-tuan-1", CAMPAIGN, details, _title(frozen_at))


def test_metric_columns_follow_the_rules_order_not_the_alphabet():
    assert list(CAMPAIGN.scoring.weights) == ["likes", "saves", "shares", "reposts"]
    assert metrics_in_rules_order(CAMPAIGN, ["likes", "reposts", "saves", "shares"]) == list(CAMPAIGN.scoring.weights)
    # A metric an older rules version weighted keeps its column, after today's ones.
    assert metrics_in_rules_order(CAMPAIGN, ["comments", "likes"]) == ["likes", "comments"]
    sheet = _sheet()
    assert sheet.headers[7:11] == ("Lượt thích", "Lượt lưu", "Lượt chia sẻ", "Lượt đăng lại")
    assert sheet.rows[0][7:11] == (4, 2, 3, 1)


def test_ranking_rows_name_authors_units_and_the_video_rather_than_ids():
    sheet = _sheet()
    assert sheet.headers == (
        "STT", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên", "Liên kết TikTok",
        "Lượt thích", "Lượt lưu", "Lượt chia sẻ", "Lượt đăng lại",
        "Điểm", "Giải tuần", "Vào chung khảo", "Số liệu ước tính", "Chưa đo", "Bằng điểm tại ngưỡng", "Ghi chú",
        "Mã tác phẩm",
    )
    row = dict(zip(sheet.headers, sheet.rows[0]))
    assert row["Tác giả"] == "Nguyễn Thị Ánh; Trần Đức"
    assert (row["Đơn vị"], row["Đơn vị cấp trên"]) == ("Đoàn phường Kim Mã", "Quận đoàn Ba Đình")
    assert row["Liên kết TikTok"] == "https://vt.tiktok.com/ZS1/"  # the account is unknown: the recorded link
    assert (row["Điểm"], row["Giải tuần"], row["Số liệu ước tính"]) == (10.5, "Có", "Lượt thích")
    assert row["Bằng điểm tại ngưỡng"] == "vào chung khảo"
    assert row["Mã tác phẩm"] == ENTRY_ID
    gone = dict(zip(sheet.headers, sheet.rows[1]))
    assert (gone["Hạng"], gone["Ghi chú"], gone["Mã tác phẩm"]) == ("Bị loại", "Bị loại: Mua lượt thích", "gone")
    flat = [str(v) for r in sheet.rows for v in r]
    assert not any("example.vn" in v or "0900000000" in v for v in flat)  # names, never contacts


def test_the_video_link_is_built_from_the_channel_account_when_known():
    publication = {"url": "https://vt.tiktok.com/ZS1/"}
    assert video_link("tiktok#7301", publication, "@kvhc") == "https://www.tiktok.com/@kvhc/video/7301"
    assert video_link("tiktok#7301", publication) == "https://vt.tiktok.com/ZS1/"
    assert video_link(None, {}) == ""
    top = entry_details(_entry(unit_id="tw", authors=[]), TREE)
    assert (top.unit_name, top.parent_unit_name, top.authors) == ("Trung ương Đoàn", "", "")


def test_the_title_block_names_the_week_in_vietnam_time_the_freeze_version_and_hash():
    title = dict(_title())
    assert title["Bảng xếp hạng bình chọn"] == CAMPAIGN.name_vi
    assert title["Tuần"] == "Tuần 1: từ 02/03/2026 00:00 đến 09/03/2026 00:00 (giờ Việt Nam)"
    assert title["Chốt kết quả lúc"] == "09/03/2026 00:05 (giờ Việt Nam)"
    assert title["Phiên bản"] == "2 (phiên bản mới nhất: 3)" and title["Mã băm (SHA-256)"] == "ab" * 32
    live = dict(_title(frozen_at=None))
    assert live["Trạng thái"].startswith(PROVISIONAL) and "Phiên bản" not in live and "Mã băm (SHA-256)" not in live


def test_csv_puts_the_title_block_then_a_blank_line_then_the_same_columns_with_a_bom():
    sheet = _sheet()
    text = to_csv(sheet).body
    assert text.startswith("\ufeffBảng xếp hạng bình chọn,")
    lines = list(csv.reader(io.StringIO(text[1:])))
    count = len(sheet.title)
    assert [tuple(line) for line in lines[:count]] == list(sheet.title)
    assert lines[count] == []
    assert tuple(lines[count + 1]) == sheet.headers
    assert lines[count + 2][2] == "Khát vọng “Việt” – tuổi trẻ" and lines[count + 2][3] == "Nguyễn Thị Ánh; Trần Đức"


def test_xlsx_opens_with_a_bold_merged_title_and_the_pane_frozen_under_the_header():
    sheet = _sheet()
    page = load_workbook(io.BytesIO(to_xlsx(sheet).body)).active
    count = len(sheet.title)
    header_row = count + 2
    assert page["A1"].value == "Bảng xếp hạng bình chọn" and page["B1"].value == CAMPAIGN.name_vi
    assert page["A1"].font.bold and page["B1"].font.bold
    assert f"B1:{get_column_letter(len(sheet.headers))}1" in {str(r) for r in page.merged_cells.ranges}
    assert page.cell(count + 1, 1).value is None
    assert tuple(c.value for c in page[header_row]) == sheet.headers
    assert all(c.font.bold for c in page[header_row])
    assert page.freeze_panes == f"A{header_row + 1}"
    data = [c.value for c in page[header_row + 1]]
    assert data[2] == "Khát vọng “Việt” – tuổi trẻ" and data[4] == "Đoàn phường Kim Mã" and data[11] == 10.5
    assert page.column_dimensions["C"].width >= len("Khát vọng “Việt” – tuổi trẻ")


def test_a_sheet_without_a_title_keeps_its_header_on_the_first_row():
    sheet = ranking_sheet(_ranking_view(), "x", CAMPAIGN, {})
    assert to_csv(sheet).body.startswith("\ufeffSTT,Hạng,Tác phẩm,")
    page = load_workbook(io.BytesIO(to_xlsx(sheet).body)).active
    assert page["A1"].value == "STT" and page.freeze_panes == "A2"


def test_results_list_prize_authors_and_units_for_certificates():
    view = {
        "campaign_id": CAMPAIGN.id, "complete": True, "judges": ["jury-1", "jury-2"], "missing_scorecards": [],
        "unscored": [], "criteria": [c.model_dump() for c in CAMPAIGN.jury_criteria],
        "tie_flags": [{"entry_ids": [ENTRY_ID]}],
        "standings": [{"entry_id": ENTRY_ID, "rank": 1, "title": "x", "unit_name": "y", "week": 1, "average": "88.5",
                       "criteria": {}, "judge_count": 2, "prize_name_vi": "Giải Nhất", "url": None}],
    }
    title = dict(results_title(CAMPAIGN, view))
    assert title["Kết quả chung khảo"] == CAMPAIGN.name_vi and title["Trạng thái"].startswith("Chính thức")
    assert title["Số giám khảo"] == "2"
    assert dict(results_title(CAMPAIGN, {**view, "complete": False, "unscored": ["a"]}))["Trạng thái"].startswith(
        PROVISIONAL)
    sheet = results_sheet(view, "ket-qua", {ENTRY_ID: entry_details(_entry(), TREE)}, tuple(title.items()))
    row = dict(zip(sheet.headers, sheet.rows[0]))
    assert sheet.headers[:8] == ("Giải", "Hạng", "Tác phẩm", "Tác giả", "Đơn vị", "Đơn vị cấp trên", "Tuần",
                                 "Điểm trung bình")
    assert (row["Giải"], row["Tác giả"], row["Đơn vị cấp trên"], row["Điểm trung bình"]) == (
        "Giải Nhất", "Nguyễn Thị Ánh; Trần Đức", "Quận đoàn Ba Đình", 88.5)
    assert row["Bằng điểm tại ranh giới giải"].startswith("Có") and row["Mã tác phẩm"] == ENTRY_ID
    rendered = load_workbook(io.BytesIO(to_xlsx(sheet).body)).active
    assert rendered["A1"].value == "Kết quả chung khảo" and "anh@example.vn" not in to_csv(sheet).body


def test_participant_text_that_looks_like_a_formula_stays_text_in_csv():
    from chalicelib.domain.exports import Sheet

    title = '=HYPERLINK("http://example.invalid","bấm vào")'
    sheet = Sheet(name="xep-hang", headers=("Tác phẩm", "Điểm"), rows=((title, 5), ("@SUM(1+1)", -3)))
    text = to_csv(sheet).body
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and ",-3" in text
    page = load_workbook(io.BytesIO(to_xlsx(sheet).body)).active
    assert page["A2"].value == title and page["A2"].data_type == "s"
    assert page["A3"].data_type == "s" and page["B3"].value == -3
