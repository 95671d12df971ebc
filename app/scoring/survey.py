"""Survey part of DESIGN §4: counted answers -> group scores -> leaf fractions.

    mean_credit(u,g,q) = sum_credit / n                 (questions with n > 0)
    s(u,c,g)           = mean of mean_credit(u,g,q) over the questions q of g
                         mapped to leaf c that have a counted answer
    f(u,c)             = sum_g w_g s(u,c,g) / sum_g w_g  over groups with a score
                         (no such group, or their weights sum to 0 -> NaN)
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from .inputs import IndexInputs, ScoringInputError, sort_natural

SURVEY_DETAIL_COLUMNS = [
    "unit", "leaf", "group", "responses", "n_answers", "mean_credit", "weight", "s",
]


class Aggregates(NamedTuple):
    """``credits`` and ``response_counts`` frames as ``IndexInputs`` takes them."""

    credits: pd.DataFrame
    response_counts: pd.DataFrame


def aggregate_answers(
    answers: pd.DataFrame, excluded_response_ids: Sequence = ()
) -> Aggregates:
    """Build the pre-aggregated inputs from raw answers — the definition the
    app's SQL aggregate must equal.

    ``answers``: response_id, unit, group, item, credit (NaN = "Không biết",
    not counted).  Responses in ``excluded_response_ids`` are left out.
    credits: unit, group, item, n (counted answers), sum_credit — one row per
    question answered at all, so n may be 0 (like SQL COUNT(credit)).
    response_counts: unit, group, responses (distinct included responses).
    """
    missing = [c for c in ("response_id", "unit", "group", "item", "credit") if c not in answers]
    if missing:
        raise ScoringInputError(f"answers: missing column(s) {', '.join(missing)}")
    a = answers.loc[~answers["response_id"].isin(list(excluded_response_ids))].copy()
    a["credit"] = pd.to_numeric(a["credit"], errors="coerce").astype("float64")
    a["counted"] = a["credit"].notna().astype("int64")
    a["credit0"] = a["credit"].fillna(0.0)
    keys = ["unit", "group", "item"]
    credits = (
        a.groupby(keys, sort=False)
        .agg(n=("counted", "sum"), sum_credit=("credit0", "sum"))
        .reset_index()
    )
    credits["n"] = credits["n"].astype("int64")
    credits["sum_credit"] = credits["sum_credit"].astype("float64")
    counts = (
        a.groupby(["unit", "group"], sort=False)["response_id"].nunique()
        .rename("responses").reset_index()
    )
    counts["responses"] = counts["responses"].astype("int64")
    return Aggregates(sort_natural(credits, keys), sort_natural(counts, ["unit", "group"]))


def survey_detail(p: IndexInputs) -> pd.DataFrame:
    """One row per unit x (survey leaf, group feeding it through a question).

    ``mean_credit`` is the mean of the question means (the value scored as
    ``s``); ``s`` is NaN where the group has no counted answer for the leaf,
    which is the gap DESIGN §4 asks to report.  ``p`` must be prepared.
    """
    cr = p.credits.loc[p.credits["n"] > 0, ["unit", "group", "item", "n", "sum_credit"]].copy()
    cr["question_mean"] = cr["sum_credit"] / cr["n"]
    cr = cr.merge(p.items[["group", "item", "leaf"]], on=["group", "item"], how="inner")
    stats = (
        cr.groupby(["unit", "leaf", "group"], sort=True)
        .agg(n_answers=("n", "sum"), mean_credit=("question_mean", "mean"))
        .reset_index()
    )
    pairs = p.items[["leaf", "group"]].drop_duplicates()
    grid = p.units[["unit"]].merge(pairs, how="cross")
    out = grid.merge(stats, on=["unit", "leaf", "group"], how="left")
    out = out.merge(p.response_counts, on=["unit", "group"], how="left")
    out = out.merge(p.weights, on=["leaf", "group"], how="left")
    out["responses"] = out["responses"].fillna(0).astype("int64")
    out["n_answers"] = out["n_answers"].fillna(0).astype("int64")
    out["mean_credit"] = out["mean_credit"].astype("float64")
    out["weight"] = out["weight"].fillna(1.0).astype("float64")  # DESIGN §4: default 1
    out["s"] = out["mean_credit"]
    return sort_natural(out[SURVEY_DETAIL_COLUMNS], ["unit", "leaf", "group"])


def survey_fractions(detail: pd.DataFrame) -> pd.DataFrame:
    """f(u,c) per unit and survey leaf from ``survey_detail`` rows.

    Returns unit, leaf, fraction (NaN = no group with data, or their weights
    sum to 0 — both mean "no survey data" for the leaf).
    """
    scored = detail.loc[detail["s"].notna()].copy()
    scored["ws"] = scored["weight"] * scored["s"]
    sums = scored.groupby(["unit", "leaf"], sort=True)[["ws", "weight"]].sum().reset_index()
    # Dividing by NaN where the weights sum to 0 leaves the fraction NaN.
    sums["fraction"] = sums["ws"] / sums["weight"].where(sums["weight"] > 0)
    return sums[["unit", "leaf", "fraction"]]


class SurveyCube(NamedTuple):
    """Dense survey scores for vectorised re-weighting (robustness draws).

    units[u], leaves[c] (survey leaves in scheme order), groups[g];
    scores[u, c, g] = s(u,c,g) (NaN = no data); weights[c, g] = w_g.
    """

    units: list
    leaves: list
    groups: list
    scores: np.ndarray
    weights: np.ndarray


def survey_cube(detail: pd.DataFrame, units: list, leaves: list) -> SurveyCube:
    """Pivot ``survey_detail`` into a ``SurveyCube`` over the given axes."""
    groups = sorted(detail["group"].unique().tolist())
    u_ix = {u: i for i, u in enumerate(units)}
    c_ix = {c: i for i, c in enumerate(leaves)}
    g_ix = {g: i for i, g in enumerate(groups)}
    scores = np.full((len(units), len(leaves), len(groups)), np.nan)
    weights = np.zeros((len(leaves), len(groups)))
    d = detail.loc[detail["leaf"].isin(c_ix) & detail["unit"].isin(u_ix)]
    ui = d["unit"].map(u_ix).to_numpy(dtype="int64")
    ci = d["leaf"].map(c_ix).to_numpy(dtype="int64")
    gi = d["group"].map(g_ix).to_numpy(dtype="int64")
    scores[ui, ci, gi] = d["s"].to_numpy(dtype="float64")
    weights[ci, gi] = d["weight"].to_numpy(dtype="float64")
    return SurveyCube(list(units), list(leaves), groups, scores, weights)


def cube_fractions(cube: SurveyCube, group_factors: np.ndarray) -> np.ndarray:
    """f for every draw: group_factors[d, g] multiplies w_g -> f[d, u, c].

    Groups are added one at a time in a fixed order so memory stays
    draws x units x leaves and factors of exactly 1 reproduce the baseline.
    """
    draws = group_factors.shape[0]
    shape = (draws, cube.scores.shape[0], cube.scores.shape[1])
    num, den = np.zeros(shape), np.zeros(shape)
    for g in range(len(cube.groups)):
        s = cube.scores[:, :, g]
        has = ~np.isnan(s)
        w = cube.weights[None, :, g] * has  # units x leaves
        k = group_factors[:, g][:, None, None]
        num += k * (w * np.where(has, s, 0.0))[None]
        den += k * w[None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
