"""Encryption at rest for the few secrets the database must hold (mailbox passwords)."""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    secret = current_app.config.get("MAILBOX_KEY") or current_app.config["SECRET_KEY"]
    key = base64.urlsafe_b64encode(hashlib.sha256(f"mailbox:{secret}".encode()).digest())
    return Fernet(key)


def encrypt(plain: str | None) -> str | None:
    return _fernet().encrypt(plain.encode()).decode() if plain else None


def decrypt(token: str | None) -> str | None:
    """The plain text, or None when there is none or the key changed (surfaced as a login error)."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
