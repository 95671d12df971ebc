"""Bulk writes of many rows: COPY on PostgreSQL, one executemany on SQLite.

Used by the list import (respondents and their targets) and by invitation creation, where
100 000 rows and more are written in one transaction. The rows go through the session's own
connection, so they are part of the caller's transaction (services flush, callers commit), and
the counter triggers see them as one statement (app/models/counters.py).
"""
import gc
import json
import operator
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from itertools import repeat

from sqlalchemy import JSON, Table

from app.extensions import db


@contextmanager
def gc_paused():
    """Freeze the objects alive so far and pause the cyclic collector for the duration of a bulk
    job: building 100 000 row tuples otherwise triggers many full collections over a big heap."""
    was_enabled = gc.isenabled()
    # A worker froze its loaded app at start (app/core/heap.py): unfreezing here would put it back
    # into every full collection, so only a freeze made here is undone.
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if freezing:
            gc.unfreeze()


def _repeating(processor):
    """A bind processor that converts a value equal to the previous one only once (a batch's one
    time stamp in every row)."""
    if processor is None:
        return None
    last = [object(), None]

    def process(value):
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]
    return process


def _converting(processors: list):
    """Row -> row with the (position, processor) columns converted: only those few are touched
    (a tuple rebuilt value by value costs more than the insert of a 13-column row)."""
    def convert(row):
        row = list(row)
        for i, process in processors:
            if row[i] is not None:
                row[i] = process(row[i])
        return row
    return convert


def insert_rows(table: Table, columns: Sequence[str], rows: Iterable[Sequence], same: dict | None = None) -> None:
    """Insert rows (tuples in `columns` order) into `table` in the session's transaction.
    `same`: column -> the value it has in every row, appended to each row after its own values
    (converted once, and no tuple built per row for it in the caller)."""
    conn = db.session.connection()
    same = same or {}
    if same:
        columns = (*columns, *same)
    if conn.dialect.name == "postgresql":
        as_json = [isinstance(table.c[name].type, JSON) for name in columns]
        if any(as_json):  # COPY's text format takes JSON as its text
            rows = (tuple(json.dumps(v) if j and v is not None else v for j, v in zip(as_json, row))
                    for row in _appended(rows, tuple(same.values())))
        else:
            rows = _appended(rows, tuple(same.values()))
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    # SQLite: one executemany of plain tuples on the DBAPI cursor, values converted by the columns'
    # own bind processors (dates as SQLAlchemy stores them) — no per-row dict or statement compile.
    processors = [_repeating(table.c[name].type._cached_bind_processor(conn.dialect)) for name in columns]
    own = len(columns) - len(same)
    constants = tuple(v if p is None or v is None else p(v) for p, v in zip(processors[own:], same.values()))
    varying = [(i, p) for i, p in enumerate(processors[:own]) if p is not None]
    if varying:
        rows = map(_converting(varying), rows)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.connection.driver_connection.cursor().executemany(sql, _appended(rows, constants))


def _appended(rows: Iterable[Sequence], constants: tuple) -> Iterable[Sequence]:
    """Each row with the constants after its own values (one C-level tuple concatenation)."""
    if not constants:
        return rows
    return map(operator.add, map(tuple, rows), repeat(constants))
