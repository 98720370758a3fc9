"""The public counter's cache, page cursors, and the download sheets (pure parts, no network)."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.exports import export_format, rollup_sheet
from chalicelib.domain.organisation_file import load_tree_csv
from chalicelib.domain.rollup import UnitCounters, build_branch_report
from chalicelib.services.reports import PublicStats, decode_cursor, encode_cursor
from chalicelib.services.spreadsheets import to_csv, to_xlsx

TREE = load_tree_csv(
    "unit_id,name,parent_id,level\ntw,Trung ương,,central\nha-noi,Thành đoàn Hà Nội,tw,province\n"
    "ha-noi-bd,Quận đoàn Ba Đình,ha-noi,district\nha-noi-hk,Quận đoàn Hoàn Kiếm,ha-noi,district\n"
)


class FakeCampaigns:
    def get(self, campaign_id):
        return type("C", (), {"timezone": "Asia/Ho_Chi_Minh"})() if campaign_id == "c" else None

    def require(self, campaign_id):
        from chalicelib.domain.campaign import campaign_not_found

        campaign = self.get(campaign_id)
        if campaign is None:
            raise campaign_not_found()
        return campaign


class FakeCounters:
    reads = 0

    def daily(self, campaign_id):
        self.reads += 1
        return [(date(2026, 5, 1), 2, 1), (date(2026, 5, 3), 1, 1)]


def test_the_public_counter_fills_gaps_and_is_served_from_memory_within_its_ttl():
    clock = [0.0]
    counters = FakeCounters()
    stats = PublicStats(FakeCampaigns(), counters, ttl_seconds=60, clock=lambda: clock[0])
    first = stats.for_campaign("c")
    assert [d["day"] for d in first["days"]] == ["2026-05-01", "2026-05-02", "2026-05-03"]
    assert first["totals"] == {"received": 3, "valid": 2}
    for _ in range(1000):
        stats.for_campaign("c")
    assert counters.reads == 1
    clock[0] = 61
    stats.for_campaign("c")
    assert counters.reads == 2


def test_cursors_round_trip_and_stay_inside_the_branch():
    key = {"campaign_id": {"S": "c"}, "unit_sort": {"S": "tw/ha-noi/ha-noi-bd/2026#x"}, "submission_id": {"S": "x"}}
    cursor = encode_cursor(key)
    assert decode_cursor(cursor, "c", "tw/ha-noi") == key
    for campaign, branch in (("other", "tw/ha-noi"), ("c", "tw/ha-noi/ha-noi-hk"), ("c", "tw/ha-no")):
        with pytest.raises(InvalidInput):
            decode_cursor(cursor, campaign, branch)


def test_export_formats():
    assert export_format(None) is None and export_format("json") is None and export_format("xlsx") == "xlsx"
    with pytest.raises(InvalidInput):
        export_format("pdf")


def test_sheets_keep_vietnamese_in_csv_with_bom_and_in_xlsx():
    report = build_branch_report(TREE, "ha-noi", {"ha-noi-bd": UnitCounters(entries=3, valid=2, invalid=1)})
    sheet = rollup_sheet("c", report)
    text = to_csv(sheet).body
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Cấp"]
    assert rows[2][1] == "Quận đoàn Ba Đình" and rows[2][5] == "3"
    book = load_workbook(io.BytesIO(to_xlsx(sheet).body))
    assert book.active["B3"].value == "Quận đoàn Ba Đình" and book.active["F2"].value == 3
