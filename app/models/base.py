"""Shared column helpers for the models."""
from datetime import datetime, timezone

from app.extensions import db


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


Model = db.Model
