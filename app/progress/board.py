"""The coordinator's first screen: who is behind, remind them in one click, the reminder schedule.

Views registered on the progress blueprint (imported at the end of routes.py).
"""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.policy import allow
from app.extensions import db
from app.mailing.previews import reminder_preview

from . import actions
from .laggards import days_left, laggards
from .routes import _campaign, bp
from .services import ProgressError, campaign_progress

STAFF = ("admin", "coordinator")
#: Reminder schedule fields: form name -> (column, lowest, highest).
SCHEDULE = {"every_days": ("reminder_every_days", 1, 60), "max": ("reminder_max", 0, 20),
            "quiet_hours": ("reminder_quiet_hours", 0, 240)}


def board_context(campaign, progress) -> dict:
    """What the dashboard shows a coordinator above the tables."""
    rows = laggards(progress)
    behind = [r.unit.id for r in rows if r.gap > 0]
    return {"laggards": rows, "days_left": days_left(campaign),
            "preview": reminder_preview(campaign, behind), "behind": len(behind)}


@bp.route("/campaigns/<int:campaign_id>/remind-laggards", methods=["POST"])
@allow(*STAFF)
def remind_laggards(campaign_id: int):
    """Queue reminders to everyone due in the units still short of their target."""
    campaign = _campaign(campaign_id)
    rows = laggards(campaign_progress(campaign))
    units = [r.unit for r in rows if r.gap > 0]
    queued = 0
    try:
        for unit in units:
            queued += actions.remind(campaign, unit, None, current_user)
        db.session.commit()
    except ProgressError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("progress.dashboard", campaign_id=campaign.id))
    flash(_("Đã xếp %(n)d thư nhắc cho %(u)d đơn vị chưa đạt chỉ tiêu.", n=queued, u=len(units)), "success")
    return redirect(url_for("progress.dashboard", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/reminder-schedule", methods=["POST"])
@allow(*STAFF)
def reminder_schedule(campaign_id: int):
    """Automatic reminders on or off, the gap between mails and the cap, per campaign."""
    campaign = _campaign(campaign_id)
    values, errors = {}, []
    for name, (column, lo, hi) in SCHEDULE.items():
        raw = (request.form.get(name) or "").strip()
        if not raw.isdigit() or not lo <= int(raw) <= hi:
            errors.append(_("“%(value)s” không hợp lệ: nhập một số nguyên từ %(lo)d đến %(hi)d.",
                            value=raw, lo=lo, hi=hi))
        else:
            values[column] = int(raw)
    if errors:
        for e in errors:
            flash(e, "error")
        return redirect(url_for("progress.dashboard", campaign_id=campaign.id) + "#schedule")
    values["reminders_auto"] = request.form.get("auto") == "1"
    for column, value in values.items():
        setattr(campaign, column, value)
    audit.record("campaign.reminders", current_user, campaign.id, target=campaign.name, **values)
    db.session.commit()
    flash(_("Đã lưu lịch đôn đốc."), "success")
    return redirect(url_for("progress.dashboard", campaign_id=campaign.id) + "#schedule")
