"""The import's column-wise fast path (app/lists/columns.py) agrees with the row-wise check it
stands in for: a row it does not flag is a row validate_row accepts, with the same values."""
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.tabular import clean
from app.lists import columns as colwise
from app.lists import normalise as norm
from app.lists.importer import _kept, validate_row

CELLS = st.one_of(
    st.lists(st.sampled_from(["Nguyễn", "Ngo\u0302", "An", " ", "  ", "\t", "\n", "\x00", "\u202e", "a", "<b>", "Tổ 5",
                              "NguyÔn", "Vaên", "\xa0", ""]), max_size=4).map("".join),
    st.integers(-10, 10**10), st.floats(allow_nan=False, allow_infinity=False), st.none(), st.booleans(),
    st.just(date(2024, 3, 12)), st.just(datetime(2024, 3, 12, 8, 30)))


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=20), st.booleans())
def test_clean_column_equals_clean(cells, text_only):
    if text_only:  # the fast path: a column of text only
        cells = [c for c in cells if isinstance(c, str)]
    dated = {}
    out = colwise.clean_column(list(cells), "address", dated, _kept)
    assert out == [clean(_kept(c, "address")) if isinstance(c, date) else clean(c) for c in cells]
    assert dated == {k: ["address"] for k, c in enumerate(cells) if isinstance(c, date)}


@dataclass(eq=False)  # hashed by identity, like a mapped Group
class FakeGroup:
    id: int
    code: str
    requires_email: bool


GROUPS = [FakeGroup(1, "LD_SO", True), FakeGroup(2, "NGUOI_DAN", False)]
TEXT = st.sampled_from(["", "Nguyễn Văn An", "TRẦN THỊ BÌNH", "a" * 201, "<i>x</i>", "NguyÔn", "x\u202ey", "Sở Tư pháp"])
ROWS = st.lists(st.tuples(
    TEXT, TEXT, TEXT, st.sampled_from(["", "LD_SO", "nguoi_dan", "Người dân", "KHONG_CO"]),
    st.sampled_from(["", "a@b.vn", "bad@", "A@B.VN", "mailto:c@d.vn"]),
    st.sampled_from(["", "0912 521 464", "+84 912 521 464", "09l2", "123", 912521464]),
    TEXT, st.sampled_from(["", "SO_TP", "so_tp; SO_NV", "KHONG_CO", "SO_TP,KHONG_CO"])), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ROWS)
def test_rows_not_flagged_are_rows_validate_row_accepts(app, rows):
    fields = [(name, i + 1) for i, name in enumerate(("full_name", "position", "organisation", "group", "email", "phone",
                                                      "address", "targets"))]
    units, own = {"SO_TP": 10, "SO_NV": 11}, SimpleNamespace(id=10)
    groups = {"ld so": GROUPS[0], "nguoi dan": GROUPS[1]}
    parsed = colwise.parse([(n, (n, *row)) for n, row in enumerate(rows, start=2)], fields, _kept)
    cols = parsed.columns
    normal = (norm.name_cases(cols["full_name"]), norm.emails(cols["email"]), norm.phones(cols["phone"]))
    found = colwise.screen(cols)
    group_of = colwise.resolve_groups(cols["group"], groups)
    flagged = colwise.flagged_rows(cols, normal, found, group_of, units)
    targets = colwise.targets_of(cols["targets"], units, own.id)
    for k in range(len(rows)):
        values = {name: cells[k] for name, cells in cols.items()}
        good, errors = validate_row(dict(values), groups, units, own, (normal[0][k], normal[1][k], normal[2][k]))
        assert (k in flagged) == bool(errors), (values, errors)  # flagged: checked row by row, and only the bad
        if errors:
            continue
        assert good["group"] is group_of[k] and good["targets"] == targets[k]
        assert [good[c] for c in ("full_name", "email", "phone")] == [normal[i][k] for i in range(3)]
        assert all(good[c] == values[c] for c in ("position", "organisation", "address"))
