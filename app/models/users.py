"""Accounts, roles and unit scopes."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Model, utcnow

ROLES = ("admin", "coordinator", "focal", "enumerator")


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin','coordinator','focal','enumerator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_flag: Mapped[bool] = mapped_column(default=True)
    #: Consecutive failed logins; the account locks for a while past the configured limit.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Part of the session's user id; bumped on logout and password change, which ends every
    #: session of the account on the server side (app/auth/services.py load_user).
    session_version: Mapped[int] = mapped_column(default=0)

    scopes: Mapped[list["UserScope"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        """Set the password; a change (not the first one) ends the account's sessions."""
        if self.password_hash:
            self.session_version = (self.session_version or 0) + 1
        self.password_hash = generate_password_hash(password)

    def get_id(self) -> str:  # Flask-Login: stored in the session cookie
        return f"{self.id}.{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_flag

    @property
    def unit_codes(self) -> set[str]:
        return {s.unit_code for s in self.scopes}

    def can_see_unit(self, unit_code: str) -> bool:
        """Admins and coordinators see every unit; focal units and enumerators only their scope."""
        return self.role in ("admin", "coordinator") or unit_code in self.unit_codes


class UserScope(Model):
    """A focal (or enumerator) account's units, by unit code, so a scope carries over campaigns."""

    __tablename__ = "user_scopes"
    __table_args__ = (UniqueConstraint("user_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_code: Mapped[str] = mapped_column(String(50))

    user: Mapped[User] = relationship(back_populates="scopes")
