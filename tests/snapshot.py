"""Seed once, restore for each test: the rows of a seeded world kept in memory and put back.

A module whose tests all start from the same world (tests/security) seeds it once; every test
then gets the same rows back (inserted in one transaction, ids included) and fresh ORM objects
loaded by id, so what a test changes never reaches the next one — the `app` fixture still
empties the database after each test. Works on SQLite and PostgreSQL, and for code that opens
its own connections (sealed answers, the outbox): the world is committed, not held in an open
transaction.
"""
from types import SimpleNamespace

from sqlalchemy import inspect

from app.extensions import db
from app.models.counters import DailyAnswerCounter, ProgressCounter

#: Filled by triggers when the other rows go back: emptied, then given their own saved rows.
TRIGGERED = (ProgressCounter.__table__, DailyAnswerCounter.__table__)


def take() -> dict:
    """Every row of every table (the caller has committed)."""
    with db.engine.connect() as conn:
        return {t.name: [dict(row) for row in conn.execute(t.select()).mappings()] for t in db.metadata.sorted_tables}


def restore(rows: dict) -> None:
    """Put the rows of take() back into the empty database, ids and sequences included."""
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if rows[table.name] and table not in TRIGGERED:
                conn.execute(table.insert(), rows[table.name])
        for table in TRIGGERED:
            conn.execute(table.delete())
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
        if conn.dialect.name == "postgresql":  # ids were given: move each sequence past them
            for table in db.metadata.sorted_tables:
                column = table.autoincrement_column
                if column is not None and rows[table.name]:
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                         f"{max(r[column.name] for r in rows[table.name])})")


def recipe(value):
    """What to load again for a value of a seeded namespace: (model, identity) for an ORM object."""
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{k: recipe(v) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return {k: recipe(v) for k, v in value.items()}
    state = inspect(value, raiseerr=False)
    if state is not None and getattr(state, "identity", None) is not None:
        return _Load(type(value), state.identity)
    return value


def load(value):
    """The namespace of recipe(), with its objects loaded in the current session."""
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{k: load(v) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return {k: load(v) for k, v in value.items()}
    if isinstance(value, _Load):
        return db.session.get(value.model, value.identity)
    return value


class _Load:
    def __init__(self, model, identity):
        self.model, self.identity = model, identity
