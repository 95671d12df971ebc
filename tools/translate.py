"""Fill English msgstrs of the catalogs from a small TSV-like glossary (developer tool).

Usage: python tools/translate.py GLOSSARY.txt  — lines "vi<TAB>en"; only empty msgstrs are filled.
"""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.core.i18n import catalog_path, package_dirs  # noqa: E402


def main(glossary: str) -> None:
    pairs = {}
    for line in Path(glossary).read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            vi, en = line.split("\t", 1)
            pairs[vi] = en
    for pkg in package_dirs():
        path = catalog_path(pkg)
        if not path.exists():
            continue
        with path.open("rb") as f:
            catalog = read_po(f, locale="en")
        missing = 0
        for message in catalog:
            if message.id and not message.string:
                if message.id in pairs:
                    message.string = pairs[message.id]
                else:
                    missing += 1
        with path.open("wb") as f:
            write_po(f, catalog, width=120, sort_output=True)
        print(f"{pkg.name}: {missing} still untranslated")


if __name__ == "__main__":
    main(sys.argv[1])
