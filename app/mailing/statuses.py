"""How the outbox worker records what the SMTP server accepted: in groups, on a connection of
its own, off the sending thread (the crash bound is explained in app/mailing/outbox.py).
"""
import select
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from flask import current_app
from psycopg import pq
from sqlalchemy import DateTime, bindparam, text

from app.extensions import db
from app.models import utcnow

GROUP = 10  #: accepted messages recorded 'sent' in one statement and one commit
INVITATION_GROUP = 200  #: messages whose invitations are marked 'sent' in one statement

# The hot path, in two steps:
# 1. every GROUP accepted messages: their outbox rows become 'sent' (the durable record; the row
#    keeps claimed_by = the worker, meaning "its invitations are not marked yet");
# 2. once INVITATION_GROUP recorded messages have gathered (rows whose group is committed) and
#    at the end of a batch: their invitations become 'sent' in one statement (the counters'
#    trigger — one run per statement on PostgreSQL, one per row on SQLite — is the costly part)
#    and claimed_by is cleared, in one transaction. On PostgreSQL this runs on a thread and
#    connection of its own, not waited for by the sending thread (only by the end of the batch
#    and before a refusal or retry is written); on SQLite (one writer) on the status thread.
# A worker that dies between the two leaves 'sent' rows still claimed: claims.reclaim_stale() marks
# their invitations after the lease. Nothing is sent again for them.
# Step 1 runs every GROUP messages on the status thread, whose Python time competes for the GIL
# with the sending thread: it is driver SQL (no compilation, no per-parameter type processing),
# its parameters already in the driver's form. Step 2 (every INVITATION_GROUP) stays SQLAlchemy text.
_SENT = ("UPDATE outbox_messages SET status = 'sent', sent_at = ?, smtp_code = 250, message_id = ?, "
         "last_error = NULL, attempts = attempts + 1 "
         "WHERE id = ? AND status = 'sending' AND claimed_by = ?")
#: PostgreSQL: the whole group in one statement, one round trip, atomic on an autocommit
#: connection. unnest() of arrays (not json_to_recordset, which the planner takes for 100 rows
#: and answers with a scan of every 'sending' row); the arrays go as literals, built here more
#: cheaply than the driver adapts three Python lists.
_SENT_PG = ("UPDATE outbox_messages AS o SET status = 'sent', sent_at = g.sent_at, smtp_code = 250, message_id = g.mid, "
            "last_error = NULL, attempts = o.attempts + 1 "
            "FROM unnest(CAST(%s AS bigint[]), CAST(%s AS text[]), CAST(%s AS timestamp[])) AS g(id, mid, sent_at) "
            "WHERE o.id = g.id AND o.status = 'sending' AND o.claimed_by = %s")


def _pg_array(values) -> str:
    """A PostgreSQL array literal of strings, every element quoted."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


_INVITATIONS_SENT = text("UPDATE invitations SET status = 'sent', sent_at = :now, last_error = NULL "
                         "WHERE id IN :ids AND status = 'queued'"
                         ).bindparams(bindparam("now", type_=DateTime()), bindparam("ids", expanding=True))
_LINKED = text("UPDATE outbox_messages SET claimed_by = NULL WHERE id IN :ids AND status = 'sent' AND claimed_by = :worker"
               ).bindparams(bindparam("ids", expanding=True))
_LINKED_PG = text(
    "WITH linked AS (UPDATE outbox_messages SET claimed_by = NULL "
    "WHERE id = ANY(CAST(:ids AS bigint[])) AND status = 'sent' AND claimed_by = :worker) "
    "UPDATE invitations SET status = 'sent', sent_at = :now, last_error = NULL "
    "WHERE id = ANY(CAST(:invitation_ids AS bigint[])) AND status = 'queued'").bindparams(bindparam("now", type_=DateTime()))


def _sent_pg_params(accepted: list, worker: str) -> tuple[str, str, str, str]:
    return ("{" + ",".join(str(row.id) for row, _at, _mid in accepted) + "}",
            _pg_array(mid[:255] for _row, _at, mid in accepted),
            _pg_array(at.isoformat() for _row, at, _mid in accepted), worker)


def _mark_sent(conn, accepted: list, worker: str) -> None:
    """Step 1 for one group of accepted messages — [(row, sent_at, message_id)] — in one transaction."""
    if not accepted:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_SENT_PG, _sent_pg_params(accepted, worker))
    else:  # the text form SQLAlchemy stores a DateTime in on SQLite
        conn.exec_driver_sql(_SENT, [(at.isoformat(" ", "microseconds"), mid[:255], row.id, worker)
                                     for row, at, mid in accepted])
    conn.commit()


#: _SENT_PG with libpq's numbered parameters, for _SentGroup.
_SENT_PG_NATIVE = "".join(part + (f"${i + 1}" if i < 4 else "")
                          for i, part in enumerate(_SENT_PG.split("%s"))).encode()


class StatusWriteFailed(Exception):
    """The database refused a group's status statement (its message)."""


class _SentGroup:
    """PostgreSQL: one group's statement handed to the server on the autocommitted group connection
    through libpq's asynchronous query interface, from the sending thread, without waiting;
    result() waits for it (by then the server has long finished: ten SMTP exchanges have passed).
    No status thread: its GIL hand-offs cost the sending thread more than the statement."""

    def __init__(self, conn, accepted: list, worker: str):
        self.pgconn = conn.connection.driver_connection.pgconn
        self.pgconn.send_query_params(_SENT_PG_NATIVE, [p.encode() for p in _sent_pg_params(accepted, worker)])

    def result(self) -> None:
        pgconn = self.pgconn
        pgconn.consume_input()
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [])  # the GIL is free meanwhile
            pgconn.consume_input()
        error = None
        while (res := pgconn.get_result()) is not None:  # every result, so the connection is idle after
            if res.status != pq.ExecStatus.COMMAND_OK and error is None:
                error = (res.error_message or b"").decode("utf-8", "replace").strip()
        if error is not None:
            raise StatusWriteFailed(error)


def link_invitations(conn, rows: list, worker, now: datetime) -> None:
    """Step 2: the invitations of these 'sent' rows become 'sent' (one statement), the rows are
    released. The caller commits."""
    if not rows:
        return
    ids = [row.id for row in rows]
    invitation_ids = [i for row in rows if row.kind == "invitation" for i in row.invitation_ids or ()]
    if conn.dialect.name == "postgresql":
        conn.execute(_LINKED_PG, {"ids": ids, "worker": worker, "now": now, "invitation_ids": invitation_ids})
    else:
        conn.execute(_LINKED, {"ids": ids, "worker": worker})
        if invitation_ids:
            conn.execute(_INVITATIONS_SENT, {"now": now, "ids": invitation_ids})


def _link(conn, rows: list, worker: str) -> None:
    link_invitations(conn, rows, worker, utcnow())
    conn.commit()


def status_connection():
    """A dedicated connection for the status commits of one batch (groups, refusals, retries).

    SQLite: WAL with synchronous=NORMAL on this connection, so a status commit does not fsync.
    A killed process loses nothing committed (the WAL is in the OS already); only a power cut
    could lose the last statuses, which the lease then resends — the documented duplicate case.

    PostgreSQL: synchronous_commit=off on this connection only, so a status commit does not wait
    for the WAL flush. Same trade-off: a worker that dies loses nothing it committed (the server
    has it); only a crash of PostgreSQL itself could lose the last few status writes (at most
    ~3 × wal_writer_delay), and those rows are resent after the lease — duplicates of mails the
    server already accepted, never a lost one."""
    conn = db.engine.connect()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        conn.commit()
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET synchronous_commit = off")
        conn.commit()
    return conn


def close_status_connection(conn) -> None:
    # The setting is per session and the connection goes back to the pool: give it back as found.
    try:
        if conn.dialect.name == "postgresql" and not conn.invalidated:
            conn.rollback()
            conn.exec_driver_sql("RESET synchronous_commit")
            conn.commit()
    except Exception:  # a broken connection (the group statements bypass SQLAlchemy): not back to the pool
        current_app.logger.warning("outbox: a status connection could not be reset; discarded", exc_info=True)
        conn.invalidate()
    finally:
        conn.close()


class Recorder:
    """Writes the statuses of one drain (or one batch) on its own connection(s), opened at first use.

    Accepted messages are collected in groups of GROUP; a full group is committed by a
    background thread while the next group is being sent, and the next group waits for it — so
    at most two groups (≤ RESEND_BOUND messages) are ever accepted and not yet committed. At the
    end of a batch of a drain the group being collected is handed over as it is (flush), without
    waiting; the drain's end writes the rest (finish).
    Once INVITATION_GROUP messages are committed, their invitations are marked (link_invitations):
    on PostgreSQL by a thread and connection of their own, which the sending thread does not
    wait for (the counters' statement trigger is the slow part); on SQLite (one writer) on the
    status thread, between two groups. Refusals, retries and releases are written at once,
    after the group and the invitations being written."""

    def __init__(self, worker: str):
        self.worker, self.group, self.committing, self.unlinked = worker, [], [], []
        self.writing = self.linking = self.conn = None

    def _open(self):
        if self.conn is None:
            self.conn = status_connection()
            self.group_conn = self.link_conn = self.conn
            self.thread = self.link_thread = ThreadPoolExecutor(1, thread_name_prefix="outbox-status")
            if self.conn.dialect.name == "postgresql":  # one autocommitted statement per step
                self.group_conn = status_connection().execution_options(isolation_level="AUTOCOMMIT")
                self.link_conn = status_connection().execution_options(isolation_level="AUTOCOMMIT")
                self.link_thread = ThreadPoolExecutor(1, thread_name_prefix="outbox-links")
        return self.conn

    def accepted(self, row, message_id: str) -> None:
        self.group.append((row, utcnow(), message_id))
        if len(self.group) >= GROUP:
            self._submit()

    def flush(self) -> None:
        """Hand the group being collected over to the status thread as it is, without waiting."""
        if self.group:
            self._submit()

    def _submit(self) -> None:
        self._open()
        self._group_settled()
        if len(self.unlinked) >= INVITATION_GROUP:
            self._link()
        group, self.group = self.group, []
        self.committing = [row for row, _at, _mid in group]
        if self.group_conn is not self.conn:  # PostgreSQL
            self.writing = _SentGroup(self.group_conn, group, self.worker)
        else:
            self.writing = self.thread.submit(_mark_sent, self.group_conn, group, self.worker)

    def _group_settled(self) -> None:
        """Wait for the group being written; its rows then await their invitations' marking."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()
        self.unlinked += self.committing
        self.committing = []

    def _links_settled(self) -> None:
        if self.linking is not None:
            linking, self.linking = self.linking, None
            linking.result()

    def _link(self) -> None:
        """Mark the invitations of the recorded rows, in the background (rows committed 'sent' only)."""
        self._links_settled()  # the previous marking, 200 messages ago
        rows, self.unlinked = self.unlinked, []
        self.linking = self.link_thread.submit(_link, self.link_conn, rows, self.worker)

    def settle(self) -> None:
        """Wait until the group and the invitations being written are committed (their error is raised here)."""
        try:
            self._group_settled()
        finally:
            self._links_settled()

    def settled(self):
        """The connection, once the group and the invitations being written are committed."""
        self.settle()
        return self._open()

    def finish(self) -> None:
        """Write everything accepted and not yet recorded, and mark its invitations; waits."""
        self.settle()
        group, self.group = self.group, []
        rows, self.unlinked = self.unlinked + [row for row, _at, _mid in group], []
        if rows:
            self._open()
            _mark_sent(self.group_conn, group, self.worker)
            _link(self.link_conn, rows, self.worker)

    def after_error(self) -> None:
        """An exception mid-batch (not a kill): still record what the server has accepted, so that
        only the message in flight may go out twice. If the database is what failed, the lease
        resends the unrecorded groups — within the crash bound."""
        try:
            self.settle()
        except Exception:
            current_app.logger.warning("outbox: a group of accepted messages was not recorded", exc_info=True)
        self.committing = []  # a group whose write failed is not 'sent': its invitations are not marked
        try:
            if self.conn is not None:
                for conn in {id(c): c for c in (self.group_conn, self.link_conn)}.values():
                    conn.rollback()
            self.finish()
        except Exception:  # the original exception is the one to report
            current_app.logger.warning("outbox: %d accepted messages not recorded; they are resent after the lease",
                                       len(self.group), exc_info=True)

    def close(self) -> None:
        if self.conn is None:
            return
        self.thread.shutdown(wait=True)
        self.link_thread.shutdown(wait=True)
        for conn in (self.link_conn, self.group_conn):
            if conn is not self.conn:
                close_status_connection(conn)
        close_status_connection(self.conn)
        self.conn = None
