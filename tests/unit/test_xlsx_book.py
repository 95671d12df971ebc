"""app.core.spreadsheet.XlsxBook: numbers as numbers, text as text (never a formula), one font, print setup."""
import io
from decimal import Decimal

import numpy as np
from openpyxl import load_workbook

from app.core.spreadsheet import XlsxBook


def test_values_formats_and_print_setup():
    book = XlsxBook()
    ws = book.sheet("Bảng", "Tiêu đề dài")
    book.table(ws, ["Mã", "Số", "Tỷ lệ (%)", "Tiền", "Ghi chú"],
               [[np.int64(3), 7, np.float64(2.5), Decimal("1.25"), "=HYPERLINK(\"x\")"], ["B", None, 10.0, 0, "@SUM(A1)"]])
    wb = load_workbook(io.BytesIO(book.save()))
    sheet = wb["Bảng"]
    first = [(c.value, c.data_type, c.number_format) for c in sheet[2]]
    assert first[:4] == [(3, "n", "0"), (7, "n", "0"), (2.5, "n", "0.00"), (1.25, "n", "0.00")]
    for row in (2, 3):
        cell = sheet.cell(row, 5)
        assert cell.data_type == "s" and cell.quotePrefix  # typed formulas stay text, even after editing
    assert sheet.cell(3, 2).value is None
    assert {c.font.name for row in sheet.iter_rows() for c in row if c.value is not None} == {"Arial"}
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows.replace("$", "") == "1:1" and sheet.freeze_panes == "A2"
    assert "Tiêu đề dài" in sheet.oddHeader.left.text
