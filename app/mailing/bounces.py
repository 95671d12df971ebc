"""Reading what comes back to an official mailbox: pure parsing, no database.

`classify(raw)` says whether a message is a delivery report (RFC 3464 multipart/report, or the
non-standard forms Exchange, Zimbra, Postfix and Gmail still send), an auto-reply ("vắng mặt",
out of office, Auto-Submitted), a person's reply, or unreadable — and gives the Message-IDs it
refers to. Matching to an invitation is by those identifiers only (the Message-ID of our mail,
quoted in the report's original headers or in a reply's In-Reply-To/References), never by
names or addresses guessed from the text.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
SMTP_CODE = re.compile(r"(?<![\d.#])([45]\d\d)(?:[ -]|$)", re.M)
MSGID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+\.[A-Za-z0-9-]+")

BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail delivery", "microsoftexchange", "mail delivery subsystem")
BOUNCE_SUBJECTS = ("undeliver", "undelivered mail", "delivery status notification", "delivery failure",
                   "returned mail", "mail delivery failed", "failure notice", "không gửi được", "không thể gửi")
AUTO_SUBJECTS = ("auto:", "automatic reply", "autoreply", "auto-reply", "out of office", "out of the office",
                 "vắng mặt", "trả lời tự động", "tự động trả lời", "thư trả lời tự động", "absence")
#: Status details that are temporary in practice even under a 5.x.x class: mailbox full, over quota.
SOFT_DETAILS = {(2, 2), (3, 4)}


@dataclass
class Classified:
    kind: str  #: bounce | delayed | auto_reply | reply | unreadable
    key: str  #: digest of the message's bytes — the same message is handled once
    refs: list = field(default_factory=list)  #: Message-IDs of our mails it refers to
    hard: bool = False
    status: str = ""  #: enhanced status code, e.g. 5.1.1
    recipient: str = ""
    diagnostic: str = ""
    sender: str = ""
    subject: str = ""
    date: datetime | None = None
    note: str = ""

    @property
    def reason(self) -> str:
        text = " ".join((self.diagnostic or self.status or "").split())
        return (f"{self.status} {text}" if self.status and self.status not in text else text)[:500]


def _ids(value) -> list[str]:
    return MSGID.findall(str(value or ""))


def _text(part: Message) -> str:
    try:
        content = part.get_content()
    except Exception:  # odd charsets: read what can be read
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    return content if isinstance(content, str) else ""


def _original_ids(msg: Message) -> list[str]:
    """Message-IDs of the returned mail: attached message/rfc822, text/rfc822-headers, or quoted text."""
    found: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                found += _ids(inner.get("Message-ID"))
        elif ctype == "text/rfc822-headers":
            payload = part.get_payload(decode=True) or str(part.get_payload()).encode()
            found += _ids(BytesHeaderParser(policy=policy.compat32).parsebytes(payload).get("Message-ID"))
    if not found:  # forms that quote the original inline ("Message-ID: <…>" in the text)
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                found += [m.group(1) for m in re.finditer(r"(?im)^\s*Message-ID:\s*(<[^<>\s]+>)", _text(part))]
    return list(dict.fromkeys(found))


def _severity(status: str, code: str) -> bool:
    """True = hard (permanent) failure."""
    if status:
        klass, subject, detail = (int(x) for x in status.split("."))
        return klass == 5 and (subject, detail) not in SOFT_DETAILS
    return code.startswith("5")


def _dsn_fields(msg: Message) -> list[dict]:
    """Per-recipient field blocks of the message/delivery-status part (RFC 3464 §2.3)."""
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        if not blocks:  # some senders put the fields as plain text
            raw = part.get_payload(decode=True) or str(payload).encode()
            blocks = [BytesHeaderParser(policy=policy.compat32).parsebytes(b.strip() + b"\n")
                      for b in re.split(rb"\r?\n\r?\n", raw) if b.strip()]
        return [{k.lower(): str(v) for k, v in b.items()} for b in blocks[1:] or blocks if isinstance(b, Message)]
    return []


def _looks_like_bounce(msg: Message, sender: str, subject: str) -> bool:
    if msg.get_content_type() == "multipart/report":
        return True
    low_subject, low_sender = subject.lower(), sender.lower()
    return (any(s in low_sender for s in BOUNCE_SENDERS) and any(s in low_subject for s in BOUNCE_SUBJECTS)) \
        or bool(msg.get("X-Failed-Recipients"))


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Response"):
        return True
    if (msg.get("Precedence") or "").strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    low = subject.lower().lstrip()
    return any(low.startswith(s) or s in low for s in AUTO_SUBJECTS)


def _bounce(msg: Message, base: dict) -> Classified:
    refs = _original_ids(msg)
    fields = _dsn_fields(msg)
    failed = [f for f in fields if f.get("action", "").strip().lower() in ("failed", "delayed")]
    if failed:
        f = failed[0]
        status = (STATUS.search(f.get("status", "")) or STATUS.search(f.get("diagnostic-code", "")))
        status = status.group(0) if status else ""
        diagnostic = re.sub(r"^\s*smtp\s*;\s*", "", f.get("diagnostic-code", ""), flags=re.I)
        recipient = (f.get("final-recipient") or f.get("original-recipient") or "").split(";")[-1].strip()
        kind = "delayed" if f.get("action", "").strip().lower() == "delayed" else "bounce"
        code_m = SMTP_CODE.search(diagnostic)
        return Classified(kind, refs=refs, hard=kind == "bounce" and _severity(status, code_m.group(1) if code_m else ""),
                          status=status, recipient=recipient, diagnostic=" ".join(diagnostic.split()) or status, **base)
    # Non-standard: the reason is in the human-readable text (Exchange "#550 5.1.1 RESOLVER…",
    # Gmail "The response was: 550 5.1.1 …", qmail/Zimbra "Sorry, I couldn't deliver…").
    text = "\n".join(_text(p) for p in msg.walk() if p.get_content_type() == "text/plain") \
        or "\n".join(re.sub(r"<[^>]+>", " ", _text(p)) for p in msg.walk() if p.get_content_type() == "text/html")
    status_m = STATUS.search(text)
    code_m = SMTP_CODE.search(text)
    if not (status_m or code_m):
        return Classified("unreadable", refs=refs, note="delivery report without a status code", **base)
    status = status_m.group(0) if status_m else ""
    line = next((ln.strip() for ln in text.splitlines() if (status and status in ln) or (code_m and code_m.group(1) in ln)),
                "")
    failed_to = getaddresses(msg.get_all("X-Failed-Recipients", []))
    recipient = failed_to[0][1] if failed_to else (ADDRESS.search(text).group(0) if ADDRESS.search(text) else "")
    return Classified("bounce", refs=refs, hard=_severity(status, code_m.group(1) if code_m else ""),
                      status=status, recipient=recipient, diagnostic=line[:400], **base)


def classify(raw: bytes) -> Classified:
    """What a message read from the mailbox is, and which of our mails it refers to."""
    try:
        msg = message_from_bytes(raw, policy=policy.default)
        subject = str(msg.get("Subject") or "")
        sender = str(msg.get("From") or "")
        key = "sha256:" + hashlib.sha256(raw).hexdigest()  # the stored bytes: stable across reads
        when = None
        if msg.get("Date"):
            try:
                when = parsedate_to_datetime(str(msg["Date"])).astimezone(timezone.utc).replace(tzinfo=None)
            except (TypeError, ValueError):
                when = None
        base = {"key": key, "sender": getaddresses([sender])[0][1] if sender else "",
                "subject": " ".join(subject.split())[:500], "date": when}
        if not msg.keys():
            return Classified("unreadable", note="no headers", **base)
        if _looks_like_bounce(msg, sender, subject):
            return _bounce(msg, base)
        refs = _ids(msg.get("In-Reply-To")) + _ids(msg.get("References"))
        refs = list(dict.fromkeys(refs))
        if _is_auto_reply(msg, subject):
            return Classified("auto_reply", refs=refs, **base)
        return Classified("reply", refs=refs, **base)
    except Exception as exc:  # a broken message is reported and left in place, never fatal
        return Classified("unreadable", key="sha256:" + hashlib.sha256(raw).hexdigest(),
                          note=f"{type(exc).__name__}: {exc}"[:500])
