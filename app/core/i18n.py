"""Vietnamese first, English available; one catalog directory per feature package."""
from pathlib import Path

from flask import request, session

APP_DIR = Path(__file__).resolve().parent.parent


def translation_directories() -> str:
    """All `translations/` folders of the app (core + features), ';'-joined for Flask-Babel."""
    dirs = sorted(str(p) for p in APP_DIR.glob("*/translations") if p.is_dir())
    top = APP_DIR / "translations"
    if top.is_dir():
        dirs.insert(0, str(top))
    return ";".join(dirs) or str(top)


def select_locale() -> str:
    from flask import current_app

    langs = current_app.config["LANGUAGES"]
    lang = session.get("lang")
    if lang in langs:
        return lang
    if request and request.cookies.get("lang") in langs:
        return request.cookies["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_catalogs() -> list[str]:
    """Compile every messages.po to .mo (called by make and the test suite, not at start-up)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in APP_DIR.glob("**/translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f)
        with mo_path.open("wb") as f:
            write_mo(f, catalog)
        written.append(str(mo_path))
    return written
