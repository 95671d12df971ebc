"""Rank robustness (random weights) and leave-one-field-out sensitivity.

Scheme: field 1: 1.1 assessed [4], 1.2 survey [6]; field 2: 2.1 assessed [5],
2.2 survey [5]; groups CIT and OFF feed both survey leaves, weight 1 each
(no weight rows).  Credits are given pre-aggregated as the app's SQL does.
"""

import pandas as pd
import pytest

from app.scoring import IndexInputs, compute_index, leave_one_field_out, rank_robustness
from app.scoring.robustness import draw_factors

NAN = float("nan")
LEAVES = pd.DataFrame({"code": ["1.1", "1.2", "2.1", "2.2"], "field": ["1", "1", "2", "2"],
                       "criterion": ["1.1", "1.2", "2.1", "2.2"], "max": [4.0, 6.0, 5.0, 5.0],
                       "source": ["assessed", "survey", "assessed", "survey"]})
FIELDS = pd.DataFrame({"code": ["1", "2"], "name": ["Một", "Hai"]})
ITEMS = pd.DataFrame({"item": ["Q1", "Q2", "Q1", "Q2"], "questionnaire": ["C", "C", "O", "O"],
                      "group": ["CIT", "CIT", "OFF", "OFF"], "leaf": ["1.2", "2.2", "1.2", "2.2"]})
NO_WEIGHTS = pd.DataFrame(columns=["leaf", "group", "weight"])


def make(units, weights=NO_WEIGHTS):
    """units = {code: (cit_mean, off_mean, assessed fraction)}; 10 answers each."""
    credits = pd.DataFrame([(u, g, q, 10, 10 * m) for u, (c, o, _) in units.items()
                            for g, m in (("CIT", c), ("OFF", o)) for q in ("Q1", "Q2")],
                           columns=["unit", "group", "item", "n", "sum_credit"])
    counts = pd.DataFrame([(u, g, 10) for u in units for g in ("CIT", "OFF")],
                          columns=["unit", "group", "responses"])
    asm = pd.DataFrame([(u, leaf, NAN, top * x, False) for u, (_, _, x) in units.items()
                        for leaf, top in (("1.1", 4.0), ("2.1", 5.0))],
                       columns=["unit", "leaf", "self_score", "appraised_score", "not_applicable"])
    unit_frame = pd.DataFrame({"unit": list(units), "name": list(units), "kind": "tỉnh",
                               "survey_voided": False, "void_reason": None})
    return IndexInputs(LEAVES, FIELDS, weights, ITEMS, credits, counts, unit_frame, asm,
                       (("A", 90), ("B", 0)))


SPLIT = make({  # X liked by citizens, Y by officials, Z and W tied
    "X": (0.9, 0.3, 0.6), "Y": (0.3, 0.9, 0.6), "Z": (0.5, 0.5, 0.5),
    "W": (0.5, 0.5, 0.5), "V": (0.2, 0.2, 0.9),
})


def test_zero_spread_reproduces_the_baseline_in_every_draw():
    out = rank_robustness(SPLIT, n_draws=50, spread=0.0)
    assert list(out.columns) == ["unit", "rank", "median_rank", "p05", "p95"]
    base = compute_index(SPLIT).totals
    assert out["unit"].tolist() == base["unit"].tolist()
    expected = out["rank"].astype(float).tolist()
    assert out["median_rank"].tolist() == expected
    assert out["p05"].tolist() == expected and out["p95"].tolist() == expected
    assert dict(zip(out["unit"], out["rank"]))["Z"] == dict(zip(out["unit"], out["rank"]))["W"]


def test_unit_far_ahead_keeps_median_rank_one():
    # B (citizens' favourite) and C (officials') are close: the draws swap them, never LEAD.
    inp = make({"LEAD": (1.0, 1.0, 1.0), "B": (0.62, 0.3, 0.5), "C": (0.3, 0.6, 0.5),
                "D": (0.2, 0.2, 0.3)})
    out = rank_robustness(inp, n_draws=500, spread=0.25, seed=3).set_index("unit")
    assert (out.loc["LEAD", "rank"], out.loc["LEAD", "median_rank"]) == (1, 1.0)
    assert out.loc["LEAD", "p95"] == 1.0
    # The draws do perturb (this fails if they reproduce the baseline): B and C trade places.
    assert out.loc[["B", "C"], ["rank", "p05", "p95"]].values.tolist() == [[2, 2.0, 3.0], [3, 2.0, 3.0]]
    assert out.loc["D", ["p05", "p95"]].tolist() == [4.0, 4.0]


def test_draws_are_seeded():
    a = rank_robustness(SPLIT, n_draws=200, seed=42)
    b = rank_robustness(SPLIT, n_draws=200, seed=42)
    pd.testing.assert_frame_equal(a, b)


def _perturbed(inp, k, a):
    """The draw done by hand: w_g *= k_g, survey max *= a, assessed max and
    scores *= b_F = (M_F - a*S_F) / A_F so each field keeps its max."""
    groups = sorted(inp.items["group"].unique())  # draw_factors' group order
    pairs = inp.items[["leaf", "group"]].drop_duplicates()
    weights = pairs.assign(weight=[k[groups.index(g)] for g in pairs["group"]])
    leaves = inp.leaves.copy()
    b = {}
    for f, part in leaves.groupby("field"):
        s_f = part.loc[part["source"] == "survey", "max"].sum()
        a_f = part.loc[part["source"] == "assessed", "max"].sum()
        b[f] = (s_f + a_f - a * s_f) / a_f
    scale = [a if s == "survey" else b[f] for s, f in zip(leaves["source"], leaves["field"])]
    leaves["max"] = leaves["max"] * scale
    asm = inp.assessments.copy()
    by_leaf = dict(zip(leaves["code"], scale))
    asm["appraised_score"] = asm["appraised_score"] * asm["leaf"].map(by_leaf)
    return IndexInputs(**{**inp.__dict__, "weights": weights, "leaves": leaves, "assessments": asm})


@pytest.mark.parametrize("seed", range(8))
def test_one_draw_equals_compute_index_on_hand_perturbed_inputs(seed):
    k, a = draw_factors(1, 2, 0.25, seed)
    by_hand = compute_index(_perturbed(SPLIT, k[0], a[0])).totals
    drawn = rank_robustness(SPLIT, n_draws=1, spread=0.25, seed=seed)
    expected = dict(zip(by_hand["unit"], by_hand["rank"].astype(float)))
    assert dict(zip(drawn["unit"], drawn["median_rank"])) == expected


def test_weights_move_the_split_units():
    # X (citizens' favourite) and Y (officials') swap places as k_CIT / k_OFF varies
    out = rank_robustness(SPLIT, n_draws=400, spread=0.5, seed=1).set_index("unit")
    assert out.loc["X", "p05"] < out.loc["X", "p95"]
    assert out.loc["Y", "p05"] < out.loc["Y", "p95"]
    # V (strong self-assessment, weak survey) moves with the survey/assessed split
    assert out.loc["V", "p05"] == 1.0 and out.loc["V", "p95"] == 5.0
    # Z and W have identical scores, so they tie in every draw
    assert out.loc["Z", ["median_rank", "p05", "p95"]].tolist() == \
        out.loc["W", ["median_rank", "p05", "p95"]].tolist()


def test_leave_one_field_out_shifts():
    # field 1 max 10 (4 + 6), field 2 max 10 (5 + 5); survey at 0.5 / 0.6 / 0.3 …
    # built so that: A = 10 + 0, B = 6 + 6, C = 3 + 9 points
    #   baseline:   A 50 %, B 60 %, C 60 % -> B 1, C 1, A 3
    #   without 1:  A 0 %,  B 60 %, C 90 % -> C 1, B 2, A 3 -> shifts A 0, B -1, C 0
    #   without 2:  A 100 %, B 60 %, C 30 % -> A 1, B 2, C 3 -> shifts A 2, B -1, C -2
    leaves = LEAVES.assign(source="assessed")
    asm = pd.DataFrame([("A", "1.1", 4), ("A", "1.2", 6), ("A", "2.1", 0), ("A", "2.2", 0),
                        ("B", "1.1", 2), ("B", "1.2", 4), ("B", "2.1", 3), ("B", "2.2", 3),
                        ("C", "1.1", 1), ("C", "1.2", 2), ("C", "2.1", 4), ("C", "2.2", 5)],
                       columns=["unit", "leaf", "appraised_score"]).assign(
                           self_score=NAN, not_applicable=False)
    units = pd.DataFrame({"unit": list("ABC"), "name": list("ABC"), "kind": "huyện",
                          "survey_voided": False, "void_reason": None})
    empty = pd.DataFrame(columns=["unit", "group", "item", "n", "sum_credit"])
    inp = IndexInputs(leaves, FIELDS, NO_WEIGHTS, ITEMS.iloc[0:0], empty,
                      pd.DataFrame(columns=["unit", "group", "responses"]), units, asm, ())
    assert dict(zip(*compute_index(inp).totals[["unit", "rank"]].T.values)) == {"B": 1, "C": 1, "A": 3}
    out = leave_one_field_out(inp)
    assert list(out.columns) == ["unit", "field", "rank_without_field", "shift"]
    assert out.values.tolist() == [
        ["A", "1", 3, 0], ["B", "1", 2, -1], ["C", "1", 1, 0],
        ["A", "2", 1, 2], ["B", "2", 2, -1], ["C", "2", 3, -2],
    ]
