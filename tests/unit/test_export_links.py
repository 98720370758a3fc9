"""Exports are written into the bucket row by row and handed out as short-lived links."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from openpyxl import load_workbook

from chalicelib.api.downloads import wants_link_as_json
from chalicelib.domain.exports import Sheet, attachment_disposition, ascii_file_name
from chalicelib.domain.file_types import CSV_TYPE, XLSX_TYPE
from chalicelib.services.spreadsheets import ExportService, KeptExport, write_csv, write_xlsx
from tests.fakes.stores import FakeExportFiles

NOW = datetime(2027, 3, 8, 1, 0, tzinfo=timezone.utc)
TITLE = (("Bảng xếp hạng bình chọn", "Khát vọng hùng cường"), ("Tuần", "Tuần 1"))


def _rows(count: int, consumed: list[int]):
    for number in range(1, count + 1):
        consumed.append(number)
        yield (number, f"Tác phẩm số {number} – Đoàn phường Kim Mã", "=HYPERLINK(\"x\")" if number == 2 else "Phạm D")


def test_a_workbook_is_written_from_a_generator_with_its_title_block_and_table_intact():
    consumed: list[int] = []
    sheet = Sheet("xep-hang", ("STT", "Tác phẩm", "Tác giả"), _rows(2_500, consumed), TITLE)
    target = io.BytesIO()
    assert write_xlsx(sheet, target) == 2_500 and len(consumed) == 2_500
    page = load_workbook(io.BytesIO(target.getvalue())).active
    values = list(page.iter_rows(values_only=True))
    assert values[0][:2] == TITLE[0] and values[1][:2] == TITLE[1] and values[2] == (None, None, None)
    assert values[3] == ("STT", "Tác phẩm", "Tác giả")
    assert values[4] == (1, "Tác phẩm số 1 – Đoàn phường Kim Mã", "Phạm D")
    assert values[5][2] == '=HYPERLINK("x")' and page["C6"].data_type == "s"  # text, never a formula
    assert len(values) == 4 + 2_500
    assert page.freeze_panes == "A5" and page.auto_filter.ref == "A4:C2504"
    assert "B1:C1" in {str(r) for r in page.merged_cells.ranges} and page["A1"].font.b
    assert page.column_dimensions["B"].width >= len("Tác phẩm số 1000 – Đoàn phường Kim Mã")


def test_a_csv_is_written_from_a_generator_with_a_bom_and_neutralised_formulas():
    consumed: list[int] = []
    target = io.BytesIO()
    assert write_csv(Sheet("x", ("STT", "Tác phẩm", "Tác giả"), _rows(3, consumed), TITLE), target) == 3
    text = target.getvalue().decode("utf-8")
    assert text.startswith("\ufeffBảng xếp hạng bình chọn,Khát vọng hùng cường\r\n")
    assert "2,Tác phẩm số 2 – Đoàn phường Kim Mã,\"'=HYPERLINK(\"\"x\"\")\"" in text
    assert not target.closed  # the caller still owns its file


def test_a_download_name_is_readable_in_every_browser():
    assert ascii_file_name("Kết quả Đoàn Ba Đình.xlsx") == "Ket qua Doan Ba Dinh.xlsx"
    disposition = attachment_disposition("Kết quả.xlsx")
    assert disposition == "attachment; filename=\"Ket qua.xlsx\"; filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3.xlsx"
    assert '"' not in ascii_file_name('a"b/c\\d;e')


def test_an_export_is_put_once_under_a_fresh_key_and_answered_with_a_short_lived_link():
    files = FakeExportFiles()
    exports = ExportService(files)
    build = lambda: Sheet("bai-du-thi-kvhc", ("Mã",), (("a",), ("b",)))  # noqa: E731
    first, second = exports.publish(build, "csv", NOW), exports.publish(build, "csv", NOW)
    assert files.puts == 2 and first.download_url != second.download_url
    key = first.download_url.split("/", 3)[3].split("?")[0]
    body, content_type, disposition = files.files[key]
    assert key.startswith("exports/2027/03/08/") and key.endswith("/bai-du-thi-kvhc.csv")
    assert content_type == CSV_TYPE and disposition.startswith('attachment; filename="bai-du-thi-kvhc.csv"')
    assert body.decode("utf-8-sig").splitlines() == ["Mã", "a", "b"]
    assert first.rows == 2 and first.expires_at == NOW + timedelta(minutes=10)
    assert first.to_dict() == {"download_url": first.download_url, "expires_at": "2027-03-08T01:10:00+00:00",
                               "file_name": "bai-du-thi-kvhc.csv"}


def test_a_kept_export_is_built_once_and_handed_out_again():
    files, built = FakeExportFiles(), []

    def build():
        built.append(1)
        return Sheet("xep-hang", ("STT",), ((1,),))

    exports = ExportService(files)
    kept = KeptExport("rankings/kvhc/week-1/v1-of-1-abc", "xep-hang-kvhc-tuan-1-v1")
    first = exports.publish(build, "xlsx", NOW, kept)
    again = exports.publish(build, "xlsx", NOW + timedelta(minutes=3), kept)
    assert len(built) == 1 and files.puts == 1
    assert first.download_url == again.download_url and again.rows is None
    assert again.file_name == "xep-hang-kvhc-tuan-1-v1.xlsx"
    assert files.files["exports/kept/rankings/kvhc/week-1/v1-of-1-abc.xlsx"][1] == XLSX_TYPE
    assert again.expires_at == NOW + timedelta(minutes=13)


def test_a_refusal_while_building_writes_nothing():
    files = FakeExportFiles()

    def refused():
        raise ValueError("refused before any file")

    with pytest.raises(ValueError):
        ExportService(files).publish(refused, "csv", NOW)
    assert files.files == {}


@pytest.mark.parametrize("accept, as_json", [
    (None, False),
    ("*/*", False),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", False),
    ("application/json", True),
    ("application/json, text/plain, */*", True),
    (XLSX_TYPE, False),
])
def test_only_a_client_that_asks_for_json_gets_the_link_as_json(accept, as_json):
    assert wants_link_as_json({"accept": accept} if accept else {}) is as_json


def test_a_kept_file_looked_up_without_permission_is_an_error_not_a_miss():
    import boto3

    from chalicelib.adapters.s3 import ExportBucket

    client = boto3.client("s3", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("head_object", service_error_code="404", http_status_code=404)
        stub.add_client_error("head_object", service_error_code="403", http_status_code=403)
        bucket = ExportBucket(client, "contest-prod-uploads")
        assert bucket.exists("exports/kept/a.xlsx") is False
        with pytest.raises(ClientError):
            bucket.exists("exports/kept/a.xlsx")
