"""Bad files are refused early and cheaply, with a clear Vietnamese error, and never touch the
stored list (issue 12 point 8, issue 15 point 2)."""
import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.lists.importer import import_list
from app.lists.downloads import error_workbook
from app.lists.state import ListError
from app.models import Respondent

from .conftest import HEADERS, csv_bytes, person, to_cp1258, xlsx

ROOT = Path(__file__).resolve().parents[2]
GIB = 1024 ** 3


def _people(unit):
    return db.session.scalars(db.select(Respondent).where(Respondent.unit_id == unit.id)
                              .order_by(Respondent.id)).all()


def _bomb(path: Path, declared: int | None = None) -> Path:
    """A real workbook whose sheet unpacks to 1 GiB (about 1 MB on disk). With ``declared``,
    the zip's size fields are rewritten to lie about it."""
    wb = Workbook()
    wb.active.append(HEADERS)
    buf = io.BytesIO()
    wb.save(buf)
    source = zipfile.ZipFile(buf)
    row = b"<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>" + b" " * (1024 * 1024)  # spaces: ~1000:1
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, source.read(info.filename))
        with out.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head)
            written = len(head)
            while written < GIB:
                sheet.write(row)
                written += len(row)
            sheet.write(b"</sheetData></worksheet>")
    if declared is not None:
        data = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = data.find(signature)
            while at != -1:
                name_at = at + (30 if signature == b"PK\x03\x04" else 46)
                if data[name_at:name_at + 24] == b"xl/worksheets/sheet1.xml":
                    struct.pack_into("<I", data, at + offset, declared)
                at = data.find(signature, at + 4)
        path.write_bytes(bytes(data))
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    return _bomb(folder / "honest.xlsx"), _bomb(folder / "liar.xlsx", declared=20_000)


def test_zip_bomb_is_refused_before_reading_with_low_peak_memory(bombs):
    """Each bomb is read in a fresh interpreter; its peak memory (ru_maxrss) stays under 500 MB."""
    for bomb in bombs:
        assert bomb.stat().st_size < 2_000_000
        script = (
            "import resource, sys\n"
            "from app import create_app\n"
            "from app.core.tabular import TableError, read_rows\n"
            "from pathlib import Path\n"
            "from tests.conftest import _config\n"
            f"app = create_app(_config('sqlite://', Path({str(bomb.parent)!r})))\n"
            "with app.test_request_context():\n"
            f"    data = open({str(bomb)!r}, 'rb').read()\n"
            "    try:\n"
            "        read_rows('bomb.xlsx', data)\n"
            "        print('READ')\n"
            "    except TableError as exc:\n"
            "        print('REFUSED', exc)\n"
            "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0].startswith("REFUSED") and "200 MB" in lines[0], done.stdout
        peak_mb = int(lines[-1].split()[1]) / 1024
        print(f"{bomb.name}: peak {peak_mb:.0f} MB")
        assert peak_mb < 500, (bomb.name, peak_mb)


def test_bomb_upload_keeps_the_stored_list(campaign, unit, bombs):
    import_list(campaign, unit, "ds.xlsx", xlsx([person(1), person(2)]))
    db.session.commit()
    for bomb in bombs:
        with pytest.raises(ListError, match="giải nén lớn hơn 200 MB"):
            import_list(campaign, unit, "ds.xlsx", bomb.read_bytes())
        db.session.rollback()
    assert len(_people(unit)) == 2


@pytest.mark.parametrize("char, label", [("\x00", "NUL"), ("\x07", "bell"), ("\u202e", "RLO"),
                                          ("\u2066", "LRI"), ("\x9b", "C1")])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_hidden_characters_are_row_errors(campaign, unit, char, label, fmt):
    """NUL (a 500 on PostgreSQL before), other controls and bidi overrides: the row is refused with
    a reason; the good rows are kept; the report and the error workbook show U+FFFD instead."""
    bad = person(2, name=f"Trần{char} Bình")
    bad[7] = f"Tổ 5{char}"
    if fmt == "xlsx" and char in "\x00\x07":  # openpyxl cannot write these: build the cell by hand
        data = _xlsx_with_raw_cell(person(1), bad)
    else:
        data = xlsx([person(1), bad]) if fmt == "xlsx" else csv_bytes([person(1), bad])
    report = import_list(campaign, unit, f"ds.{fmt}", data)
    db.session.commit()
    assert [e["row"] for e in report["errors"]] == [3]
    assert "ký tự điều khiển hoặc ký tự đảo chiều" in report["errors"][0]["reason"]
    assert "Họ và tên" in report["errors"][0]["reason"] and "Địa chỉ" in report["errors"][0]["reason"]
    assert [p.full_name for p in _people(unit)] == [person(1)[1]]
    stored = json.dumps(db.session.scalar(db.text("SELECT last_upload FROM respondent_lists")) or "")
    assert char not in stored and "\\u0000" not in stored
    ws = load_workbook(io.BytesIO(error_workbook(campaign, unit, report))).active
    assert ws.cell(row=2, column=2).value == "Trần\ufffd Bình"


def _xlsx_with_raw_cell(good, bad) -> bytes:
    """A workbook whose bad row holds a control character, written into the XML directly
    (as another program might), since openpyxl refuses to write one."""
    marker = "ZZCONTROLZZ"
    data = xlsx([good, [c.replace("\x00", marker).replace("\x07", marker) if isinstance(c, str) else c for c in bad]])
    char = "\x00" if "\x00" in bad[1] else "\x07"
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename.startswith("xl/"):
                body = body.replace(marker.encode(), char.encode())
            target.writestr(info, body)
    return out.getvalue()


def test_oversized_csv_field_is_a_clear_error_and_keeps_the_list(campaign, unit):
    import_list(campaign, unit, "ds.csv", csv_bytes([person(1)]))
    db.session.commit()
    huge = person(2, address="x" * (200 * 1024))
    with pytest.raises(ListError, match="dài quá 128 KiB"):
        import_list(campaign, unit, "ds.csv", csv_bytes([person(3), huge]))
    db.session.rollback()
    assert len(_people(unit)) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-nobom"])
def test_utf16_csv_is_read(campaign, unit, encoding):
    """Excel's "Unicode Text" (UTF-16, tab-separated) and a UTF-16 CSV without BOM."""
    rows = [person(1, name="Nguyễn Thị Thúy"), person(2, name="Đặng Kỳ Ý")]
    if encoding == "utf-16":
        text = "\n".join("\t".join(str(c) for c in r) for r in [HEADERS] + rows)
        data = text.encode("utf-16")
    else:
        data = csv_bytes(rows).decode().encode("utf-16-le")
    report = import_list(campaign, unit, "ds.csv", data)
    assert report["errors"] == []
    assert sorted(p.full_name for p in _people(unit)) == ["Nguyễn Thị Thúy", "Đặng Kỳ Ý"]


def test_csv_in_another_code_page_is_refused_with_the_fix(campaign, unit):
    """LibreOffice's default (Windows-1252) has already lost the letters ("H? và tên"): refused,
    naming the fix, and the list stays as it was."""
    import_list(campaign, unit, "ds.csv", csv_bytes([person(1)]))
    db.session.commit()
    text = csv_bytes([person(2, name="Nguyễn Văn Bình")]).decode()
    data = text.encode("cp1252", errors="replace")
    with pytest.raises(ListError, match="Tệp CSV không phải UTF-8: hãy lưu lại dạng CSV UTF-8"):
        import_list(campaign, unit, "ds.csv", data)
    db.session.rollback()
    assert len(_people(unit)) == 1


def test_windows_1258_combining_marks_become_nfc(campaign, unit):
    """Windows-1258 writes tones as combining marks: "ý" must stay "ý" (not "ỳ"), stored NFC."""
    names = ["Nguyễn Thị Thúy", "Đặng Kỳ Ý", "Lý Thị Mỹ", "Hồ Sỹ Dũng"]
    data = to_cp1258(csv_bytes([person(i, name=n) for i, n in enumerate(names, 1)]).decode())
    report = import_list(campaign, unit, "ds.csv", data)
    assert report["errors"] == []
    assert sorted(p.full_name for p in _people(unit)) == sorted(names)


def test_dates_in_text_columns_are_warned(campaign, unit):
    """An address "12/3" that the office suite turned into a date is kept but flagged."""
    from datetime import date

    report = import_list(campaign, unit, "ds.xlsx", xlsx([person(1, address=date(2026, 3, 12)), person(2)]))
    assert report["errors"] == [] and report["imported"] == 2
    assert [w["row"] for w in report["warnings"]] == [2]
    assert "Địa chỉ" in report["warnings"][0]["reason"] and "12/3/2026" in report["warnings"][0]["reason"]
    assert _people(unit)[0].address == "12/3/2026"


def test_hidden_characters_refuse_units_and_scores(campaign):
    """The same rule for the secretariat's files: units and self-assessment scores."""
    from app.admin.services import SetupError, import_units
    from app.index.assessments import AssessmentError, import_assessments
    from app.models import SelfAssessment, Unit

    before = db.session.scalar(db.select(db.func.count(Unit.id)))
    units = "Mã đơn vị,Tên đơn vị,Loại\nSO_X,Sở\u202e Xây dựng,department\n".encode()
    with pytest.raises(SetupError, match="dòng 2: .*ký tự điều khiển"):
        import_units(campaign, "dv.csv", units)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == before
    scores = "Mã đơn vị,Mã tiêu chí,Điểm tự đánh giá,Ghi chú\nSO_TP,1.1.1,1,Có\x00 văn bản\n".encode()
    with pytest.raises(AssessmentError) as err:
        import_assessments(campaign, "td.csv", scores)
    assert err.value.errors[0]["row"] == 2 and "Ghi chú" in err.value.errors[0]["message"]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SelfAssessment.id))) == 0


def test_a_file_name_with_nul_is_stored_safely(campaign, unit):
    """The name of the uploaded file goes into the report, the audit log and the import record."""
    from app.index.assessments import import_assessments
    from app.models import AssessmentImport, AuditEntry

    import_list(campaign, unit, "ds\x00\u202e.xlsx", xlsx([person(1)]))
    import_assessments(campaign, "td\x00.csv", "Mã đơn vị,Mã tiêu chí,Điểm tự đánh giá\nSO_TP,1.1.1,1\n".encode())
    db.session.commit()
    assert db.session.scalar(db.select(AssessmentImport.filename)) == "td\ufffd.csv"
    assert all("\x00" not in json.dumps(d) for d in db.session.scalars(db.select(AuditEntry.details)))
