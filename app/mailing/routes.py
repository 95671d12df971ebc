"""Invitations page, reminders, mail templates, address corrections and the development mailbox."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import audit
from app.core.nav import campaign_link
from app.core.policy import STAFF_ROLES, allow
from app.extensions import db
from app.models import Campaign, Group, Invitation, Mailbox, OutboxMessage, Respondent, Unit
from jobs.heartbeat import runner_status

from . import services
from .composer import TemplateError, check_template, templates_for
from .devmail import list_messages
from .forms import ActionForm, EmailForm, ReminderForm, TemplateForm

bp = Blueprint("mailing", __name__, template_folder="templates")
campaign_link("mailing.invitations", _l("Thư mời"), ["admin", "coordinator"], order=30)


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _reminder_form(campaign) -> ReminderForm:
    form = ReminderForm(prefix="r")
    form.unit_id.choices = [(0, _("Tất cả đơn vị"))] + [(u.id, f"{u.code} — {u.name}") for u in campaign.units]
    form.group_id.choices = [(0, _("Tất cả nhóm"))] + [(g.id, g.name) for g in campaign.groups]
    return form


@bp.route("/campaigns/<int:campaign_id>/invitations")
@allow(*STAFF_ROLES)
def invitations(campaign_id: int):
    """Thư mời: counts by status, send buttons, failed addresses, templates, mailbox errors."""
    campaign = _campaign(campaign_id)
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
                           problems=services.problem_addresses(campaign), forms=forms,
                           reminder_form=_reminder_form(campaign), box_errors=box_errors, stuck=stuck,
                           runner=runner_status(), action=ActionForm(), dev_backend=not current_app.config.get("MAIL_URL"))


@bp.route("/campaigns/<int:campaign_id>/invitations/send", methods=["POST"])
@allow("admin")
def send_invitations(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    result = services.queue_invitations_report(campaign, actor=current_user)
    db.session.commit()
    flash(_("Đã xếp hàng %(queued)d thư mời (%(mails)d thư); %(created)d thư mời mới được tạo.", **result), "success")
    return redirect(url_for("mailing.invitations", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/reminders/send", methods=["POST"])
@allow(*STAFF_ROLES)
def send_reminders(campaign_id: int):
    campaign = _campaign(campaign_id)
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


@bp.route("/campaigns/<int:campaign_id>/mail-templates", methods=["POST"])
@allow("admin")
def save_template(campaign_id: int):
    campaign = _campaign(campaign_id)
    kind = "reminder" if any(k.startswith("reminder-") for k in request.form) else "invitation"
    form = TemplateForm(prefix=kind)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Mẫu thư chưa đủ tiêu đề và nội dung."), "error")
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


@bp.route("/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@allow("admin")
def resend(campaign_id: int, invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.campaign_id != campaign_id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.resend_invitation(invitation, actor=current_user)
        db.session.commit()
        flash(_("Đã thu hồi đường dẫn cũ và gửi lại thư mời."), "success")
    except services.MailingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("mailing.invitations", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/addresses")
@allow("admin", "coordinator", "focal")
def addresses(campaign_id: int):
    """Failed or bounced addresses of the units the account may see, with a form to correct each."""
    campaign = _campaign(campaign_id)
    scope = None if current_user.role in STAFF_ROLES else current_user.unit_codes
    return render_template("mailing/addresses.html", campaign=campaign,
                           problems=services.problem_addresses(campaign, scope), form=EmailForm())


@bp.route("/campaigns/<int:campaign_id>/addresses/<int:respondent_id>", methods=["POST"])
@allow("admin", "coordinator", "focal")
def correct_address(campaign_id: int, respondent_id: int):
    respondent = db.session.get(Respondent, respondent_id)
    if respondent is None or respondent.campaign_id != campaign_id:
        abort(404)
    unit_code = db.session.scalar(db.select(Unit.code).where(Unit.id == respondent.unit_id))
    if not current_user.can_see_unit(unit_code):
        abort(403)
    form = EmailForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Hãy nhập địa chỉ thư điện tử mới."), "error")
        return redirect(url_for("mailing.addresses", campaign_id=campaign_id))
    try:
        n = services.correct_email(respondent, form.email.data, current_user)
        db.session.commit()
        flash(_("Đã sửa địa chỉ và gửi lại %(n)d đường dẫn mới.", n=n), "success")
    except services.MailingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("mailing.addresses", campaign_id=campaign_id))


@bp.route("/dev-mail")
@allow(*STAFF_ROLES)
def dev_mailbox():
    """Hộp thư thử nghiệm: the newest messages written by the development backend."""
    return render_template("mailing/dev_mailbox.html",
                           messages=list_messages(current_app.config["MAIL_DEV_DIR"]),
                           configured=bool(current_app.config.get("MAIL_URL")))


from . import returns_routes  # noqa: E402,F401  (more routes on this blueprint)
