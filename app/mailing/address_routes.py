"""Addresses to fix: a focal unit proposes, the secretariat decides or changes directly (addresses.py)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.nav import campaign_link
from app.core.policy import STAFF_ROLES, allow
from app.extensions import db
from app.models import AddressProposal, Invitation, Respondent, Unit
from app.progress.services import visible_unit_ids

from . import addresses, services
from .forms import ActionForm, DecisionForm, EmailForm, ProposalForm
from .routes import _campaign, bp

campaign_link("mailing.addresses", _l("Địa chỉ cần sửa"), ["admin", "coordinator", "focal"], order=32)


@bp.route("/mailing/campaigns/<int:campaign_id>/addresses", endpoint="addresses")
@allow("admin", "coordinator", "focal")
def addresses_page(campaign_id: int):
    """Failed or bounced deliveries (a focal unit: its own lists only) and the address proposals."""
    campaign = _campaign(campaign_id)
    scope = visible_unit_ids(campaign, current_user)
    return render_template("mailing/addresses.html", campaign=campaign, staff=scope is None,
                           fixes=addresses.addresses_to_fix(campaign, scope),
                           proposals=addresses.proposals(campaign, scope))


def _to_addresses(campaign_id: int):
    return redirect(url_for("mailing.addresses", campaign_id=campaign_id))


@bp.route("/mailing/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/address-proposal", methods=["POST"])
@allow("focal")
def propose_address(campaign_id: int, invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.campaign_id != campaign_id:
        abort(404)
    # Only the unit whose list the person is on: anyone else gets the same 404 as a missing id.
    if invitation.respondent.unit_id not in (visible_unit_ids(_campaign(campaign_id), current_user) or []):
        abort(404)
    form = ProposalForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Hãy nhập địa chỉ mới và lý do đề xuất."), "error")
        return _to_addresses(campaign_id)
    try:
        addresses.propose(invitation, form.email.data, form.reason.data, current_user)
        db.session.commit()
        flash(_("Đã gửi đề xuất đổi địa chỉ; Tổ thư ký sẽ xem xét. Chưa có thư nào gửi tới địa chỉ mới."), "success")
    except services.MailingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return _to_addresses(campaign_id)


@bp.route("/mailing/campaigns/<int:campaign_id>/address-proposals/<int:proposal_id>/decision", methods=["POST"])
@allow(*STAFF_ROLES)
def decide_proposal(campaign_id: int, proposal_id: int):
    proposal = db.session.get(AddressProposal, proposal_id)
    if proposal is None or proposal.campaign_id != campaign_id:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Hãy chọn duyệt hoặc từ chối."), "error")
        return _to_addresses(campaign_id)
    try:
        n = addresses.decide(proposal, form.decision.data == "approve", current_user, form.note.data)
        db.session.commit()
        if form.decision.data == "approve":
            flash(_("Đã duyệt: địa chỉ đã đổi, đường dẫn cũ bị thu hồi, %(n)d đường dẫn mới đang chờ gửi.", n=n),
                  "success")
        else:
            flash(_("Đã từ chối đề xuất đổi địa chỉ."), "success")
    except services.MailingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return _to_addresses(campaign_id)


def _back(campaign_id: int, form: EmailForm):
    """Back to the progress page the form came from (an id of this campaign), else the addresses page."""
    raw = (form.unit_id.data or "").strip()
    unit = db.session.get(Unit, int(raw)) if raw.isdigit() else None
    if unit is not None and unit.campaign_id == campaign_id:
        return redirect(url_for("progress.unit", campaign_id=campaign_id, unit_code=unit.code))
    return _to_addresses(campaign_id)


@bp.route("/mailing/campaigns/<int:campaign_id>/respondents/<int:respondent_id>/address", methods=["POST"])
@allow(*STAFF_ROLES)
def change_address(campaign_id: int, respondent_id: int):
    respondent = db.session.get(Respondent, respondent_id)
    if respondent is None or respondent.campaign_id != campaign_id:
        abort(404)
    form = EmailForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Hãy nhập địa chỉ thư điện tử mới."), "error")
        return _back(campaign_id, form)
    before = respondent.email
    try:
        n = addresses.change_address(respondent, form.email.data, current_user)
        db.session.commit()
        flash(_("Đã đổi địa chỉ của %(name)s từ %(old)s thành %(new)s và gửi lại %(n)d đường dẫn mới.",
                name=respondent.full_name, old=before or "–", new=respondent.email, n=n), "success")
    except services.MailingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return _back(campaign_id, form)


@bp.route("/mailing/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@allow(*STAFF_ROLES)
def resend(campaign_id: int, invitation_id: int):
    """The secretariat re-sends one invitation to the same address (old link revoked)."""
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
    return redirect(url_for("progress.unit", campaign_id=campaign_id,
                            unit_code=db.session.get(Unit, invitation.unit_id).code))
