"""Progress counters, kept by database triggers in the transaction that changes an invitation.

Why: the dashboard of a 1 000 000-invitation campaign must answer in ≤ 300 ms (DESIGN.md §7);
a GROUP BY over the invitations takes ~0.7 s on PostgreSQL and ~1.6 s on SQLite. Triggers (not
ORM events) see every writer — the mail workers' bulk updates, the survey form, imports — so the
counters cannot drift. The definitions (listed in app/progress/services.py) are written once, as
SQL, in invitation_vector(); recount() sums the same expressions. Revoked invitations are left out.

PostgreSQL uses statement-level triggers with transition tables (one delta per counter row and
statement); SQLite keeps row triggers (no statement triggers, and no slowdown on rows updated
many times in one transaction), which the bulk paths (imports, list deletes, invitation
creation and queueing) set aside for one delta per batch with the same SQL: counted_in_batch().
One definition: _apply() writes the per-set delta for the PostgreSQL triggers and the SQLite
batches; the SQLite row triggers and recount() use invitation_vector(); tests/progress/
test_counter_paths.py and test_concurrent_counters.py check all of them against recount().

The triggers are created with the tables (create_all) and by the initial migration, which carries
a frozen copy of trigger_statements() (tools/regen_migration.py writes it, tests/test_migrations.py
checks it against this module: a migration must go on creating what it created when it was
written, so it does not import this module); a batch ALTER of `invitations` or `respondents` on
SQLite recreates the table and must call install_triggers() again.
"""
from contextlib import contextmanager
from datetime import date

from sqlalchemy import ForeignKey, bindparam, event, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model
from .mailing import Invitation
from .respondents import Respondent


class ProgressCounter(Model):
    """Figures of one (assessed unit, group); `listed` counts respondents by their list's unit."""

    __tablename__ = "progress_counters"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    listed: Mapped[int] = mapped_column(default=0)
    invitations: Mapped[int] = mapped_column(default=0)
    invited: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    opened: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    reminders: Mapped[int] = mapped_column(default=0)


class DailyAnswerCounter(Model):
    """Invitations answered per assessed unit and day (the dashboard's chart)."""

    __tablename__ = "progress_daily_answers"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)


COUNTED = ("invitations", "invited", "delivered", "failed", "opened", "answered", "reminders")


def invitation_vector(row: str) -> list[str]:
    """SQL expressions of one invitation row's contribution to each counter (row = NEW or OLD)."""
    live = f"{row}.revoked_at IS NULL"
    return [
        f"CASE WHEN {live} THEN 1 ELSE 0 END",
        # Respondents without e-mail (interviewed by enumerators) count as invited once they have an invitation.
        f"CASE WHEN {live} AND ({row}.status IN ('queued','sent','failed','bounced') OR {row}.sent_at IS NOT NULL "
        f"OR EXISTS (SELECT 1 FROM respondents r WHERE r.id = {row}.respondent_id AND r.email IS NULL)) "
        "THEN 1 ELSE 0 END",
        f"CASE WHEN {live} AND {row}.status = 'sent' THEN 1 ELSE 0 END",
        f"CASE WHEN {live} AND {row}.status IN ('failed','bounced') THEN 1 ELSE 0 END",
        f"CASE WHEN {live} AND {row}.opened_on IS NOT NULL THEN 1 ELSE 0 END",
        f"CASE WHEN {live} AND {row}.answered_on IS NOT NULL THEN 1 ELSE 0 END",
        f"CASE WHEN {live} THEN {row}.reminder_count ELSE 0 END",
    ]


def _add_invitation(row: str) -> list[str]:
    cols = ", ".join(COUNTED)
    values = ", ".join(invitation_vector(row))
    sets = ", ".join(f"{c} = progress_counters.{c} + excluded.{c}" for c in COUNTED)
    return [
        f"INSERT INTO progress_counters (campaign_id, unit_id, group_id, listed, {cols}) "
        f"VALUES ({row}.campaign_id, {row}.unit_id, {row}.group_id, 0, {values}) "
        f"ON CONFLICT (campaign_id, unit_id, group_id) DO UPDATE SET {sets}",
        f"INSERT INTO progress_daily_answers (campaign_id, unit_id, day, answered) "
        f"SELECT {row}.campaign_id, {row}.unit_id, {row}.answered_on, 1 "
        f"WHERE {row}.answered_on IS NOT NULL AND {row}.revoked_at IS NULL "
        f"ON CONFLICT (campaign_id, unit_id, day) DO UPDATE SET answered = progress_daily_answers.answered + 1",
    ]


def _remove_invitation(row: str) -> list[str]:
    # Plain UPDATEs: during a cascade delete the counter row may already be gone, and must stay gone.
    sets = ", ".join(f"{c} = {c} - ({v})" for c, v in zip(COUNTED, invitation_vector(row)))
    return [
        f"UPDATE progress_counters SET {sets} WHERE campaign_id = {row}.campaign_id "
        f"AND unit_id = {row}.unit_id AND group_id = {row}.group_id",
        f"UPDATE progress_daily_answers SET answered = answered - 1 WHERE {row}.answered_on IS NOT NULL "
        f"AND {row}.revoked_at IS NULL AND campaign_id = {row}.campaign_id AND unit_id = {row}.unit_id "
        f"AND day = {row}.answered_on",
    ]


def _add_respondent(row: str) -> list[str]:
    return [f"INSERT INTO progress_counters (campaign_id, unit_id, group_id, listed, {', '.join(COUNTED)}) "
            f"VALUES ({row}.campaign_id, {row}.unit_id, {row}.group_id, 1, {', '.join('0' * len(COUNTED))}) "
            "ON CONFLICT (campaign_id, unit_id, group_id) DO UPDATE SET listed = progress_counters.listed + 1"]


def _remove_respondent(row: str) -> list[str]:
    return [f"UPDATE progress_counters SET listed = listed - 1 WHERE campaign_id = {row}.campaign_id "
            f"AND unit_id = {row}.unit_id AND group_id = {row}.group_id"]


INVITATION_COLUMNS = "campaign_id, respondent_id, unit_id, group_id, status, sent_at, opened_on, answered_on, reminder_count, revoked_at"
RESPONDENT_COLUMNS = "campaign_id, unit_id, group_id"


#: What each counted table contributes per row: (SQL values over alias t, counter columns, daily answers too).
_CONTRIBUTIONS = {
    "invitations": (invitation_vector("t"), COUNTED, True),
    "respondents": (["1"], ("listed",), False),
}

def _sqlite_triggers() -> dict[str, list[tuple[str, str]]]:
    """Table -> its row triggers as (name, CREATE statement)."""
    def trig(name, when, table, body):
        return name, (f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {when} ON {table} FOR EACH ROW BEGIN "
                      + "; ".join(body) + "; END")
    return {
        "invitations": [
            trig("trg_progress_inv_ins", "INSERT", "invitations", _add_invitation("NEW")),
            trig("trg_progress_inv_del", "DELETE", "invitations", _remove_invitation("OLD")),
            trig("trg_progress_inv_upd", f"UPDATE OF {INVITATION_COLUMNS}", "invitations",
                 _remove_invitation("OLD") + _add_invitation("NEW")),
        ],
        "respondents": [
            trig("trg_progress_resp_ins", "INSERT", "respondents", _add_respondent("NEW")),
            trig("trg_progress_resp_del", "DELETE", "respondents", _remove_respondent("OLD")),
            trig("trg_progress_resp_upd", f"UPDATE OF {RESPONDENT_COLUMNS}", "respondents",
                 _remove_respondent("OLD") + _add_respondent("NEW")),
        ],
    }


def _sqlite_statements() -> list[str]:
    return [sql for triggers in _sqlite_triggers().values() for _name, sql in triggers]


def _apply(rows: str, sign: str, values: list[str], names: tuple[str, ...], daily: bool = False,
           lock: bool = True) -> list[str]:
    """Statements adding (sign '+': upsert) or removing (sign '-': UPDATE only, as row triggers did —
    during a cascade delete the counter row may already be gone, and must stay gone) the summed
    contribution of a set of rows, one delta per key. On PostgreSQL the counter rows are locked in
    key order first, so concurrent statements touching several keys cannot deadlock on each other
    (SQLite has one writer: no lock)."""
    if daily:
        key, table = ("campaign_id", "unit_id", "day"), "progress_daily_answers"
        source = (f"SELECT t.campaign_id, t.unit_id, t.answered_on AS day, count(*) AS answered FROM ({rows}) t "
                  "WHERE t.answered_on IS NOT NULL AND t.revoked_at IS NULL GROUP BY 1, 2, 3")
    else:
        key, table = ("campaign_id", "unit_id", "group_id"), "progress_counters"
        sums = ", ".join(f"sum({v}) AS {n}" for v, n in zip(values, names))
        source = f"SELECT t.campaign_id, t.unit_id, t.group_id, {sums} FROM ({rows}) t GROUP BY 1, 2, 3"
    on = " AND ".join(f"c.{k} = d.{k}" for k in key)
    keys = (f"SELECT DISTINCT t.campaign_id, t.unit_id, t.{'answered_on AS day' if daily else 'group_id'} "
            f"FROM ({rows}) t" + (" WHERE t.answered_on IS NOT NULL" if daily else ""))
    locks = [f"PERFORM 1 FROM {table} c JOIN ({keys}) d ON {on} "
             f"ORDER BY {', '.join('c.' + k for k in key)} FOR UPDATE OF c"] if lock else []
    if sign == "-":
        sets = ", ".join(f"{n} = c.{n} - d.{n}" for n in names)
        return locks + [f"UPDATE {table} AS c SET {sets} FROM ({source}) d WHERE {on}"]
    cols = ", ".join(key + names)
    zeros = "".join(f", 0 AS {c}" for c in ("listed",) + COUNTED if c not in names) if not daily else ""
    extra = ", ".join(c for c in ("listed",) + COUNTED if c not in names) if not daily else ""
    sets = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    # "WHERE true": SQLite's parser needs it between an INSERT … SELECT and its ON CONFLICT.
    return locks + [f"INSERT INTO {table} ({cols}{', ' + extra if extra else ''}) "
                    f"SELECT d.*{zeros} FROM ({source}) d WHERE true ORDER BY {', '.join(key)} "
                    f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"]


def _apply_all(rows: str, sign: str, table: str, lock: bool = True) -> list[str]:
    """Every counter statement for a set of rows of `table` (its counter rows and daily answers)."""
    values, names, daily = _CONTRIBUTIONS[table]
    out = _apply(rows, sign, values, names, lock=lock)
    if daily:
        out += _apply(rows, sign, values, ("answered",), daily=True, lock=lock)
    return out


def _pg_function(name: str, table: str) -> str:
    """One plpgsql function for the three statement triggers of a table (TG_OP picks the branch).

    An UPDATE removes what the old rows counted and adds what the new rows count, as the row
    triggers did. (Joining old and new rows to skip unchanged ones is not cheaper: transition
    tables have no index and no statistics, and the planner chose nested loops — quadratic.)"""
    old, new = "SELECT * FROM old_rows", "SELECT * FROM new_rows"
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'INSERT' THEN " + "; ".join(_apply_all(new, "+", table)) + "; "
            "ELSIF TG_OP = 'DELETE' THEN " + "; ".join(_apply_all(old, "-", table)) + "; "
            "ELSE " + "; ".join(_apply_all(old, "-", table) + _apply_all(new, "+", table)) + "; END IF; "
            "RETURN NULL; END $$")


def _pg_triggers(table: str, function: str) -> list[str]:
    # PostgreSQL: a trigger with transition tables has one event and no column list.
    out = []
    for event_name, refs in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                             ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
        name = f"trg_{function}_{event_name.lower()}"
        out += [f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {event_name} ON {table} REFERENCING {refs} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"]
    return out


def _postgresql_statements() -> list[str]:
    """Statement-level triggers: one delta per (campaign, unit, group) and per (campaign, unit, day)
    per statement. Row triggers updated one counter row once per changed row, and PostgreSQL slows
    down on each further update of a row already updated in the transaction (quadratic imports)."""
    return [
        _pg_function("progress_invitation_counts", "invitations"),
        _pg_function("progress_respondent_counts", "respondents"),
        *_pg_triggers("invitations", "progress_invitation_counts"),
        *_pg_triggers("respondents", "progress_respondent_counts"),
    ]


_PAUSED = "progress_counters_paused"


@contextmanager
def counted_in_batch(conn, table: str, where: str, **params):
    """Bulk work on the rows of `table` selected by `where` (SQL over its columns, :params bound;
    a list parameter expands to an IN list), counted as one delta per counter row.

    PostgreSQL: nothing to do — its statement triggers already count one delta per statement.
    SQLite: invoking a row trigger costs more than the row's own insert (100 000 respondents:
    0.8 s without, 5.2 s with; a WHEN clause that skips the body saves little), so the table's
    row triggers are dropped for the block inside the caller's transaction and created again at
    its end; the selected rows' contribution is subtracted before the block and added after it,
    with the SQL the PostgreSQL triggers use. Exact for inserts (select the new rows, e.g. by id
    above the old maximum), deletes and updates, provided the block changes counted columns only
    of selected rows and `where` selects the same rows before and after — also when the block
    fails half-way, since the "after" runs in `finally`. Other connections never see the triggers
    missing: SQLite's DDL is transactional and SQLite has one writer, so nobody else can write
    the table meanwhile; a rolled-back transaction brings the triggers back with it."""
    if conn.dialect.name != "sqlite":
        yield
        return
    params = {k: list(v) if isinstance(v, (list, tuple, set)) else v for k, v in params.items()}
    expanding = [bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list)]

    def run(sign: str) -> None:
        for statement in _apply_all(f"SELECT * FROM {table} WHERE {where}", sign, table, lock=False):
            conn.execute(text(statement).bindparams(*expanding), params)

    paused = conn.info.setdefault(_PAUSED, {})
    depth = paused.get(table, 0)
    run("-")  # a write: the driver has opened the transaction, so the DROP below is part of it
    if not depth:
        assert conn.connection.driver_connection.in_transaction
        for name, _sql in _sqlite_triggers()[table]:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    paused[table] = depth + 1
    try:
        yield
    finally:
        paused[table] = depth
        if not depth:
            for _name, sql in _sqlite_triggers()[table]:
                conn.exec_driver_sql(sql)
        run("+")


def trigger_statements(dialect: str) -> list[str]:
    return _postgresql_statements() if dialect == "postgresql" else _sqlite_statements()


def install_triggers(bind) -> None:
    """Create (or replace) the counter triggers; called after create_all."""
    for statement in trigger_statements(bind.dialect.name):
        bind.execute(text(statement))


def drop_statements(dialect: str) -> list[str]:
    """For the migration's downgrade (the triggers go with their tables; PostgreSQL keeps functions)."""
    if dialect != "postgresql":
        return []
    return [f"DROP FUNCTION IF EXISTS {name}() CASCADE"
            for name in ("progress_invitation_counts", "progress_respondent_counts")]


def _after_create(target, connection, **kw) -> None:
    # The counters table is created after invitations and respondents exist (it is the later
    # dependency of neither), so create the triggers once the last of the three is there.
    existing = set(connection.dialect.get_table_names(connection))
    if {t.name for t in _TRIGGER_TABLES} <= existing | {target.name}:
        install_triggers(connection)


_TRIGGER_TABLES = (Invitation.__table__, Respondent.__table__, ProgressCounter.__table__, DailyAnswerCounter.__table__)
for _table in _TRIGGER_TABLES:
    event.listen(_table, "after_create", _after_create)
