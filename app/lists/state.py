"""The life of a unit's list: draft → submitted → approved, or returned with a reason.

A submitted or approved list is locked; after the campaign's list deadline uploads and
submissions lock by themselves. Every step is written to the audit log.
"""
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from app.core import audit, clock
from app.core.labels import label
from app.extensions import db
from app.mailing.services import forget_respondents
from app.models import Group, Invitation, Respondent, RespondentList, RespondentTarget, Unit, utcnow
from app.models.counters import counted_in_batch

EDITABLE = ("draft", "returned")


class ListError(ValueError):
    """A refused list operation; the message is shown to the user as is."""


def get_list(campaign, unit: Unit, create: bool = True) -> RespondentList:
    """The unit's list, created in draft on first change (a read gets an unsaved draft)."""
    query = select(RespondentList).where(RespondentList.unit_id == unit.id)
    # A change locks the list row (PostgreSQL), so two uploads of one unit's list run one after the other.
    rlist = db.session.scalar(query.with_for_update() if create else query)
    if rlist is None and not create:
        return RespondentList(campaign_id=campaign.id, unit_id=unit.id, state="draft", last_upload={})
    if rlist is None:
        rlist = RespondentList(campaign_id=campaign.id, unit_id=unit.id, state="draft", last_upload={})
        db.session.add(rlist)
        db.session.flush()
    return rlist


def deadline_passed(campaign) -> bool:
    return clock.passed(campaign.lists_by, campaign)


def check_open(campaign, rlist: RespondentList) -> None:
    """Refuse changes to a locked list or after the list deadline."""
    if deadline_passed(campaign):
        raise ListError(_("Đã quá hạn gửi danh sách (%(date)s); danh sách đã khoá. Hãy liên hệ Tổ thư ký nếu cần gia hạn.",
                          date=campaign.lists_by.strftime("%d/%m/%Y")))
    if rlist.state == "submitted":
        raise ListError(_("Danh sách đã gửi và đang chờ Tổ thư ký duyệt; không thể sửa."))
    if rlist.state == "approved":
        raise ListError(_("Danh sách đã được duyệt; Tổ thư ký phải trả lại danh sách trước khi sửa."))


def remove_respondents(unit: Unit, reason: str) -> int:
    """Delete the unit's respondents with their targets and unanswered invitations.

    Refused when someone on the list has answered already: the answer must keep counting,
    so the list can only be added to. Done explicitly (not by ON DELETE CASCADE) so that
    SQLite without foreign-key enforcement leaves no orphans either.
    """
    ids = select(Respondent.id).where(Respondent.unit_id == unit.id).scalar_subquery()
    answered = db.session.scalar(select(func.count(Invitation.id)).where(
        Invitation.respondent_id.in_(ids), Invitation.answered_on.is_not(None)))
    if answered:
        raise ListError(_("Không thể thay thế danh sách: đã có %(n)d phiếu được trả lời theo danh sách này. "
                          "Hãy dùng chế độ bổ sung.", n=answered))
    count = db.session.scalar(select(func.count(Respondent.id)).where(Respondent.unit_id == unit.id))
    if not count:
        return 0
    conn = db.session.connection()
    # One counter delta for the whole delete (app/models/counters.py), not one per row on SQLite.
    with counted_in_batch(conn, "invitations", "respondent_id IN (SELECT id FROM respondents WHERE unit_id = :u)",
                          u=unit.id), counted_in_batch(conn, "respondents", "unit_id = :u", u=unit.id):
        # Their queued mails, invitations and address proposals are the mailing package's to clear.
        forget_respondents(ids)
        db.session.execute(delete(RespondentTarget).where(RespondentTarget.respondent_id.in_(ids)),
                           execution_options={"synchronize_session": False})
        db.session.execute(delete(Respondent).where(Respondent.unit_id == unit.id),
                           execution_options={"synchronize_session": False})
    return count


def quota_text(lo, hi) -> str:
    if lo is None and hi is None:
        return _("tất cả")
    if lo is not None and lo == hi:
        return _("đúng %(n)d", n=lo)
    if hi is None:
        return _("ít nhất %(n)d", n=lo)
    if lo is None or lo == 0:
        return _("tối đa %(n)d", n=hi)
    return _("từ %(lo)d đến %(hi)d", lo=lo, hi=hi)


def quota_status(campaign, unit: Unit) -> list[dict]:
    """Each group's count on the unit's list against its quota for the unit's kind."""
    counts = dict(db.session.execute(select(Respondent.group_id, func.count(Respondent.id))
                                     .where(Respondent.unit_id == unit.id).group_by(Respondent.group_id)).all())
    out = []
    for group in db.session.scalars(select(Group).where(Group.campaign_id == campaign.id).order_by(Group.priority)):
        lo, hi = group.quota_for(unit.kind)
        n = counts.get(group.id, 0)
        ok = (lo is None or n >= lo) and (hi is None or n <= hi)
        out.append({"group": group, "code": group.code, "count": n, "min": lo, "max": hi, "ok": ok,
                    "quota": quota_text(lo, hi)})
    return out


def submit(campaign, unit: Unit, actor=None, explanation: str | None = None) -> RespondentList:
    """Gửi danh sách: lock the list; a list that breaks a quota needs an explanation."""
    rlist = get_list(campaign, unit)
    check_open(campaign, rlist)
    if not db.session.scalar(select(func.count(Respondent.id)).where(Respondent.unit_id == unit.id)):
        raise ListError(_("Danh sách trống; hãy tải danh sách lên trước khi gửi."))
    broken = [q for q in quota_status(campaign, unit) if not q["ok"]]
    explanation = (explanation or "").strip()
    if broken and not explanation:
        raise ListError(_("Danh sách chưa đúng chỉ tiêu ở nhóm: %(groups)s. Hãy ghi giải trình để Tổ thư ký xem xét.",
                          groups=", ".join(f"{q['code']} ({q['count']}; {q['quota']})" for q in broken)))
    rlist.state = "submitted"
    rlist.quota_explanation = explanation or None
    rlist.submitted_at = utcnow()
    rlist.submitted_by_id = getattr(actor, "id", None)
    audit.record("list.submit", actor, campaign.id, target=unit.code, explanation=explanation,
                 broken=[q["code"] for q in broken])
    db.session.flush()
    return rlist


def approve(campaign, unit: Unit, actor=None) -> RespondentList:
    """The secretariat approves a submitted list (invitations may then be created)."""
    rlist = get_list(campaign, unit)
    if rlist.state != "submitted":
        raise ListError(_("Chỉ duyệt được danh sách đã gửi (trạng thái hiện tại: %(state)s).", state=state_label(rlist.state)))
    rlist.state = "approved"
    rlist.decided_at = utcnow()
    rlist.decided_by_id = getattr(actor, "id", None)
    rlist.return_reason = None
    audit.record("list.approve", actor, campaign.id, target=unit.code)
    db.session.flush()
    return rlist


def return_list(campaign, unit: Unit, reason: str, actor=None) -> RespondentList:
    """The secretariat returns a submitted (or approved) list with a reason; it opens again."""
    reason = (reason or "").strip()
    if not reason:
        raise ListError(_("Hãy ghi lý do trả lại danh sách."))
    rlist = get_list(campaign, unit)
    if rlist.state not in ("submitted", "approved"):
        raise ListError(_("Chỉ trả lại được danh sách đã gửi hoặc đã duyệt (trạng thái hiện tại: %(state)s).",
                          state=state_label(rlist.state)))
    rlist.state = "returned"
    rlist.return_reason = reason
    rlist.decided_at = utcnow()
    rlist.decided_by_id = getattr(actor, "id", None)
    audit.record("list.return", actor, campaign.id, target=unit.code, reason=reason)
    db.session.flush()
    return rlist


def state_label(state: str) -> str:
    return label(state, "list_state")
