"""The spreadsheet reader: the fast path (calamine) and openpyxl read the same table,
and a workbook with a formula always goes through openpyxl so the formula arrives as text."""
import pytest

from app.core import tabular
from tests.conftest import xlsx_bytes

ROWS = [["STT", "Họ và tên", "Email", "Số điện thoại"],
        [1, "Nguyễn Văn An", "an@so.gov.vn", 912521464],
        [2, "Trần Thị Bình", None, "0912.52.14.64"],
        [None, None, None, None],
        [4, "Lê Hùng", "hung@so.gov.vn", 84912521464]]


def test_fast_path_equals_openpyxl(app):
    data = xlsx_bytes(ROWS)
    fast = tabular._read_xlsx_calamine(data)
    slow = tabular._read_xlsx_openpyxl(data)
    assert fast is not None
    assert fast[0] == slow[0]
    clean = lambda rows: [[tabular.clean(c) for c in r] for r in rows]  # noqa: E731
    assert clean(fast[1]) == clean(slow[1])


def test_formula_is_read_as_text(app, monkeypatch):
    calls = []
    monkeypatch.setattr(tabular, "_read_xlsx_calamine", lambda data: calls.append(1))
    header, body, _ = tabular.read_rows("list.xlsx", xlsx_bytes([["Họ và tên"], ['=HYPERLINK("http://x","y")']]))
    assert calls == []  # the fast path was not even tried
    body = list(body)
    assert body[0][0] == '=HYPERLINK("http://x","y")'


def test_corrupt_workbook_is_refused(app):
    with pytest.raises(tabular.TableError, match="hỏng"):
        tabular.read_rows("list.xlsx", b"PK\x03\x04 not really a zip")
