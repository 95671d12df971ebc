"""Reading the development mailbox (instance/mail/*.eml) for the Hộp thư thử nghiệm page."""
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from markupsafe import Markup

LIMIT = 200


def list_messages(directory: str, limit: int = LIMIT) -> list[dict]:
    """The newest messages first: subject, to, time and the HTML (our own escaped rendering) or text."""
    path = Path(directory)
    if not path.is_dir():
        return []
    files = sorted(path.glob("*.eml"), reverse=True)[:limit]
    out = []
    for f in files:
        msg = message_from_bytes(f.read_bytes(), policy=policy.default)
        html = msg.get_body(("html",))
        text = msg.get_body(("plain",))
        body_html = None
        if html is not None:
            content = html.get_content()
            # Only the <body> part: the page around it is ours.
            start, end = content.find("<body>"), content.rfind("</body>")
            body_html = Markup(content[start + 6:end] if start >= 0 and end > start else content)
        out.append({"name": f.stem, "subject": msg["Subject"], "to": msg["To"], "from": msg["From"],
                    "at": parsedate_to_datetime(msg["Date"]) if msg["Date"] else None, "html": body_html,
                    "text": text.get_content() if text is not None else ""})
    return out
