"""Ranks, bands, answer aggregation and determinism of the scoring package."""

import numpy as np
import pandas as pd

from app.scoring import (
    IndexInputs,
    aggregate_answers,
    assign_band,
    competition_rank,
    compute_index,
)

NAN = float("nan")
BANDS = (("D", 0), ("B", 80), ("A", 90), ("C", 70))  # any order: sorted by threshold
EMPTY_CREDITS = pd.DataFrame(columns=["unit", "group", "item", "n", "sum_credit"])
EMPTY_COUNTS = pd.DataFrame(columns=["unit", "group", "responses"])
NO_ITEMS = pd.DataFrame(columns=["item", "questionnaire", "group", "leaf"])
NO_WEIGHTS = pd.DataFrame(columns=["leaf", "group", "weight"])


def assessed_only(scores, maxima, na=()):
    """Scheme of assessed leaves "F.k" (field F) with the given maxima;
    scores = {unit: [appraised score per leaf]}; na = {(unit, leaf)}."""
    codes = list(maxima)
    leaves = pd.DataFrame({"code": codes, "field": [c.split(".")[0] for c in codes],
                           "criterion": codes, "max": [float(m) for m in maxima.values()],
                           "source": "assessed"})
    fields = pd.DataFrame({"code": list(dict.fromkeys(leaves["field"])), "name": "Lĩnh vực"})
    rows = [(u, c, NAN, s, (u, c) in na) for u, vals in scores.items() for c, s in zip(codes, vals)]
    asm = pd.DataFrame(rows, columns=["unit", "leaf", "self_score", "appraised_score",
                                      "not_applicable"])
    units = pd.DataFrame({"unit": list(scores), "name": list(scores), "kind": "district",
                          "survey_voided": False, "void_reason": None})
    return IndexInputs(leaves, fields, NO_WEIGHTS, NO_ITEMS, EMPTY_CREDITS, EMPTY_COUNTS,
                       units, asm, BANDS)


def ranks(result, by="unit"):
    return dict(zip(result.totals[by], result.totals["rank"]))


def test_ties_give_competition_ranks_1_2_2_4():
    # percents 90, 80, 80, 70 -> ranks 1, 2, 2, 4; rows sorted by rank then unit
    r = compute_index(assessed_only({"U4": [7], "U2": [8], "U1": [9], "U3": [8]}, {"1.1": 10}))
    assert r.totals["unit"].tolist() == ["U1", "U2", "U3", "U4"]
    assert r.totals["rank"].tolist() == [1, 2, 2, 4]


def test_equal_scores_summed_in_another_order_stay_tied():
    # 0.1 + 0.2 + 0.3 vs 0.3 + 0.2 + 0.1: naive float sums differ in the last bit
    assert (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1
    r = compute_index(assessed_only({"A": [0.1, 0.2, 0.3], "B": [0.3, 0.2, 0.1], "C": [0.2, 0.2, 0.1]},
                                    {"1.1": 1, "1.2": 1, "1.3": 1}))
    assert ranks(r) == {"A": 1, "B": 1, "C": 3}


def test_overall_rank_uses_percent_when_maxima_differ():
    # A: 9 of 10 = 90 %; B: 1.2 N/A -> 8 of 8 = 100 % -> B first despite fewer points
    r = compute_index(assessed_only({"A": [7, 2], "B": [8, 0]}, {"1.1": 8, "1.2": 2},
                                    na={("B", "1.2")}))
    assert ranks(r) == {"A": 2, "B": 1}
    assert r.totals.set_index("unit").loc["B", "percent"] == 100.0


def test_band_thresholds_are_inclusive_at_full_precision():
    # max 50: 45 -> 90 % exactly -> A; 44.995 -> 89.99 % -> B; 40 -> 80 % -> B;
    # 35 -> 70 % -> C; 34.999 -> 69.998 % -> D; 0 -> D
    r = compute_index(assessed_only(
        {"U1": [45], "U2": [44.995], "U3": [40], "U4": [35], "U5": [34.999], "U6": [0]},
        {"1.1": 50}))
    t = r.totals.set_index("unit")
    assert t.loc["U1", "percent"] == 90.0
    assert t["band"].to_dict() == {"U1": "A", "U2": "B", "U3": "B", "U4": "C", "U5": "D", "U6": "D"}


def test_assign_band_edges():
    bands = (("A", 90.0), ("B", 80.0))
    assert assign_band(90.0, bands) == "A"
    assert assign_band(89.9999, bands) == "B"
    assert assign_band(79.0, bands) is None  # below every threshold
    assert assign_band(NAN, bands) is None


def test_per_field_ranks():
    # field 1 (max 10): A 9, B 5, C 9 -> 90, 50, 90 % -> ranks 1, 3, 1
    # field 2 (max 5):  A 1, B 5, C 2 -> 20, 100, 40 % -> ranks 3, 1, 2
    # totals: A 10, B 10, C 11 of 15 -> C 1, A 2, B 2
    r = compute_index(assessed_only({"A": [9, 1], "B": [5, 5], "C": [9, 2]}, {"1.1": 10, "2.1": 5}))
    fp = r.field_points.set_index(["field", "unit"])["rank"]
    assert [fp[("1", u)] for u in "ABC"] == [1, 3, 1]
    assert [fp[("2", u)] for u in "ABC"] == [3, 1, 2]
    assert ranks(r) == {"C": 1, "A": 2, "B": 2}


def test_competition_rank_leaves_missing_values_unranked():
    out = competition_rank(np.array([50.0, NAN, 70.0, 50.0]))
    assert out[[0, 2, 3]].tolist() == [2.0, 1.0, 2.0]
    assert np.isnan(out[1])


def test_aggregate_answers_matches_hand_counts_and_drops_excluded_responses():
    answers = pd.DataFrame([
        # response 1, 2, 3 for unit U1 CIT; response 3 is excluded by a decision
        (1, "U1", "CIT", "Q1", 1.0), (1, "U1", "CIT", "Q2", NAN),
        (2, "U1", "CIT", "Q1", 0.25), (2, "U1", "CIT", "Q2", NAN),
        (3, "U1", "CIT", "Q1", 0.0), (3, "U1", "CIT", "Q2", 1.0),
        (4, "U2", "OFF", "Q1", 0.5),
    ], columns=["response_id", "unit", "group", "item", "credit"])
    credits, counts = aggregate_answers(answers.sample(frac=1, random_state=3), [3])
    # U1 CIT Q1: 1.0 + 0.25 = 1.25 over n = 2; Q2: only "Không biết" -> n = 0, sum 0
    assert credits.to_dict("records") == [
        {"unit": "U1", "group": "CIT", "item": "Q1", "n": 2, "sum_credit": 1.25},
        {"unit": "U1", "group": "CIT", "item": "Q2", "n": 0, "sum_credit": 0.0},
        {"unit": "U2", "group": "OFF", "item": "Q1", "n": 1, "sum_credit": 0.5},
    ]
    # included responses: U1 CIT {1, 2} = 2 (an all-"Không biết" answer still counts), U2 OFF 1
    assert counts.to_dict("records") == [
        {"unit": "U1", "group": "CIT", "responses": 2},
        {"unit": "U2", "group": "OFF", "responses": 1},
    ]


def _mixed_inputs():
    leaves = pd.DataFrame({"code": ["1.1", "1.2", "1.10", "2.1"], "field": ["1", "1", "1", "2"],
                           "criterion": ["1.1", "1.2", "1.10", "2.1"], "max": [2.0, 3.0, 1.0, 4.0],
                           "source": ["assessed", "survey", "assessed", "survey"]})
    fields = pd.DataFrame({"code": ["1", "2"], "name": ["Một", "Hai"]})
    items = pd.DataFrame({"item": ["Q1", "Q2", "Q1"], "questionnaire": ["C", "C", "O"],
                          "group": ["CIT", "CIT", "OFF"], "leaf": ["1.2", "2.1", "1.2"]})
    weights = pd.DataFrame({"leaf": ["1.2"], "group": ["OFF"], "weight": [3.0]})
    rng = np.random.default_rng(7)
    unit_codes = [f"T{i}" for i in range(1, 13)]
    answers = pd.DataFrame([
        (f"{u}-{k}", u, g, q, rng.choice([0.0, 0.25, 0.5, 1.0, NAN]))
        for u in unit_codes for k in range(6)
        for g, q in (("CIT", "Q1"), ("CIT", "Q2"), ("OFF", "Q1"))
    ], columns=["response_id", "unit", "group", "item", "credit"])
    credits, counts = aggregate_answers(answers)
    units = pd.DataFrame({"unit": unit_codes, "name": unit_codes, "kind": "sở",
                          "survey_voided": [u == "T5" for u in unit_codes],
                          "void_reason": ["Nhiều phiếu từ một thiết bị" if u == "T5" else None
                                          for u in unit_codes]})
    asm = pd.DataFrame([(u, c, rng.uniform(0, m), rng.choice([rng.uniform(0, m), NAN]), False)
                        for u in unit_codes for c, m in (("1.1", 2.0), ("1.10", 1.0))],
                       columns=["unit", "leaf", "self_score", "appraised_score", "not_applicable"])
    return IndexInputs(leaves, fields, weights, items, credits, counts, units, asm, BANDS)


def test_results_are_deterministic_and_independent_of_row_order():
    inp = _mixed_inputs()
    first, second = compute_index(inp), compute_index(inp)
    assert first.to_csv_bytes() == second.to_csv_bytes()
    assert first.result_digest() == second.result_digest()
    shuffled = IndexInputs(**{
        name: (value.sample(frac=1, random_state=11).reset_index(drop=True)
               if isinstance(value, pd.DataFrame) and name != "fields" else value)
        for name, value in inp.__dict__.items()})
    assert compute_index(shuffled).result_digest() == first.result_digest()
    # leaves in natural code order: 1.10 after 1.2
    assert first.leaf_points["leaf"].tolist()[:4] == ["1.1", "1.2", "1.10", "2.1"]
    assert first.to_csv_bytes().startswith(b"# totals\nunit,name,kind,total,max,percent,rank,")


def test_unit_with_nothing_applicable_gets_no_rank_and_sorts_last():
    # A 10/15 = 66.7 %, B 9/15 = 60 %; N: both leaves N/A -> max 0 ->
    # percent undefined, no rank, no band
    from app.scoring import leave_one_field_out, rank_robustness

    inp = assessed_only({"N": [0, 0], "A": [9, 1], "B": [5, 4]}, {"1.1": 10, "2.1": 5},
                        na={("N", "1.1"), ("N", "2.1")})
    t = compute_index(inp).totals
    assert t["unit"].tolist() == ["A", "B", "N"]
    assert t["rank"].tolist()[:2] == [1, 2] and pd.isna(t["rank"].iloc[2])
    assert t["band"].iloc[2] is None and np.isnan(t["percent"].iloc[2])
    rb = rank_robustness(inp, n_draws=20).set_index("unit")
    assert np.isnan(rb.loc["N", "median_rank"]) and rb.loc["A", "median_rank"] == 1.0
    lo = leave_one_field_out(inp)
    assert lo["rank_without_field"].isna().tolist() == [False, False, True] * 2
