"""Metamorphic properties of the whole scan (issue 13), over every rule: the order of the
input rows, the names of the units, the numbers of the responses and an unrelated honest
unit must not change any finding (same units, same responses, same severities)."""
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.interference import RULES, scan
from app.interference.scenarios import real_campaign
from app.interference.simulate import simulate_campaign

SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
_CACHE: dict = {}


def campaign(kind: str, seed: int):
    """(responses, answers, shapes, reminders, findings as a set). ``all_rules`` campaigns
    plant every rule (the test checks that each one fires); ``real`` ones look like real
    campaigns (8–60 units, 2–10 sheets per unit and group, rows in database order)."""
    key = (kind, seed)
    if key not in _CACHE:
        if kind == "all_rules":
            c = simulate_campaign(seed, n_units=16, planted_per_rule=1, size=(30, 40))
            base = (c.responses, c.answers, c.questionnaires, c.reminders)
        else:
            c = real_campaign(seed, "mixed")
            base = (c.responses, c.answers, c.questionnaires, c.reminders)
        _CACHE[key] = (*base, findings_of(*base))
    return _CACHE[key]


def findings_of(responses, answers, shapes, reminders, units=None, ids=None):
    """The findings as comparable tuples, with unit names and ids mapped back."""
    result = scan(responses, answers, shapes, reminders)
    units = units or {}
    ids = ids or {}
    return {(f.rule, units.get(f.unit, f.unit), frozenset(ids.get(i, i) for i in f.response_ids),
             f.severity) for f in result.findings}


cases = st.tuples(st.sampled_from(["all_rules", "real"]), st.integers(0, 3),
                  st.integers(0, 2**31 - 1))


def drawn(case):
    """The campaign of a drawn case, its expected findings, and the case's own random generator."""
    kind, seed, salt = case
    return (*campaign(kind, seed), np.random.default_rng(salt))


def test_the_all_rules_campaigns_exercise_every_rule():
    for seed in range(4):
        fired = {f[0] for f in campaign("all_rules", seed)[4]}
        assert fired == set(RULES), (seed, set(RULES) - fired)


@SETTINGS
@given(cases)
def test_shuffling_rows_changes_nothing(case):
    responses, answers, shapes, reminders, expected, rng = drawn(case)
    shuffled = responses.iloc[rng.permutation(len(responses))]
    answers = answers.iloc[rng.permutation(len(answers))]
    assert findings_of(shuffled, answers, shapes, reminders) == expected


@SETTINGS
@given(cases)
def test_renaming_units_changes_nothing(case):
    responses, answers, shapes, reminders, expected, rng = drawn(case)
    old = sorted(responses["unit"].unique())
    new = [f"{'ZYXWV'[i % 5]}{n:05d}" for i, n in enumerate(rng.permutation(10**4)[:len(old)])]
    forward = dict(zip(old, new))
    renamed = responses.assign(unit=responses["unit"].map(forward))
    back = {v: k for k, v in forward.items()}
    assert findings_of(renamed, answers, shapes, reminders, units=back) == expected


@SETTINGS
@given(cases)
def test_renumbering_responses_changes_nothing(case):
    responses, answers, shapes, reminders, expected, rng = drawn(case)
    old = responses["response_id"].to_numpy()
    new = rng.choice(10**9, old.size, replace=False) + 1
    forward = dict(zip(old.tolist(), new.tolist()))
    renumbered = responses.assign(response_id=new)
    answers = answers.assign(response_id=answers["response_id"].map(forward))
    back = {v: k for k, v in forward.items()}
    assert findings_of(renumbered, answers, shapes, reminders, ids=back) == expected


@SETTINGS
@given(cases, st.sampled_from(["A000", "MOI", "zz"]))
def test_an_unrelated_honest_unit_changes_nothing(case, name):
    kind, seed, salt = case
    responses, answers, shapes, reminders, expected = campaign(kind, seed)
    extra, extra_answers = honest_unit(responses, shapes, name, salt)
    grown = pd.concat([responses, extra], ignore_index=True)
    assert findings_of(grown, pd.concat([answers, extra_answers], ignore_index=True), shapes,
                       reminders) == expected


def honest_unit(responses, shapes, name, salt):
    """Six sheets of a unit of its own kind: web, each from its own network and device,
    answered at the questionnaire's median time on different days, varied answers."""
    rng = np.random.default_rng(salt)
    first = int(responses["response_id"].max()) + 1
    q = "CB"
    median = float(responses.loc[responses["questionnaire"] == q, "duration_s"].median())
    start = pd.Timestamp(responses["submitted_at"].min())
    rows, answers = [], []
    items = shapes[q].items
    for k in range(6):
        rid = first + k
        rows.append({"response_id": rid, "unit": name, "unit_kind": "rieng", "group": q,
                     "questionnaire": q, "mode": "web",
                     "submitted_at": start + pd.Timedelta(days=k + 1, hours=k % 3),
                     "duration_s": median, "net_hash": f"new-n{k}", "net_prefix_hash": f"new-p{k}",
                     "ua_hash": f"new-ua{k}", "device_hash": f"new-d{k}", "moved": False})
        # A varied, middling sheet: no block straight-lined, no copy of another.
        opts = [it.options[(k + 2 * j + int(rng.integers(2))) % len(it.options)]
                for j, it in enumerate(items)]
        answers += [{"response_id": rid, "item": it.code, "option": o} for it, o in zip(items, opts)]
    frame = pd.DataFrame(rows)
    frame["moved"] = frame["moved"].astype("boolean")
    return frame, pd.DataFrame(answers)


@SETTINGS
@given(cases)
def test_categorical_answers_give_the_same_scan_as_strings(case):
    """The database loader hands over item/option as categoricals (50 million answers are
    codes, not strings): the findings — scores, evidence, fingerprints — and the unit risk
    must be those of the same answers as strings, whatever the categories' order and even
    with categories no answer uses."""
    responses, answers, shapes, reminders, _expected, rng = drawn(case)
    coded = answers.copy()
    for col, unused in (("item", "never_asked"), ("option", "never_chosen")):
        labels = np.array([*answers[col].dropna().astype(str).unique(), unused], dtype=object)
        coded[col] = pd.Categorical(answers[col], categories=labels[rng.permutation(labels.size)])
    plain, categorical = scan(responses, answers, shapes, reminders), scan(responses, coded, shapes, reminders)
    assert categorical.findings == plain.findings
    assert [f.fingerprint for f in categorical.findings] == [f.fingerprint for f in plain.findings]
    pd.testing.assert_frame_equal(categorical.unit_risk, plain.unit_risk)
