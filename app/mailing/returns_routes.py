"""What the invitation says and what comes back: the campaign's mail set-up (issuer, plan,
time needed) with a preview and "send a test to me", the replies list, and the public
"not me" page reached from the link in every invitation."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core import audit
from app.core.lookups import campaign_or_404
from app.core.policy import PUBLIC, allow
from app.extensions import db
from app.models import Campaign, Invitation, Unit

from .composer import CompiledTemplate, Link, contact_footer, templates_for
from .mailboxes import SmtpSettings, mailbox_for_unit
from .oneoff import compose, send_now
from .outbox import default_sender, settings_of
from .replies import not_me, replies_for
from .routes import bp
from .transport import MailboxProblem, SendError


class MailSetupForm(FlaskForm):
    issuer = StringField(_l("Cơ quan tổ chức khảo sát"), validators=[DataRequired(), Length(max=300)])
    plan_reference = StringField(_l("Căn cứ (số kế hoạch, văn bản)"), validators=[Optional(), Length(max=300)])
    minutes_needed = IntegerField(_l("Thời gian trả lời (phút)"), default=15, validators=[DataRequired(), NumberRange(1, 240)])


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


def _sender_for(campaign: Campaign) -> tuple[SmtpSettings | None, str, str]:
    """(SMTP settings or None for the development backend, sender name, contact address) of the
    campaign's first unit — what most invitations will show."""
    unit_code = db.session.scalar(select(Unit.code).where(Unit.campaign_id == campaign.id).order_by(Unit.code).limit(1))
    box = mailbox_for_unit(unit_code) if unit_code else None
    if box is not None:
        return settings_of(box), box.sender_name or campaign.issuer, box.reply_to or box.sender
    sender, name, reply_to = default_sender()
    url = current_app.config.get("MAIL_URL")
    from .mailboxes import parse_mail_url

    return (parse_mail_url(url) if url else None), name, reply_to or sender


def sample_mail(campaign: Campaign, kind: str = "invitation"):
    """The invitation as a respondent would get it, for a sample person and unit."""
    settings, name, contact = _sender_for(campaign)
    unit = db.session.scalar(select(Unit.name).where(Unit.campaign_id == campaign.id).order_by(Unit.code).limit(1))
    base = current_app.config["BASE_URL"].rstrip("/")
    link = f"{base}/s/{_('ví-dụ')}"
    compiled = CompiledTemplate(templates_for(campaign, kind), contact_footer(campaign, name, contact))
    mail = compiled.render(_("Nguyễn Văn A"), [Link(unit or _("Sở Tư pháp"), link)],
                           campaign.answers_by.strftime("%d/%m/%Y"), not_me_url=link + "/khong-phai-toi")
    return settings, name, contact, mail


@bp.route("/mailing/campaigns/<int:campaign_id>/mail-setup", methods=["GET", "POST"])
@allow("admin")
def mail_setup(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = MailSetupForm(obj=campaign)
    if form.validate_on_submit():
        campaign.issuer = form.issuer.data.strip()
        campaign.plan_reference = (form.plan_reference.data or "").strip()
        campaign.minutes_needed = form.minutes_needed.data
        audit.record("campaign.mail_setup", current_user, campaign.id, target=campaign.name)
        db.session.commit()
        flash(_("Đã lưu thông tin thư mời."), "success")
        return redirect(url_for("mailing.mail_setup", campaign_id=campaign.id))
    settings, name, contact, mail = sample_mail(campaign)
    return render_template("mailing/mail_setup.html", campaign=campaign, form=form, mail=mail, sender_name=name,
                           sender=settings.sender if settings else default_sender()[0], contact=contact,
                           test_form=ActionForm(prefix="test"))


@bp.route("/mailing/campaigns/<int:campaign_id>/mail-setup/test", methods=["POST"])
@allow("admin")
def send_test_mail(campaign_id: int):
    """Send the sample invitation to the signed-in secretariat member, right away."""
    campaign = campaign_or_404(campaign_id)
    if not ActionForm(prefix="test").validate_on_submit():
        abort(400)
    settings, name, contact, mail = sample_mail(campaign)
    subject = _("[Thư thử] %(subject)s", subject=mail.subject)
    if settings is None:  # development backend: written to the development mailbox
        from .composer import build_mime
        from .transport import DevTransport

        sender, dev_name, reply_to = default_sender()
        data, _mid = build_mime(sender=sender, sender_name=dev_name, reply_to=reply_to, to_addr=current_user.email,
                                subject=subject, text=mail.text, html=mail.html)
        transport = DevTransport(current_app.config["MAIL_DEV_DIR"])
        transport.open()
        transport.send(data, current_user.email)
    else:
        try:
            send_now(settings, compose(settings, current_user.email, subject, mail.text, mail.html))
        except (SendError, MailboxProblem) as exc:
            flash(_("Không gửi được thư thử: %(error)s", error=str(exc)), "error")
            return redirect(url_for("mailing.mail_setup", campaign_id=campaign.id))
    audit.record("mail.test", current_user, campaign.id, target=current_user.email)
    db.session.commit()
    flash(_("Đã gửi thư thử tới %(addr)s.", addr=current_user.email), "success")
    return redirect(url_for("mailing.mail_setup", campaign_id=campaign.id))


@bp.route("/mailing/campaigns/<int:campaign_id>/replies")
@allow("admin", "coordinator")
def replies(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return render_template("mailing/replies.html", campaign=campaign, replies=replies_for(campaign.id),
                           auto=replies_for(campaign.id, kinds=("auto_reply",), limit=200))


@bp.route("/s/<token>/khong-phai-toi", methods=["GET", "POST"])
@allow(PUBLIC)
def not_me_page(token: str):
    """GET asks to confirm (a mail scanner following links must not revoke anything); POST revokes
    the person's unanswered links and tells the secretariat."""
    from app.core import clock
    from app.survey.services import INVALID, OPEN, resolve_survey_link  # survey imports mailing: not at the top

    link = resolve_survey_link(token, clock.today())
    if link.state != OPEN:  # forged, unknown or revoked: 404; answered or past the deadline: gone
        return render_template("mailing/not_me.html", state="invalid"), 404 if link.state == INVALID else 410
    invitation = link.invitation
    form = ActionForm()
    if form.validate_on_submit():
        for inv in db.session.scalars(select(Invitation).where(Invitation.respondent_id == invitation.respondent_id,
                                                               Invitation.answered_on.is_(None))):
            not_me(inv)
        db.session.commit()
        return render_template("mailing/not_me.html", state="done")
    return render_template("mailing/not_me.html", state="ask", form=form)
