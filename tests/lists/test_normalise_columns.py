"""The column-wise normalisers used by the import give exactly what the one-value functions give."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.lists import normalise as norm

PHONE_PARTS = st.sampled_from(["0", "+84", "84", "0084", "9", "2", "3", " ", ".", "-", "(", ")", "12", "345",
                               "6789", "a", "x", "+1"])
PHONES = st.lists(PHONE_PARTS, max_size=8).map("".join)
EMAILS = st.one_of(st.lists(st.sampled_from(["an", "B", ".", "@", "bo.gov", ".vn", "mailto:", " ", "-", "é", "x"]),
                            max_size=7).map("".join), st.emails())
NAMES = st.lists(st.sampled_from(["nguyễn", "VĂN", "An", "mcLain", " ", "ĐỖ", "thị"]), max_size=5).map(" ".join)


def _scalar(fn, value):
    try:
        return fn(value)
    except norm.InvalidValue as exc:
        return ("invalid", exc.args[0])


def _column(results):
    return [("invalid", r.args[0]) if isinstance(r, norm.InvalidValue) else r for r in results]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PHONES, max_size=30))
def test_phones_column_equals_phone(values):
    values = values + values[:3]  # repeats go through the memo
    assert _column(norm.phones(values)) == [_scalar(norm.phone, v) for v in values]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EMAILS, max_size=30))
def test_emails_column_equals_email(values):
    assert _column(norm.emails(values + values[:3])) == [_scalar(norm.email, v) for v in values + values[:3]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, max_size=30))
def test_name_cases_column_equals_name_case(values):
    assert norm.name_cases(values + values[:2]) == [norm.name_case(v) for v in values + values[:2]]


def test_a_bad_value_is_reported_on_every_row_that_has_it():
    out = norm.phones(["0912 521 464", "09x", "09x", "0912521464"])
    assert out[0] == out[3] == "0912521464"
    assert all(isinstance(r, norm.InvalidValue) and r.args[0] == "phone_letters" for r in out[1:3])
