"""Invitations, reminders and the development mailbox (issue: invitations)."""
from flask import Blueprint, render_template

from app.core.policy import STAFF_ROLES, allow

bp = Blueprint("mailing", __name__, template_folder="templates")


@bp.route("/dev-mail")
@allow(*STAFF_ROLES)
def dev_mailbox():
    """Hộp thư thử nghiệm: messages written by the development backend (filled by the mailing issue)."""
    return render_template("mailing/dev_mailbox.html", messages=[])
