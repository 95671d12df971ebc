"""The bounce/reply classifier alone (no app): every sample form, and properties — the Message-ID
found does not depend on the recipient, the identifier's shape or the header order; the
severity depends only on the status code."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.mailing.bounces import classify

SAMPLES = Path(__file__).parent.parent / "mailing" / "returns"
OUR_ID = "<179601.1234.abcd@sonv.gov.vn>"


def fill(name, msgid=OUR_ID, rcpt="nguoi1@tuphap.gov.vn"):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return text.replace("{MSGID}", msgid).replace("{RCPT}", rcpt).replace("{FROM}", "hopthu@sonv.gov.vn").encode()


@pytest.mark.parametrize("name,kind,hard,status", [
    ("postfix_550.eml", "bounce", True, "5.1.1"),
    ("exchange_ndr.eml", "bounce", True, "5.1.1"),
    ("gmail_550.eml", "bounce", True, "5.1.1"),
    ("zimbra_full.eml", "bounce", False, "5.2.2"),
    ("ooo_vi.eml", "auto_reply", False, ""),
    ("ooo_exchange.eml", "auto_reply", False, ""),
    ("reply.eml", "reply", False, ""),
    ("bounce_no_status.eml", "unreadable", False, ""),
])
def test_each_sample(name, kind, hard, status):
    found = classify(fill(name))
    assert (found.kind, found.hard, found.status) == (kind, hard, status)
    if kind != "unreadable":
        assert found.refs == [OUR_ID]


def test_delayed_is_not_a_bounce():
    raw = fill("postfix_550.eml").replace(b"Action: failed", b"Action: delayed").replace(b"Status: 5.1.1", b"Status: 4.4.1")
    found = classify(raw)
    assert found.kind == "delayed" and not found.hard


def test_garbage_is_unreadable_not_an_exception():
    assert classify(b"\x00\xff\xfe not a mail").kind in ("unreadable", "reply")
    assert classify(b"").kind == "unreadable"


local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=20).filter(
    lambda s: s[0].isalnum() and s[-1].isalnum())


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["postfix_550.eml", "exchange_ndr.eml", "gmail_550.eml", "zimbra_full.eml"]),
       left=local, right=local, rcpt=local, klass=st.sampled_from(["4", "5"]), subject=st.integers(0, 7),
       detail=st.integers(0, 9))
def test_matching_and_severity_do_not_depend_on_names(name, left, right, rcpt, klass, subject, detail):
    msgid = f"<{left}@{right}.gov.vn>"
    raw = fill(name, msgid=msgid, rcpt=f"{rcpt}@x.gov.vn")
    code = f"{klass}.{subject}.{detail}"
    original = {"postfix_550.eml": "5.1.1", "exchange_ndr.eml": "5.1.1", "gmail_550.eml": "5.1.1",
                "zimbra_full.eml": "5.2.2"}[name]
    raw = raw.replace(original.encode(), code.encode())
    found = classify(raw)
    assert found.kind == "bounce" and found.refs == [msgid]
    assert found.status == code
    assert found.hard == (klass == "5" and (subject, detail) not in {(2, 2), (3, 4)})


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(6))))
def test_header_order_does_not_matter(order):
    raw = fill("reply.eml")
    head, _sep, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    shuffled = b"\n".join([lines[i] for i in order] + lines[6:])
    found = classify(shuffled + b"\n\n" + body)
    assert found.kind == "reply" and found.refs == [OUR_ID]
