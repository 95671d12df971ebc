"""The coordinator's first screen: who is behind, remind them in one click, the reminder schedule.

Views on the progress blueprint (imported by `app.register_blueprints`).
"""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.lookups import campaign_or_404
from app.core.policy import allow
from app.core.transactions import commit_or_flash
from app.extensions import db

from . import actions
from .laggards import laggards
from .routes import bp
from .services import ProgressError, campaign_progress

STAFF = ("admin", "coordinator")
#: Reminder schedule fields: form name -> (column, lowest, highest).
SCHEDULE = {"every_days": ("reminder_every_days", 1, 60), "max": ("reminder_max", 0, 20),
            "quiet_hours": ("reminder_quiet_hours", 0, 240)}


@bp.route("/campaigns/<int:campaign_id>/remind-laggards", methods=["POST"])
@allow(*STAFF)
def remind_laggards(campaign_id: int):
    """Queue reminders to everyone due in the units still short of their target."""
    campaign = campaign_or_404(campaign_id)
    rows = laggards(campaign_progress(campaign))
    units = [r.unit for r in rows if r.gap > 0]
    commit_or_flash(lambda: sum(actions.remind(campaign, unit, None, current_user) for unit in units), ProgressError,
                    lambda queued: _("Đã xếp %(n)d thư nhắc cho %(u)d đơn vị chưa đạt chỉ tiêu.", n=queued, u=len(units)))
    return redirect(url_for("progress.dashboard", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/reminder-schedule", methods=["POST"])
@allow(*STAFF)
def reminder_schedule(campaign_id: int):
    """Automatic reminders on or off, the gap between mails and the cap, per campaign."""
    campaign = campaign_or_404(campaign_id)
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
