"""Combine survey fractions and assessed scores into the index (DESIGN §4).

Comparator for ranks: the percent (100 * points / applicable max), overall and
per field, because units may have different applicable maxima (a leaf not
applicable to a unit leaves its max out); when all maxima are equal this is
the same order as ranking by points.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .inputs import IndexInputs, prepare, natural_rank
from .ranking import as_rank_column, assign_band, competition_rank
from .survey import survey_detail, survey_fractions

LEAF_POINTS_COLUMNS = [
    "unit", "leaf", "field", "source", "max", "points", "fraction",
    "self_score", "appraised_score", "flags",
]
FIELD_POINTS_COLUMNS = ["unit", "field", "points", "max", "percent", "rank"]
TOTALS_COLUMNS = [
    "unit", "name", "kind", "total", "max", "percent", "rank", "band",
    "voided", "void_reason", "responses",
]  # followed by one field_<code> column per field, in field order

#: Flags a leaf row may carry (``flags`` joins the present ones, sorted).
FLAGS = ("no_score", "no_survey_data", "not_applicable", "not_appraised", "voided")


@dataclass(frozen=True, eq=False)
class IndexResult:
    """The computed index; every frame has fixed columns and sorted rows."""

    survey_detail: pd.DataFrame
    leaf_points: pd.DataFrame
    field_points: pd.DataFrame
    totals: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result frames by name, in serialisation order."""
        return {
            "totals": self.totals,
            "field_points": self.field_points,
            "leaf_points": self.leaf_points,
            "survey_detail": self.survey_detail,
        }

    def to_csv_bytes(self) -> bytes:
        """All tables as one UTF-8 CSV document, each after a ``# name`` line.

        Same inputs (in any row order) -> byte-identical output.
        """
        parts = [f"# {name}\n" + frame.to_csv(index=False, lineterminator="\n")
                 for name, frame in self.tables().items()]
        return "".join(parts).encode("utf-8")

    def result_digest(self) -> str:
        """sha256 (hex) of ``to_csv_bytes()`` — a fingerprint of the result."""
        return hashlib.sha256(self.to_csv_bytes()).hexdigest()


def compute_index(inputs: IndexInputs) -> IndexResult:
    """Compute survey detail, leaf points, field points and totals.

    Raises ``ScoringInputError`` on malformed inputs, including assessed
    scores outside [0, max] (see ``validate_assessments``).
    """
    p = prepare(inputs)
    detail = survey_detail(p)
    leaves = leaf_points(p, survey_fractions(detail))
    fields = field_points(p, leaves)
    return IndexResult(detail, leaves, fields, totals(p, leaves, fields))


def leaf_points(p: IndexInputs, fractions: pd.DataFrame) -> pd.DataFrame:
    """Points of every unit x leaf, with the flags that explain them."""
    lv = p.leaves.assign(leaf_order=np.arange(len(p.leaves)))
    grid = p.units[["unit", "survey_voided"]].merge(
        lv[["code", "field", "source", "max", "leaf_order"]].rename(columns={"code": "leaf"}),
        how="cross",
    )
    g = grid.merge(p.assessments, on=["unit", "leaf"], how="left").merge(
        fractions, on=["unit", "leaf"], how="left"
    )
    na = g["not_applicable"].fillna(False).astype(bool).to_numpy()
    survey = (g["source"] == "survey").to_numpy()
    voided = g["survey_voided"].to_numpy(dtype=bool)
    f = g["fraction"].to_numpy(dtype="float64")
    selfs = g["self_score"].to_numpy(dtype="float64")
    appraised = g["appraised_score"].to_numpy(dtype="float64")
    top = g["max"].to_numpy(dtype="float64")

    fraction = np.where(survey & ~na, np.where(voided, p.voided_fraction, f), np.nan)
    assessed_pts = np.where(~np.isnan(appraised), appraised, np.where(np.isnan(selfs), 0.0, selfs))
    points = np.where(survey, top * np.nan_to_num(fraction, nan=0.0), assessed_pts)
    flag_masks = {
        "not_applicable": na,
        "voided": survey & voided & ~na,
        "no_survey_data": survey & ~voided & ~na & np.isnan(f),
        "not_appraised": ~survey & ~na & np.isnan(appraised) & ~np.isnan(selfs),
        "no_score": ~survey & ~na & np.isnan(appraised) & np.isnan(selfs),
    }
    names = sorted(flag_masks)
    flags = [",".join(n for n, on in zip(names, row) if on)
             for row in zip(*(flag_masks[n] for n in names))]

    out = pd.DataFrame({
        "unit": g["unit"],
        "leaf": g["leaf"],
        "field": g["field"],
        "source": g["source"],
        "max": np.where(na, 0.0, top),  # not applicable: max leaves the denominator
        "points": np.where(na, 0.0, points),
        "fraction": fraction,
        "self_score": selfs,
        "appraised_score": appraised,
        "flags": pd.Series(flags, index=g.index, dtype="str"),
        "unit_order": natural_rank(g["unit"]),
        "leaf_order": g["leaf_order"],
    })
    out = out.sort_values(["unit_order", "leaf_order"], kind="mergesort")
    return out[LEAF_POINTS_COLUMNS].reset_index(drop=True)


def _fsum_by(frame: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    # math.fsum is exact then rounded once: the sum does not depend on row
    # order, so equal scores can never be split by summation noise.
    return frame.groupby(keys, sort=False)[cols].agg(math.fsum).reset_index()


def field_points(p: IndexInputs, leaves: pd.DataFrame) -> pd.DataFrame:
    """Points, applicable max, percent and per-field rank of each unit x field."""
    sums = _fsum_by(leaves, ["unit", "field"], ["points", "max"])
    fd = p.fields[["code"]].rename(columns={"code": "field"})
    fd["field_order"] = np.arange(len(fd))
    grid = p.units[["unit"]].merge(fd, how="cross").merge(sums, on=["unit", "field"], how="left")
    grid[["points", "max"]] = grid[["points", "max"]].fillna(0.0).astype("float64")
    grid["percent"] = _percent(grid["points"], grid["max"])
    grid["rank"] = pd.array([pd.NA] * len(grid), dtype="Int64")
    for _, idx in grid.groupby("field", sort=False).groups.items():
        grid.loc[idx, "rank"] = as_rank_column(competition_rank(grid.loc[idx, "percent"]))
    grid["unit_order"] = natural_rank(grid["unit"])
    grid = grid.sort_values(["unit_order", "field_order"], kind="mergesort")
    return grid[FIELD_POINTS_COLUMNS].reset_index(drop=True)


def _percent(points: pd.Series, maximum: pd.Series) -> pd.Series:
    """100 * points / max; NaN when nothing is applicable (max 0)."""
    return (100.0 * points / maximum.where(maximum > 0)).astype("float64")


def totals(p: IndexInputs, leaves: pd.DataFrame, fields: pd.DataFrame) -> pd.DataFrame:
    """One row per unit: total, max, percent, rank, band, void, responses,
    and the points of each field as ``field_<code>``; sorted by rank."""
    sums = _fsum_by(leaves, ["unit"], ["points", "max"]).rename(columns={"points": "total"})
    responses = p.response_counts.groupby("unit", sort=False)["responses"].sum().rename("responses")
    t = p.units.merge(sums, on="unit", how="left").merge(responses, on="unit", how="left")
    t[["total", "max"]] = t[["total", "max"]].fillna(0.0).astype("float64")
    t["responses"] = t["responses"].fillna(0).astype("int64")
    t["percent"] = _percent(t["total"], t["max"])
    t["rank"] = as_rank_column(competition_rank(t["percent"]))
    t["band"] = pd.Series([assign_band(x, p.bands) for x in t["percent"]], index=t.index, dtype="object")
    t = t.rename(columns={"survey_voided": "voided"})
    wide = fields.pivot(index="unit", columns="field", values="points")
    field_cols = []
    for code in p.fields["code"]:
        col = f"field_{code}"
        t[col] = t["unit"].map(wide[code]).astype("float64")
        field_cols.append(col)
    t["unit_order"] = natural_rank(t["unit"])
    t["rank_key"] = t["rank"].astype("float64").fillna(np.inf)  # unranked units last
    t = t.sort_values(["rank_key", "unit_order"], kind="mergesort")
    return t[TOTALS_COLUMNS + field_cols].reset_index(drop=True)
