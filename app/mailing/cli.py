"""Mailing commands (DESIGN.md §6): invitations send, reminders send, mail drain."""
import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.admin.cli import get_campaign
from app.core.cli_utils import fail, report
from app.extensions import db

from .outbox import drain
from .services import MailingError, queue_invitations_report, send_reminders


invitations = click.Group("invitations", help="Thư mời / invitations.")


@invitations.command("send")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def invitations_send(campaign_id, as_json):
    """Queue invitations for approved respondents (sent by `jobs run` or `mail drain`)."""
    campaign = get_campaign(campaign_id)
    try:
        result = queue_invitations_report(campaign)
        db.session.commit()
    except MailingError as exc:
        db.session.rollback()
        fail(str(exc))
    report({"campaign": campaign.id, **result}, as_json,
           _("Đã tạo %(created)d thư mời, xếp hàng %(queued)d đường dẫn trong %(mails)d thư.", **result))


reminders = click.Group("reminders", help="Thư nhắc / reminders.")


@reminders.command("send")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def reminders_send(campaign_id, as_json):
    """Queue reminders for those who have not answered (cap, gap and quiet hours honoured)."""
    campaign = get_campaign(campaign_id)
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


COMMANDS = [invitations, reminders, mail]
