"""Pure normalisation of list cells: names, e-mails, Vietnamese phone numbers, legacy encodings.

No Flask, no database: each function takes text and returns the normalised value, or raises
ValueError with a message key the importer turns into a Vietnamese reason.
"""
import re
import unicodedata

# The columns of the template; the second name is the one the user sees (and is told is missing).
COLUMNS = {
    "stt": ("stt", "STT", "số thứ tự", "tt"),
    "full_name": ("full_name", "Họ và tên", "họ tên", "ho ten", "name", "full name"),
    "position": ("position", "Chức vụ", "chức danh", "chuc vu"),
    "organisation": ("organisation", "Đơn vị công tác", "cơ quan công tác", "cơ quan", "organization"),
    "group": ("group", "Nhóm đối tượng", "mã nhóm", "nhóm", "nhom doi tuong"),
    "email": ("email", "Email", "e-mail", "thư điện tử", "địa chỉ email", "địa chỉ thư điện tử"),
    "phone": ("phone", "Số điện thoại", "điện thoại", "sđt", "số đt", "dien thoai"),
    "address": ("address", "Địa chỉ", "địa chỉ liên hệ"),
    "targets": ("targets", "Đơn vị được đánh giá", "mã đơn vị được đánh giá", "đơn vị đánh giá"),
    # The columns of our own error workbook: the reason is ignored when the file comes back fixed,
    # the original row number is carried on, so a second round still points at the user's file.
    "error": ("error", "Lỗi"),
    "origin": ("origin", "Dòng gốc"),
}
REQUIRED = ("full_name", "position", "organisation", "group", "email", "phone")
IGNORED = ("stt", "error", "origin")

EMAIL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                      r"@[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,}$")
PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
MARKUP_RE = re.compile(r"[<>]")

# Latin-1 letters and signs that Vietnamese never uses but that TCVN3 (ABC) and VNI text shows
# when it is read as Unicode, e.g. "NguyÔn V¨n A" (TCVN3) or "Nguyeãn Vaên A" (VNI).
_VIETNAMESE_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_LEGACY = "".join(chr(c) for c in range(0xA1, 0x100) if chr(c) not in _VIETNAMESE_LATIN1 and chr(c) not in "°×")
LEGACY_RE = re.compile("[" + re.escape(_LEGACY) + "]")
# VNI writes tone marks as Latin-1 letters after a vowel: "eã", "aø", "oï", "uù" …
# Unicode Vietnamese never puts a precomposed vowel right after "a"/"e" (or these after "o").
VNI_RE = re.compile(r"[aeAE][âêãùøûõïàáåäëéèúü]|[oO][âùøûõïåäëü]")


class InvalidValue(ValueError):
    """A value that cannot be normalised; args[0] is a reason code (see importer.REASONS)."""


def text(value: str) -> str:
    """NFC, trimmed, inner whitespace collapsed (tabular.clean did most of it already)."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def looks_legacy(value: str) -> bool:
    """True when the text looks like TCVN3/VNI Vietnamese read as Unicode."""
    if not value or value.isascii():
        return False
    return bool(LEGACY_RE.search(value) or VNI_RE.search(value))


def name_case(value: str) -> str:
    """Title-case a name typed all upper or all lower; keep deliberate mixed case (McLain)."""
    words = value.split()
    if value.islower() or value.isupper():
        return " ".join(w[:1].upper() + w[1:].lower() for w in words)
    return " ".join(w[:1].upper() + w[1:] for w in words)


def email(value: str) -> str | None:
    """Lower-cased address or None when empty; raises InvalidValue('email') on bad syntax."""
    value = (value or "").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].strip()
    if not value:
        return None
    value = value.lower()
    if len(value) > 254 or not EMAIL_RE.match(value):
        raise InvalidValue("email")
    return value


def phone(value: str) -> str | None:
    """One form for a Vietnamese number: national digits with the leading 0 (0912521464).

    0912.52.14.64, 0912 521 464, +84 912 521 464, 84912521464 and a number Excel stored
    without its leading zero (912521464) are the same number.
    """
    value = (value or "").strip()
    if not value:
        return None
    digits = PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            raise InvalidValue("phone_foreign")
    if not digits.isdigit():
        raise InvalidValue("phone_letters" if any(c.isalpha() for c in digits) else "phone")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif len(digits) == 9 and digits[0] in "35789" or len(digits) == 10 and digits[0] == "2":
        digits = "0" + digits  # Excel dropped the leading zero
    mobile = len(digits) == 10 and digits[:2] in ("03", "05", "07", "08", "09")
    landline = len(digits) == 11 and digits.startswith("02")
    if not (mobile or landline):
        raise InvalidValue("phone")
    return digits


def unit_codes(value: str) -> list[str]:
    """Codes listed in "Đơn vị được đánh giá", separated by ';' or ',' (empty = the own unit)."""
    if not value:
        return []
    return [c.strip() for c in re.split(r"[;,]", value or "") if c.strip()]


def person_keys(email_value: str | None, phone_value: str | None, name: str, organisation: str) -> tuple:
    """Identity keys, strongest first: e-mail, else phone, else name + organisation (folded)."""
    # casefold, not fold(): cheap, and a name typed without its accents is not the same name.
    name_key = ("n", name.casefold(), " ".join(organisation.casefold().split())) if name else None
    return (("e", email_value) if email_value else None,
            ("p", phone_value) if phone_value else None,
            name_key)


def person_keys_of(emails: list, phones: list, names: list[str], organisations: list[str]) -> list[tuple]:
    """person_keys() of whole columns (a value that is not a str, e.g. an InvalidValue, gives no
    key); each distinct organisation is folded once."""
    folded = {org: " ".join(org.casefold().split()) for org in set(organisations)}
    return [(("e", e) if e.__class__ is str and e else None, ("p", p) if p.__class__ is str and p else None,
             ("n", name.casefold(), folded[org]) if name else None)
            for e, p, name, org in zip(emails, phones, names, organisations)]


# Whole-column versions, used by the import: the same results as the functions above, element
# by element (an InvalidValue in place of the raise), each distinct value computed once.
_MISSING = object()
_NATIONAL_PHONE = re.compile(r"0(?:[35789][0-9]{8}|2[0-9]{9})")
_INTERNATIONAL_PHONE = re.compile(r"\+?84([35789][0-9]{8}|2[0-9]{9})")


def _each_distinct(fn, values: list[str]) -> list:
    memo: dict = {}
    out = []
    for value in values:
        result = memo.get(value, _MISSING)
        if result is _MISSING:
            try:
                result = fn(value)
            except InvalidValue as exc:
                result = exc
            memo[value] = result
        out.append(result)
    return out


def suspect(values: list[str]) -> bool:
    """Whether any value of a column may hold markup or legacy-encoded text: one search over the
    whole column (a match cannot span two values), so that rows are checked one by one only then."""
    joined = "\n".join(values)
    return bool(MARKUP_RE.search(joined) or not joined.isascii() and (LEGACY_RE.search(joined) or VNI_RE.search(joined)))


def name_cases(values: list[str]) -> list[str]:
    """name_case() of a column."""
    return _each_distinct(name_case, values)


def emails(values: list[str]) -> list:
    """email() of a column: the address, None, or the InvalidValue email() would raise."""
    return _each_distinct(email, values)


def phones(values: list[str]) -> list:
    """phone() of a column. The separators are removed from the whole column at once; a number
    then in the national form (0912521464) or the international one (+84 / 84 and the same
    digits) is taken on one regex match, anything else goes through phone()."""
    joined = "\x00".join(values)
    if joined.count("\x00") != len(values) - 1:  # a NUL inside a value: no column-wise shortcut
        return _each_distinct(phone, values)
    national, international, out, odd = _NATIONAL_PHONE.fullmatch, _INTERNATIONAL_PHONE.fullmatch, [], []
    for k, digits in enumerate(PHONE_SEPARATORS.sub("", joined).split("\x00")):
        if national(digits):
            out.append(digits)
        else:
            match = international(digits)
            out.append("0" + match[1] if match else None)
            if not match:
                odd.append(k)
    for k, result in zip(odd, _each_distinct(phone, [values[k] for k in odd])):
        out[k] = result
    return out
