"""Column-wise reading and checking of an uploaded list, for the import's fast path.

Why: a 100 000-row list spent most of its Python time on per-cell and per-row work (a dict per
row, clean() per cell, every check per row) although nearly every row is plainly good. Here each
column is cleaned and checked as a whole (one search over the joined column, each distinct value
once), and only the rows a check flags go through importer.validate_row, the row-wise path that
words the reasons. The checks below mirror validate_row's: a row they do not flag is a row
validate_row would accept, with the same clean values.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

from app.core.tabular import FORBIDDEN_RE, clean, fold

from . import normalise as norm

TEXT_COLUMNS = ("full_name", "position", "organisation", "address")
LIMITS = {"full_name": 200, "position": 200, "organisation": 300, "address": 300}
# Cells joined by NUL (never clean text: a NUL is a forbidden character) are already what clean()
# makes of them when no cell has whitespace other than single inner spaces (_tidy).
_SEP = "\x00"
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace that is not a plain space (str.split() splits on it)


@dataclass
class Parsed:
    """The file's cells as clean text, column by column (canonical name -> one str per row)."""
    columns: dict
    dated: dict  # row position -> names of the columns where a date stood in for text


def parse(rows: list, fields: list, kept) -> Parsed:
    """Clean the `fields` ((name, position) pairs) of every row; a date cell becomes its d/m/yyyy
    text (kept(cell, name), as in the error workbook) and is noted for the warning."""
    raws = [raw for _n, raw in rows]
    width = max((i for _name, i in fields), default=-1) + 1
    if min(map(len, raws), default=width) < width:  # short CSV rows: the missing cells are empty
        raws = [raw if len(raw) >= width else tuple(raw) + (None,) * (width - len(raw)) for raw in raws]
    columns, dated = {}, {}
    for name, i in fields:  # itemgetter: a column in C (zip(*rows) over 100 000 rows is 4× slower)
        columns[name] = clean_column(list(map(itemgetter(i), raws)), name, dated, kept)
    return Parsed(columns, dated)


def clean_column(cells: list, name: str, dated: dict, kept) -> list[str]:
    """clean() of every cell; a column of text that is already clean (the usual case) is taken
    as it is after a few searches over the joined column."""
    kinds = set(map(type, cells))
    if kinds == {str}:
        joined = _SEP.join(cells)
        if joined.count(_SEP) == len(cells) - 1 and _tidy(joined) and (
                joined.isascii() or unicodedata.is_normalized("NFC", joined)):
            return cells
    if not any(issubclass(k, date) for k in kinds):
        return list(map(clean, cells))
    out = []
    for k, cell in enumerate(cells):
        if isinstance(cell, date):  # a date (or datetime) where text belongs
            dated.setdefault(k, []).append(name)
            cell = kept(cell, name)
        out.append(clean(cell))
    return out


def _tidy(joined: str) -> bool:
    """No cell of the NUL-joined column starts or ends with a space, holds two in a row or any
    other whitespace: " ".join(cell.split()) is the cell itself."""
    return not ("  " in joined or _SEP + " " in joined or " " + _SEP in joined or joined.startswith(" ")
                or joined.endswith(" ") or _OTHER_SPACE.search(joined))


@dataclass(frozen=True)
class Screen:
    """What the whole-file searches found (see screen()): rows are searched one by one only for that."""
    forbidden: bool = True
    suspect: frozenset = frozenset(TEXT_COLUMNS)  # columns that may hold markup or legacy text


def screen(columns: dict) -> Screen:
    """One search per column over the whole file instead of several per cell."""
    return Screen(forbidden=FORBIDDEN_RE.search("\n".join("\n".join(col) for col in columns.values())) is not None,
                  suspect=frozenset(col for col in TEXT_COLUMNS if col in columns and norm.suspect(columns[col])))


def flagged_rows(cols: dict, normal: tuple, found: Screen, group_of: list, units: dict) -> set:
    """Positions of the rows that one of validate_row's checks may reject: only those are
    checked row by row. `normal`: the (names, e-mails, phones) columns from the normalisers;
    `group_of`: resolve_groups() of the group column."""
    n = len(normal[0])
    empty = [""] * n
    flagged = set()

    def where(values, test) -> None:
        flagged.update(k for k, v in enumerate(values) if test(v))

    if found.forbidden:
        for values in cols.values():
            where(values, FORBIDDEN_RE.search)
    for col in TEXT_COLUMNS:
        values = cols.get(col, empty)
        if col in found.suspect:
            where(values, lambda v: norm.MARKUP_RE.search(v) or norm.looks_legacy(v))
        if values and max(map(len, values)) > LIMITS[col]:
            where(values, lambda v, limit=LIMITS[col]: len(v) > limit)
    if "" in cols.get("full_name", empty):
        where(cols["full_name"], lambda v: not v)
    invalid = norm.InvalidValue
    requires_email = {group: group.requires_email for group in set(group_of) if group is not None}
    for k, (group, email, phone) in enumerate(zip(group_of, normal[1], normal[2])):
        # a missing or unknown group, a bad e-mail or phone, no way to reach the person
        if group is None or email.__class__ is invalid or phone.__class__ is invalid or (
                not email and (requires_email[group] or not phone)):
            flagged.add(k)
    known = {value: all(c.upper() in units for c in norm.unit_codes(value))
             for value in set(cols.get("targets", empty))}
    if not all(known.values()):
        where(cols["targets"], lambda v: not known[v])
    return flagged


def resolve_groups(raw_groups: list[str], groups: dict) -> list:
    """The Group of each row (None: missing or unknown), each distinct typed text folded once
    (`groups` memoises it, as validate_row does)."""
    for raw in set(raw_groups):
        if raw not in groups:
            groups[raw] = groups.get(fold(raw)) if raw else None
    return [groups[raw] for raw in raw_groups]


def targets_of(raw_targets: list[str], units: dict, own_unit_id: int) -> list:
    """The assessed unit ids of each row (frozen sets shared between rows with the same text);
    unknown codes are left out (flagged_rows sends their rows to the row-wise check)."""
    sets = {value: frozenset(units[c.upper()] for c in norm.unit_codes(value) if c.upper() in units)
            or frozenset((own_unit_id,))
            for value in set(raw_targets)}
    return [sets[value] for value in raw_targets]
