"""Reading the development mailbox (instance/mail/*.eml) for the Hộp thư thử nghiệm page."""
from email import message_from_bytes, policy
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from markupsafe import Markup

from app.core.paging import Page, matches, paginate, search_text

PER_PAGE = 20


def _read(f: Path) -> dict:
    """Subject, to, time and the HTML (our own escaped rendering) or text of one message."""
    msg = message_from_bytes(f.read_bytes(), policy=policy.default)
    html = msg.get_body(("html",))
    text = msg.get_body(("plain",))
    body_html = None
    if html is not None:
        content = html.get_content()
        # Only the <body> part: the page around it is ours.
        start, end = content.find("<body>"), content.rfind("</body>")
        body_html = Markup(content[start + 6:end] if start >= 0 and end > start else content)
    return {"name": f.stem, "subject": msg["Subject"], "to": msg["To"], "from": msg["From"],
            "at": parsedate_to_datetime(msg["Date"]) if msg["Date"] else None, "html": body_html,
            "text": text.get_content() if text is not None else ""}


def page_messages(directory: str, query: str = "", page=None) -> Page:
    """The newest messages first, those whose recipient or subject holds `query`, one page of them
    (only the headers of the others are read)."""
    path = Path(directory)
    files = sorted(path.glob("*.eml"), reverse=True) if path.is_dir() else []
    needle = search_text(query)
    if needle:
        headers = BytesHeaderParser(policy=policy.default)
        kept = []
        for f in files:
            with f.open("rb") as fh:
                h = headers.parse(fh)
            if matches(needle, str(h["To"] or ""), str(h["Subject"] or "")):
                kept.append(f)
        files = kept
    found = paginate(files, page, PER_PAGE)
    return Page([_read(f) for f in found.items], found.number, found.pages, found.total)
