"""Load the input frames of ``app.interference.scan`` from the database.

Only the needed columns are read, straight into pandas (100 000 responses × 50 answers is
5 million answer rows: no ORM objects on that path).
"""
from __future__ import annotations

from operator import itemgetter

import numpy as np
import pandas as pd
from sqlalchemy import select

from app.core.schemes import get_scheme
from app.extensions import db
from app.interference import ItemShape, QuestionnaireShape
from app.models import Answer, Group, Invitation, OutboxMessage, Response, Unit

ANSWER_CHUNK = 250_000  #: answer rows read at a time from SQLite (a string per cell until numbered)
RESPONSE_SQL_COLUMNS = ("response_id", "unit", "unit_kind", "group", "questionnaire", "mode",
                        "submitted_at", "duration_s", "net_hash", "net_prefix_hash", "ua_hash",
                        "device_hash", "moved_network", "moved_device")


def load_responses(campaign_id: int) -> pd.DataFrame:
    """One row per response of the campaign (excluded ones too: the evidence of what
    happened does not change with a decision, and fingerprints stay stable)."""
    stmt = (select(Response.id.label("response_id"), Unit.code.label("unit"),
                   Unit.kind.label("unit_kind"), Group.code.label("group"),
                   Response.questionnaire_code.label("questionnaire"), Response.mode,
                   Response.submitted_at, Response.duration_s, Response.net_hash,
                   Response.net_prefix_hash, Response.ua_hash, Response.device_hash,
                   Response.moved_network, Response.moved_device)
            .join(Unit, Unit.id == Response.unit_id)
            .join(Group, Group.id == Response.group_id)
            .where(Response.campaign_id == campaign_id)
            .order_by(Response.id))
    # The session's connection: the scan sees the caller's transaction (also unflushed work).
    frame = pd.read_sql(stmt, db.session.connection())
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in RESPONSE_SQL_COLUMNS})
    frame["moved"] = _either(frame["moved_network"], frame["moved_device"])
    return frame.drop(columns=["moved_network", "moved_device"])


def _either(a: pd.Series, b: pd.Series) -> pd.Series:
    """moved = moved_network OR moved_device; unknown only when both are unknown."""
    a = a.astype("boolean")
    b = b.astype("boolean")
    known = a.notna() | b.notna()
    value = a.fillna(False) | b.fillna(False)
    return value.where(known, pd.NA).astype("boolean")


def load_answers(campaign_id: int) -> pd.DataFrame:
    """(response_id, item, option) of the chosen options; skipped and free-text answers
    carry no option and are left out. ``item`` and ``option`` are categoricals: a campaign
    has a few dozen codes but up to 50 million answers, and one string object per cell would
    take gigabytes (the scan codes the categories, never the rows)."""
    stmt = (select(Answer.response_id, Answer.item_code.label("item"),
                   Answer.option_code.label("option"))
            .join(Response, Response.id == Answer.response_id)
            .where(Response.campaign_id == campaign_id, Answer.option_code.is_not(None)))
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        frame = _copy_answers(conn, stmt)
    elif conn.dialect.name == "sqlite":
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        frame = _read_sqlite_answers(conn.connection.driver_connection, sql)
    else:
        frame = pd.read_sql(stmt, conn).astype(ANSWER_DTYPES)
    if frame.empty:
        return pd.DataFrame({"response_id": pd.Series(dtype="int64"), "item": pd.Series(dtype="category"),
                             "option": pd.Series(dtype="category")})
    return frame


ANSWER_DTYPES = {"response_id": "int64", "item": "category", "option": "category"}


def _read_sqlite_answers(raw, sql: str) -> pd.DataFrame:
    """SQLite: the driver's own connection (same transaction), ANSWER_CHUNK rows at a time,
    each code numbered through a dict as it arrives (C-level maps, no Python loop; pandas'
    DataFrame building and factorizing of every chunk cost about as much as the fetch itself). The
    categories are the sorted codes, as a categorical read any other way would have them."""
    cursor = raw.execute(sql)
    ids, items, options = [], [], []
    item_codes, option_codes = _Numbering(), _Numbering()
    while rows := cursor.fetchmany(ANSWER_CHUNK):
        n = len(rows)
        ids.append(np.fromiter(map(_FIRST, rows), dtype=np.int64, count=n))
        items.append(item_codes.number(map(_SECOND, rows), n))
        options.append(option_codes.number(map(_THIRD, rows), n))
        del rows
    if not ids:
        return pd.DataFrame()
    return pd.DataFrame({"response_id": np.concatenate(ids),
                         "item": item_codes.categorical(np.concatenate(items)),
                         "option": option_codes.categorical(np.concatenate(options))})


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


class _Numbering(dict):
    """Code → number in order of first appearance."""

    def __missing__(self, key):
        self[key] = number = len(self)
        return number

    def number(self, codes, n: int) -> np.ndarray:
        """The numbers of n codes, in the narrowest integer type that holds them so far (a
        campaign has a few dozen codes: one byte per answer, as its categorical will take)."""
        numbers = np.fromiter(map(self.__getitem__, codes), dtype=np.int32, count=n)
        for narrow in (np.int8, np.int16):
            if len(self) <= np.iinfo(narrow).max:
                return numbers.astype(narrow)
        return numbers

    def categorical(self, numbers: np.ndarray) -> pd.Categorical:
        labels = list(self)
        order = sorted(range(len(labels)), key=labels.__getitem__)
        renumber = np.empty(len(labels), dtype=np.int32)
        renumber[order] = np.arange(len(labels), dtype=np.int32)
        return pd.Categorical.from_codes(renumber[numbers],
                                         categories=pd.Index([labels[i] for i in order]))


def _copy_answers(conn, stmt) -> pd.DataFrame:
    """PostgreSQL: COPY … TO STDOUT parsed by pandas — several times faster than fetching
    5 million tuples through the driver. The server joins each response's answers into one
    value of CSV lines: the driver hands over a COPY row per call, and 50 million calls
    would cost about a minute of Python; 1 million do not. Text-format COPY escapes
    backslashes and control characters (\\n …), which ``codecs.escape_decode`` undoes (every
    literal backslash arrives doubled, so nothing else is decoded)."""
    import codecs
    import io

    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    quoted = "'\"' || replace({0}, '\"', '\"\"') || '\"'"
    line = f"answer.response_id || ',' || {quoted.format('answer.item')} || ',' || {quoted.format('answer.option')}"
    sql = (f"SELECT string_agg({line}, E'\\n') FROM ({sql}) AS answer GROUP BY answer.response_id")
    buf = io.BytesIO()
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY ({sql}) TO STDOUT") as copy:
            for block in copy:
                buf.write(block)
    with buf.getbuffer() as view:
        data = codecs.escape_decode(view)[0]
    buf.close()
    return pd.read_csv(io.BytesIO(data), names=["response_id", "item", "option"], header=None,
                       dtype=ANSWER_DTYPES, keep_default_na=False, na_values=[], encoding="utf-8")


def questionnaire_shapes(scheme_code: str) -> dict[str, QuestionnaireShape]:
    """The scored choice items of every questionnaire of the scheme: block = the item's
    field, top option = the option with the highest credit."""
    scheme = get_scheme(scheme_code)
    shapes = {}
    for code, questionnaire in scheme.questionnaires.items():
        items = []
        for item in questionnaire.items:
            if item.type != "choice" or not item.options:
                continue
            credited = [o for o in item.options if o.credit is not None]
            top = max(credited, key=lambda o: o.credit).code if credited else item.options[0].code
            items.append(ItemShape(item.code, item.field_code or "", tuple(o.code for o in item.options), top))
        shapes[code] = QuestionnaireShape(code, tuple(items))
    return shapes


def reminder_times(campaign_id: int) -> list[pd.Timestamp]:
    """When reminders went out: sent reminder mails and the invitations' last reminders,
    distinct to the minute (a reminder wave is one event, not thousands)."""
    sent = db.session.scalars(select(OutboxMessage.sent_at).distinct().where(
        OutboxMessage.campaign_id == campaign_id, OutboxMessage.kind == "reminder",
        OutboxMessage.sent_at.is_not(None))).all()
    last = db.session.scalars(select(Invitation.last_reminder_at).distinct().where(
        Invitation.campaign_id == campaign_id, Invitation.last_reminder_at.is_not(None))).all()
    minutes = {pd.Timestamp(t).floor("min") for t in [*sent, *last]}
    return sorted(minutes)
