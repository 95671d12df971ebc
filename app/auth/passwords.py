"""Staff password rules: at least 12 characters, not a common password (NIST SP 800-63B style).

Why a shipped list and not zxcvbn: zxcvbn's dictionaries are English (it rates "matkhau123456"
as fair), it is another dependency to keep up to date, and its score is hard to explain to a
user; a length minimum plus a list of what people here really choose (Vietnamese words, agency
names, phone-number patterns) is what the guideline asks for, and the message says exactly why.
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
LIST_FILE = Path(__file__).with_name("common_passwords.txt")
_EDGES = re.compile(r"^\d+|\d+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line) for line in lines if line.strip() and not line.startswith("#"))


def _fold(text: str) -> str:
    """Letters and digits only, case-folded: "Mat-Khau 123!" and "matkhau123" are one password."""
    return "".join(c for c in unicodedata.normalize("NFC", text).casefold() if c.isalnum())


def password_problem(password: str) -> str | None:
    """Why a staff password is refused (Vietnamese, shown as is), or None when it is acceptable.

    Refused: shorter than 12 characters; in the list once spaces, punctuation and case are
    ignored; a listed word with digits added before or after it ("Matkhau@2026!"); no letter.
    """
    if len(password or "") < MIN_LENGTH:
        return _("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH)
    folded = _fold(password)
    core = _EDGES.sub("", folded)
    listed = common_passwords()
    if folded in listed or not core or core in listed or not any(c.isalpha() for c in folded):
        return _("Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn một cụm từ khác, dài hơn.")
    return None
