"""How much do ranks depend on the weighting choices?  (In the spirit of the
JRC/OECD Handbook on Constructing Composite Indicators: uncertainty analysis
by random perturbation of weights, and a leave-one-out sensitivity check.)

Each draw of ``rank_robustness`` changes two things at once:

* group weights — one factor k_g ~ U[1-spread, 1+spread] per survey group,
  multiplying w_g on every leaf the group feeds (the question asked is
  "what if a respondent group counted more or less");
* the survey / assessed split — one factor a ~ U[1-spread, 1+spread]
  multiplies the max of every survey leaf; in each field the assessed leaves
  are rescaled by b_F = 1 + (1 - a) * S_F / A_F so that the field keeps its
  scheme max (S_F, A_F: scheme maxima of the field's survey and assessed
  leaves).  A field with no assessed leaf cannot compensate and keeps b = 1;
  b is floored at 0 when a survey-heavy field cannot absorb a.
  Points scale with their max (survey points = a * max * f, assessed points
  = b_F * score), so each unit's fraction of every leaf is unchanged.

Not applicable leaves stay out, and voided units keep the voided fraction.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from .combine import IndexResult, compute_index
from .inputs import IndexInputs, natural_rank, prepare
from .ranking import as_rank_column, competition_rank, rank_rows
from .survey import cube_fractions, survey_cube

ROBUSTNESS_COLUMNS = ["unit", "rank", "median_rank", "p05", "p95"]
LEAVE_ONE_OUT_COLUMNS = ["unit", "field", "rank_without_field", "shift"]

# Draws are processed in chunks so memory stays near draws x units x leaves
# of this many cells, whatever n_draws is.
_CELLS_PER_CHUNK = 4_000_000


def rank_robustness(
    inputs: IndexInputs, n_draws: int = 1000, spread: float = 0.25, seed: int = 0
) -> pd.DataFrame:
    """Distribution of each unit's overall rank under random weights.

    Returns unit, rank (the official baseline rank), median_rank, p05, p95
    (percentiles of the rank over the draws; linear interpolation), sorted
    like ``totals``.  Seeded: the same inputs and seed give the same frame.
    See the module docstring for what a draw perturbs.
    """
    if not 0.0 <= spread <= 1.0:
        raise ValueError("spread must lie in [0, 1]")
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    p = prepare(inputs)
    base = compute_index(p)
    detail, leaves = base.survey_detail, base.leaf_points
    units = p.units["unit"].tolist()
    field_codes = p.fields["code"].tolist()
    lv = p.leaves
    survey_codes = lv.loc[lv["source"] == "survey", "code"].tolist()
    cube = survey_cube(detail, units, survey_codes)

    def wide(frame: pd.DataFrame, column: str, codes: list) -> np.ndarray:
        return frame.pivot(index="unit", columns="leaf", values=column).loc[units, codes].to_numpy("float64")

    # Field membership matrices (leaves x fields) turn leaf sums into field sums.
    def membership(codes: list) -> np.ndarray:
        by_code = dict(zip(lv["code"], lv["field"]))
        cells = [[by_code[c] == f for f in field_codes] for c in codes]
        return np.array(cells, dtype="float64").reshape(len(codes), len(field_codes))

    assessed_codes = lv.loc[lv["source"] == "assessed", "code"].tolist()
    m_assessed, m_survey = membership(assessed_codes), membership(survey_codes)
    pa = np.nan_to_num(wide(leaves, "points", assessed_codes)) @ m_assessed  # units x fields
    ma = np.nan_to_num(wide(leaves, "max", assessed_codes)) @ m_assessed
    survey_max = np.nan_to_num(wide(leaves, "max", survey_codes))  # applicable: N/A -> 0
    sm = survey_max.sum(axis=1)  # units
    voided = p.units["survey_voided"].to_numpy(dtype=bool)

    scheme_max = dict(zip(lv["code"], lv["max"]))
    s_f = np.array([scheme_max[c] for c in survey_codes], dtype="float64") @ m_survey
    a_f = np.array([scheme_max[c] for c in assessed_codes], dtype="float64") @ m_assessed
    share = np.divide(s_f, a_f, out=np.zeros_like(s_f), where=a_f > 0)

    k, a = draw_factors(n_draws, len(cube.groups), spread, seed)
    # Written as 1 + (1 - a) * S/A so that a == 1 gives b == 1 exactly.
    b = np.maximum(0.0, 1.0 + (1.0 - a)[:, None] * share[None, :])  # draws x fields

    ranks = np.empty((n_draws, len(units)))
    chunk = max(1, _CELLS_PER_CHUNK // max(1, len(units) * max(1, len(survey_codes))))
    for start in range(0, n_draws, chunk):
        d = slice(start, min(n_draws, start + chunk))
        f = cube_fractions(cube, k[d])  # draws x units x survey leaves
        f[:, voided, :] = p.voided_fraction
        # One a for all survey leaves, so survey points need no split by field.
        sp = (np.nan_to_num(f) * survey_max[None]).sum(axis=2)  # draws x units
        total = (b[d][:, None, :] * pa[None]).sum(-1) + a[d][:, None] * sp
        top = (b[d][:, None, :] * ma[None]).sum(-1) + a[d][:, None] * sm[None]
        with np.errstate(invalid="ignore", divide="ignore"):
            percent = np.where(top > 0, 100.0 * total / np.where(top > 0, top, 1.0), np.nan)
        ranks[d] = rank_rows(percent)

    with warnings.catch_warnings():
        # A unit with no rank in any draw (nothing applicable) stays NaN.
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(ranks, axis=0)
        p05, p95 = np.nanpercentile(ranks, [5, 95], axis=0)
    stats = pd.DataFrame({"unit": units, "median_rank": median, "p05": p05, "p95": p95})
    out = base.totals[["unit", "rank"]].merge(stats, on="unit", how="left")
    return out[ROBUSTNESS_COLUMNS].reset_index(drop=True)


def draw_factors(n_draws: int, n_groups: int, spread: float, seed: int):
    """The seeded random factors of ``rank_robustness``: k[draw, group] for
    the group weights (groups in sorted code order) and a[draw] for the
    survey maxima, all uniform on [1 - spread, 1 + spread]."""
    rng = np.random.default_rng(seed)
    k = rng.uniform(1.0 - spread, 1.0 + spread, size=(n_draws, n_groups))
    a = rng.uniform(1.0 - spread, 1.0 + spread, size=n_draws)
    return k, a


def leave_one_field_out(inputs: IndexInputs, result: IndexResult | None = None) -> pd.DataFrame:
    """Overall rank of each unit when one field is left out entirely.

    percent without F = 100 * (total - points_F) / (max - max_F).
    Returns unit, field, rank_without_field, shift where shift = baseline
    rank - rank without the field: positive means the unit would rank higher
    without that field (the field pulls it down).  Rows in field order, then
    unit code.  Pass ``result`` to reuse an already computed index.
    """
    if result is None:
        result = compute_index(inputs)
    fp = result.field_points
    base = result.totals.set_index("unit")["rank"]
    field_order = {c: i for i, c in enumerate(dict.fromkeys(fp["field"]))}
    frames = []
    for code in field_order:
        rest = fp.loc[fp["field"] != code]
        sums = rest.groupby("unit", sort=False)[["points", "max"]].agg(math.fsum)
        sums = sums.reindex(result.totals["unit"]).fillna(0.0)
        percent = (100.0 * sums["points"] / sums["max"].where(sums["max"] > 0)).to_numpy("float64")
        new = as_rank_column(competition_rank(percent))
        frame = pd.DataFrame({"unit": sums.index.to_numpy(), "field": code, "rank_without_field": new})
        frame["shift"] = (base.reindex(frame["unit"]).to_numpy() - frame["rank_without_field"]).astype("Int64")
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["field_order"] = out["field"].map(field_order)
    out["unit_order"] = natural_rank(out["unit"])
    out = out.sort_values(["field_order", "unit_order"], kind="mergesort")
    return out[LEAVE_ONE_OUT_COLUMNS].reset_index(drop=True)

