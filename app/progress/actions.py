"""Actions from the dashboard: reminders. The mail is the mailing package's work (its API,
outbox in the same transaction); this module adds the dashboard's deadline rule and turns the
mailing package's refusals into a message the page can show. Services flush; the view commits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.core import clock
from app.mailing.services import MailingError, send_reminders, send_reminders_report
from app.models import Campaign, Group, Unit

from .services import ProgressError


def _check_deadline(campaign: Campaign, today: date | None) -> None:
    if clock.passed(campaign.answers_by, campaign, today):
        raise ProgressError(_("Đã quá hạn trả lời phiếu (%(day)s): không gửi đôn đốc hay thư mời lại nữa.",
                              day=campaign.answers_by.strftime("%d/%m/%Y")))


def remind(campaign: Campaign, unit: Unit | None, group: Group | None, actor, today: date | None = None) -> int:
    """Queue reminders for those of the unit (and group) who have not answered; returns how many."""
    _check_deadline(campaign, today)
    try:
        return send_reminders(campaign, unit=unit, group=group, actor=actor)
    except MailingError as exc:
        raise ProgressError(str(exc)) from None


def remind_units(campaign: Campaign, units: list[Unit], actor, today: date | None = None) -> dict:
    """Queue reminders for the given units in one pass (one mail per person, as the preview counts);
    returns the invitations reminded and the mails queued."""
    _check_deadline(campaign, today)
    try:
        return send_reminders_report(campaign, units=units, actor=actor)
    except MailingError as exc:
        raise ProgressError(str(exc)) from None
