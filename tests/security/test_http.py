"""Headers, cookies, CSRF, login throttling and upload limits."""
import io
import re

import pytest

from app.extensions import db
from app.models import Respondent, SelfAssessment, Unit
from tests.conftest import csrf_token, login
from tests.security.conftest import open_list


def test_security_headers_on_every_kind_of_page(client, world):
    login(client, world.users["admin"])
    for url in ("/", f"/progress/campaigns/{world.campaign.id}", f"/s/{world.token_pending}", "/s/forged", "/login"):
        h = client.get(url).headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, url
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "no-referrer", url  # survey tokens never leave in a Referer
        assert "Strict-Transport-Security" not in h  # plain HTTP: HSTS would mean nothing


def test_no_inline_script_or_style_in_pages(client, world):
    login(client, world.users["admin"])
    import re
    for url in ("/", f"/progress/campaigns/{world.campaign.id}", f"/s/{world.token_pending}",
                f"/index/campaigns/{world.campaign.id}/runs/{world.run.id}", f"/admin/campaigns/{world.campaign.id}"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_hsts_over_tls(client, world):
    response = client.get("/login", base_url="https://parsurvey.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_proto_is_not_believed(client):
    """No proxy handling: X-Forwarded-Proto from anyone does not turn HSTS or secure cookies on."""
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def _cookie(response, name):
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "="))


def test_session_cookie_flags(app, client, make_user):
    user = make_user("admin")
    client.get("/login")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": "mat-khau-thu-nghiem-1", "csrf_token": token})
    assert response.status_code == 302
    cookie = _cookie(response, app.config.get("SESSION_COOKIE_NAME", "session"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # test config: plain HTTP


def test_session_cookie_secure_when_configured(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "Secure" in _cookie(client.get("/login"), "session")


def test_production_defaults_to_secure_cookies():
    from config import ProductionConfig
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY and ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_device_cookie_flags(client, world):
    cookie = _cookie(client.get(f"/s/{world.token_pending}"), "ps_dev")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    cookie = _cookie(client.get(f"/s/{world.token_pending}", base_url="https://parsurvey.example"), "ps_dev")
    assert "Secure" in cookie


def test_csrf_refused_on_every_post_route(app, client, world):
    from tests.security.test_route_table import _values, url_for_rule
    login(client, world.users["admin"])
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in ("auth.logout",):
            continue
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url_for_rule(rule, _values(world)), data=data)
            assert response.status_code == 400, rule.rule
        checked += 1
    assert checked >= 25
    assert client.post("/logout", data={}).status_code == 400  # a cross-site page cannot sign anyone out


def test_login_lockout_per_account(app, client, make_user):
    user = make_user("admin")
    token = csrf_token(client, "/login")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/login", data={"email": user.email, "password": "sai", "csrf_token": token}).status_code == 401
    # Even the right password is refused while locked.
    response = client.post("/login", data={"email": user.email, "password": "mat-khau-thu-nghiem-1", "csrf_token": token})
    assert response.status_code == 401
    assert client.get("/").status_code == 302  # still signed out


def test_login_error_does_not_tell_whether_the_account_exists(client, make_user):
    user = make_user("admin")
    token = csrf_token(client, "/login")
    a = client.post("/login", data={"email": user.email, "password": "sai-sai-sai", "csrf_token": token})
    b = client.post("/login", data={"email": "khong-co@so.gov.vn", "password": "sai-sai-sai", "csrf_token": token})
    assert a.status_code == b.status_code == 401
    def page(response, email):  # the CSRF token is time-stamped: leave it out of the comparison
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True).replace(email, ""))
    assert page(a, user.email) == page(b, "khong-co@so.gov.vn")


def _upload_targets(w):
    """(url, role, other fields, file field) of each upload form (field names with the form's prefix)."""
    c = w.campaign.id
    return [
        (f"/lists/campaigns/{c}/units/SO_TP/upload", "focal", {"u-mode": "append"}, "u-file"),
        (f"/admin/campaigns/{c}", "admin", {"action": "units_import"}, "f-file"),
        (f"/index/campaigns/{c}/assessments", "admin", {}, "file"),
    ]


def _counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (Respondent, Unit, SelfAssessment))


def _post_file(client, world, target, name, body, **kwargs):
    """Post a file to an upload form (unit A's list reopened: a locked list is refused before its file is read)."""
    open_list(world)
    url, role, extra, field = _upload_targets(world)[target]
    login(client, world.users[role])
    token = csrf_token(client, "/")
    return client.post(url, data={**extra, "csrf_token": token, field: (io.BytesIO(body), name)},
                       content_type="multipart/form-data", **kwargs)


@pytest.mark.parametrize("target", range(3), ids=["lists", "units", "assessments"])
def test_upload_over_50_mb_gets_the_413_page(client, world, target):
    response = _post_file(client, world, target, "danh_sach.csv", b"0" * (50 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "50 MB" in response.get_data(as_text=True)


NOT_A_TABLE = "Tệp không phải bảng tính (.xlsx, .ods) hay CSV. Hãy tải lên đúng biểu mẫu."
BROKEN_WORKBOOK = "Tệp Excel bị hỏng hoặc không đọc được."


@pytest.mark.parametrize("target", range(3), ids=["lists", "units", "assessments"])
@pytest.mark.parametrize("name,body,refusal", [
    pytest.param("virus.exe", b"MZ\x90\x00", NOT_A_TABLE, id="exe"),
    pytest.param("trang.html", b"<script>alert(1)</script>", NOT_A_TABLE, id="html"),
    pytest.param("gia.xlsx", b"khong phai excel", BROKEN_WORKBOOK, id="fake-xlsx"),
    pytest.param("anh.png", b"\x89PNG\r\n", NOT_A_TABLE, id="png")])
def test_upload_of_another_type_is_refused_and_changes_nothing(client, world, target, name, body, refusal):
    before = _counts()
    response = _post_file(client, world, target, name, body, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert refusal in re.findall(r"<div class=\"flash error\" role=\"status\">(.*?)</div>", html), html
    assert "<script>alert(1)</script>" not in html
    db.session.expire_all()
    assert _counts() == before
