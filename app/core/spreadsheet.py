"""Formula-safe spreadsheet output: what a respondent typed never runs as a formula."""
import csv
import io
import math
from decimal import Decimal

from flask_babel import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def small_cell_text(k: int) -> str:
    """What a figure resting on fewer than k answer sheets reads on every output (app.scoring.cells)."""
    return _("< %(k)d phiếu", k=k)


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


# --- Workbooks: XlsxWriter is the one xlsx writer (openpyxl only reads uploads) -----------
# Print-ready: one font everywhere, landscape A4, one page wide, header rows repeated on every page, the
# sheet's title and page numbers in the page header. Strings go through write_string only
# (the workbook is also opened with strings_to_formulas off), so nothing typed runs as a formula.

FONT = "Arial"  #: Excel's and LibreOffice's (Liberation Sans) sans-serif with Vietnamese glyphs
NUMBER_FORMATS = {"int": "0", "float": "0.00"}
MAX_WIDTH = 60  #: characters; longer text wraps


def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    return max((len(part) for part in str(value).split("\n")), default=0)


class XlsxBook:
    """A workbook written with XlsxWriter; ``table`` adds a print-ready sheet, ``save`` returns bytes."""

    def __init__(self):
        import xlsxwriter

        self._buf = io.BytesIO()
        self.widths: dict = {}  #: (sheet, column) -> width set so far
        self.wb = xlsxwriter.Workbook(self._buf, {"in_memory": True, "strings_to_formulas": False,
                                                  "strings_to_urls": False, "strings_to_numbers": False,
                                                  "nan_inf_to_errors": True})
        self.wb.formats[0].set_font_name(FONT)  # the default cell format: one font for every cell
        base = {"font_name": FONT, "font_size": 10, "valign": "top"}
        self.fmt = {
            "header": self.wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                          "text_wrap": True}),
            "text": self.wb.add_format({**base, "text_wrap": True}),
            "title": self.wb.add_format({**base, "bold": True, "font_size": 12}),
            "label": self.wb.add_format({**base, "bold": True, "text_wrap": True}),
            "int": self.wb.add_format({**base, "num_format": NUMBER_FORMATS["int"]}),
            "float": self.wb.add_format({**base, "num_format": NUMBER_FORMATS["float"]}),
            "muted": self.wb.add_format({**base, "italic": True, "font_color": "#595959"}),
            # Text that looks like a formula keeps a quote prefix: editing the cell never turns it into one.
            "quoted": self.wb.add_format({**base, "text_wrap": True, "quote_prefix": True}),
            # Codes and phone numbers: text format, so what is typed later keeps its leading zero.
            "code": self.wb.add_format({**base, "num_format": "@"}),
            "error": self.wb.add_format({**base, "text_wrap": True, "bg_color": "#FCE4E4"}),
        }
        self._column_formats: dict = {}  #: (sheet, column) -> format of the column's empty cells
        self._bold = {k: self.wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", **extra})
                      for k, extra in (("text", {"text_wrap": True}), ("int", {"num_format": "0"}),
                                       ("float", {"num_format": "0.00"}),
                                       ("quoted", {"text_wrap": True, "quote_prefix": True}))}

    def sheet(self, name: str, title: str = "", landscape: bool = True, grid: bool = True):
        """A worksheet set up for printing: A4, landscape, one page wide, title and page numbers."""
        ws = self.wb.add_worksheet(name[:31])
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.5)
        ws.hide_gridlines(0 if grid else 2)  # tables print their grid; chart sheets none
        header = (title or name).replace("&", "&&")
        ws.set_header(f'&L&"{FONT},Bold"{header}&R&"{FONT}"&P / &N', {"margin": 0.25})
        return ws

    def cell(self, ws, row: int, col: int, value, fmt: str | None = None, bold_row: bool = False) -> None:
        """Write one value: numbers as numbers (0 or 0.00), text always as text, None blank."""
        formats = self._bold if bold_row else self.fmt
        if value is None:
            if bold_row:
                ws.write_blank(row, col, None, formats["text"])
            return
        if hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if isinstance(value, Decimal):
            value = float(value)
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, (int, float)):
            kind = fmt if fmt in ("int", "float") else ("int" if isinstance(value, int) else "float")
            ws.write_number(row, col, value, formats[kind])
        else:
            value = str(value)
            kind = "quoted" if value.startswith(FORMULA_START) else fmt or "text"
            ws.write_string(row, col, value, formats.get(kind, formats["text"]))

    def table(self, ws, headers: list[str], rows, first_row: int = 0, widths: dict | None = None,
              freeze_cols: int = 0, bold_rows: set | None = None, repeat: bool = True,
              formats: dict | None = None) -> int:
        """Header row (wrapped, repeated on every printed page) and rows; returns the next free row.

        ``widths`` maps a column index to a width in characters (default: fitted to the content);
        ``bold_rows`` are indexes of rows to set apart (totals, unit rows above their groups);
        ``formats`` maps a column index to "int", "float", "label" … for that column's cells.
        """
        rows = list(rows)
        fitted = self.fit_widths(headers, rows)
        for col, width in {**fitted, **(widths or {})}.items():
            self.widen(ws, col, width)
        lines = max((math.ceil(_text_width(h) / max(self.widths.get((ws.name, c), 10) - 1, 1))
                     for c, h in enumerate(headers)), default=1)
        ws.set_row(first_row, 14 * max(1, min(lines, 6)))
        for col, header in enumerate(headers):
            ws.write_string(first_row, col, str(header), self.fmt["header"])
        col_widths = [self.widths.get((ws.name, c), 10) for c in range(len(headers))]
        for r, row in enumerate(rows, start=first_row + 1):
            bold = bool(bold_rows) and (r - first_row - 1) in bold_rows
            lines = 1
            for col, value in enumerate(row):
                self.cell(ws, r, col, value, (formats or {}).get(col), bold)
                if isinstance(value, str) and col < len(col_widths) and len(value) > col_widths[col]:
                    lines = max(lines, math.ceil(_text_width(value) / max(col_widths[col], 1)))
            if lines > 1:  # wrapped text: office suites keep the default height unless told
                ws.set_row(r, 13 * min(lines, 15))
        if repeat:
            ws.repeat_rows(first_row)
            ws.freeze_panes(first_row + 1, freeze_cols)
        return first_row + len(rows) + 1

    def widen(self, ws, col: int, width: float) -> None:
        """Set a column's width unless an earlier table on the sheet needed it wider."""
        key = (ws.name, col)
        if width > self.widths.get(key, 0):
            self.widths[key] = width
            ws.set_column(col, col, width, self._column_formats.get(key))

    def column_format(self, ws, col: int, kind: str) -> None:
        """Format what is typed later into a column's empty cells ("code": text, "float": 0.00)."""
        key = (ws.name, col)
        self._column_formats[key] = self.fmt[kind]
        ws.set_column(col, col, self.widths.get(key, 8.43), self.fmt[kind])

    @staticmethod
    def fit_widths(headers: list[str], rows: list) -> dict[int, float]:
        """Column widths from the content: the longest value (capped), at least the header's longest word."""
        out = {}
        for col, header in enumerate(headers):
            longest = max((_text_width(r[col]) for r in rows[:500] if col < len(r)), default=0)
            word = max((len(w) for w in str(header).split()), default=4)
            out[col] = float(min(MAX_WIDTH, max(longest + 2, word + 2, 6)))
        return out

    def save(self) -> bytes:
        self.wb.close()
        return self._buf.getvalue()
