"""Debian's LibreOffice, headless, as a clerk's office suite: convert (open and save as) files.

Never downloaded: a missing /usr/bin/soffice skips the test, or fails it when REQUIRE_OFFICE=1
(as in .ci/run). Each run gets its own profile directory, so parallel runs never collide.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = "/usr/bin/soffice"
#: LibreOffice filter strings: what "Save as" writes. CSV: comma, double quote, UTF-8 (76).
FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "ods": "ods:calc8",
           "csv": "csv:Text - txt - csv (StarCalc):44,34,76",
           "csv-1252": "csv:Text - txt - csv (StarCalc):44,34,1"}


def require_office() -> None:
    if not os.path.exists(SOFFICE):
        if os.environ.get("REQUIRE_OFFICE") == "1":
            pytest.fail(f"REQUIRE_OFFICE=1 but {SOFFICE} is missing")
        pytest.skip(f"{SOFFICE} is not installed")


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
