"""Actions from the dashboard — reminders, resending one invitation, correcting an address.

The mail itself is the mailing package's work (outbox in the same transaction); this module
adds the dashboard's own rules (deadline, scope checked by the view) and turns the mailing
package's refusals into a message the page can show. Services flush; the view commits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.core import clock
from app.models import Campaign, Group, Invitation, Respondent, Unit

from .services import ProgressError


def _mailing(name: str):
    """A function of app.mailing.services, or a clear refusal while that package is missing."""
    try:
        from app.mailing import services
    except ImportError:
        services = None
    func = getattr(services, name, None)
    if func is None:
        raise ProgressError(_("Chức năng gửi thư chưa sẵn sàng trên hệ thống này; hãy báo Tổ thư ký."))
    return func


def _check_deadline(campaign: Campaign, today: date | None) -> None:
    if clock.passed(campaign.answers_by, campaign, today):
        raise ProgressError(_("Đã quá hạn trả lời phiếu (%(day)s): không gửi đôn đốc hay thư mời lại nữa.",
                              day=campaign.answers_by.strftime("%d/%m/%Y")))


def _mail_errors():
    """Refusals of the mailing services (their own ValueError subclasses) are shown as they are."""
    return (ValueError, LookupError)


def remind(campaign: Campaign, unit: Unit | None, group: Group | None, actor, today: date | None = None) -> int:
    """Queue reminders for those of the unit (and group) who have not answered; returns how many."""
    _check_deadline(campaign, today)
    send_reminders = _mailing("send_reminders")
    try:
        return int(send_reminders(campaign, unit=unit, group=group, actor=actor) or 0)
    except ProgressError:
        raise
    except _mail_errors() as exc:
        raise ProgressError(str(exc)) from None


def resend(campaign: Campaign, invitation: Invitation, actor, today: date | None = None) -> None:
    """Queue one invitation again (e.g. after a failure)."""
    _check_deadline(campaign, today)
    if invitation.answered_on is not None:
        raise ProgressError(_("Người này đã trả lời phiếu; không cần gửi lại thư mời."))
    resend_invitation = _mailing("resend_invitation")
    try:
        resend_invitation(invitation, actor)
    except _mail_errors() as exc:
        raise ProgressError(str(exc)) from None


def fix_email(respondent: Respondent, new_email: str, actor) -> None:
    """Correct a respondent's address (the mailing package re-sends to the new one)."""
    new_email = (new_email or "").strip()
    if not new_email:
        raise ProgressError(_("Địa chỉ thư điện tử mới không được để trống."))
    correct_email = _mailing("correct_email")
    try:
        correct_email(respondent, new_email, actor)
    except _mail_errors() as exc:
        raise ProgressError(str(exc)) from None
