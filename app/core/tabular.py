"""Reading offices' spreadsheets: .xlsx, .ods and .csv (UTF-8 ± BOM, UTF-16; ';', ',' or tab).

Headers are matched case- and accent-insensitively against known aliases, cells are
normalised to Unicode NFC and trimmed, and formulas are kept as their text, never evaluated.
"""
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _

from . import zipguard

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, and encrypted (password-protected) .xlsx
VIETNAMESE_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# C0/C1 controls (tab and line breaks are whitespace), bidi embeddings/overrides/isolates, U+FFFD.
FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffd]")


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, in the user's language."""


@dataclass
class Row:
    number: int  # 1-based row number as the user sees it in Excel (header = 1)
    values: dict
    #: canonical columns whose cell held forbidden characters (shown as U+FFFD in ``values``)
    bad_columns: list = field(default_factory=list)


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


def read_rows(filename: str, data: bytes) -> tuple[list[str], Iterable[tuple], str | None]:
    """Header + raw rows (streamed from a workbook) of the first sheet / the CSV, with clear errors
    for what is not a table."""
    name = (filename or "").lower()
    if not data:
        raise TableError(_("Tệp rỗng."))
    if data.startswith(OLE_MAGIC):
        raise TableError(_("Tệp Excel được đặt mật khẩu hoặc ở định dạng .xls cũ. Hãy bỏ mật khẩu và lưu lại dưới dạng .xlsx."))
    if data.startswith(XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm", ".ods")):
        return _read_workbook(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise TableError(_("Tệp không phải bảng tính (.xlsx, .ods) hay CSV. Hãy tải lên đúng biểu mẫu."))


def _unpacked_limit() -> int:
    return (current_app.config.get("MAX_UNPACKED_BYTES") if current_app else None) or 200 * 1024 * 1024


def _read_workbook(data: bytes):
    """First sheet of a workbook (.xlsx or .ods), after the archive passed the zip-bomb guard.
    Fast path (calamine) unless a cell holds a formula: calamine reads cached values only,
    and a formula must reach us as its text."""
    limit = _unpacked_limit()
    try:
        has_formula = zipguard.inspect(data, limit)
    except zipguard.ArchiveRefused as exc:
        if exc.reason == "size":
            raise TableError(_("Tệp bảng tính khi giải nén lớn hơn %(limit)d MB: không đọc. Hãy xoá các dòng, cột, "
                               "hình ảnh thừa hoặc chia nhỏ tệp.", limit=limit // (1024 * 1024))) from None
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
        rows = sheet.iter_rows()
        header = next(rows, None)
        title = sheet.name
    except Exception:  # noqa: BLE001 — any oddity: let openpyxl read it or say it is damaged
        return None
    if header is None or not any(c not in (None, "") for c in header):
        raise TableError(_("Trang tính đầu tiên trống: không có dòng tiêu đề."))
    return [clean(h) for h in header], _guarded(tuple(r) for r in rows), title


def _guarded(rows):
    """Rows of a streamed sheet; a failure half-way is a clear error, not a 500."""
    try:
        yield from rows
    except TableError:
        raise
    except Exception:  # noqa: BLE001 — the readers raise many kinds on a damaged sheet
        raise TableError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None


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
    except Exception:  # noqa: BLE001 — a damaged sheet part
        wb.close()
        raise TableError(_("Tệp Excel bị hỏng hoặc không đọc được.")) from None
    if header is None or not any(c not in (None, "") for c in header):
        wb.close()
        raise TableError(_("Trang tính đầu tiên trống: không có dòng tiêu đề."))

    def body():  # streamed: read-only openpyxl parses the sheet as it is iterated
        try:
            yield from rows
        finally:
            wb.close()
    return [clean(h) for h in header], _guarded(body()), ws.title


def _has_vietnamese_marks(text: str) -> bool:
    return any(ch in VIETNAMESE_TONES for ch in text)


def decode_text(data: bytes) -> str:
    """CSV bytes to text: UTF-8 (± BOM), UTF-16 (with BOM, or detected), or Windows-1258 when the
    bytes can only be Vietnamese in that code page. Anything else raises TableError: the user is
    asked to save as CSV UTF-8 rather than see mangled names."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError(_("Tệp CSV UTF-16 bị hỏng; hãy lưu lại dạng CSV UTF-8.")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    guess = best.encoding if best is not None else ""
    if guess.startswith("utf_16") or guess.startswith("utf_32"):
        try:
            return data.decode(guess)
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    # Windows-1258 writes Vietnamese tones as combining marks; without them this is some other
    # code page (Windows-1252 from LibreOffice's default) and letters are already lost.
    if text and _has_vietnamese_marks(text) and "?" not in text.split("\n", 1)[0]:
        return text
    raise TableError(_("Tệp CSV không phải UTF-8: hãy lưu lại dạng CSV UTF-8 (trong Excel: CSV UTF-8; "
                       "trong LibreOffice: Bộ ký tự Unicode (UTF-8)).")
                     + (" " + _("Bảng mã đoán được: %(guess)s.", guess=guess) if guess else ""))


def _read_csv(data: bytes):
    text = unicodedata.normalize("NFC", decode_text(data))
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise TableError(_("Tệp CSV trống: không có dòng tiêu đề."))
        body = [tuple(r) for r in reader]
    except csv.Error:
        raise TableError(_("Tệp CSV có một ô dài quá %(n)d KiB hoặc dấu ngoặc kép không đóng (dòng %(row)d). "
                           "Hãy kiểm tra lại tệp.", n=csv.field_size_limit() // 1024, row=reader.line_num)) from None
    return [clean(h) for h in header], body, None


def forbidden_characters(value) -> bool:
    """True when text holds control characters (NUL …), bidi overrides or U+FFFD: a row error."""
    return isinstance(value, str) and FORBIDDEN_RE.search(value) is not None


def printable(value):
    """The value with forbidden characters shown as U+FFFD (safe in JSON on PostgreSQL and in XML)."""
    return FORBIDDEN_RE.sub("\ufffd", value) if isinstance(value, str) else value


def read_table(filename: str, data: bytes, aliases: dict, required=None) -> Table:
    """Read a file into canonical columns, skipping fully empty rows."""
    headers, body, sheet = read_rows(filename, data)
    columns = match_columns(headers, aliases, required)
    rows = []
    for offset, raw in enumerate(body, start=2):
        if raw is None or all(c in (None, "") for c in raw):
            continue
        values = {n: clean(raw[i]) if i < len(raw) else "" for n, i in columns.items()}
        bad = [n for n, v in values.items() if forbidden_characters(v)]
        rows.append(Row(offset, {n: printable(v) for n, v in values.items()} if bad else values, bad))
    return Table(headers, columns, rows, sheet)


def forbidden_message(column: str) -> str:
    return _("Cột %(column)s chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản (không nhìn thấy được); "
             "hãy gõ lại ô này.", column=column)
