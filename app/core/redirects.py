"""Where a `next=` parameter may send the browser: same-site paths only (one rule, everywhere)."""
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _plain_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//"):
        return False
    # Browsers drop tabs/newlines and read "\" as "/": "/\t/evil", "/\\evil" become "//evil".
    if "\\" in text or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (the caller picks its own page).

    Refused: absolute and scheme-relative URLs, backslashes, control characters, and the same
    tricks behind percent-encoding ("/%09/evil.example", "/%2F%2Fevil", doubly encoded too).
    """
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    text = target
    for _round in range(4):  # every decoding a browser or proxy might apply must stay a plain path
        if not _plain_path(text):
            return None
        decoded = unquote(text)
        if decoded == text:
            return target
        text = decoded
    return None  # still encoded after several rounds: not a link anyone needs
