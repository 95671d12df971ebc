"""Accounts: authentication with lock-out, creation with role and unit-scope checks."""
from datetime import timedelta

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import audit
from app.extensions import db
from app.models import ROLES, Unit, User, UserScope, utcnow


class AccountError(ValueError):
    """A bad account request (unknown role, unknown unit, duplicate e-mail …)."""


from .passwords import password_problem

#: Hash checked when the account does not exist, so unknown e-mails cost the same time.
_DUMMY_HASH = generate_password_hash("no such account: the same work as a real check")


def load_user(session_id: str):
    """Flask-Login loader: "<user id>.<session version>"; an old version (after logout or a
    password change) or the old bare-id form is refused, so a replayed cookie is worthless."""
    user_id, _sep, version = (session_id or "").partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session of the account (logout, password change): caller commits."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def authenticate(email: str, password: str, max_failures: int, lock_minutes: int) -> tuple[User | None, str | None]:
    """Check a login. Returns (user, None) or (None, reason). Locks the account after repeated failures.

    Unknown, inactive, locked and wrong-password attempts all run one password hash and get the
    same message, so neither the answer nor its time tells whether an account exists or is locked.
    """
    email = (email or "").strip().lower()
    user = db.session.scalar(db.select(User).where(User.email == email))
    now = utcnow()
    matches = check_password_hash(user.password_hash if user is not None else _DUMMY_HASH, password or "")
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    if user is None or locked or not user.is_active or not matches:
        if user is not None and not locked:
            user.failed_logins += 1
            if user.failed_logins >= max_failures:
                user.locked_until = now + timedelta(minutes=lock_minutes)
                user.failed_logins = 0
                audit.record("user.locked", user, target=user.email)
        return None, _("Thư điện tử hoặc mật khẩu không đúng.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("user.login", user, target=user.email)
    return user, None


def create_user(email: str, role: str, password: str, unit_codes=(), name: str = "", actor=None) -> User:
    """Create an account; focal and enumerator accounts must name existing unit codes."""
    email = (email or "").strip().lower()
    if role not in ROLES:
        raise AccountError(_("Vai trò '%(role)s' không hợp lệ; chọn một trong: %(roles)s.", role=role, roles=", ".join(ROLES)))
    if "@" not in email or len(email) > 254:
        raise AccountError(_("Địa chỉ thư điện tử '%(email)s' không hợp lệ.", email=email))
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if db.session.scalar(db.select(User.id).where(User.email == email)):
        raise AccountError(_("Đã có tài khoản với địa chỉ %(email)s.", email=email))
    codes = sorted({c.strip() for c in unit_codes if c and c.strip()})
    if role == "focal" and not codes:
        raise AccountError(_("Tài khoản đơn vị đầu mối phải gắn với ít nhất một đơn vị (--unit)."))
    known = set(db.session.scalars(db.select(Unit.code).where(Unit.code.in_(codes)))) if codes else set()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise AccountError(_("Không có đơn vị với mã: %(codes)s.", codes=", ".join(unknown)))
    user = User(email=email, role=role, name=name or "")
    user.set_password(password)
    user.scopes = [UserScope(unit_code=c) for c in codes]
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor, target=email, role=role, units=codes)
    return user
