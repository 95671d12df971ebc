"""Reading offices' spreadsheets: .xlsx and .csv (UTF-8 ± BOM, Windows-1258; ';' or ',').

Headers are matched case- and accent-insensitively against known aliases, cells are
normalised to Unicode NFC and trimmed, and formulas are kept as their text, never evaluated.
"""
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, and encrypted (password-protected) .xlsx


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in the user's language."""


@dataclass
class Row:
    number: int  # 1-based row number as the user sees it in Excel (header = 1)
    values: dict


@dataclass
class Table:
    headers: list[str]
    columns: dict  # canonical name -> index in the file
    rows: list[Row]
    sheet: str | None = None


def fold(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed: for matching headers only."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().replace("_", " ").split())


def clean(value) -> str:
    """Cell value to NFC text, trimmed; numbers keep their digits (phones stay strings)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.isascii():  # nothing to compose: skip NFC (this runs for every cell of big lists)
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFC", text).split())


def match_columns(headers: list[str], aliases: dict, required=None) -> dict:
    """Map canonical column names to header positions; raise naming the missing ones."""
    folded = [fold(h) for h in headers]
    columns = {}
    for name, names in aliases.items():
        wanted = {fold(a) for a in names} | {fold(name)}
        for i, h in enumerate(folded):
            if h in wanted:
                columns[name] = i
                break
    required = list(aliases) if required is None else required
    missing = [aliases[n][1] if len(aliases[n]) > 1 else n for n in required if n not in columns]
    if missing:
        raise TableError(_("Thiếu cột: %(columns)s. Hãy dùng đúng tiêu đề cột của biểu mẫu.",
                           columns=", ".join(missing)))
    return columns


def read_rows(filename: str, data: bytes) -> tuple[list[str], list[tuple], str | None]:
    """Header + raw rows of the first sheet / the CSV, with clear errors for what is not a table."""
    name = (filename or "").lower()
    if not data:
        raise TableError(_("Tệp rỗng."))
    if data.startswith(OLE_MAGIC):
        raise TableError(_("Tệp Excel được đặt mật khẩu hoặc ở định dạng .xls cũ. Hãy bỏ mật khẩu và lưu lại dưới dạng .xlsx."))
    if data.startswith(XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise TableError(_("Tệp không phải Excel (.xlsx) hay CSV. Hãy tải lên đúng biểu mẫu."))


def _read_xlsx(data: bytes):
    """First sheet of a workbook. Fast path (calamine) unless a cell holds a formula:
    calamine reads cached values only, and a formula must reach us as its text."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        has_formula = any(b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                          for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None
    if not has_formula:
        fast = _read_xlsx_calamine(data)
        if fast is not None:
            return fast
    return _read_xlsx_openpyxl(data)


def _read_xlsx_calamine(data: bytes):
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
        # Keep leading empty rows/columns so row numbers match what the user sees in Excel.
        rows = sheet.to_python(skip_empty_area=False)
        title = sheet.name
    except Exception:  # noqa: BLE001 — any oddity: let openpyxl read it or say it is damaged
        return None
    if not rows or not any(c not in (None, "") for c in rows[0]):
        raise TableError(_("Trang tính đầu tiên trống: không có dòng tiêu đề."))
    return [clean(h) for h in rows[0]], [tuple(r) for r in rows[1:]], title


def _read_xlsx_openpyxl(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise TableError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or not any(c not in (None, "") for c in header):
            raise TableError(_("Trang tính đầu tiên trống: không có dòng tiêu đề."))
        body = [r for r in rows]
        return [clean(h) for h in header], body, ws.title
    finally:
        wb.close()


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="strict")


def _read_csv(data: bytes):
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise TableError(_("Không nhận ra bảng mã của tệp CSV; hãy lưu lại dưới dạng CSV UTF-8.")) from None
    text = unicodedata.normalize("NFC", text)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise TableError(_("Tệp CSV trống: không có dòng tiêu đề."))
    return [clean(h) for h in header], [tuple(r) for r in reader], None


def read_table(filename: str, data: bytes, aliases: dict, required=None) -> Table:
    """Read a file into canonical columns, skipping fully empty rows."""
    headers, body, sheet = read_rows(filename, data)
    columns = match_columns(headers, aliases, required)
    rows = []
    for offset, raw in enumerate(body, start=2):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        values = {n: clean(raw[i]) if i < len(raw) else "" for n, i in columns.items()}
        rows.append(Row(offset, values))
    return Table(headers, columns, rows, sheet)
