"""Signed survey links: one salt for this purpose; payload = invitation id + nonce.

The nonce is stored on the invitation, so a link is revoked by changing the nonce and is
single-use because the invitation records that it was answered. Expiry is the campaign's
answering deadline, checked when the link is used (a deadline may move).
"""
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "parsurvey.survey-link.v1"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(invitation) -> str:
    return _serializer().dumps([invitation.id, invitation.nonce])


def read_token(token: str) -> tuple[int, str] | None:
    """(invitation id, nonce) from a genuine token, else None — never says why."""
    try:
        data = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError, TypeError):
        return None
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) and isinstance(data[1], str)):
        return None
    return data[0], data[1]
