"""DESIGN §4 scoring, checked against hand-computed numbers.

Scheme used throughout (max in brackets):
    field 1: 1.1 assessed [2]   1.2 survey [4]  (weights CIT 2, OFF 1)
    field 2: 2.1 survey [3] (no weight rows -> 1 each)   2.2 assessed [1]
Questions: CIT Q1, Q2 -> 1.2, CIT Q3 -> 2.1; OFF Q1 -> 1.2, OFF Q3 -> 2.1.
"""

import math

import numpy as np
import pandas as pd
import pytest

from app.scoring import (
    IndexInputs,
    ScoringInputError,
    aggregate_answers,
    compute_index,
    validate_assessments,
)

NAN = float("nan")

LEAVES = pd.DataFrame({
    "code": ["1.1", "1.2", "2.1", "2.2"],
    "field": ["1", "1", "2", "2"],
    "criterion": ["1.1", "1.2", "2.1", "2.2"],
    "max": [2.0, 4.0, 3.0, 1.0],
    "source": ["assessed", "survey", "survey", "assessed"],
})
FIELDS = pd.DataFrame({"code": ["1", "2"], "name": ["Công tác chỉ đạo", "Thủ tục hành chính"]})
WEIGHTS = pd.DataFrame({"leaf": ["1.2", "1.2"], "group": ["CIT", "OFF"], "weight": [2.0, 1.0]})
ITEMS = pd.DataFrame({
    "item": ["Q1", "Q2", "Q3", "Q1", "Q3"],
    "questionnaire": ["QCIT", "QCIT", "QCIT", "QOFF", "QOFF"],
    "group": ["CIT", "CIT", "CIT", "OFF", "OFF"],
    "leaf": ["1.2", "1.2", "2.1", "1.2", "2.1"],
})


def units(*codes, voided=(), reason="Can thiệp vào khảo sát"):
    return pd.DataFrame({
        "unit": list(codes),
        "name": [f"Đơn vị {c}" for c in codes],
        "kind": "province",
        "survey_voided": [c in voided for c in codes],
        "void_reason": [reason if c in voided else None for c in codes],
    })


def answers(rows):
    """rows: (response_id, unit, group, item, credit)."""
    return pd.DataFrame(rows, columns=["response_id", "unit", "group", "item", "credit"])


def assessments(rows=()):
    """rows: (unit, leaf, self, appraised, not_applicable)."""
    return pd.DataFrame(
        list(rows), columns=["unit", "leaf", "self_score", "appraised_score", "not_applicable"]
    ).astype({"self_score": "float64", "appraised_score": "float64", "not_applicable": bool})


def build(answer_rows, assessment_rows=(), unit_frame=None, weights=WEIGHTS, **kw):
    agg = aggregate_answers(answers(answer_rows), kw.pop("excluded", ()))
    return IndexInputs(
        leaves=LEAVES, fields=FIELDS, weights=weights, items=ITEMS,
        credits=agg.credits, response_counts=agg.response_counts,
        units=unit_frame if unit_frame is not None else units("U1"),
        assessments=assessments(assessment_rows),
        bands=(("A", 90), ("B", 80), ("C", 70), ("D", 0)), **kw,
    )


def leaf(result, unit, code):
    lp = result.leaf_points
    return lp.loc[(lp["unit"] == unit) & (lp["leaf"] == code)].iloc[0]


def test_dont_know_answers_are_left_out_of_the_mean():
    # CIT Q1: 1.0, "Không biết", 0.5 -> counted 2, mean 0.75 (not 1.5/3 = 0.5)
    # CIT Q2: 0.0, "Không biết"      -> counted 1, mean 0.0
    # s(1.2, CIT) = (0.75 + 0.0) / 2 = 0.375; OFF has no data -> f = 0.375
    # points = 4 * 0.375 = 1.5
    r = compute_index(build([
        (1, "U1", "CIT", "Q1", 1.0), (2, "U1", "CIT", "Q1", NAN), (3, "U1", "CIT", "Q1", 0.5),
        (1, "U1", "CIT", "Q2", 0.0), (2, "U1", "CIT", "Q2", NAN),
    ]))
    d = r.survey_detail.set_index(["unit", "leaf", "group"]).loc[("U1", "1.2", "CIT")]
    assert d["responses"] == 3
    assert d["n_answers"] == 3
    assert d["s"] == pytest.approx(0.375)
    assert d["mean_credit"] == pytest.approx(0.375)
    row = leaf(r, "U1", "1.2")
    assert row["fraction"] == pytest.approx(0.375)
    assert row["points"] == pytest.approx(1.5)
    assert row["flags"] == ""


def test_two_groups_weighted_two_and_one():
    # s(CIT) = Q1 mean (1.0 + 0.5)/2 = 0.75; s(OFF) = Q1 mean (0.0 + 0.6)/2 = 0.3
    # f = (2*0.75 + 1*0.3) / (2 + 1) = 1.8 / 3 = 0.6; points = 4 * 0.6 = 2.4
    r = compute_index(build([
        (1, "U1", "CIT", "Q1", 1.0), (2, "U1", "CIT", "Q1", 0.5),
        (3, "U1", "OFF", "Q1", 0.0), (4, "U1", "OFF", "Q1", 0.6),
    ]))
    row = leaf(r, "U1", "1.2")
    assert row["fraction"] == pytest.approx(0.6)
    assert row["points"] == pytest.approx(2.4)
    d = r.survey_detail.set_index(["unit", "leaf", "group"])
    assert d.loc[("U1", "1.2", "CIT"), "weight"] == 2.0
    assert d.loc[("U1", "1.2", "OFF"), "weight"] == 1.0


def test_group_without_data_leaves_the_weighted_mean():
    # CIT answered only "Không biết" -> no score; OFF Q1 = 0.3
    # f = (1*0.3) / 1 = 0.3 (CIT's weight 2 is not in the denominator); points 1.2
    r = compute_index(build([
        (1, "U1", "CIT", "Q1", NAN),
        (3, "U1", "OFF", "Q1", 0.0), (4, "U1", "OFF", "Q1", 0.6),
    ]))
    d = r.survey_detail.set_index(["unit", "leaf", "group"])
    assert d.loc[("U1", "1.2", "CIT"), "responses"] == 1
    assert d.loc[("U1", "1.2", "CIT"), "n_answers"] == 0
    assert math.isnan(d.loc[("U1", "1.2", "CIT"), "s"])
    assert leaf(r, "U1", "1.2")["points"] == pytest.approx(1.2)


def test_missing_weight_row_counts_as_one():
    # 2.1 has no weight rows: CIT Q3 = 0.8, OFF Q3 = 0.2 -> f = (0.8 + 0.2)/2 = 0.5
    # points = 3 * 0.5 = 1.5
    r = compute_index(build([(1, "U1", "CIT", "Q3", 0.8), (2, "U1", "OFF", "Q3", 0.2)]))
    assert leaf(r, "U1", "2.1")["points"] == pytest.approx(1.5)


def test_leaf_without_any_data_scores_zero_and_is_flagged():
    # Only 1.2 has answers; 2.1 has none -> 0 points, its max 3 stays in field 2
    r = compute_index(build([(1, "U1", "CIT", "Q1", 1.0)], [("U1", "2.2", 1.0, 1.0, False)]))
    row = leaf(r, "U1", "2.1")
    assert row["points"] == 0.0
    assert row["max"] == 3.0
    assert math.isnan(row["fraction"])
    assert row["flags"] == "no_survey_data"
    f2 = r.field_points.set_index(["unit", "field"]).loc[("U1", "2")]
    # field 2 = 0 + 1.0 (2.2 appraised) of max 3 + 1 = 4 -> 25 %
    assert (f2["points"], f2["max"], f2["percent"]) == pytest.approx((1.0, 4.0, 25.0))


def test_weights_summing_to_zero_mean_no_data():
    # Only OFF has data on 1.2 and its weight is 0 -> Σw = 0 -> treated as no data
    w = pd.DataFrame({"leaf": ["1.2", "1.2"], "group": ["CIT", "OFF"], "weight": [2.0, 0.0]})
    r = compute_index(build([(1, "U1", "OFF", "Q1", 1.0)], weights=w))
    row = leaf(r, "U1", "1.2")
    assert row["points"] == 0.0
    assert row["flags"] == "no_survey_data"


def test_not_applicable_leaves_points_and_max_out():
    # 2.2 N/A (even with a score): field 2 = 2.1 only, max 3; total max 2+4+3 = 9
    # 1.1 appraised 2.0; 1.2 f = 1.0 -> 4; 2.1 f = 0.5 -> 1.5
    # total = 2 + 4 + 1.5 = 7.5; percent = 100 * 7.5 / 9 = 83.333…
    r = compute_index(build(
        [(1, "U1", "CIT", "Q1", 1.0), (1, "U1", "CIT", "Q3", 0.5)],
        [("U1", "1.1", 2.0, 2.0, False), ("U1", "2.2", 1.0, 1.0, True)],
    ))
    row = leaf(r, "U1", "2.2")
    assert (row["points"], row["max"], row["flags"]) == (0.0, 0.0, "not_applicable")
    t = r.totals.iloc[0]
    assert t["total"] == pytest.approx(7.5)
    assert t["max"] == pytest.approx(9.0)
    assert t["percent"] == pytest.approx(100 * 7.5 / 9)
    assert t["field_2"] == pytest.approx(1.5)


def test_not_applicable_survey_leaf():
    # 1.2 marked N/A: its answers do not count and max 4 leaves the total (10 - 4 = 6)
    r = compute_index(build(
        [(1, "U1", "CIT", "Q1", 1.0)], [("U1", "1.2", NAN, NAN, True)]
    ))
    row = leaf(r, "U1", "1.2")
    assert (row["points"], row["max"], row["flags"]) == (0.0, 0.0, "not_applicable")
    assert r.totals.iloc[0]["max"] == pytest.approx(6.0)


def test_self_score_used_when_not_appraised_and_appraisal_wins_otherwise():
    # 1.1: self 1.5, no appraisal -> 1.5 flagged; 2.2: self 1.0, appraised 0.25 -> 0.25
    r = compute_index(build([], [("U1", "1.1", 1.5, NAN, False), ("U1", "2.2", 1.0, 0.25, False)]))
    a, b = leaf(r, "U1", "1.1"), leaf(r, "U1", "2.2")
    assert (a["points"], a["flags"]) == (1.5, "not_appraised")
    assert (b["points"], b["flags"]) == (0.25, "")
    assert (b["self_score"], b["appraised_score"]) == (1.0, 0.25)


def test_no_score_counts_zero_and_keeps_max():
    # no assessment row for 1.1 -> 0 of 2, flagged; total max stays 2+4+3+1 = 10
    r = compute_index(build([], [("U1", "2.2", 1.0, 1.0, False)]))
    row = leaf(r, "U1", "1.1")
    assert (row["points"], row["max"], row["flags"]) == (0.0, 2.0, "no_score")
    assert r.totals.iloc[0]["max"] == 10.0
    assert r.totals.iloc[0]["total"] == 1.0


def test_score_above_max_is_rejected():
    bad = [("U1", "1.1", 2.5, NAN, False), ("U1", "2.2", 0.5, -0.1, False)]
    problems = validate_assessments(assessments(bad), LEAVES)
    assert [(p["unit"], p["leaf"]) for p in problems] == [("U1", "1.1"), ("U1", "2.2")]
    assert "2.5 outside [0, 2]" in problems[0]["message"]
    assert "-0.1 outside [0, 1]" in problems[1]["message"]
    with pytest.raises(ScoringInputError) as err:
        compute_index(build([], bad))
    assert {(p.get("unit"), p.get("leaf")) for p in err.value.problems} == {("U1", "1.1"), ("U1", "2.2")}


def test_validate_assessments_reports_unknown_and_duplicate_rows():
    rows = [("U1", "9.9", 1.0, NAN, False), ("U1", "1.1", 1.0, NAN, False),
            ("U1", "1.1", 1.0, NAN, False), ("U1", "1.2", 0.5, NAN, False), ("U9", "2.2", 1, 1, False)]
    problems = validate_assessments(assessments(rows), LEAVES, units("U1"))
    messages = [(p["unit"], p["leaf"], p["message"]) for p in problems]
    assert ("U1", "9.9", "unknown leaf") in messages
    assert ("U1", "1.1", "duplicate row for this unit and leaf") in messages
    assert any(m[1] == "1.2" and "survey leaf" in m[2] for m in messages)
    assert ("U9", "2.2", "unknown unit") in messages
    assert validate_assessments(assessments([("U1", "1.1", 2.0, 0.0, False)]), LEAVES) == []


def test_voided_unit_gets_voided_fraction_and_reason():
    # U1 voided: 1.2 and 2.1 score 0 despite perfect answers; 1.1 appraised 2 stays
    # total = 2 of 10 -> 20 %
    rows = [(1, "U1", "CIT", "Q1", 1.0), (1, "U1", "CIT", "Q3", 1.0)]
    uf = units("U1", voided=("U1",))
    r = compute_index(build(rows, [("U1", "1.1", 2.0, 2.0, False)], unit_frame=uf))
    for code in ("1.2", "2.1"):
        row = leaf(r, "U1", code)
        assert (row["points"], row["fraction"], row["flags"]) == (0.0, 0.0, "voided")
    t = r.totals.iloc[0]
    assert (t["total"], t["percent"], bool(t["voided"])) == (2.0, 20.0, True)
    assert t["void_reason"] == "Can thiệp vào khảo sát"
    # configurable: fraction 0.5 -> 1.2 = 2, 2.1 = 1.5; total = 2 + 2 + 1.5 = 5.5
    r = compute_index(build(rows, [("U1", "1.1", 2.0, 2.0, False)], unit_frame=uf, voided_fraction=0.5))
    assert r.totals.iloc[0]["total"] == pytest.approx(5.5)


def test_complete_unit_totals_and_columns():
    # 1.1 appraised 1.5; 1.2: CIT 0.75 (w2), OFF 0.3 (w1) -> 0.6 -> 2.4
    # 2.1: CIT 1.0, OFF 0.0 -> 0.5 -> 1.5; 2.2 appraised 0.5
    # field 1 = 1.5 + 2.4 = 3.9 / 6 -> 65 %; field 2 = 1.5 + 0.5 = 2.0 / 4 -> 50 %
    # total = 5.9 / 10 -> 59 % -> band D; responses: CIT 2 + OFF 2 = 4
    r = compute_index(build([
        (1, "U1", "CIT", "Q1", 1.0), (2, "U1", "CIT", "Q1", 0.5),
        (1, "U1", "CIT", "Q3", 1.0),
        (3, "U1", "OFF", "Q1", 0.0), (4, "U1", "OFF", "Q1", 0.6), (4, "U1", "OFF", "Q3", 0.0),
    ], [("U1", "1.1", 2.0, 1.5, False), ("U1", "2.2", NAN, 0.5, False)]))
    assert list(r.totals.columns) == [
        "unit", "name", "kind", "total", "max", "percent", "rank", "band", "voided",
        "void_reason", "responses", "field_1", "field_2"]
    t = r.totals.iloc[0]
    assert (t["total"], t["max"], t["percent"]) == pytest.approx((5.9, 10.0, 59.0))
    assert (t["field_1"], t["field_2"]) == pytest.approx((3.9, 2.0))
    assert (t["rank"], t["band"], t["responses"]) == (1, "D", 4)
    fp = r.field_points
    assert list(fp.columns) == ["unit", "field", "points", "max", "percent", "rank"]
    assert fp["percent"].tolist() == pytest.approx([65.0, 50.0])
    assert list(r.leaf_points.columns) == [
        "unit", "leaf", "field", "source", "max", "points", "fraction",
        "self_score", "appraised_score", "flags"]
    assert list(r.survey_detail.columns) == [
        "unit", "leaf", "group", "responses", "n_answers", "mean_credit", "weight", "s"]
    for frame in r.tables().values():
        for col in ("points", "max", "percent", "total", "s", "fraction"):
            if col in frame:
                assert frame[col].dtype == np.float64


def test_inputs_with_missing_columns_or_bad_mapping_are_rejected():
    inp = build([])
    with pytest.raises(ScoringInputError, match="leaves: missing column"):
        compute_index(IndexInputs(**{**inp.__dict__, "leaves": LEAVES.drop(columns="max")}))
    items = pd.concat([ITEMS, pd.DataFrame([{"item": "Q9", "questionnaire": "QCIT",
                                             "group": "CIT", "leaf": "1.1"}])])
    with pytest.raises(ScoringInputError, match="not a survey leaf"):
        compute_index(IndexInputs(**{**inp.__dict__, "items": items}))


@pytest.mark.parametrize("values", [
    [" a", "b ", "c", "1.10"],  # text only: each distinct code stripped once
    ["a", None, " b"],  # missing stays missing
    ["a", float("nan"), "b"],
    [1, "1", 1.0, True, " x"],  # equal keys, different text: value by value
    [np.str_(" q"), "q "],
])
def test_codes_as_text_are_the_same_for_long_columns(values):
    """Codes are compared as text; a long all-text column (the loaded credits) takes a faster path
    that must give the series the value-by-value rule gives."""
    from app.scoring.inputs import _missing, _str

    for series in (pd.Series(values * 700, name="unit"),
                   pd.Series(np.array(values * 700, dtype=object), index=range(7, 7 + 700 * len(values)))):
        want = series.map(lambda v: None if _missing(v) else str(v).strip())
        pd.testing.assert_series_equal(_str(series), want, check_exact=True)
