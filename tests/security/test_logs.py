"""Logs carry no survey tokens (issue 12 point 6): application logging, werkzeug's development
server, and a real gunicorn started with the shipped gunicorn.conf.py."""
import logging
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.core.logredact import redact
from app.extensions import db
from app.mailing.tokens import make_token
from tests.survey.conftest import make_invitation  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
KEY = "a-production-secret-of-forty-characters!"


@pytest.mark.parametrize("line, expected", [
    ("GET /s/eyJpZCI6MX0.abc-_DEF HTTP/1.1", "GET /s/… HTTP/1.1"),
    ("POST /s/AbC.dEf?x=1 HTTP/1.1", "POST /s/…?x=1 HTTP/1.1"),
    ("/lang/en?next=/s/AbC.dEf", "/lang/en?next=/s/…"),
    ("/lang/en?next=%2Fs%2FAbC.dEf&y=2", "/lang/en?next=%2Fs%2F…&y=2"),
    ("Exception on /s/AbC.dEf [POST]", "Exception on /s/… [POST]"),
    ("GET /static/survey.js HTTP/1.1", "GET /static/survey.js HTTP/1.1"),
])
def test_redact(line, expected):
    assert redact(line) == expected


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def _invitation_token(make_invitation, app, key=None) -> str:
    invitation = make_invitation()
    if key is None:
        return make_token(invitation)
    with create_app({**app.config, "SECRET_KEY": key}).app_context():
        return make_token(invitation)


def test_application_logs_never_carry_the_token(app, make_invitation):
    token = _invitation_token(make_invitation, app)
    capture = Capture()
    logger = logging.getLogger("parsurvey.test")
    logger.addHandler(capture)
    try:
        logger.warning("opened %s", f"/s/{token}")
        logger.warning(f"Exception on /s/{token} [POST]")
        app.logger.error("next=%s", f"%2Fs%2F{token}")
    finally:
        logger.removeHandler(capture)
    assert capture.lines[:2] == ["opened /s/…", "Exception on /s/… [POST]"]
    assert all(token not in line and token.split(".")[0] not in line for line in capture.lines)


def test_development_server_log_has_no_token(app, make_invitation):
    token = _invitation_token(make_invitation, app)
    capture = Capture()
    werkzeug_log = logging.getLogger("werkzeug")
    werkzeug_log.addHandler(capture)
    old_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, create_app({**app.config, "TESTING": False}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/s/{token}", timeout=30) as reply:
            assert reply.status == 200
    finally:
        server.shutdown()
        thread.join(10)
        werkzeug_log.removeHandler(capture)
        werkzeug_log.setLevel(old_level)
    requests = [line for line in capture.lines if "GET /s/" in line]
    assert requests and all("/s/… HTTP" in line for line in requests), capture.lines
    assert not any(token in line for line in capture.lines)


def test_gunicorn_access_log_writes_the_path_without_the_token(app, make_invitation, database_url, tmp_path):
    token = _invitation_token(make_invitation, app, key=KEY)
    db.session.commit()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = {k: v for k, v in os.environ.items() if k not in ("PARSURVEY_ENV", "TEST_DATABASE_URL")}
    env.update(SECRET_KEY=KEY, MAIL_URL="smtp://127.0.0.1:2525?tls=none&sender=cchc@so.gov.vn",
               DATABASE_URL=database_url, PARSURVEY_INSTANCE=app.config["INSTANCE_DIR"])
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0",
                               "--workers", "1", "--access-logfile", str(access), "--error-logfile", str(errors),
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        port, deadline = None, time.monotonic() + 60
        while port is None:
            assert server.poll() is None, errors.read_text() if errors.exists() else server.stdout.read()
            assert time.monotonic() < deadline, "gunicorn did not start"
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", errors.read_text() if errors.exists() else "")
            port = int(found.group(1)) if found else None
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):  # the worker may still be booting
            try:
                with urllib.request.urlopen(f"{base}/s/{token}", timeout=30) as reply:
                    assert reply.status == 200 and "csrf_token" in reply.read().decode()
                break
            except ConnectionError:
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/lang/en?next=/s/{token}", timeout=30) as reply:
            assert reply.status == 200
        deadline = time.monotonic() + 30
        while access.read_text().count("\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(30)
    log = access.read_text()
    assert '"GET /s/… HTTP/1.1" 200' in log and "/lang/en?next=/s/…" in log, log
    assert token not in log and token.split(".")[0] not in log
    survey_lines = [line for line in log.splitlines() if '"GET /s/' in line]
    assert survey_lines and all(line.startswith("- ") for line in survey_lines)  # no client address either
    assert token not in errors.read_text()


def test_gunicorn_without_secret_key_refuses_to_start(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("PARSURVEY_ENV", "SECRET_KEY", "MAIL_URL",
                                                             "TEST_DATABASE_URL")}
    env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0",
                             "--workers", "1", "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stdout + result.stderr
