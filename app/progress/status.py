"""State of the job runner (heartbeat) and of a campaign's outbox, for the dashboard."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Heartbeat, OutboxMessage, utcnow

#: The runner beats every 15 s; after this long without a beat the page says it is down.
STALE_AFTER = timedelta(seconds=90)


def runner_status() -> dict:
    """{alive, at, leader}: the mailing package's view when it has one, else the heartbeat row."""
    try:
        from jobs.heartbeat import runner_status as mailing_runner_status
    except ImportError:
        mailing_runner_status = None
    if mailing_runner_status is not None:
        status = dict(mailing_runner_status())
    else:
        row = db.session.get(Heartbeat, "jobs")
        status = {"alive": bool(row and utcnow() - row.at <= STALE_AFTER),
                  "at": row.at if row else None, "leader": bool(row and row.leader)}
    at = status.get("at")
    status["at"] = at.isoformat(timespec="seconds") + "Z" if hasattr(at, "isoformat") else at
    status["alive"] = bool(status.get("alive"))
    return status


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
