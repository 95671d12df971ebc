"""Sign-in: hashed passwords, clear Vietnamese errors, lock-out after repeated failures, CSRF."""
from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import csrf_token


def _login(client, email, password):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_login_page_is_vietnamese(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in html and "Mật khẩu" in html


def test_password_is_hashed_and_login_works(client, make_user):
    user = make_user("coordinator", password="mot-mat-khau-dai-hon")
    assert "mot-mat-khau-dai-hon" not in user.password_hash
    response = _login(client, user.email, "mot-mat-khau-dai-hon")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.login")) is not None


def test_wrong_password_is_refused_in_vietnamese(client, make_user):
    user = make_user("admin")
    response = _login(client, user.email, "sai-mat-khau")
    assert response.status_code == 401
    assert "Thư điện tử hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_account_locks_after_repeated_failures(client, make_user, app):
    user = make_user("admin", password="dung-mat-khau-dai-hon")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, user.email, "sai")
    # Even the right password is refused while locked.
    response = _login(client, user.email, "dung-mat-khau-dai-hon")
    assert response.status_code == 401
    # The same message as a wrong password: the page does not tell that the account exists.
    assert "Thư điện tử hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user("admin")
    response = client.post("/login", data={"email": user.email, "password": "mat-khau-thu-nghiem-1"})
    assert response.status_code == 400
    assert "mã bảo mật" in response.get_data(as_text=True)


def test_open_redirect_after_login_is_ignored(client, make_user):
    user = make_user("admin")
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": "mat-khau-thu-nghiem-1",
                                                                  "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_error_pages_are_vietnamese_and_english_is_available(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.get_data(as_text=True)
    client.get("/lang/en?next=/login")
    response = client.get("/khong-co-trang-nay")
    assert "Page not found" in response.get_data(as_text=True)
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
