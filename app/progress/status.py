"""State of the job runner (heartbeat) and of a campaign's outbox, for the dashboard."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage
from jobs import heartbeat


def runner_status() -> dict:
    """{alive, at, leader} as JSON-ready values: the one heartbeat rule (`jobs.heartbeat`)."""
    status = heartbeat.runner_status()
    at = status["at"]
    return {**status, "at": at.isoformat(timespec="seconds") + "Z" if at is not None else None}


def outbox_status(campaign_id: int) -> dict:
    """Counts of queued / sending / failed / bounced mail and the progress of the batch being sent.

    The batch is every message of the campaign created since the oldest one still waiting;
    done = those of it that are no longer queued or sending.
    """
    o = OutboxMessage.__table__.c
    counts = dict(db.session.execute(
        select(o.status, func.count()).where(o.campaign_id == campaign_id,
                                             o.status.in_(("queued", "sending", "failed", "bounced")))
        .group_by(o.status)).all())
    out = {s: int(counts.get(s, 0)) for s in ("queued", "sending", "failed", "bounced")}
    waiting = out["queued"] + out["sending"]
    batch = {"active": False, "total": 0, "done": 0, "percent": 100}
    if waiting:
        oldest = db.session.scalar(select(func.min(o.created_at))
                                   .where(o.campaign_id == campaign_id, o.status.in_(("queued", "sending"))))
        total = db.session.scalar(select(func.count()).where(o.campaign_id == campaign_id, o.created_at >= oldest))
        done = max(total - waiting, 0)
        batch = {"active": True, "total": total, "done": done, "percent": int(100 * done / total) if total else 0}
    out["waiting"] = waiting
    out["batch"] = batch
    return out
