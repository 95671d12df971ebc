"""Address changes: the secretariat's (DESIGN.md §5, "the assessed unit is the adversary").

A focal unit only *proposes* a new address for a person on its own approved list whose
delivery failed or bounced, with a reason; an admin or coordinator approves or rejects it.
Nothing is mailed to the proposed address before approval. On approval (or on a direct change
by the secretariat) the old links are revoked, the address set and fresh links queued — in the
caller's transaction, every step in the audit log with the old and the new address.

Services flush; the view or CLI commits.
"""
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from app.core import audit, clock
from app.extensions import db
from app.models import AddressProposal, Campaign, Invitation, Respondent, RespondentList, Unit, utcnow

from .services import MailingError, reissue

SECRETARIAT = ("admin", "coordinator")
FAILED = ("failed", "bounced")
REASON_MAX = 1000
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


def normalise_email(value: str) -> str:
    """NFC, trimmed, domain in lower case (IDNA-checked); a Vietnamese local part is kept."""
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not EMAIL.match(value) or len(value) > 254:
        raise MailingError(_("Địa chỉ thư điện tử '%(value)s' không hợp lệ.", value=value))
    local, _at, domain = value.rpartition("@")
    try:
        domain.encode("idna")
    except UnicodeError:
        raise MailingError(_("Tên miền của địa chỉ '%(value)s' không hợp lệ.", value=value)) from None
    return f"{local}@{domain.lower()}"


def _failed_invitation():
    """An invitation of the respondent whose mail failed or bounced (answered or not: the list of
    addresses to fix must not change when someone answers)."""
    return exists().where(Invitation.respondent_id == Respondent.id, Invitation.status.in_(FAILED))


@dataclass
class AddressToFix:
    """A person whose mail did not arrive — what a focal unit needs to fix it, nothing more."""

    respondent: Respondent
    unit_code: str
    invitation_id: int | None
    reason: str | None
    pending: AddressProposal | None


def addresses_to_fix(campaign: Campaign, list_unit_ids: list[int] | None = None,
                     limit: int = 500) -> list[AddressToFix]:
    """People whose delivery failed or bounced, on the lists of `list_unit_ids` (None = every list)."""
    q = (select(Respondent, Unit.code).join(Unit, Unit.id == Respondent.unit_id)
         .where(Respondent.campaign_id == campaign.id,
                or_(Respondent.email_status.in_(FAILED), _failed_invitation()))
         .order_by(Unit.code, Respondent.full_name, Respondent.id).limit(limit))
    if list_unit_ids is not None:
        q = q.where(Respondent.unit_id.in_(list_unit_ids or [-1]))
    rows = db.session.execute(q).all()
    ids = [r.id for r, _code in rows]
    failed = {}
    for inv_id, rid, error in db.session.execute(
            select(Invitation.id, Invitation.respondent_id, Invitation.last_error)
            .where(Invitation.respondent_id.in_(ids or [-1])).order_by(Invitation.status.in_(FAILED).desc(),
                                                                       Invitation.id)):
        failed.setdefault(rid, (inv_id, error))
    pending = {p.respondent_id: p for p in db.session.scalars(
        select(AddressProposal).where(AddressProposal.respondent_id.in_(ids or [-1]),
                                      AddressProposal.state == "pending"))}
    out = []
    for r, code in rows:
        inv_id, error = failed.get(r.id, (None, None))
        out.append(AddressToFix(r, code, inv_id, r.email_error or error, pending.get(r.id)))
    return out


def proposals(campaign: Campaign, list_unit_ids: list[int] | None = None, limit: int = 500) -> list[AddressProposal]:
    """Proposals, pending first then the newest decisions; `list_unit_ids` limits to those lists."""
    q = (select(AddressProposal).join(Respondent, Respondent.id == AddressProposal.respondent_id)
         .where(AddressProposal.campaign_id == campaign.id)
         .order_by((AddressProposal.state == "pending").desc(), AddressProposal.id.desc()).limit(limit))
    if list_unit_ids is not None:
        q = q.where(Respondent.unit_id.in_(list_unit_ids or [-1]))
    return list(db.session.scalars(q))


def _locked_respondent(respondent_id: int) -> Respondent:
    # The row lock serialises two proposals or decisions about one person (PostgreSQL).
    return db.session.scalar(select(Respondent).where(Respondent.id == respondent_id).with_for_update())


def _check_open(campaign_id: int) -> None:
    campaign = db.session.get(Campaign, campaign_id)
    if clock.passed(campaign.answers_by, campaign):
        raise MailingError(_("Đã quá hạn trả lời phiếu; không đổi địa chỉ và gửi lại thư mời nữa."))


def _check_new_address(respondent: Respondent, new_email: str) -> str:
    email = normalise_email(new_email)
    if email == respondent.email:
        raise MailingError(_("Địa chỉ mới trùng với địa chỉ hiện tại."))
    clash = db.session.scalar(select(Respondent.id).where(Respondent.campaign_id == respondent.campaign_id,
                                                          Respondent.email == email, Respondent.id != respondent.id))
    if clash:
        raise MailingError(_("Địa chỉ %(email)s đã có trong danh sách của kỳ đánh giá.", email=email))
    return email


def propose(invitation: Invitation, new_email: str, reason: str, actor) -> AddressProposal:
    """A focal unit proposes a new address for a failed or bounced delivery on its own approved list.

    Nothing is mailed; the proposal waits for the secretariat."""
    respondent = _locked_respondent(invitation.respondent_id)
    unit_code = db.session.scalar(select(Unit.code).where(Unit.id == respondent.unit_id))
    if getattr(actor, "role", None) != "focal" or unit_code not in actor.unit_codes:
        raise MailingError(_("Chỉ đơn vị đầu mối đã lập danh sách có người này mới đề xuất được địa chỉ mới."))
    state = db.session.scalar(select(RespondentList.state).where(RespondentList.unit_id == respondent.unit_id))
    if state != "approved":
        raise MailingError(_("Danh sách chưa được duyệt: hãy sửa địa chỉ ngay trong danh sách."))
    _check_open(respondent.campaign_id)
    if invitation.status not in FAILED and respondent.email_status not in FAILED:
        raise MailingError(_("Thư gửi tới địa chỉ này không bị lỗi; chỉ đề xuất đổi địa chỉ khi thư gửi lỗi "
                             "hoặc bị trả lại."))
    reason = unicodedata.normalize("NFC", (reason or "").strip())
    if not reason:
        raise MailingError(_("Hãy ghi lý do đề xuất đổi địa chỉ."))
    if len(reason) > REASON_MAX:
        raise MailingError(_("Lý do dài quá %(n)d ký tự.", n=REASON_MAX))
    email = _check_new_address(respondent, new_email)
    if db.session.scalar(select(AddressProposal.id).where(AddressProposal.respondent_id == respondent.id,
                                                          AddressProposal.state == "pending")):
        raise MailingError(_("Đã có một đề xuất đổi địa chỉ của người này đang chờ Tổ thư ký quyết định."))
    proposal = AddressProposal(campaign_id=respondent.campaign_id, respondent_id=respondent.id,
                               invitation_id=invitation.id, old_email=respondent.email, new_email=email,
                               reason=reason, state="pending", proposed_by_id=getattr(actor, "id", None))
    db.session.add(proposal)
    db.session.flush()
    audit.record("address.propose", actor, respondent.campaign_id, target=str(respondent.id), proposal=proposal.id,
                 invitation=invitation.id, before=respondent.email, after=email, reason=reason)
    return proposal


def _check_secretariat(actor) -> None:
    if actor is not None and actor.role not in SECRETARIAT:
        raise MailingError(_("Chỉ Tổ thư ký (quản trị, theo dõi) mới đổi được địa chỉ của đối tượng khảo sát."))


def change_address(respondent: Respondent, new_email: str, actor, proposal: AddressProposal | None = None) -> int:
    """The secretariat sets a new address: old links revoked, fresh ones queued to the new address.

    Other pending proposals for the person are closed. Returns how many links were queued."""
    _check_secretariat(actor)
    _check_open(respondent.campaign_id)
    email = _check_new_address(respondent, new_email)
    before = respondent.email
    respondent.email, respondent.email_status, respondent.email_error = email, "ok", None
    for other in db.session.scalars(select(AddressProposal).where(AddressProposal.respondent_id == respondent.id,
                                                                  AddressProposal.state == "pending")):
        if other is not proposal:
            _close(other, "rejected", actor, _("Tổ thư ký đã đổi địa chỉ trực tiếp."))
    db.session.flush()
    audit.record("address.change", actor, respondent.campaign_id, target=str(respondent.id), before=before,
                 after=email, proposal=getattr(proposal, "id", None))
    invitations = list(db.session.scalars(select(Invitation).where(Invitation.respondent_id == respondent.id,
                                                                  Invitation.answered_on.is_(None))))
    return reissue(invitations, actor, "invitation.reissue")


def _close(proposal: AddressProposal, state: str, actor, note: str | None) -> None:
    proposal.state, proposal.decision_note = state, note
    proposal.decided_by_id, proposal.decided_at = getattr(actor, "id", None), utcnow()
    audit.record(f"address.{'approve' if state == 'approved' else 'reject'}", actor, proposal.campaign_id,
                 target=str(proposal.respondent_id), proposal=proposal.id, before=proposal.old_email,
                 after=proposal.new_email, note=note or "")


def decide(proposal: AddressProposal, approve: bool, actor, note: str | None = None) -> int:
    """Approve (the address changes, links re-issued) or reject a pending proposal; returns links queued."""
    _check_secretariat(actor)
    respondent = _locked_respondent(proposal.respondent_id)
    db.session.refresh(proposal)
    if proposal.state != "pending":
        raise MailingError(_("Đề xuất này đã được quyết định."))
    note = unicodedata.normalize("NFC", (note or "").strip())[:REASON_MAX] or None
    if not approve:
        _close(proposal, "rejected", actor, note)
        db.session.flush()
        return 0
    if respondent.email != proposal.old_email:
        raise MailingError(_("Địa chỉ của người này đã thay đổi sau khi có đề xuất; hãy từ chối đề xuất này."))
    _close(proposal, "approved", actor, note)
    return change_address(respondent, proposal.new_email, actor, proposal)
