"""Reading each official mailbox over IMAP: bounces and replies (`mail read-bounces`, the job).

imaplib (standard library) rather than imap-tools: the job needs five commands (LOGIN,
SELECT, UID SEARCH, UID FETCH BODY.PEEK[], UID MOVE with a COPY fallback) and precise error
classes to tell "wrong password" from "connection cut"; a wrapper would add a dependency
without removing code here.

Per message: classify, record in the database and commit, then move it to PROCESSED_FOLDER —
never deleted. A message that cannot be read, or a report that matches none of our mails,
stays where it is and is reported. A cut connection loses nothing: what was committed is
recorded once (the ledger), what was not is read again next time.
"""
import imaplib
import socket
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core.crypto import decrypt
from app.extensions import db
from app.models import Mailbox, utcnow

from .bounces import classify
from .outbox import mail_tls_context
from .replies import record

PROCESSED_FOLDER = "ParSurvey-processed"
FETCH_LIMIT = 500  #: messages per mailbox and run; the rest next run
STAY = ("unmatched", "unreadable")


class ImapProblem(Exception):
    """The mailbox cannot be read (login refused, server gone); shown on the mailbox page."""


@dataclass
class ReadReport:
    mailboxes: int = 0
    read: int = 0
    hard: int = 0
    soft: int = 0
    delayed: int = 0
    replies: int = 0
    auto_replies: int = 0
    unreadable: int = 0
    moved: int = 0
    errors: list = field(default_factory=list)

    def count(self, outcome: str) -> None:
        name = {"reply": "replies", "auto_reply": "auto_replies", "unmatched": "unreadable"}.get(outcome, outcome)
        if hasattr(self, name) and name not in ("errors", "mailboxes"):
            setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict:
        return {"mailboxes": self.mailboxes, "read": self.read, "bounced": {"hard": self.hard, "soft": self.soft},
                "delayed": self.delayed, "replies": self.replies, "auto_replies": self.auto_replies,
                "unreadable": self.unreadable, "moved": self.moved, "errors": self.errors}


def _check(result, what: str):
    typ, data = result
    if typ != "OK":
        reply = " ".join(d.decode("utf-8", "replace") for d in data if isinstance(d, bytes))
        raise ImapProblem(_("Máy chủ IMAP từ chối %(what)s: %(reply)s", what=what, reply=reply))
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapSession:
    """One connection to one mailbox: connect, log in, select, fetch, move."""

    def __init__(self, box: Mailbox, timeout: float):
        self.box, self.timeout = box, timeout
        self.conn: imaplib.IMAP4 | None = None
        self.folder_ready = False

    def __enter__(self):
        box = self.box
        context = mail_tls_context()
        try:
            if box.imap_tls == "ssl":
                self.conn = imaplib.IMAP4_SSL(box.imap_host, box.imap_port, ssl_context=context, timeout=self.timeout)
            else:
                self.conn = imaplib.IMAP4(box.imap_host, box.imap_port, timeout=self.timeout)
                if box.imap_tls == "starttls":
                    self.conn.starttls(ssl_context=context)
        except (OSError, imaplib.IMAP4.error) as exc:
            self.close()
            raise ImapProblem(_("Không kết nối được máy chủ IMAP %(host)s:%(port)s: %(error)s",
                                host=box.imap_host, port=box.imap_port, error=exc or type(exc).__name__)) from None
        password = decrypt(box.imap_password_encrypted)
        if not password:
            self.close()
            raise ImapProblem(_("Hộp thư IMAP chưa có mật khẩu dùng được (chưa nhập hoặc khoá mã hoá đã đổi)."))
        try:
            self.conn.login(box.imap_username, password)
        except imaplib.IMAP4.error as exc:
            self.close()
            raise ImapProblem(_("Máy chủ IMAP từ chối đăng nhập (sai tên đăng nhập hoặc mật khẩu): %(reply)s",
                                reply=str(exc))) from None
        _check(self.conn.select(_quote(box.imap_folder or "INBOX")), _("mở thư mục %(f)s", f=box.imap_folder))
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.logout()
            except Exception:  # already cut: nothing more to say to the server
                pass
            self.conn = None

    def uids(self) -> list[bytes]:
        data = _check(self.conn.uid("SEARCH", None, "UNDELETED"), _("tìm thư"))
        return (data[0] or b"").split()[:FETCH_LIMIT]

    def fetch(self, uid: bytes) -> bytes | None:
        data = _check(self.conn.uid("FETCH", uid, "(BODY.PEEK[])"), _("đọc thư"))
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        return None

    def move(self, uids: list[bytes]) -> None:
        if not uids:
            return
        if not self.folder_ready:
            self.conn.create(_quote(PROCESSED_FOLDER))  # exists already: a NO we can ignore
            self.folder_ready = True
        seq = b",".join(uids).decode()
        if "MOVE" in self.conn.capabilities:
            _check(self.conn.uid("MOVE", seq, _quote(PROCESSED_FOLDER)), _("chuyển thư đã xử lý"))
            return
        _check(self.conn.uid("COPY", seq, _quote(PROCESSED_FOLDER)), _("chép thư đã xử lý"))
        _check(self.conn.uid("STORE", seq, "+FLAGS.SILENT", r"(\Deleted)"), _("đánh dấu thư đã chép"))
        self.conn.expunge()


def read_mailbox(box: Mailbox, report: ReadReport) -> None:
    """Read one mailbox; a problem is recorded on the mailbox (and reported), never raised."""
    box_id, label = box.id, box.unit_code or "*"
    timeout = current_app.config["MAIL_TIMEOUT"]
    try:
        with ImapSession(box, timeout) as session:
            for uid in session.uids():
                raw = session.fetch(uid)
                if raw is None:
                    continue
                found = classify(raw)
                outcome = record(box_id, found)
                db.session.commit()
                report.read += 1
                report.count(outcome)
                if outcome not in STAY:
                    session.move([uid])
                    report.moved += 1
    except (ImapProblem, imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError, socket.timeout) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, ImapProblem) else _(
            "Mất kết nối với máy chủ IMAP: %(error)s", error=str(exc) or type(exc).__name__)
        db.session.execute(update(Mailbox).where(Mailbox.id == box_id).values(imap_last_error=message))
        db.session.commit()
        report.errors.append({"mailbox": label, "error": message})
        return
    db.session.execute(update(Mailbox).where(Mailbox.id == box_id).values(imap_last_error=None, imap_read_at=utcnow()))
    db.session.commit()


def read_all() -> ReadReport:
    """Read every mailbox that has IMAP settings, each on its own; one failing does not stop the others."""
    report = ReadReport()
    boxes = db.session.scalars(select(Mailbox).where(Mailbox.imap_host.is_not(None)).order_by(Mailbox.id)).all()
    db.session.commit()
    for box in boxes:
        report.mailboxes += 1
        read_mailbox(box, report)
    return report
