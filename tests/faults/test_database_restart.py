"""PostgreSQL "restarted" in the middle of a burst of submissions against a live server.

A restart is, to the application's pool, every backend connection of the database dying at
once. We never restart the shared cluster: an admin connection terminates the backends of the
test database only (pg_terminate_backend), once deterministically inside chosen submissions
(just before the answer sheet is written, after the invitation row was claimed) and once for
the whole database in the middle of the burst.

What must hold: a client that saw the thank-you page has its answer stored; the others got the
Vietnamese error page (no stack trace) and succeed when they send the form again; responses ==
answered invitations == successful submits; no invitation answered twice; the app recovers.
"""
import http.client
import re
import threading
import urllib.parse

import psycopg
import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Invitation, Response
from tests.conftest import release_all

pytestmark = pytest.mark.postgres_only

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
KILL_ALL = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def _libpq_url(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


class Respondent:
    """One browser: opens the form (session cookie + CSRF token), then posts the answers."""

    def __init__(self, base: str, link: str, sheet: dict):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.link, self.sheet, self.cookies = parts.hostname, parts.port, link, sheet, {}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            page = resp.read().decode()
            for header in resp.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, resp.getheader("Location"), page
        finally:
            conn.close()

    def open(self):
        status, _, page = self.request("GET", self.link)
        assert status == 200, status
        self.body = urllib.parse.urlencode({**self.sheet, "csrf_token": CSRF_RE.search(page).group(1),
                                            "action": "submit"})

    def submit(self):
        """(succeeded, status, page): success = the 303 to the link, which then shows the thanks."""
        status, location, page = self.request("POST", self.link, self.body)
        if status == 303:
            status, _, page = self.request("GET", urllib.parse.urlsplit(location).path)
            return status == 200 and "csrf_token" not in page, status, page
        # Sending again a sheet that was stored meanwhile shows the thank-you page (200, no form).
        return status == 200 and "csrf_token" not in page, status, page


def _sheet(questionnaire) -> dict:
    return {f"q_{i.code}": i.options[0].code for i in questionnaire.items if i.type == "choice"}


def test_submissions_survive_a_database_restart_mid_burst(app, database_url, live_server, invitations):
    links, questionnaire = invitations(40)
    base, server_app = live_server()
    admin = psycopg.connect(_libpq_url(database_url), autocommit=True)
    killed_inside, kill_lock = [], threading.Lock()

    def kill_my_backend(conn, cursor, statement, parameters, context, executemany):
        # Deterministic part: the first three sheets lose their backend right after the
        # invitation row was claimed, before the sealed answers are written.
        if statement.startswith("INSERT INTO sealed_answers"):
            with kill_lock:
                if len(killed_inside) >= 3:
                    return
                killed_inside.append(conn.connection.dbapi_connection.info.backend_pid)
            admin.execute("SELECT pg_terminate_backend(%s)", (killed_inside[-1],))

    with server_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", kill_my_backend)
    clients = [Respondent(base, link, _sheet(questionnaire)) for _, link in links]
    for c in clients:
        c.open()
    db.session.remove()  # the test's own connection goes back to the pool before the "restart"

    outcomes, started = {}, threading.Barrier(len(clients) + 1)

    def submit(i, client):
        started.wait()
        outcomes[i] = client.submit()

    threads = [threading.Thread(target=submit, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    started.wait()
    # The restart itself: every backend of the test database, while the burst is in flight.
    while len(outcomes) < len(clients) // 3:
        threading.Event().wait(0.005)
    terminated = admin.execute(KILL_ALL).fetchone()[0]
    for t in threads:
        t.join(60)
    event.remove(engine, "before_cursor_execute", kill_my_backend)

    ok = [i for i, (succeeded, _, _) in outcomes.items() if succeeded]
    failed = [i for i in outcomes if i not in ok]
    assert len(killed_inside) == 3 and len(failed) >= 3, (killed_inside, terminated, failed)
    for i in failed:  # the error page, in Vietnamese, without internals
        _, status, page = outcomes[i]
        assert status == 500, status
        assert "Lỗi hệ thống" in page and "Dữ liệu của bạn chưa bị thay đổi" in page
        assert "Traceback" not in page and "psycopg" not in page and "OperationalError" not in page

    answered = set(db.session.scalars(select(Invitation.id).where(Invitation.answered_on.is_not(None))))
    assert {links[i][0] for i in ok} <= answered  # whoever saw the thanks has the answer stored
    release_all()  # sealed at submission, released later by the job runner (app/survey/sealing.py)
    assert db.session.scalar(select(func.count()).select_from(Response)) == len(answered)

    # The app recovered (pool_pre_ping replaced the dead connections): the others send again.
    status, _, _ = clients[0].request("GET", "/healthz")
    assert status == 200
    for i in failed:
        succeeded, status, _ = clients[i].submit()
        assert succeeded, status
    release_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == len(clients)
    assert db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.answered_on.is_not(None))) == len(clients)
    # Nothing doubled: one response per invitation, per unit and group as invited.
    per_unit = dict(db.session.execute(select(Response.unit_id, func.count()).group_by(Response.unit_id)).all())
    invited = dict(db.session.execute(select(Invitation.unit_id, func.count()).group_by(Invitation.unit_id)).all())
    assert per_unit == invited
    admin.close()
