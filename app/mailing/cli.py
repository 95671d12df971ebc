"""Mailing commands (DESIGN.md §6): invitations send, reminders send, mail drain, addresses propose/decide."""
import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.core.cli_utils import campaign_command, commit_or_fail, fail, report
from app.core.lookups import campaign_or_fail, row_or_fail, user_or_fail
from app.extensions import db
from app.models import AddressProposal, Invitation

from . import addresses as address_changes

from .outbox import drain
from .services import MailingError, queue_invitations_report, send_reminders


invitations = click.Group("invitations", help="Thư mời / invitations.")


@campaign_command(invitations, "send")
@with_appcontext
def invitations_send(campaign_id, as_json):
    """Queue invitations for approved respondents (sent by `jobs run` or `mail drain`)."""
    campaign = campaign_or_fail(campaign_id)
    result = commit_or_fail(lambda: queue_invitations_report(campaign), MailingError)
    report({"campaign": campaign.id, **result}, as_json,
           _("Đã tạo %(created)d thư mời, xếp hàng %(queued)d đường dẫn trong %(mails)d thư.", **result))


reminders = click.Group("reminders", help="Thư nhắc / reminders.")


@campaign_command(reminders, "send")
@with_appcontext
def reminders_send(campaign_id, as_json):
    """Queue reminders for those who have not answered (cap, gap and quiet hours honoured)."""
    campaign = campaign_or_fail(campaign_id)
    count = send_reminders(campaign)
    db.session.commit()
    report({"campaign": campaign.id, "reminded": count}, as_json,
           _("Đã xếp hàng nhắc nhở cho %(n)d thư mời.", n=count))


mail = click.Group("mail", help="Hộp thư đi / outbox.")


@mail.command("drain")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def mail_drain(as_json):
    """Send everything due now, then exit."""
    result = drain()
    payload = {"sent": result.sent, "failed": result.failed, "retried": result.retried,
               "reclaimed": result.reclaimed, "errors": result.errors[:20]}
    report(payload, as_json, _("Đã gửi %(sent)d, lỗi %(failed)d, thử lại sau %(retried)d.", **payload))


addresses = click.Group("addresses", help="Đổi địa chỉ / address changes (focal unit proposes, secretariat decides).")


def _proposal_row(p: AddressProposal) -> dict:
    return {"id": p.id, "invitation": p.invitation_id, "respondent": p.respondent_id, "old_email": p.old_email,
            "new_email": p.new_email, "reason": p.reason, "state": p.state}


@addresses.command("propose")
@click.argument("invitation_id", type=int)
@click.option("--email", "new_email", required=True, help="The proposed address.")
@click.option("--reason", required=True, help="Why the address should change.")
@click.option("--user", "user_email", required=True, help="The focal account proposing.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def addresses_propose(invitation_id, new_email, reason, user_email, as_json):
    """Propose a new address for a failed or bounced delivery (nothing is mailed before approval)."""
    invitation = row_or_fail(Invitation, invitation_id, _("Không có thư mời với mã số %(id)s.", id=invitation_id))
    actor = user_or_fail(user_email)
    proposal = commit_or_fail(lambda: address_changes.propose(invitation, new_email, reason, actor), MailingError)
    report(_proposal_row(proposal), as_json,
           _("Đề xuất #%(id)d đang chờ Tổ thư ký quyết định.", id=proposal.id))


@addresses.command("decide")
@click.argument("proposal_id", type=int)
@click.option("--approve/--reject", "approve", default=None, help="The decision.")
@click.option("--note", default=None, help="A note kept with the decision.")
@click.option("--user", "user_email", required=True, help="The admin or coordinator deciding.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def addresses_decide(proposal_id, approve, note, user_email, as_json):
    """Approve (old link revoked, address set, fresh link queued) or reject a proposal."""
    if approve is None:
        fail(_("Hãy chọn --approve hoặc --reject."))
    proposal = row_or_fail(AddressProposal, proposal_id, _("Không có đề xuất với mã số %(id)s.", id=proposal_id))
    actor = user_or_fail(user_email)
    queued = commit_or_fail(lambda: address_changes.decide(proposal, approve, actor, note), MailingError)
    text = (_("Đề xuất #%(id)d đã được duyệt; %(n)d đường dẫn mới đang chờ gửi.", id=proposal.id, n=queued) if approve
            else _("Đề xuất #%(id)d đã bị từ chối.", id=proposal.id))
    report({**_proposal_row(proposal), "queued": queued}, as_json, text)


@mail.command("read-bounces")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def mail_read_bounces(as_json):
    """Read every mailbox's new bounces and replies once (IMAP); exit 1 if a mailbox could not be read."""
    from .imap import read_all

    result = read_all().as_dict()
    report(result, as_json, _("Đã đọc %(read)d thư: %(hard)d địa chỉ hỏng, %(soft)d lỗi tạm thời, %(replies)d trả lời, "
                              "%(auto)d trả lời tự động, %(bad)d không đọc được.", read=result["read"],
                              hard=result["bounced"]["hard"], soft=result["bounced"]["soft"], replies=result["replies"],
                              auto=result["auto_replies"], bad=result["unreadable"])
           + "".join(f"\n{e['mailbox']}: {e['error']}" for e in result["errors"]))
    if result["errors"]:
        raise SystemExit(1)


COMMANDS = [invitations, reminders, mail, addresses]
