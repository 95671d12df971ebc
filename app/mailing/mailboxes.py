"""Official mailboxes: the smtp:// URL form shared by MAIL_URL and `mailboxes add`, and the
imap:// form of where their bounces and replies are read."""
import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from flask_babel import gettext as _

from app.core import audit
from app.core.crypto import encrypt
from app.extensions import db
from app.models import Mailbox, Unit


class MailboxError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    username: str | None
    password: str | None
    sender: str
    sender_name: str = ""
    reply_to: str | None = None
    rate_per_minute: int = 60
    daily_cap: int = 5000


def _server_url(url: str, scheme: str, ports: tuple[int, int], wrong_scheme: str, no_host: str, bad_port: str):
    """What the SMTP and IMAP URLs share: `scheme://` (`schemes://` = ssl), a host, `tls=` and the
    port (default: ports[0], or ports[1] with ssl). Returns (parts, query, tls, port)."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in (scheme, scheme + "s"):
        raise MailboxError(wrong_scheme)
    if not parts.hostname:
        raise MailboxError(no_host)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls = query.get("tls", "ssl" if parts.scheme == scheme + "s" else "starttls")
    if tls not in ("none", "starttls", "ssl"):
        raise MailboxError(_("tls phải là none, starttls hoặc ssl."))
    try:
        port = parts.port or ports[tls == "ssl"]
    except ValueError:
        raise MailboxError(bad_port) from None
    return parts, query, tls, port


def parse_mail_url(url: str) -> SmtpSettings:
    """smtp://[login:password@]host:port?tls=none|starttls|ssl&sender=ADDR[&name=…&reply_to=…&rate=…&daily_cap=…]"""
    parts, query, tls, port = _server_url(url, "smtp", (587, 465), _("Địa chỉ hộp thư phải bắt đầu bằng smtp://"),
                                          _("Thiếu máy chủ SMTP trong địa chỉ hộp thư."), _("Cổng SMTP không hợp lệ."))
    sender = query.get("sender", "")
    if "@" not in parseaddr(sender)[1]:
        raise MailboxError(_("Thiếu hoặc sai địa chỉ người gửi (sender=…)."))
    try:
        rate = int(query.get("rate", 60))
        cap = int(query.get("daily_cap", 5000))
    except ValueError:
        raise MailboxError(_("rate và daily_cap phải là số nguyên.")) from None
    if rate < 1 or cap < 1:
        raise MailboxError(_("rate và daily_cap phải lớn hơn 0."))
    return SmtpSettings(
        host=parts.hostname, port=port, tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender, sender_name=query.get("name", ""), reply_to=query.get("reply_to") or None,
        rate_per_minute=rate, daily_cap=cap)


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    tls: str
    username: str | None
    password: str | None
    folder: str = "INBOX"


def parse_imap_url(url: str) -> ImapSettings:
    """imap://[login:password@]host:port/FOLDER?tls=none|starttls|ssl (imaps:// = ssl)."""
    parts, _query, tls, port = _server_url(url, "imap", (143, 993), _("Địa chỉ đọc thư phải bắt đầu bằng imap://"),
                                           _("Thiếu máy chủ IMAP trong địa chỉ đọc thư."), _("Cổng IMAP không hợp lệ."))
    if not parts.username:
        raise MailboxError(_("Thiếu tên đăng nhập hộp thư IMAP (imap://tên:mật-khẩu@máy-chủ…)."))
    return ImapSettings(host=parts.hostname, port=port, tls=tls, username=unquote(parts.username),
                        password=unquote(parts.password) if parts.password else None,
                        folder=unquote(parts.path.strip("/")) or "INBOX")


def save_imap(box: Mailbox, settings: ImapSettings | None, actor=None, keep_password: bool = False) -> None:
    """Set (or with None, remove) where a mailbox's bounces and replies are read."""
    if settings is None:
        box.imap_host = box.imap_port = box.imap_tls = box.imap_username = None
        box.imap_password_encrypted = box.imap_folder = box.imap_last_error = None
    else:
        box.imap_host, box.imap_port, box.imap_tls = settings.host, settings.port, settings.tls
        box.imap_username, box.imap_folder = settings.username, settings.folder
        if not (keep_password and settings.password is None):
            box.imap_password_encrypted = encrypt(settings.password)
        box.imap_last_error = None
    db.session.flush()
    audit.record("mailbox.imap", actor, target=box.unit_code or "*", host=settings.host if settings else None)


#: Local parts that say "do not answer": never acceptable as the contact respondents write to.
NO_REPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|khong[-_.]?tra[-_.]?loi|noreply)\b", re.I)


def save_mailbox(unit_code: str | None, settings: SmtpSettings, actor=None, keep_password: bool = False) -> Mailbox:
    """Create or replace the official mailbox of a unit code (None = default mailbox)."""
    contact = settings.reply_to or settings.sender
    if NO_REPLY.match(contact.rpartition("@")[0] or contact):
        raise MailboxError(_("Địa chỉ liên hệ %(addr)s là hộp thư không nhận trả lời; hãy đặt Reply-To là một "
                             "địa chỉ Tổ thư ký đọc được.", addr=contact))
    if unit_code and not db.session.scalar(db.select(Unit.id).where(Unit.code == unit_code).limit(1)):
        raise MailboxError(_("Không có đơn vị với mã: %(codes)s.", codes=unit_code))
    box = db.session.scalar(db.select(Mailbox).where(Mailbox.unit_code.is_(None) if unit_code is None
                                                     else Mailbox.unit_code == unit_code))
    if box is None:
        box = Mailbox(unit_code=unit_code)
        db.session.add(box)
    box.host, box.port, box.tls = settings.host, settings.port, settings.tls
    box.username = settings.username
    if not (keep_password and settings.password is None):
        box.password_encrypted = encrypt(settings.password)
    box.sender, box.sender_name, box.reply_to = settings.sender, settings.sender_name, settings.reply_to
    box.rate_per_minute, box.daily_cap = settings.rate_per_minute, settings.daily_cap
    box.last_error = None
    db.session.flush()
    audit.record("mailbox.save", actor, target=unit_code or "*", host=settings.host, sender=settings.sender)
    return box


def mailbox_for_unit(unit_code: str) -> Mailbox | None:
    """The unit's own official mailbox, else the default one stored in the database."""
    box = db.session.scalar(db.select(Mailbox).where(Mailbox.unit_code == unit_code))
    return box or db.session.scalar(db.select(Mailbox).where(Mailbox.unit_code.is_(None)))
