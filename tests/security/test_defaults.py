"""Safe defaults (issue 12 point 7): production unless development is asked for, sessions that
end on the server, same-site `next=` only, one answer and one hash for every failed login, staff
passwords of 12+ characters not in the common list, the development mailbox in development only."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import create_app
from app.auth import services as auth_services
from app.auth.services import AccountError, create_user
from app.core.redirects import safe_next
from app.extensions import db
from app.models import User
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-thu-nghiem-1"


# ------------------------------------------------------------------ production unless asked
def _start(env_extra: dict, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PARSURVEY_ENV", "SECRET_KEY", "MAIL_URL", "TEST_DATABASE_URL")}
    env.update({"DATABASE_URL": database_url, **env_extra})
    return subprocess.run([sys.executable, "-c", "import wsgi; print('started', wsgi.app.config['DEVELOPMENT'])"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_without_environment_the_app_refuses_to_start(database_url):
    """`gunicorn wsgi:app` with no environment: production rules, no constant key from the source."""
    result = _start({}, database_url)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_production_refuses_without_mail_url(database_url):
    result = _start({"SECRET_KEY": "x" * 40}, database_url)
    assert result.returncode != 0 and "MAIL_URL is not set" in result.stderr
    ok = _start({"SECRET_KEY": "x" * 40, "MAIL_URL": "smtp://127.0.0.1:2525?tls=none&sender=a@b.vn"}, database_url)
    assert ok.returncode == 0 and "started False" in ok.stdout, ok.stderr


def test_development_is_an_explicit_choice(database_url):
    result = _start({"PARSURVEY_ENV": "development"}, database_url)
    assert result.returncode == 0 and "started True" in result.stdout, result.stderr


def test_make_run_seed_and_migrate_ask_for_development():
    """The README's `make run` must work from a clean clone: every flask command of run, seed and
    migrate carries PARSURVEY_ENV=development (dry run: nothing is executed)."""
    out = subprocess.run(["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    flask_lines = [line for line in out.splitlines() if "flask --app wsgi" in line]
    assert len(flask_lines) >= 4  # db upgrade, demo seed, jobs run, run
    assert all("PARSURVEY_ENV=development" in line for line in flask_lines), flask_lines


# ------------------------------------------------------------------ sessions end on the server
def _form_login(client, user, password=PASSWORD):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_an_old_cookie_replayed_after_logout_is_refused(client, make_user):
    user = make_user("admin")
    _form_login(client, user)
    stolen = _session_cookie(client)
    assert client.get("/admin/users").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    client.set_cookie("session", stolen)  # the attacker's copy of the cookie from before logout
    replay = client.get("/admin/users")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    _form_login(client, user)  # a new login works and gets a new session version
    assert client.get("/admin/users").status_code == 200


def test_a_password_change_ends_other_sessions(client, make_user):
    user = make_user("admin")
    _form_login(client, user)
    assert client.get("/admin/users").status_code == 200
    db.session.get(User, user.id).set_password("mot-cum-tu-moi-rat-dai")
    db.session.commit()
    assert client.get("/admin/users").status_code == 302


def test_a_bare_user_id_session_of_the_old_format_is_refused(client, make_user):
    user = make_user("admin")
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
    assert client.get("/admin/users").status_code == 302


# ------------------------------------------------------------------ next= only same-site paths
BAD_NEXT = ["//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/%09/evil.example",
            "/\t/evil.example", "/\n/evil.example", "/%2F%2Fevil.example", "/%2f%2fevil.example", "/%5Cevil.example",
            "/%252F%252Fevil.example", "https://evil.example/", "http:evil.example", "javascript:alert(1)",
            "evil.example", "/%0d%0aSet-Cookie:x=1", "/\x00x", "/\u0085/evil.example", " //evil.example", ""]
GOOD_NEXT = ["/", "/admin/users", "/campaigns/3/progress?unit=SO_TP&page=2", "/lists/1/2?x=%C3%A1"]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_bad_next_is_refused_everywhere(client, make_user, target):
    assert safe_next(target) is None
    lang = client.get("/lang/vi", query_string={"next": target})
    assert lang.status_code == 302 and lang.headers["Location"] == "/"
    user = make_user("admin", email=f"a{abs(hash(target))}@so.gov.vn")
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", GOOD_NEXT)
def test_same_site_next_is_kept(client, target):
    assert safe_next(target) == target
    assert client.get("/lang/en", query_string={"next": target}).headers["Location"] == target


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("/\\:.%09aAeE2fFcC5 \t\n@?#&=-_") + ["\x00", "\u2028"]), max_size=24))
def test_whatever_safe_next_accepts_stays_on_this_site(target):
    from urllib.parse import unquote, urlsplit

    kept = safe_next(target)
    if kept is None:
        return
    text = kept
    for _round in range(4):
        parts = urlsplit(text)
        assert text.startswith("/") and not text.startswith("//") and "\\" not in text
        assert not parts.scheme and not parts.netloc and all(ord(c) >= 0x20 for c in text)
        text = unquote(text)


# ------------------------------------------------------------------ one answer, one hash
@pytest.mark.parametrize("case", ["unknown", "wrong", "locked", "inactive"])
def test_failed_logins_look_alike_and_cost_one_hash(app, client, make_user, monkeypatch, case):
    user = make_user("admin")
    if case == "locked":
        from app.models import utcnow
        from datetime import timedelta

        user.locked_until = utcnow() + timedelta(minutes=10)
    if case == "inactive":
        user.is_active_flag = False
    db.session.commit()
    calls = []
    real = auth_services.check_password_hash
    monkeypatch.setattr(auth_services, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    email = "khong-co-ai@so.gov.vn" if case == "unknown" else user.email
    password = "sai-mat-khau-roi" if case in ("unknown", "wrong") else PASSWORD  # locked/inactive: the right one
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 401 and "Thư điện tử hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert "khoá" not in response.get_data(as_text=True)
    assert len(calls) == 1  # the same work whether or not the account exists or is locked


# ------------------------------------------------------------------ staff passwords
@pytest.mark.parametrize("password", ["mat-khau-1", "matkhau123456", "Matkhau@2026!", "anh yeu em 123",
                                      "123456789012", "P@ssw0rd1234", "Vietnam123456", "!!!!!!!!!!!!"])
def test_weak_staff_passwords_are_refused_with_a_reason(app, password):
    with pytest.raises(AccountError) as refused:
        create_user("moi@so.gov.vn", "coordinator", password)
    assert "Mật khẩu" in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(db.select(User).where(User.email == "moi@so.gov.vn")) is None


def test_cli_and_admin_form_refuse_a_common_password(runner, client, make_user):
    result = runner.invoke(args=["users", "create", "--email", "moi@so.gov.vn", "--role", "coordinator",
                                 "--password-stdin"], input="matkhau123456\n")
    assert result.exit_code != 0 and "quá phổ biến" in result.output
    login(client, make_user("admin"))
    page = client.post("/admin/users", data={"email": "moi@so.gov.vn", "role": "coordinator", "password": "ngan",
                                             "csrf_token": csrf_token(client, "/admin/users")}, follow_redirects=True)
    assert "Mật khẩu phải có ít nhất 12 ký tự." in page.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "moi@so.gov.vn")) is None


def test_a_long_uncommon_passphrase_is_accepted(app):
    assert create_user("moi@so.gov.vn", "coordinator", "tre xanh gió sáng 2026").id


# ------------------------------------------------------------------ development mailbox
def test_dev_mailbox_is_for_admins_in_development_only(app, client, make_user, database_url):
    admin, coordinator = make_user("admin"), make_user("coordinator")
    login(client, coordinator)
    assert client.get("/mailing/dev-mail").status_code == 403
    assert "Hộp thư thử nghiệm" not in client.get("/").get_data(as_text=True)
    login(client, admin)
    assert client.get("/mailing/dev-mail").status_code == 200 and "Hộp thư thử nghiệm" in client.get("/").get_data(as_text=True)
    production = create_app({**app.config, "DEVELOPMENT": False, "MAIL_URL": "smtp://127.0.0.1:25?tls=none&sender=a@b.vn"})
    other = production.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"] = admin.get_id()
    assert other.get("/mailing/dev-mail").status_code == 404
    assert "Hộp thư thử nghiệm" not in other.get("/").get_data(as_text=True)
