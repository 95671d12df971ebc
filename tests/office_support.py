"""Debian's LibreOffice, headless, as a clerk's office suite (marker ``office``): open and save
files as a clerk would, print workbooks to PDF, and read the PDF with poppler-utils.

Never downloaded: a missing /usr/bin/soffice (or pdftotext/pdfinfo) skips the test, or fails it
when REQUIRE_OFFICE=1 (as in .ci/run). Each run gets its own profile directory, so parallel runs
never collide.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def to_pdf(xlsx: Path) -> Path:
    """Convert with LibreOffice headless, in a private profile (parallel runs don't collide)."""
    profile = xlsx.parent / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(xlsx.parent), str(xlsx)], check=True, capture_output=True, timeout=300)
    pdf = xlsx.with_suffix(".pdf")
    assert pdf.exists()
    return pdf


def pdf_pages(pdf: Path) -> list[dict]:
    """Per page: its size (points) and its text with whitespace folded."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "10000", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    sizes = [tuple(float(x) for x in m.groups())
             for m in re.finditer(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    pages = []
    for i, size in enumerate(sizes, start=1):
        text = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        pages.append({"size": size, "first": text.strip().split("\n")[0].strip(), "text": " ".join(text.split())})
    return pages


def check_printout(xlsx: Path, pdf: Path) -> list[dict]:
    """Every page A4; every page of a table sheet holds the table's first header (one page wide)."""
    wb = load_workbook(xlsx)
    pages = pdf_pages(pdf)
    assert all(sorted(round(x) for x in p["size"]) == [595, 842] for p in pages), {p["size"] for p in pages}
    for ws in wb.worksheets:
        title = ws.oddHeader.left.text  # the sheet's title printed at the top of each of its pages
        mine = [p for p in pages if p["first"] == title]
        assert mine, (ws.title, title)
        header = [c.value for c in ws[1] if c.value is not None] if ws.max_row > 1 else []
        if ws._charts or not header:
            assert len(mine) == len(ws._charts), (ws.title, len(mine))  # one page per chart
            continue
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        # Wrapped header cells come out interleaved, so look for their words: the first and the
        # last column's header on every page = the page is as wide as the table.
        # A sheet of several tables (the method) does not repeat its first header: its first page.
        needed = set(str(header[0]).split()) | set(str(header[-1]).split())
        for p in mine if ws.print_title_rows else mine[:1]:
            assert needed <= set(p["text"].split()), (ws.title, needed - set(p["text"].split()))
    return pages



SOFFICE = "/usr/bin/soffice"
#: LibreOffice filter strings: what "Save as" writes. CSV: comma, double quote, UTF-8 (76).
FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "ods": "ods:calc8",
           "csv": "csv:Text - txt - csv (StarCalc):44,34,76",
           "csv-1252": "csv:Text - txt - csv (StarCalc):44,34,1"}


def require_office() -> None:
    """Skip (or fail with REQUIRE_OFFICE=1) when LibreOffice or poppler-utils are missing."""
    if not os.path.exists(SOFFICE) or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        if os.environ.get("REQUIRE_OFFICE") == "1":
            pytest.fail("REQUIRE_OFFICE=1 but LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is missing")
        pytest.skip("LibreOffice or poppler-utils is not installed")


def convert(source: Path, fmt: str, profile: Path, infilter: str | None = None) -> Path:
    """Open ``source`` in LibreOffice and save it as ``fmt`` next to it (in a fresh folder)."""
    require_office()
    out = source.parent / f"lo-{fmt}-{source.stem}"
    shutil.rmtree(out, ignore_errors=True)
    args = [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore"]
    if infilter:
        args.append(f"--infilter={infilter}")
    done = subprocess.run(args + ["--convert-to", FILTERS[fmt], "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=240)
    result = out / f"{source.stem}.{fmt.split('-')[0]}"
    assert done.returncode == 0 and result.exists(), (done.stdout, done.stderr)
    return result
