"""The secretariat's set-up screens: campaigns, units, groups, deadlines, accounts, mailboxes."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.services import AccountError, create_user
from app.core.lookups import campaign_or_404
from app.core.policy import allow
from app.core.schemes import all_schemes
from app.core.transactions import commit_or_flash
from app.extensions import db
from app.mailing.mailboxes import ImapSettings, MailboxError, SmtpSettings, save_imap, save_mailbox
from app.models import AuditEntry, Campaign, MailReply, Mailbox, User

from .forms import CampaignForm, DeadlinesForm, MailboxForm, UnitForm, UploadForm, UserForm
from .services import SetupError, add_unit, create_campaign, import_units, set_min_cell_sheets, update_deadlines

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.route("/campaigns", methods=["GET", "POST"])
@allow("admin")
def campaigns():
    form = CampaignForm()
    form.scheme.choices = [SelectChoice(code, f"{s.name} ({code})") for code, s in sorted(all_schemes().items())]
    if form.validate_on_submit():
        done, campaign = commit_or_flash(
            lambda: create_campaign(form.scheme.data, form.year.data, form.name.data, form.lists_by.data,
                                    form.answers_by.data, form.assessments_by.data, actor=current_user),
            SetupError, _("Đã tạo kỳ đánh giá."))
        if done:
            return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    items = db.session.scalars(db.select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).all()
    return render_template("admin/campaigns.html", campaigns=items, form=form)


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@allow("admin")
def campaign(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    deadlines = DeadlinesForm(obj=campaign, prefix="d")
    unit_form = UnitForm(prefix="u")
    upload = UploadForm(prefix="f")
    action = request.form.get("action")
    done = False
    if action == "deadlines" and deadlines.validate_on_submit():
        def save_deadlines():
            update_deadlines(campaign, deadlines.lists_by.data, deadlines.answers_by.data,
                             deadlines.assessments_by.data, actor=current_user)
            set_min_cell_sheets(campaign, deadlines.min_cell_sheets.data, actor=current_user)
        done, _r = commit_or_flash(save_deadlines, SetupError, _("Đã cập nhật các hạn."))
    elif action == "unit" and unit_form.validate_on_submit():
        done, _r = commit_or_flash(lambda: add_unit(campaign, unit_form.code.data, unit_form.name.data,
                                                    unit_form.kind.data, actor=current_user),
                                   SetupError, _("Đã thêm đơn vị."))
    elif action == "units_import" and upload.validate_on_submit():
        f = upload.file.data
        done, _r = commit_or_flash(lambda: import_units(campaign, f.filename, f.read(), actor=current_user),
                                   SetupError, lambda result: _("Đã nhập %(n)d đơn vị.", n=result["imported"]))
    if done:
        return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return render_template("admin/campaign.html", campaign=campaign, deadlines=deadlines, unit_form=unit_form,
                           upload=upload)


@bp.route("/users", methods=["GET", "POST"])
@allow("admin")
def users():
    form = UserForm()
    if form.validate_on_submit():
        codes = [c.strip() for c in (form.units.data or "").split(",") if c.strip()]
        done, _user = commit_or_flash(lambda: create_user(form.email.data, form.role.data, form.password.data, codes,
                                                          name=form.name.data or "", actor=current_user),
                                      AccountError, _("Đã tạo tài khoản."))
        if done:
            return redirect(url_for("admin.users"))
    items = db.session.scalars(db.select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=items, form=form)


@bp.route("/mailboxes", methods=["GET", "POST"])
@allow("admin")
def mailboxes():
    form = MailboxForm()
    if form.validate_on_submit():
        settings = SmtpSettings(host=form.host.data.strip(), port=form.port.data, tls=form.tls.data,
                                username=form.username.data or None, password=form.password.data or None,
                                sender=form.sender.data.strip(), sender_name=form.sender_name.data or "",
                                reply_to=form.reply_to.data or None, rate_per_minute=form.rate_per_minute.data,
                                daily_cap=form.daily_cap.data)

        def save():
            box = save_mailbox((form.unit_code.data or "").strip() or None, settings, actor=current_user,
                               keep_password=True)
            if (form.imap_host.data or "").strip():
                if not (form.imap_username.data or "").strip():
                    raise MailboxError(_("Thiếu tên đăng nhập hộp thư IMAP."))
                save_imap(box, ImapSettings(host=form.imap_host.data.strip(), port=form.imap_port.data or 993,
                                            tls=form.imap_tls.data or "ssl", username=form.imap_username.data.strip(),
                                            password=form.imap_password.data or None,
                                            folder=(form.imap_folder.data or "").strip() or "INBOX"),
                          actor=current_user, keep_password=True)

        if commit_or_flash(save, MailboxError, _("Đã lưu hộp thư công vụ."))[0]:
            return redirect(url_for("admin.mailboxes"))
    items = db.session.scalars(db.select(Mailbox).order_by(Mailbox.unit_code)).all()
    # Messages the bounce reader could not read (left in the mailbox), per mailbox.
    unreadable = dict(db.session.execute(db.select(MailReply.mailbox_id, db.func.count()).where(
        MailReply.kind == "unreadable").group_by(MailReply.mailbox_id)).all())
    return render_template("admin/mailboxes.html", mailboxes=items, form=form, unreadable=unreadable)


@bp.route("/audit")
@allow("admin")
def audit_log():
    """The audit log, newest first: filter by action, search the target or the user, paged."""
    from app.core.labels import AUDIT_ACTIONS
    from app.core.paging import paginate_query

    action = request.args.get("action", "")
    query = (request.args.get("q") or "").strip()
    stmt = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action in AUDIT_ACTIONS:
        stmt = stmt.where(AuditEntry.action == action)
    if query:
        like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(db.or_(AuditEntry.target.ilike(like, escape="\\"), AuditEntry.user_id.in_(
            db.select(User.id).where(User.email.ilike(like, escape="\\")))))
    found = paginate_query(stmt, request.args.get("page"))
    users = {u.id: u.email for u in db.session.scalars(db.select(User))}
    args = {k: v for k, v in (("action", action), ("q", query)) if v}
    return render_template("admin/audit.html", entries=found.items, found=found, users=users, actions=AUDIT_ACTIONS,
                           action=action, query=query, args=args)
