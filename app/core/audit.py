"""Audit log writer used by every service that changes something of consequence."""
from app.extensions import db
from app.models import AuditEntry


def record(action: str, user=None, campaign_id: int | None = None, target: str = "", **details) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditEntry(action=action, user_id=getattr(user, "id", None), campaign_id=campaign_id,
                       target=target, details=details)
    db.session.add(entry)
    return entry
