"""The coordinator's first screen: who is behind, remind them (counted, then confirmed), the reminder schedule.

Views on the progress blueprint (imported by `app.register_blueprints`).
"""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.confirm import confirm_page, confirmed
from app.core.lookups import campaign_or_404
from app.core.policy import allow
from app.core.transactions import commit_or_flash
from app.extensions import db
from app.mailing.previews import reminder_preview

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
    """Reminders to everyone due in the units still short of their target, in two steps (issue 14):
    the button posts here and gets the counts of what would be queued (and who gets nothing, and
    why); the confirmation posts again and queues exactly those people, one mail each."""
    campaign = campaign_or_404(campaign_id)
    rows = laggards(campaign_progress(campaign))
    units = [r.unit for r in rows if r.gap > 0]
    back = url_for("progress.dashboard", campaign_id=campaign.id)
    if not confirmed():
        return _reminder_confirmation(campaign, units, back)
    commit_or_flash(lambda: actions.remind_units(campaign, units, current_user), ProgressError,
                    lambda done: _("Đã xếp %(m)d thư nhắc (%(n)d đường dẫn) cho %(u)d đơn vị chưa đạt chỉ tiêu.",
                                   m=done["mails"], n=done["invitations"], u=len(units)))
    return redirect(back)


def _reminder_confirmation(campaign, units: list, back: str):
    """The confirmation page: who would be reminded, who would not and why (O(invitations), on demand)."""
    pv = reminder_preview(campaign, [u.id for u in units])
    if pv.quiet:
        lines = [_("Đang trong %(h)d giờ trước hạn trả lời: không gửi thư nhắc nữa.", h=campaign.reminder_quiet_hours)]
    else:
        lines = [_("Sẽ xếp %(m)d thư nhắc (%(n)d đường dẫn) cho %(u)d đơn vị chưa đạt chỉ tiêu.",
                   m=pv.mails, n=pv.invitations, u=len(units))]
    if pv.too_soon:
        lines.append(_("Không nhận thư lần này: %(n)d người vừa nhận thư chưa đủ %(d)d ngày.",
                       n=pv.too_soon, d=campaign.reminder_every_days))
    if pv.capped:
        lines.append(_("Không nhận thư lần này: %(n)d người đã nhận đủ %(k)d thư nhắc.",
                       n=pv.capped, k=campaign.reminder_max))
    if pv.undeliverable:
        lines.append(_("Không nhận thư lần này: %(n)d người chưa có địa chỉ gửi được.", n=pv.undeliverable))
    return confirm_page(_("Nhắc các đơn vị chậm — %(campaign)s", campaign=campaign.name), lines,
                        _("Xếp %(m)d thư nhắc", m=pv.mails), back, danger=False,
                        possible=bool(pv.mails) and not pv.quiet)


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
