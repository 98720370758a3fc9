"""Organisers' sheets: Vietnamese headers and numbers, links for ids, and all-or-nothing errors."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.engagement_import import normalise_header, parse_count, parse_sheet, parse_video_ref
from chalicelib.domain.errors import InvalidInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2024, 8, 19, tzinfo=VN)


def test_vietnamese_headers_map_to_metrics_and_unknown_columns_are_reported():
    # Given a sheet with Vietnamese headers and a column we do not know
    table = [
        ["Mã video", "Lượt thích", "Lượt lưu", "Lượt chia sẻ", "Lượt đăng lại", "Lượt xem", "Ghi chú"],
        ["7301", "1.234", "50", "", "30", "12 345", "ok"],
    ]
    # When it is parsed
    sheet = parse_sheet(table, VN, AT)
    # Then every metric column is read, Vietnamese thousands separators included,
    # an empty cell is "not measured", and the unknown column is named
    [row] = sheet.rows
    assert row.video_id == "7301" and row.platform is None and row.measured_at == AT
    assert dict(row.values) == {"likes": 1234, "saves": 50, "shares": None, "reposts": 30, "views": 12345}
    assert sheet.ignored_columns == ("Ghi chú",)


def test_headers_match_without_diacritics_case_or_punctuation():
    assert normalise_header("Lượt đăng lại") == normalise_header("LUOT_DANG_LAI") == "luot dang lai"


def test_a_measured_at_column_in_vietnamese_date_format_is_read_in_the_campaign_zone():
    table = [["video_id", "likes", "Thời điểm đo"], ["7301", 5, "19/08/2024 00:00"]]
    [row] = parse_sheet(table, VN, None).rows
    assert row.measured_at == AT


@pytest.mark.parametrize("cell, expected", [
    ("https://www.tiktok.com/@doan.tn/video/7301234567890123456?lang=vi", ("tiktok", "7301234567890123456")),
    ("https://youtu.be/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
    ("tiktok#42", ("tiktok", "42")),
    ("7301", (None, "7301")),
    (7301.0, (None, "7301")),
])
def test_video_ids_may_be_links_or_keys(cell, expected):
    assert parse_video_ref(cell) == expected


@pytest.mark.parametrize("cell", ["1,2K", "-3", "2.5", "abc", 2.5, -1, True])
def test_counts_must_be_whole_and_non_negative(cell):
    with pytest.raises(ValueError):
        parse_count(cell)


def test_without_a_time_for_the_figures_the_file_is_refused():
    with pytest.raises(InvalidInput) as refused:
        parse_sheet([["video_id", "likes"], ["1", "2"]], VN, None)
    assert refused.value.code == "measured_at_required"


def test_bad_rows_refuse_the_whole_file_and_each_is_named_by_line():
    table = [["video_id", "likes", "saves"], ["1", "2", "3"], ["2", "x", "1"], ["", "1", "1"], ["1", "9", "9"]]
    with pytest.raises(InvalidInput) as refused:
        parse_sheet(table, VN, AT)
    error = refused.value
    assert error.code == "invalid_import_rows"
    assert [(p["line"], p["column"]) for p in error.details["problems"]] == [(3, "likes"), (4, "video_id"), (5, "video_id")]
    assert error.message_vi.startswith("Tệp có 3 lỗi")


@pytest.mark.parametrize("table, code", [
    ([["likes", "saves"], ["1", "2"]], "missing_video_id_column"),
    ([["video_id", "note"], ["1", "2"]], "no_metric_columns"),
    ([["video_id", "likes", "Lượt thích"], ["1", "2", "3"]], "duplicate_column"),
    ([], "empty_import"),
    ([["video_id", "likes"]], "empty_import"),
])
def test_a_sheet_without_the_needed_columns_is_refused_with_a_code(table, code):
    with pytest.raises(InvalidInput) as refused:
        parse_sheet(table, VN, AT)
    assert refused.value.code == code
