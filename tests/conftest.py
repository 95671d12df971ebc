"""Shared fixtures: app, client, runner, one database per run, factories, outside-mail guard.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set
(`make test` does both when it is).
"""
import io
import itertools
import os
import re
import smtplib
import socket
import tempfile
from datetime import date, timedelta

import pytest
from flask import g
from flask.testing import FlaskClient

from app import create_app
from app.core.i18n import compile_catalogs
from app.extensions import db
from config import TestConfig
from tests.browser_support import chromium_browser, inbox_server, threaded_server

LOOPBACK = ("127.", "::1", "localhost")


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    # A file, not :memory:, so that threads and subprocesses of a test see the same data.
    path = os.path.join(tempfile.mkdtemp(prefix="parsurvey-test-"), "test.db")
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_url():
    from config import _normalise_db_url

    return _normalise_db_url(_database_url())


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    compile_catalogs()
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(_config(database_url, instance))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield instance
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _config(database_url, instance):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_DIR = str(instance)
        MAIL_DEV_DIR = str(instance / "mail")
    return Config


@pytest.fixture
def app(database_url, _schema):
    app = create_app(_config(database_url, _schema))
    with app.app_context():
        yield app
        db.session.remove()
        _truncate()
        db.engine.dispose()


def _truncate():
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for t in tables:
                conn.execute(t.delete())


class RequestScopedClient(FlaskClient):
    """The test keeps one app context open for the database; each request still starts
    with an empty `g`, as in production (Flask-Login and Flask-Babel cache on `g`)."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = RequestScopedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def office():
    """LibreOffice and poppler-utils for the print tests (see tests/office_support.py)."""
    from tests.office_support import require_office

    require_office()


@pytest.fixture(autouse=True)
def _no_outside_mail(monkeypatch):
    """Fail any test that tries to reach an SMTP server that is not on loopback."""
    real_connect = smtplib.SMTP.connect

    def guarded(self, host="localhost", port=0, source_address=None):
        if not str(host).startswith(LOOPBACK):
            raise AssertionError(f"test tried to reach an outside mail server: {host}:{port}")
        return real_connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)
    real_create = socket.create_connection

    def guarded_create(address, *args, **kwargs):
        if not str(address[0]).startswith(LOOPBACK):
            raise AssertionError(f"test tried to reach the network: {address}")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded_create)


# ---------------------------------------------------------------- browser tests (tests/browser_support.py)
@pytest.fixture
def chromium():
    """Debian's headless Chromium (skips without it, fails under REQUIRE_BROWSER=1)."""
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def base_url(app):
    """The app on a loopback port in a thread, against the test database; mailed links point at it."""
    with threaded_server(app) as url:
        app.config["BASE_URL"] = url
        yield url


@pytest.fixture
def smtp_inbox():
    """(inbox, port): a loopback SMTP server keeping every parsed message, for the browser tests.
    The mail tests' server with logins and refusals is `smtp_server` (tests/mailing/conftest.py)."""
    with inbox_server() as (inbox, port):
        yield inbox, port


# ---------------------------------------------------------------- factories
@pytest.fixture
def make_campaign(app):
    """make_campaign(scheme="PAR_PROVINCE", units=[(code, name, kind)…]) -> Campaign."""
    from app.admin.services import add_unit, create_campaign

    def make(scheme="PAR_PROVINCE", units=None, year=2026, name="Kỳ đánh giá thử", **deadlines):
        today = date.today()
        campaign = create_campaign(scheme, year, name,
                                   deadlines.get("lists_by", today + timedelta(days=10)),
                                   deadlines.get("answers_by", today + timedelta(days=30)),
                                   deadlines.get("assessments_by", today + timedelta(days=40)))
        for code, uname, kind in units if units is not None else [
            ("SO_TP", "Sở Tư pháp", "department"), ("SO_NV", "Sở Nội vụ", "department"),
            ("H_DA", "UBND huyện Đông Anh", "district")]:
            add_unit(campaign, code, uname, kind)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_user(app):
    """make_user(role, units=(), email=None, password="mat-khau-thu-nghiem-1") -> User."""
    from app.auth.services import create_user

    numbers = itertools.count(1)

    def make(role="admin", units=(), email=None, password="mat-khau-thu-nghiem-1"):
        n = next(numbers)
        user = create_user(email or f"{role}{n}@example.gov.vn", role, password, units)
        db.session.commit()
        return user

    return make


def login(client, user):
    """Sign in by session (fast); the login form itself is tested in tests/web/test_auth.py."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


def xlsx_bytes(rows) -> bytes:
    """A one-sheet .xlsx holding `rows` (openpyxl, as an office suite would write it)."""
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csrf_token(client, path="/") -> str:
    """A valid CSRF token for this client's session, read from a rendered page."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def as_role(client, make_user):
    """as_role("focal", units=["SO_TP"]) -> the signed-in user (on the `client`)."""

    def sign_in(role, units=()):
        user = make_user(role, units)
        login(client, user)
        return user

    return sign_in


@pytest.fixture(scope="module")
def _seeded_rows():
    return {}


@pytest.fixture
def seeded(app, _seeded_rows):
    """seeded(key, build) -> build()'s namespace, built once per test module and given back to each test.

    The module's first test that asks for `key` runs build() (which commits) and keeps its rows;
    the other tests get the same rows put back and fresh objects (tests/snapshot.py). Ask before
    the test writes anything: the rows go back into the empty database."""
    from tests import snapshot

    def get(key, build):
        if key in _seeded_rows:
            snapshot.restore(_seeded_rows[key][0])
        else:
            world = build()
            db.session.commit()
            _seeded_rows[key] = (snapshot.take(), snapshot.recipe(world))
        db.session.expire_all()
        return snapshot.load(_seeded_rows[key][1])

    return get


# ---------------------------------------------------------------- sealed answer sheets
def release_all() -> int:
    """Release every sealed answer sheet into `responses` now (shuffled, own transaction, commits).

    Submissions are sealed and released later by the job runner (app/survey/sealing.py); a test
    that submits answers and then reads `responses` calls this first."""
    from app.survey.sealing import release_sealed

    db.session.commit()
    return release_sealed(force=True)


@pytest.fixture
def release(app):
    """release() -> number of sheets moved from `sealed_answers` into `responses`."""
    return release_all
