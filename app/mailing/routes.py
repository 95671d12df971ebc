"""Invitations page, reminders, mail templates and the development mailbox (addresses: address_routes.py)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.confirm import confirm_page, confirmed
from app.core.lookups import campaign_or_404
from app.core.policy import STAFF_ROLES, allow
from app.extensions import db
from app.models import Group, Mailbox, OutboxMessage, Unit
from jobs.heartbeat import runner_status

from . import services
from .addresses import addresses_to_fix
from .composer import TemplateError, check_template, templates_for
from .devmail import page_messages
from .forms import ActionForm, ReminderForm, TemplateForm
from .previews import invitation_preview

bp = Blueprint("mailing", __name__, template_folder="templates")


def _reminder_form(campaign) -> ReminderForm:
    form = ReminderForm(prefix="r")
    form.unit_id.choices = [(0, _("Tất cả đơn vị"))] + [(u.id, f"{u.code} — {u.name}") for u in campaign.units]
    form.group_id.choices = [(0, _("Tất cả nhóm"))] + [(g.id, g.name) for g in campaign.groups]
    return form


def form_refused(form, message: str) -> bool:
    """True when the form is not valid: a bad CSRF token is a 400, anything else is flashed."""
    if form.validate_on_submit():
        return False
    if form.csrf_token.errors:
        abort(400)
    flash(message, "error")
    return True


@bp.route("/mailing/campaigns/<int:campaign_id>/invitations")
@allow(*STAFF_ROLES)
def invitations(campaign_id: int):
    """Thư mời: counts by status, send buttons, failed addresses, templates, mailbox errors."""
    campaign = campaign_or_404(campaign_id)
    forms = {}
    for kind in ("invitation", "reminder"):
        tpl = templates_for(campaign, kind)
        forms[kind] = TemplateForm(prefix=kind, subject=tpl["subject"], body=tpl["body"],
                                   contact_text=campaign.contact_text)
    box_errors = db.session.scalars(db.select(Mailbox).where(Mailbox.last_error.is_not(None))).all()
    stuck = db.session.execute(db.select(OutboxMessage.last_error, db.func.count()).where(
        OutboxMessage.campaign_id == campaign.id, OutboxMessage.status == "queued",
        OutboxMessage.last_error.is_not(None)).group_by(OutboxMessage.last_error).limit(5)).all()
    return render_template("mailing/invitations.html", campaign=campaign, counts=services.status_counts(campaign),
                           problems=addresses_to_fix(campaign), forms=forms,
                           reminder_form=_reminder_form(campaign), box_errors=box_errors, stuck=stuck,
                           runner=runner_status(), action=ActionForm(), dev_backend=not current_app.config.get("MAIL_URL"))


@bp.route("/mailing/campaigns/<int:campaign_id>/invitations/send", methods=["POST"])
@allow("admin")
def send_invitations(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not confirmed():
        preview = invitation_preview(campaign)
        return confirm_page(
            _("Gửi thư mời — %(campaign)s", campaign=campaign.name),
            [_("Sẽ xếp hàng %(mails)d thư (%(n)d thư mời) gửi qua hộp thư công vụ của từng đơn vị.",
               mails=preview.mails, n=preview.invitations)]
            + [_("%(unit)s: %(n)d thư mời cho %(m)d người.", unit=name, n=n, m=m) for name, n, m in preview.units]
            + ([] if preview.units else [_("Không có thư mời nào mới để gửi.")]),
            _("Gửi %(n)d thư", n=preview.mails), url_for("mailing.invitations", campaign_id=campaign.id),
            danger=False)
    result = services.queue_invitations_report(campaign, actor=current_user)
    db.session.commit()
    flash(_("Đã xếp hàng %(queued)d thư mời (%(mails)d thư); %(created)d thư mời mới được tạo.", **result), "success")
    return redirect(url_for("mailing.invitations", campaign_id=campaign.id))


@bp.route("/mailing/campaigns/<int:campaign_id>/reminders/send", methods=["POST"])
@allow(*STAFF_ROLES)
def send_reminders(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = _reminder_form(campaign)
    if not form.validate_on_submit():
        abort(400)
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    group = db.session.get(Group, form.group_id.data) if form.group_id.data else None
    count = services.send_reminders(campaign, unit=unit, group=group, actor=current_user)
    db.session.commit()
    if count:
        flash(_("Đã xếp hàng nhắc nhở cho %(n)d thư mời chưa trả lời.", n=count), "success")
    else:
        flash(_("Không có ai cần nhắc lúc này (đã trả lời, đã nhắc đủ số lần, chưa đủ khoảng cách giữa hai lần "
                "nhắc, hoặc đã sát hạn trả lời)."), "info")
    return redirect(url_for("mailing.invitations", campaign_id=campaign.id))


@bp.route("/mailing/campaigns/<int:campaign_id>/mail-templates", methods=["POST"])
@allow("admin")
def save_template(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    kind = "reminder" if any(k.startswith("reminder-") for k in request.form) else "invitation"
    form = TemplateForm(prefix=kind)
    if form_refused(form, _("Mẫu thư chưa đủ tiêu đề và nội dung.")):
        return redirect(url_for("mailing.invitations", campaign_id=campaign.id))
    try:
        check_template(form.subject.data, form.body.data)
    except TemplateError as exc:
        flash(str(exc), "error")
        return redirect(url_for("mailing.invitations", campaign_id=campaign.id))
    templates = dict(campaign.mail_templates or {})
    templates[kind] = {"subject": form.subject.data.strip(), "body": form.body.data.replace("\r\n", "\n")}
    campaign.mail_templates = templates
    campaign.contact_text = (form.contact_text.data or "").strip()
    audit.record("mail_template.save", current_user, campaign.id, target=kind)
    db.session.commit()
    flash(_("Đã lưu mẫu thư."), "success")
    return redirect(url_for("mailing.invitations", campaign_id=campaign.id))


@bp.route("/mailing/dev-mail")
@allow("admin")
def dev_mailbox():
    """Hộp thư thử nghiệm: the newest messages written by the development backend.

    It shows every respondent's link, so it exists only in development mode (404 otherwise)."""
    if not current_app.config.get("DEVELOPMENT"):
        abort(404)
    query = (request.args.get("q") or "").strip()
    found = page_messages(current_app.config["MAIL_DEV_DIR"], query, request.args.get("page"))
    return render_template("mailing/dev_mailbox.html", messages=found.items, found=found, query=query,
                           configured=bool(current_app.config.get("MAIL_URL")))

