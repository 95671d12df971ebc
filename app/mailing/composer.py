"""Mail content: editable per-campaign templates with placeholders, rendered to text + HTML.

Placeholders are replaced by a fixed regex, never by str.format (a template written by a
user must not reach attributes of Python objects). The HTML body is derived from the text
template, escaped, so an edited template cannot inject markup.
"""
import binascii
import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from html import escape

from flask_babel import gettext as _

PLACEHOLDERS = ("ho_ten", "don_vi", "han", "duong_dan")
_FIELD = re.compile(r"\{([^{}]*)\}")
KINDS = ("invitation", "reminder")

DEFAULT_TEMPLATES = {
    "invitation": {
        "subject": "Thư mời tham gia khảo sát Chỉ số cải cách hành chính — {don_vi}",
        "body": ("Kính gửi Ông/Bà {ho_ten},\n\n"
                 "Thực hiện kế hoạch xác định Chỉ số cải cách hành chính, chúng tôi trân trọng mời Ông/Bà "
                 "tham gia trả lời phiếu khảo sát đánh giá về {don_vi}.\n\n"
                 "Đường dẫn dành riêng cho Ông/Bà (vui lòng không chuyển tiếp cho người khác):\n{duong_dan}\n\n"
                 "Hạn trả lời: {han}.\n\n"
                 "Trân trọng cảm ơn sự hợp tác của Ông/Bà."),
    },
    "reminder": {
        "subject": "Nhắc nhở: phiếu khảo sát Chỉ số cải cách hành chính — {don_vi}",
        "body": ("Kính gửi Ông/Bà {ho_ten},\n\n"
                 "Chúng tôi chưa nhận được phiếu trả lời của Ông/Bà về {don_vi}. "
                 "Ý kiến của Ông/Bà rất quan trọng để đánh giá khách quan công tác cải cách hành chính.\n\n"
                 "Đường dẫn dành riêng cho Ông/Bà:\n{duong_dan}\n\n"
                 "Hạn trả lời: {han}.\n\n"
                 "Trân trọng cảm ơn."),
    },
}


class TemplateError(ValueError):
    """A mail template the secretariat typed is unusable; the message says why."""


def check_template(subject: str, body: str) -> None:
    """Raise TemplateError unless only known placeholders are used and {duong_dan} is in the body."""
    for text in (subject, body):
        for name in _FIELD.findall(text or ""):
            if name not in PLACEHOLDERS:
                raise TemplateError(_("Chỗ điền {%(name)s} không hợp lệ; chỉ dùng {ho_ten}, {don_vi}, {han}, {duong_dan}.",
                                      name=name))
    if not (subject or "").strip():
        raise TemplateError(_("Tiêu đề thư không được để trống."))
    if "{duong_dan}" not in (body or ""):
        raise TemplateError(_("Nội dung thư phải có chỗ điền {duong_dan} (đường dẫn trả lời phiếu)."))
    if "{duong_dan}" in subject:
        raise TemplateError(_("Không đặt đường dẫn trong tiêu đề thư."))


def templates_for(campaign, kind: str) -> dict:
    custom = (campaign.mail_templates or {}).get(kind) or {}
    default = DEFAULT_TEMPLATES[kind]
    return {"subject": custom.get("subject") or default["subject"], "body": custom.get("body") or default["body"]}


@dataclass(frozen=True)
class Link:
    unit_name: str
    url: str


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _fill(template: str, values: dict) -> str:
    return _fill_parts(_FIELD.split(template), values)


def _fill_parts(parts: list[str], values: dict) -> str:
    """A template split by _FIELD (text, name, text, name, …, text) with its placeholders filled;
    an unknown placeholder stays as typed. Split once per campaign, filled per mail (100 000 mails)."""
    out = parts.copy()
    for i in range(1, len(out), 2):
        out[i] = values.get(out[i], "{" + out[i] + "}")
    return "".join(out)


class CompiledTemplate:
    """A template prepared once per campaign and kind; render() only fills placeholders."""

    def __init__(self, template: dict, footer: str):
        self.subject = template["subject"]
        self.text = template["body"] + "\n\n-- \n" + footer + "\n"
        # HTML: the template is escaped once; the values are escaped per mail; links are our markup.
        body = escape(template["body"], quote=False)
        paragraphs = [p.replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", body.strip())]
        self.html = ('<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>\n'
                     + "\n".join(f"<p>{p}</p>" for p in paragraphs)
                     + f"\n<hr>\n<p><small>{escape(footer).replace(chr(10), '<br>')}</small></p>\n</body></html>\n")
        self._subject, self._text, self._html = (_FIELD.split(t) for t in (self.subject, self.text, self.html))

    def render(self, full_name: str, links: list[Link], deadline: str, not_me_url: str = "") -> RenderedMail:
        units = ", ".join(link.unit_name for link in links)
        if len(links) == 1:
            text_links = links[0].url
            url = escape(links[0].url)
            html_links = f'<a href="{url}">{url}</a>'
        else:
            text_links = "\n".join(f"- {link.unit_name}: {link.url}" for link in links)
            html_links = "<ul>" + "".join(
                f'<li>{escape(link.unit_name)}: <a href="{escape(link.url)}">{escape(link.url)}</a></li>'
                for link in links) + "</ul>"
        values = {"ho_ten": full_name, "don_vi": units, "han": deadline, "duong_dan": text_links,
                  NOT_ME: not_me_url or "-"}
        subject = " ".join(_fill_parts(self._subject, values).split())  # no line breaks in a header
        html_values = {"ho_ten": escape(full_name), "don_vi": escape(units), "han": escape(deadline),
                       "duong_dan": html_links,
                       NOT_ME: f'<a href="{escape(not_me_url)}">{escape(not_me_url)}</a>' if not_me_url else "-"}
        return RenderedMail(subject, _fill_parts(self._text, values), _fill_parts(self._html, html_values))


def render(template: dict, full_name: str, links: list[Link], deadline: str, footer: str) -> RenderedMail:
    """Fill a template for one respondent; several links (one per assessed unit) become a list."""
    return CompiledTemplate(template, footer).render(full_name, links, deadline)


#: Filled per mail with the respondent's own "not me" link (not a placeholder users may type).
NOT_ME = "khong_phai_toi"


def contact_footer(campaign, sender_name: str, contact_addr: str) -> str:
    """The footer that makes the mail trustworthy: who issues the survey and under which plan,
    the time it takes, a privacy sentence, who to contact, and the "not me" link."""
    lines = []
    issuer = (getattr(campaign, "issuer", "") or "").strip()
    plan = (getattr(campaign, "plan_reference", "") or "").strip()
    if issuer or plan:
        lines.append(_("Cơ quan tổ chức khảo sát: %(issuer)s", issuer=", ".join(x for x in (issuer, plan) if x)))
    minutes = getattr(campaign, "minutes_needed", None)
    if minutes:
        lines.append(_("Thời gian trả lời: khoảng %(n)d phút.", n=minutes))
    lines.append(_("Phiếu trả lời không gắn với tên hay địa chỉ thư của Ông/Bà; không ai, kể cả đơn vị được "
                   "đánh giá, biết Ông/Bà đã trả lời thế nào."))
    if (campaign.contact_text or "").strip():
        lines.append(campaign.contact_text.strip())
    else:
        lines.append(_("Thư này được gửi từ hộp thư công vụ của %(name)s. Mọi thắc mắc xin liên hệ: %(addr)s.",
                       name=sender_name or contact_addr, addr=contact_addr))
    lines.append(_("Nếu thư này không gửi cho Ông/Bà (nhầm người), xin bấm vào đây để báo Tổ thư ký và huỷ "
                   "đường dẫn: {%(key)s}", key=NOT_ME))
    return "\n".join(lines)


def build_message(*, sender: str, sender_name: str, reply_to: str | None, to_addr: str, subject: str,
                  text: str, html: str, message_id: str | None = None) -> EmailMessage:
    """An EmailMessage (multipart/alternative, UTF-8) with the headers official mail needs."""
    msg = EmailMessage()
    # Pre-encoded raw headers: Python 3.11's folder drops the space between two RFC 2047 words
    # of a long Vietnamese subject; email.header.Header splits them correctly.
    msg.set_raw("From", formataddr((sender_name, sender)) if sender.isascii() else f"{sender_name} <{sender}>")
    msg.set_raw("To", to_addr)
    if reply_to:
        msg.set_raw("Reply-To", reply_to)
    msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode() if not subject.isascii() else subject)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def _encode_words(value: str, first_room: int) -> str:
    """RFC 2047 B-encoded words of at most ~75 characters, split between characters (never
    inside one), each carrying its own spaces — so no space is lost when a reader unfolds."""
    import base64

    words, chunk, room = [], "", first_room
    for ch in value:
        if len((chunk + ch).encode()) > room:
            words.append(chunk)
            chunk, room = "", 45
        chunk += ch
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode()).decode()}?=" for w in words)


@lru_cache(maxsize=4096)  # a batch repeats the sender's name and each unit's subject
def _header(name: str, value: str) -> str:
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}: " + _encode_words(value, max(12, 45 - len(name)))


def _b64_body(text: str) -> str:
    raw = binascii.b2a_base64(text.encode(), newline=False).decode("ascii")
    return "\r\n".join([raw[i:i + 76] for i in range(0, len(raw), 76)])


_date = (0, "")  #: (second, Date header value): formatted once per second, not once per message


def _date_header() -> str:
    global _date
    second, value = _date
    now = int(time.time())
    if second != now:
        value = formatdate(now, usegmt=True)
        _date = (now, value)  # one assignment: another thread sees the old pair or the new one
    return value


def build_mime(*, sender: str, sender_name: str, reply_to: str | None, to_addr: str, subject: str,
               text: str, html: str) -> tuple[bytes, str]:
    """The wire bytes of a multipart/alternative UTF-8 mail and its Message-ID.

    Written directly rather than through EmailMessage: the worker builds one per message and
    the email package's header parsing was most of the send time (and folds long Vietnamese
    subjects wrongly on Python 3.11). A non-ASCII address is written raw (SMTPUTF8).
    Per message only the random parts are drawn (one read of the system's randomness for the
    Message-ID and the boundary); the headers that repeat are cached."""
    rand = os.urandom(16).hex()
    # The shape of email.utils.make_msgid (time, pid, random), with 64 random bits of our own.
    message_id = f"<{int(time.time() * 100)}.{os.getpid()}.{rand[:16]}@{sender.rpartition('@')[2] or 'parsurvey.local'}>"
    boundary = "=_ps_" + rand[16:]
    name = _header("From", sender_name)[6:] if sender_name else ""
    if name and sender_name.isascii():
        name = '"' + sender_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = [f"From: {name} <{sender}>" if name else f"From: {sender}", f"To: {to_addr}"]
    if reply_to:
        lines.append(f"Reply-To: {reply_to}")
    lines += [_header("Subject", subject), f"Date: {_date_header()}", f"Message-ID: {message_id}",
              "Auto-Submitted: auto-generated", "MIME-Version: 1.0",
              f'Content-Type: multipart/alternative; boundary="{boundary}"', "",
              f"--{boundary}", 'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64", "",
              _b64_body(text), f"--{boundary}", 'Content-Type: text/html; charset="utf-8"',
              "Content-Transfer-Encoding: base64", "", _b64_body(html), f"--{boundary}--", ""]
    return "\r\n".join(lines).encode(), message_id
