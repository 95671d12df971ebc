"""Addresses to fix: a focal unit proposes, the secretariat decides or changes directly (addresses.py)."""
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.lookups import campaign_or_404, in_campaign, in_campaign_or_404
from app.core.policy import STAFF_ROLES, allow
from app.core.transactions import commit_or_flash
from app.models import AddressProposal, Invitation, Respondent, Unit
from app.progress.services import visible_unit_ids

from . import addresses, services
from .forms import ActionForm, DecisionForm, EmailForm, ProposalForm
from .routes import bp, form_refused



@bp.route("/mailing/campaigns/<int:campaign_id>/addresses", endpoint="addresses")
@allow("admin", "coordinator", "focal")
def addresses_page(campaign_id: int):
    """Failed or bounced deliveries (a focal unit: its own lists only) and the address proposals."""
    campaign = campaign_or_404(campaign_id)
    scope = visible_unit_ids(campaign, current_user)
    return render_template("mailing/addresses.html", campaign=campaign, staff=scope is None,
                           fixes=addresses.addresses_to_fix(campaign, scope),
                           proposals=addresses.proposals(campaign, scope))


def _to_addresses(campaign_id: int):
    return redirect(url_for("mailing.addresses", campaign_id=campaign_id))


@bp.route("/mailing/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/address-proposal", methods=["POST"])
@allow("focal")
def propose_address(campaign_id: int, invitation_id: int):
    invitation = in_campaign_or_404(Invitation, invitation_id, campaign_id)
    # Only the unit whose list the person is on: anyone else gets the same 404 as a missing id.
    if invitation.respondent.unit_id not in (visible_unit_ids(campaign_or_404(campaign_id), current_user) or []):
        abort(404)
    form = ProposalForm()
    if not form_refused(form, _("Hãy nhập địa chỉ mới và lý do đề xuất.")):
        commit_or_flash(lambda: addresses.propose(invitation, form.email.data, form.reason.data, current_user),
                        services.MailingError,
                        _("Đã gửi đề xuất đổi địa chỉ; Tổ thư ký sẽ xem xét. Chưa có thư nào gửi tới địa chỉ mới."))
    return _to_addresses(campaign_id)


@bp.route("/mailing/campaigns/<int:campaign_id>/address-proposals/<int:proposal_id>/decision", methods=["POST"])
@allow(*STAFF_ROLES)
def decide_proposal(campaign_id: int, proposal_id: int):
    proposal = in_campaign_or_404(AddressProposal, proposal_id, campaign_id)
    form = DecisionForm()
    if not form_refused(form, _("Hãy chọn duyệt hoặc từ chối.")):
        approve = form.decision.data == "approve"
        commit_or_flash(lambda: addresses.decide(proposal, approve, current_user, form.note.data),
                        services.MailingError,
                        lambda n: _("Đã duyệt: địa chỉ đã đổi, đường dẫn cũ bị thu hồi, %(n)d đường dẫn mới đang chờ gửi.",
                                    n=n) if approve else _("Đã từ chối đề xuất đổi địa chỉ."))
    return _to_addresses(campaign_id)


def _back(campaign_id: int, form: EmailForm):
    """Back to the progress page the form came from (an id of this campaign), else the addresses page."""
    raw = (form.unit_id.data or "").strip()
    unit = in_campaign(Unit, int(raw), campaign_id) if raw.isdigit() else None
    if unit is not None:
        return redirect(url_for("progress.unit", campaign_id=campaign_id, unit_code=unit.code))
    return _to_addresses(campaign_id)


@bp.route("/mailing/campaigns/<int:campaign_id>/respondents/<int:respondent_id>/address", methods=["POST"])
@allow(*STAFF_ROLES)
def change_address(campaign_id: int, respondent_id: int):
    respondent = in_campaign_or_404(Respondent, respondent_id, campaign_id)
    form = EmailForm()
    if not form_refused(form, _("Hãy nhập địa chỉ thư điện tử mới.")):
        before = respondent.email
        commit_or_flash(lambda: addresses.change_address(respondent, form.email.data, current_user),
                        services.MailingError,
                        lambda n: _("Đã đổi địa chỉ của %(name)s từ %(old)s thành %(new)s và gửi lại %(n)d đường dẫn mới.",
                                    name=respondent.full_name, old=before or "–", new=respondent.email, n=n))
    return _back(campaign_id, form)


@bp.route("/mailing/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@allow(*STAFF_ROLES)
def resend(campaign_id: int, invitation_id: int):
    """The secretariat re-sends one invitation to the same address (old link revoked)."""
    invitation = in_campaign_or_404(Invitation, invitation_id, campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    commit_or_flash(lambda: services.resend_invitation(invitation, actor=current_user), services.MailingError,
                    _("Đã thu hồi đường dẫn cũ và gửi lại thư mời."))
    return redirect(url_for("progress.unit", campaign_id=campaign_id,
                            unit_code=in_campaign(Unit, invitation.unit_id, campaign_id).code))
