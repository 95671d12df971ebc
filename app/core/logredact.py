"""Logs never carry a survey token (docs/ANONYMITY.md, "Logs").

A link token names its invitation; a log line with the token and a time stamp would join an
answer to its respondent. Every log record of the process (application, werkzeug's development
server, gunicorn) passes through `redact`, which keeps the path but not the token:
"/s/eyJ…" -> "/s/…", also percent-encoded ("next=%2Fs%2FeyJ…"). The gunicorn access log uses
`GunicornLogger` (gunicorn.conf.py), which also leaves out the client address of survey requests.
"""
import logging
import re

SURVEY_PATH = "/s/"
REDACTED = "…"
_TOKEN = re.compile(r"(/s/|%2Fs%2F)[^\s/?&#%\"'<>]+", re.IGNORECASE)


def redact(text: str) -> str:
    """The text with every survey token replaced by "…"."""
    return _TOKEN.sub(lambda m: m.group(1) + REDACTED, text) if ("/s/" in text or "%2f" in text.lower()) else text


def _redacting_factory(original):
    def factory(*args, **kwargs):
        record = original(*args, **kwargs)
        try:
            message = record.getMessage() if record.args else str(record.msg)
        except Exception:  # noqa: BLE001 - bad format arguments: logging reports them when it emits
            return record
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return record

    factory.redacts_tokens = True
    return factory


def install_log_redaction() -> None:
    """Redact every log record created in this process from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts_tokens", False):
        logging.setLogRecordFactory(_redacting_factory(current))


try:  # gunicorn is the production server; the development server and tests may run without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """Gunicorn's logger with survey tokens (and the client address of survey requests) left out."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        survey = (environ.get("PATH_INFO") or "").startswith(SURVEY_PATH)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact(value)
        if survey:
            atoms["h"] = "-"
            for key in list(atoms):
                if key.lower() in ("{x-forwarded-for}i", "{x-real-ip}i"):
                    atoms[key] = "-"
        return atoms
