"""One-off mails (a test mail to the secretariat), composed with Flask-Mail's Message and sent
through Flask-Mail's connection to the chosen official mailbox.

The outbox worker does not use this path: measured, Flask-Mail's composition costs more than
the 10 % of the send rate the design allows (docs/decisions/0001-flask-mail-for-one-off-mails.md).
"""
import smtplib

from flask import current_app
from flask_babel import gettext as _
from flask_mail import Connection, Message, _Mail

from .mailboxes import SmtpSettings
from .outbox import mail_tls_context
from .transport import MailboxProblem, SendError


def compose(settings: SmtpSettings, to_addr: str, subject: str, text: str, html: str) -> Message:
    """A Flask-Mail Message with the official sender, Reply-To and auto-generated marker."""
    return Message(subject=subject, recipients=[to_addr], body=text, html=html,
                   sender=(settings.sender_name, settings.sender) if settings.sender_name else settings.sender,
                   reply_to=settings.reply_to, extra_headers={"Auto-Submitted": "auto-generated"})


def _state(settings: SmtpSettings) -> _Mail:
    return _Mail(settings.host, settings.username, settings.password, settings.port,
                 use_tls=settings.tls == "starttls", use_ssl=settings.tls == "ssl", default_sender=settings.sender,
                 debug=0, max_emails=None, suppress=False, ascii_attachments=False)


class _Connection(Connection):
    """Flask-Mail's connection, opened like the outbox's: a timeout, and TLS verified against the
    system CAs plus MAIL_CA_FILE (Flask-Mail's own opens without either)."""

    def configure_host(self):
        mail = self.mail
        timeout = current_app.config["MAIL_TIMEOUT"]
        if mail.use_ssl:
            host = smtplib.SMTP_SSL(mail.server, mail.port, timeout=timeout, context=mail_tls_context())
        else:
            host = smtplib.SMTP(mail.server, mail.port, timeout=timeout)
        if mail.use_tls:
            host.starttls(context=mail_tls_context())
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


def send_now(settings: SmtpSettings, message: Message) -> None:
    """Send one message right away through the mailbox (its own connection). Raises SendError /
    MailboxProblem with the server's reply, in Vietnamese."""
    try:
        with _Connection(_state(settings)) as conn:
            conn.send(message, envelope_from=settings.sender)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailboxProblem(_("Máy chủ thư từ chối đăng nhập (sai tên đăng nhập hoặc mật khẩu): %(reply)s",
                               reply=f"{exc.smtp_code} {exc.smtp_error!r}"), exc.smtp_code) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailboxProblem(_("Máy chủ thư không hỗ trợ: %(error)s", error=exc)) from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise SendError(f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}", code,
                        temporary=code < 500) from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(_("Máy chủ thư trả lời: %(reply)s", reply=f"{exc.smtp_code} {exc.smtp_error!r}"),
                        exc.smtp_code, temporary=exc.smtp_code < 500) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(_("Không kết nối được máy chủ thư %(host)s:%(port)s: %(error)s",
                          host=settings.host, port=settings.port, error=exc or type(exc).__name__)) from None
