"""The scheduled scan (`jobs run`): every campaign still answering, or closed in the last
week, is scanned when responses arrived since its last scan. Safe to run twice: findings
are kept once by fingerprint and a campaign without new responses is skipped."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, utcnow

from .services import needs_scan, run_scan

GRACE_DAYS = 7  #: late paper entries still arrive after the answering deadline


def scheduled_scan() -> list[int]:
    """Scan the campaigns that need it; returns their ids. One commit per campaign, so a
    failing campaign (logged) does not hold back the others."""
    since = (utcnow() - timedelta(days=GRACE_DAYS)).date()
    ids = db.session.scalars(select(Campaign.id).where(Campaign.answers_by >= since).order_by(Campaign.id)).all()
    done = []
    for campaign_id in ids:
        campaign = db.session.get(Campaign, campaign_id)
        try:
            if not needs_scan(campaign):
                continue
            run_scan(campaign)
            db.session.commit()
            done.append(campaign_id)
        except Exception:  # noqa: BLE001 — recorded in the log, the next campaign still runs
            db.session.rollback()
            current_app.logger.exception("interference scan of campaign %s failed", campaign_id)
    return done
