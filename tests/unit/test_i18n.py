"""Vietnamese first, English complete: every user-facing string has an English translation,
and every Vietnamese text we ship is Unicode NFC."""
import unicodedata

import pytest
from babel.messages.pofile import read_po

from app.core.i18n import APP_DIR, catalog_path, extract_messages, package_dirs

PACKAGES = [p for p in package_dirs() if p.name not in ("models", "scoring", "interference")]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_message_has_an_english_translation(package):
    messages = extract_messages(package)
    path = catalog_path(package)
    if not messages:
        return
    assert path.exists(), f"run `python -m app.core.i18n` to create {path}"
    with path.open("rb") as f:
        catalog = read_po(f, locale="en")
    untranslated = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert untranslated == [], f"{package.name}: add English for {untranslated[:10]}"


def test_shipped_text_is_nfc():
    offenders = []
    roots = [APP_DIR, APP_DIR.parent / "questionnaires"]
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in (".py", ".html", ".po", ".yaml", ".txt") and path.is_file():
                text = path.read_text(encoding="utf-8")
                if unicodedata.normalize("NFC", text) != text:
                    offenders.append(str(path.relative_to(APP_DIR.parent)))
    assert offenders == []
