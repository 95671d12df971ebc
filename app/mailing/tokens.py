"""Signed survey links: one salt for this purpose; payload = invitation id + nonce.

The nonce is stored on the invitation, so a link is revoked by changing the nonce and is
single-use because the invitation records that it was answered. Expiry is the campaign's
answering deadline, checked when the link is used (a deadline may move).
"""
import base64
import json
import re
import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer, URLSafeSerializer

SALT = "parsurvey.survey-link.v1"
_PLAIN = re.compile(r"[A-Za-z0-9_-]*")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class _KeyCachingSigner(Signer):
    """Same tokens as itsdangerous' Signer; derives the key once (queueing 100 000 links)."""

    def derive_key(self, secret_key=None):
        if secret_key is not None:
            return super().derive_key(secret_key)
        if not hasattr(self, "_derived"):
            self._derived = super().derive_key()
        return self._derived


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_KeyCachingSigner)


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


def survey_url(invitation) -> str:
    """The public link mailed to the respondent: {BASE_URL}/s/<token>."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/s/{make_token(invitation)}"


class LinkMaker:
    """Makes many tokens fast (queueing 100 000 invitations): the same format itsdangerous reads
    (base64url JSON payload, '.', base64url HMAC-SHA1 with the derived key), without the
    per-token key derivation and compression attempt."""

    def __init__(self):
        import hashlib
        import hmac

        signer = _serializer().make_signer()
        self._mac = hmac.new(signer.derive_key(), digestmod=hashlib.sha1)
        self.base = current_app.config["BASE_URL"].rstrip("/")

    def token(self, invitation_id: int, nonce: str) -> str:
        # The JSON itsdangerous writes; a nonce of URL-safe characters (ours) needs no escaping.
        text = (f'[{invitation_id},"{nonce}"]' if _PLAIN.fullmatch(nonce)
                else json.dumps([invitation_id, nonce], separators=(",", ":")))
        payload = base64.urlsafe_b64encode(text.encode()).rstrip(b"=")
        mac = self._mac.copy()
        mac.update(payload)
        sig = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")
        return (payload + b"." + sig).decode()

    def url(self, invitation_id: int, nonce: str) -> str:
        return f"{self.base}/s/{self.token(invitation_id, nonce)}"
