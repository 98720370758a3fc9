"""Text typed by participants reaches an organiser's workbook as text, never as a formula."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from chalicelib.domain.exports import Sheet
from chalicelib.services.spreadsheets import to_xlsx


def test_given_a_title_that_looks_like_a_formula_when_exported_then_the_cell_holds_that_text():
    title = '=HYPERLINK("http://example.invalid","Bấm vào đây")'
    sheet = Sheet(name="entries", headers=("title", "views"), rows=((title, 12), ("Bình thường", 3)),
                  title=(("Danh sách bài dự thi", "Tuần 1"),))

    book = load_workbook(io.BytesIO(to_xlsx(sheet).body))
    page = book.active
    cell = page.cell(4, 1)
    assert cell.value == title
    assert cell.data_type == "s"
    assert page.cell(4, 2).value == 12
    assert page.cell(5, 1).value == "Bình thường"
