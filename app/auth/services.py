"""Accounts: authentication with lock-out, creation with role and unit-scope checks."""
from datetime import timedelta

from flask_babel import gettext as _

from app.core import audit
from app.extensions import db
from app.models import ROLES, Unit, User, UserScope, utcnow


class AccountError(ValueError):
    """A bad account request (unknown role, unknown unit, duplicate e-mail …)."""


def load_user(user_id: str):
    return db.session.get(User, int(user_id))


def authenticate(email: str, password: str, max_failures: int, lock_minutes: int) -> tuple[User | None, str | None]:
    """Check a login. Returns (user, None) or (None, reason). Locks the account after repeated failures."""
    email = (email or "").strip().lower()
    user = db.session.scalar(db.select(User).where(User.email == email))
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        return None, _("Tài khoản tạm khoá do đăng nhập sai nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
                       minutes=lock_minutes)
    if user is None or not user.is_active or not user.check_password(password or ""):
        if user is not None:
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
    if len(password or "") < 8:
        raise AccountError(_("Mật khẩu phải có ít nhất 8 ký tự."))
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
