"""Formula-safe spreadsheet output: what a respondent typed never runs as a formula."""
import csv
import io

from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def csv_safe(value):
    """Prefix text that a spreadsheet would read as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(headers: list[str], rows) -> bytes:
    """UTF-8 with BOM (Excel opens it with the right diacritics), formula-safe."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def set_text(cell, value) -> None:
    """Put a value in an openpyxl cell; strings are always text, never formulas."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.alignment = Alignment(horizontal=cell.alignment.horizontal)
            cell.quotePrefix = True


def write_sheet(ws, headers: list[str], rows, widths: dict | None = None, number_format: str = "0.00") -> None:
    """Header row (bold, frozen) and rows; floats formatted with two decimals."""
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        set_text(cell, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            set_text(cell, value)
            if isinstance(value, float):
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    for col, header in enumerate(headers, start=1):
        letter = ws.cell(row=1, column=col).column_letter
        ws.column_dimensions[letter].width = (widths or {}).get(header, max(10, min(45, len(str(header)) + 4)))
