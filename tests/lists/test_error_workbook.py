"""The error workbook round-trips: values come back as read (phones as text, integers as integers),
laid out as the template, and the fixed file is added in either mode, still pointing at the
rows of the user's original file on the second round (issue 15 point 1)."""
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.lists.importer import import_list
from app.lists.downloads import TEMPLATE_HEADERS, error_workbook
from app.models import Respondent

from .conftest import person, xlsx


def _people(unit):
    return db.session.scalars(db.select(Respondent).where(Respondent.unit_id == unit.id)).all()


def _save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS = [person(1, group="NGUOI_DAN", email="", phone=912000111),
        person(2, group="NGUOI_DAN", email="", phone=912000444, address="Tổ 1 <b>"),
        person(3, group="NGUOI_DAN", email="", phone=912000555, name="Lê Văn <C>"),
        person(4, email="sai@@gov")]


@pytest.mark.parametrize("mode", ["append", "replace"])
def test_fixed_error_workbook_is_added_in_both_modes(campaign, unit, mode):
    report = import_list(campaign, unit, "ds.xlsx", xlsx(ROWS))
    db.session.commit()
    assert [e["row"] for e in report["errors"]] == [3, 4, 5] and report["imported"] == 1
    wb = load_workbook(io.BytesIO(error_workbook(campaign, unit, report)))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == TEMPLATE_HEADERS + ["Lỗi", "Dòng gốc"]
    row = [c.value for c in ws[2]]
    assert row[0] == 2 and isinstance(row[0], int)  # STT: an integer, not 2.0
    assert row[6] == "912000444" and ws.cell(row=2, column=7).number_format == "@"  # phone: text
    assert row[-1] == 3 and "< hoặc >" in row[-2]
    assert ws.data_validations.dataValidation and "E2:E" in str(ws.data_validations.dataValidation[0].sqref)
    assert ws.column_dimensions["B"].width >= 20
    # Fix two of the three rows; the third stays wrong.
    ws.cell(row=2, column=8).value = "Tổ 1"
    ws.cell(row=3, column=2).value = "Lê Văn C"
    second = import_list(campaign, unit, "loi_danh_sach.xlsx", _save(wb), mode=mode)
    db.session.commit()
    assert second["mode"] == "append" and second["fixing"]
    assert second["imported"] == 2 and len(_people(unit)) == 3  # the first good row was kept
    assert [e["row"] for e in second["errors"]] == [5]  # the row of the ORIGINAL file, not of the errors file
    assert "912000444" not in str(second["errors"]) and ".0" not in str(second["errors"])
    assert sorted(p.phone for p in _people(unit)) == ["0912000111", "0912000444", "0912000555"]
    # Second round: the new error workbook points at the original row again, with no doubled columns.
    ws2 = load_workbook(io.BytesIO(error_workbook(campaign, unit, second))).active
    assert [c.value for c in ws2[1]] == TEMPLATE_HEADERS + ["Lỗi", "Dòng gốc"]
    assert ws2.cell(row=2, column=11).value == 5 and ws2.cell(row=2, column=6).value == "sai@@gov"


def test_errors_name_the_row_and_the_person(campaign, unit):
    report = import_list(campaign, unit, "ds.xlsx", xlsx(ROWS))
    assert [(e["row"], e["name"]) for e in report["errors"]] == [
        (3, person(2)[1]), (4, "Lê Văn <C>"), (5, person(4)[1])]
