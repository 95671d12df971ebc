"""The import's shortcuts agree with the row-by-row code they skip: _with_data keeps the rows the
row-wise filter keeps, and when _all_new says no row is a duplicate, _place indeed keeps every
row, in order, and reports nothing — whatever the order of the rows and however names,
e-mails and phones are shared between them and the stored lists."""
from dataclasses import dataclass
from types import SimpleNamespace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.lists import normalise as norm
from app.lists.importer import Candidate, Stored, _all_new, _place, _with_data


def _reference(numbered, name):
    return [(n, raw) for n, raw in numbered if raw is not None and (
        len(raw) > name and raw[name].__class__ is str and raw[name].strip()
        or any(c not in (None, "") and str(c).strip() for c in raw))]


CELL = st.one_of(st.sampled_from(["", " ", "\t", "\u00a0", "\n", "An", " Bình ", "\x00", "a\x00b", "\x1c"]),
                 st.none(), st.integers(0, 9), st.floats(allow_nan=False))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(CELL, max_size=4).map(tuple)), max_size=12), st.integers(0, 2))
def test_with_data_keeps_what_the_row_wise_filter_keeps(rows, name):
    numbered = list(enumerate(rows, start=2))
    assert _with_data(numbered, name) == _reference(numbered, name)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="Ab ", max_size=3).filter(lambda s: s.strip()), min_size=1, max_size=30))
def test_with_data_shortcut_keeps_every_named_row(names):
    numbered = [(n, (name, None)) for n, name in enumerate(names, start=2)]
    assert _with_data(numbered, 0) == numbered


@dataclass(eq=False)  # hashed by identity, like a mapped Group
class FakeGroup:
    id: int
    code: str
    priority: int


GROUPS = [FakeGroup(1, "LD_SO", 1), FakeGroup(2, "NGUOI_DAN", 2)]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình"]
# Few names, many addresses: namesakes are common, a shared e-mail or phone occasional, so the
# shortcut is taken in many examples and refused in others. A good row has an e-mail, a phone or both.
EMAILS = [f"can.bo{k}@so.vn" for k in range(12)]
PHONES = [f"09125214{k:02d}" for k in range(12)]
CONTACT = st.sampled_from(["e", "p", "ep"]).flatmap(lambda kind: st.tuples(
    st.sampled_from(EMAILS) if "e" in kind else st.none(), st.sampled_from(PHONES) if "p" in kind else st.none()))
PERSON = st.tuples(st.sampled_from(NAMES), st.sampled_from(["", "", "Sở Tư pháp"]), CONTACT, st.sampled_from(GROUPS),
                   st.sampled_from([frozenset({10}), frozenset({11})])
                   ).map(lambda p: (p[0], p[1], *p[2], *p[3:]))


def _candidate(row, person):
    name, org, email, phone, group, targets = person
    return Candidate(row, (name, "", org, email, phone, ""), group, set(targets),
                     norm.person_keys(email, phone, name, org))


def _stored_index(people):
    index = {}
    for k, (name, org, email, phone, group, targets) in enumerate(people, start=1000):
        person = Stored(k, 99, group.id, email, phone, set(targets))  # on another unit's list
        for key in norm.person_keys(email, phone, name, org):
            if key is not None:
                index.setdefault(key, person)
    return index


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PERSON, min_size=1, max_size=8), st.lists(PERSON, max_size=3), st.randoms())
def test_all_new_only_when_place_keeps_every_row(app, people, stored, rnd):
    rnd.shuffle(people)  # the answer must not depend on the order of the rows
    with app.test_request_context():
        candidates = [_candidate(row, person) for row, person in enumerate(people, start=2)]
        stored_index = _stored_index(stored)
        shortcut = _all_new(candidates, stored_index)
        report = {"merged": 0, "duplicates": []}
        kept, index = [], {}
        for cand in candidates:
            _place(cand, index, kept, stored_index, SimpleNamespace(id=10), report, {g.id: g.priority for g in GROUPS})
        event(f"shortcut {shortcut}")
        if shortcut:
            assert kept == candidates and report == {"merged": 0, "duplicates": []}


def test_namesakes_with_different_phones_take_the_shortcut():
    """The usual big list: many people share a common name, each with a phone of their own."""
    group = GROUPS[1]
    candidates = [_candidate(k, ("Nguyễn Văn An", "", None, f"09125214{k:02d}", group, frozenset({10})))
                  for k in range(2, 40)]
    assert _all_new(candidates, {})
    # One namesake with only an e-mail beside one with only a phone: they may be one person.
    mixed = candidates + [_candidate(40, ("Nguyễn Văn An", "", "an@so.vn", None, group, frozenset({10})))]
    assert not _all_new(mixed, {})
    # A phone listed twice is a duplicate: no shortcut.
    assert not _all_new(candidates + [_candidate(41, ("Lê Hà", "", None, "0912521402", group, frozenset({10})))], {})
