"""Sending one batch through one connection: SMTP (smtplib) or the development backend.

Errors are classified so the worker can decide: temporary (retry with back-off), permanent
(the message fails with the SMTP reply), or a mailbox problem (login rejected, wrong
password) that the secretariat must fix — that one pauses the mailbox instead of looping.
"""
import os
import re
import smtplib
import socket
import ssl
import time
from pathlib import Path

from flask_babel import gettext as _


class SendError(Exception):
    """A message could not be sent; `temporary` says whether a retry may help."""

    def __init__(self, message: str, code: int | None = None, temporary: bool = True):
        super().__init__(message)
        self.code, self.temporary = code, temporary


class MailboxProblem(Exception):
    """The mailbox itself is unusable (login rejected, no password): nothing is sent through it."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


def _reply(code, text) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def needs_smtputf8(*addresses: str) -> bool:
    return any(not a.isascii() for a in addresses)


#: An address smtplib.quoteaddr would return unchanged inside <>: dot-separated atoms of plain
#: characters, one @ — nothing for its RFC 5322 parser to unquote, strip or reinterpret.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")


def quote_address(address: str) -> str:
    """smtplib.quoteaddr(address), without its parser for the plain addresses that nearly every
    message has (the parser was a third of smtplib's time per message); anything else is still
    quoted by smtplib."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


class _QuotedOnce:
    """smtplib's MAIL and RCPT (Python 3.11, unchanged) with quote_address for smtplib.quoteaddr,
    and its DATA with a hook: `while_waiting` (set per message, must not raise) is called once the
    message's data is sent, before the server's reply is read — the worker composes the next
    message while the server takes in this one."""

    while_waiting = None

    def mail(self, sender, options=()):
        optionlist = ""
        if options and self.does_esmtp:
            if any(x.lower() == "smtputf8" for x in options):
                if self.has_extn("smtputf8"):
                    self.command_encoding = "utf-8"
                else:
                    raise smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server")
            optionlist = " " + " ".join(options)
        self.putcmd("mail", "FROM:%s%s" % (quote_address(sender), optionlist))
        return self.getreply()

    def rcpt(self, recip, options=()):
        optionlist = ""
        if options and self.does_esmtp:
            optionlist = " " + " ".join(options)
        self.putcmd("rcpt", "TO:%s%s" % (quote_address(recip), optionlist))
        return self.getreply()

    def data(self, msg):
        self.putcmd("data")
        code, repl = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        q = smtplib._quote_periods(msg)
        if q[-2:] != smtplib.bCRLF:
            q = q + smtplib.bCRLF
        self.send(q + b"." + smtplib.bCRLF)
        hook, self.while_waiting = self.while_waiting, None
        if hook is not None:
            hook()
        return self.getreply()


class _SMTP(_QuotedOnce, smtplib.SMTP):
    pass


class _SMTP_SSL(_QuotedOnce, smtplib.SMTP_SSL):
    pass


class SmtpTransport:
    """One SMTP connection reused for a batch (STARTTLS, implicit TLS or plain; login optional)."""

    def __init__(self, settings, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None):
        self.settings, self.timeout = settings, timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.smtp: smtplib.SMTP | None = None

    @property
    def connected(self) -> bool:
        return self.smtp is not None

    def open(self) -> None:
        s = self.settings
        try:
            if s.tls == "ssl":
                self.smtp = _SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.ssl_context)
            else:
                self.smtp = _SMTP(s.host, s.port, timeout=self.timeout)
            self.smtp.ehlo()
            if s.tls == "starttls":
                self.smtp.starttls(context=self.ssl_context)
                self.smtp.ehlo()
            if s.username:
                if not s.password:
                    raise MailboxProblem(_("Hộp thư có tên đăng nhập nhưng không có mật khẩu dùng được "
                                           "(chưa nhập hoặc khoá mã hoá đã đổi)."))
                self.smtp.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailboxProblem(_("Máy chủ thư từ chối đăng nhập (sai tên đăng nhập hoặc mật khẩu): %(reply)s",
                                   reply=_reply(exc.smtp_code, exc.smtp_error)), exc.smtp_code) from None
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            raise MailboxProblem(_("Máy chủ thư không hỗ trợ: %(error)s", error=exc)) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendError(_("Máy chủ thư trả lời: %(reply)s", reply=_reply(exc.smtp_code, exc.smtp_error)),
                            exc.smtp_code, temporary=exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:  # refused, DNS, timeout, TLS handshake
            self.close()
            raise SendError(_("Không kết nối được máy chủ thư %(host)s:%(port)s: %(error)s",
                              host=s.host, port=s.port, error=exc or type(exc).__name__)) from None

    def send(self, data: bytes, to_addr: str, while_waiting=None) -> str:
        """Send one message (wire bytes); returns the server's reply. Raises SendError.
        `while_waiting` (must not raise) is called while the server takes in the data, if it gets that far."""
        if self.smtp is None:
            self.open()
        sender = self.settings.sender
        options: list[str] = []
        if needs_smtputf8(to_addr, sender):
            if not self.smtp.has_extn("smtputf8"):
                raise SendError(_("Địa chỉ %(addr)s có ký tự tiếng Việt nhưng máy chủ thư không hỗ trợ SMTPUTF8.",
                                  addr=to_addr), 553, temporary=False)
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        self.smtp.while_waiting = while_waiting
        try:
            self.smtp.sendmail(sender, [to_addr], data, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SendError(_reply(code, text), code, temporary=code < 500) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise SendError(_reply(exc.smtp_code, exc.smtp_error), exc.smtp_code,
                            temporary=exc.smtp_code < 500) from None
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout) as exc:
            self.close()  # reconnect for the next message
            raise SendError(_("Mất kết nối với máy chủ thư: %(error)s", error=exc or type(exc).__name__)) from None
        except smtplib.SMTPException as exc:
            raise SendError(str(exc)) from None
        finally:
            if self.smtp is not None:
                self.smtp.while_waiting = None
        return "250"

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except Exception:  # the connection may already be gone; nothing to report
                try:
                    self.smtp.close()
                except Exception:
                    pass
            self.smtp = None


class DevTransport:
    """Development backend: one .eml file per message under MAIL_DEV_DIR (Hộp thư thử nghiệm)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.connected = False

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.connected = True

    def send(self, data: bytes, to_addr: str, while_waiting=None) -> str:
        path = self.directory / f"{time.time_ns():020d}-{os.getpid()}.eml"
        path.write_bytes(data)
        if while_waiting is not None:
            while_waiting()
        return "250 written"

    def close(self) -> None:
        pass
