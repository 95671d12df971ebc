"""Helpers for the lists tests: workbooks and CSV files built in memory."""
import csv
import io
import unicodedata

import pytest

from tests.conftest import xlsx_bytes

HEADERS = ["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm đối tượng", "Email", "Số điện thoại", "Địa chỉ",
           "Đơn vị được đánh giá"]


def xlsx(rows, headers=HEADERS):
    return xlsx_bytes([headers, *rows])


def csv_bytes(rows, headers=HEADERS, sep=",", encoding="utf-8", bom=False):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep)
    writer.writerow(headers)
    writer.writerows(rows)
    text = buf.getvalue()
    data = (to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return (b"\xef\xbb\xbf" + data) if bom else data


def person(i, group="LD_SO", email=None, phone=None, name=None, target="", org="Sở Tư pháp", address=""):
    return [i, name or f"Nguyễn Văn {chr(65 + i % 26)}{i}", "Phó Giám đốc", org, group,
            email if email is not None else f"nguoi{i}@sotp.gov.vn", phone if phone is not None else "",
            address, target]


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def unit(campaign):
    return next(u for u in campaign.units if u.code == "SO_TP")


TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Excel writes it: base letter precomposed, tone as a combining mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in decomposed if c in TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
            out += (base + tones).encode("cp1258")
    return bytes(out)
