"""Vietnamese first, English available; one catalog directory per feature package."""
from pathlib import Path

from flask import has_request_context, request, session

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
    if not has_request_context():  # CLI and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = session.get("lang")
    if lang in langs:
        return lang
    if request.cookies.get("lang") in langs:
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


KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def extract_messages(package_dir: Path) -> dict[str, list[str]]:
    """msgid -> locations, from one package's Python code and templates."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(package_dir), METHODS, options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
            keywords=KEYWORDS, strip_comment_tags=True):
        if "/translations/" in filename:
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def catalog_path(package_dir: Path, lang: str = "en") -> Path:
    return package_dir / "translations" / lang / "LC_MESSAGES" / "messages.po"


def update_catalog(package_dir: Path, lang: str = "en") -> list[str]:
    """Add new msgids of a package to its catalog (empty translations); returns the untranslated ones."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = catalog_path(package_dir, lang)
    messages = extract_messages(package_dir)
    if not messages and not path.exists():
        return []  # pure packages (scoring, models …) have nothing to translate
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="ParSurvey")
    for msgid, _locations in sorted(messages.items()):
        if msgid not in catalog:
            catalog.add(msgid, "")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=120, omit_header=False, sort_output=True)
    return [m.id for m in catalog if m.id and not m.string]


def package_dirs() -> list[Path]:
    return sorted(p for p in APP_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists())


if __name__ == "__main__":  # python -m app.core.i18n: refresh every package's English catalog
    for pkg in package_dirs():
        missing = update_catalog(pkg)
        print(f"{pkg.name}: {len(missing)} untranslated")
