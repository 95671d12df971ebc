"""Inputs of the index computation, their checks and canonical ordering.

Every frame is a plain pandas DataFrame; extra columns are ignored.

``leaves``          one row per scored leaf of the scheme (a criterion without
                    sub-criteria is itself a leaf)
                    code (str "1.2.1"), field (str "1".."7"), criterion (str),
                    max (float >= 0), source ("assessed" | "survey")
``fields``          code, name — the row order is the published order of fields
``weights``         leaf, group, weight (float >= 0): w_g of DESIGN §4 per survey
                    leaf; a group that feeds a leaf without a row weighs 1
``items``           item, questionnaire, group, leaf: scored question -> survey
                    leaf; (group, item) must be unique because ``credits`` names
                    a question by group and item
``credits``         unit, group, item, n, sum_credit: counted answers (credit not
                    null) of the included responses, aggregated per question —
                    see ``aggregate_answers``; questions absent from ``items``
                    (e.g. profile questions) are ignored
``response_counts`` unit, group, responses: included responses per unit x group
``units``           unit, name, kind, survey_voided (bool), void_reason (str|None)
``assessments``     unit, leaf, self_score, appraised_score (float or NaN),
                    not_applicable (bool); at most one row per (unit, leaf)
``bands``           sequence of (code, min_percent), e.g. [("A", 90), ("D", 0)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

#: Columns each input frame must carry (extra columns are ignored).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "leaves": ("code", "field", "criterion", "max", "source"),
    "fields": ("code", "name"),
    "weights": ("leaf", "group", "weight"),
    "items": ("item", "questionnaire", "group", "leaf"),
    "credits": ("unit", "group", "item", "n", "sum_credit"),
    "response_counts": ("unit", "group", "responses"),
    "units": ("unit", "name", "kind", "survey_voided", "void_reason"),
    "assessments": ("unit", "leaf", "self_score", "appraised_score", "not_applicable"),
}

SOURCES = ("assessed", "survey")

# Answers are credits in [0, 1], so a sum may exceed n only by rounding noise.
_CREDIT_SLACK = 1e-9


class ScoringInputError(ValueError):
    """The inputs cannot be scored; ``problems`` lists what is wrong.

    Each problem is a dict with at least ``message``; assessment problems also
    carry ``unit`` and ``leaf`` so the import screen can point at the row.
    """

    def __init__(self, problems: Sequence[dict] | str):
        if isinstance(problems, str):
            problems = [{"message": problems}]
        self.problems = list(problems)
        shown = "; ".join(_describe(p) for p in self.problems[:5])
        more = len(self.problems) - 5
        super().__init__(shown + (f"; … and {more} more" if more > 0 else ""))


def _describe(problem: dict) -> str:
    where = " ".join(str(problem[k]) for k in ("unit", "leaf") if problem.get(k) is not None)
    return f"{where}: {problem['message']}" if where else problem["message"]


@dataclass(frozen=True, eq=False)
class IndexInputs:
    """Everything one index computation needs (see the module docstring).

    ``voided_fraction`` is the fraction f given to every survey leaf of a unit
    whose survey was voided (DESIGN §4: 0 by default, configurable).
    """

    leaves: pd.DataFrame
    fields: pd.DataFrame
    weights: pd.DataFrame
    items: pd.DataFrame
    credits: pd.DataFrame
    response_counts: pd.DataFrame
    units: pd.DataFrame
    assessments: pd.DataFrame
    bands: tuple[tuple[str, float], ...] = field(default=())
    voided_fraction: float = 0.0


class PreparedInputs(IndexInputs):
    """Inputs returned by ``prepare``: checked, canonical copies (the type says so, no registry)."""


def natural_key(code: object) -> tuple:
    """Sort key so that "1.10" follows "1.9" and "T2" precedes "T10"."""
    parts = re.split(r"(\d+)", str(code))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def natural_rank(values: pd.Series) -> pd.Series:
    """Position of each value in the natural order of the distinct values."""
    ordered = sorted(values.unique(), key=natural_key)
    position = {v: i for i, v in enumerate(ordered)}
    return values.map(position).astype("int64")


def _str(series: pd.Series) -> pd.Series:
    # Codes may arrive as ints from Excel; they are compared as text.
    if (len(series) > 1000 and pd.api.types.infer_dtype(series, skipna=False) == "string"
            and not series.isna().any()):
        # All text, none missing (the loaded credits: 25 000 rows, a few hundred codes): strip each
        # distinct code once. Only for str, whose equality factorize may rely on (1, 1.0 and True
        # are equal keys but different text).
        codes, uniques = pd.factorize(series)
        stripped = np.array([str(v).strip() for v in uniques], dtype=object)
        return pd.Series(stripped.take(codes), index=series.index, name=series.name)
    return series.map(lambda v: None if _missing(v) else str(v).strip())


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _require(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ScoringInputError(f"{name}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise ScoringInputError(f"{name}: missing column(s) {', '.join(missing)}")
    return frame.loc[:, list(REQUIRED_COLUMNS[name])].copy()


def validate_assessments(
    assessments: pd.DataFrame, leaves: pd.DataFrame, units: pd.DataFrame | None = None
) -> list[dict]:
    """List the problems of imported self-assessment / appraisal rows.

    Returns ``[{"unit", "leaf", "message"}]`` (empty when the rows are fine):
    unknown unit or leaf, a duplicate (unit, leaf), a score on a survey leaf,
    and a score outside [0, max] — DESIGN §4 calls the last an import error.
    """
    a = _require("assessments", assessments)
    lv = _require("leaves", leaves)
    maxima = dict(zip(_str(lv["code"]), lv["max"].astype("float64")))
    sources = dict(zip(_str(lv["code"]), _str(lv["source"])))
    known_units = None if units is None else set(_str(_require("units", units)["unit"]))
    a["unit"], a["leaf"] = _str(a["unit"]), _str(a["leaf"])
    problems: list[dict] = []
    seen: set[tuple] = set()
    for row in a.itertuples(index=False):
        def report(message: str) -> None:
            problems.append({"unit": row.unit, "leaf": row.leaf, "message": message})

        if known_units is not None and row.unit not in known_units:
            report("unknown unit")
        if row.leaf not in maxima:
            report("unknown leaf")
            continue
        if (row.unit, row.leaf) in seen:
            report("duplicate row for this unit and leaf")
        seen.add((row.unit, row.leaf))
        top = maxima[row.leaf]
        for label, value in (("self score", row.self_score), ("appraised score", row.appraised_score)):
            if _missing(value):
                continue
            try:
                value = float(value)
            except (TypeError, ValueError):
                report(f"{label} {value!r} is not a number")
                continue
            if sources[row.leaf] == "survey":
                report(f"{label} given for a survey leaf (its points come from the survey)")
            elif not 0.0 <= value <= top:
                report(f"{label} {value:g} outside [0, {top:g}]")
    return problems


def prepare(inputs: IndexInputs) -> IndexInputs:
    """Check the inputs and return canonical copies (text codes, float64
    numbers, rows in natural code order) so results never depend on the
    order in which rows arrive.  Raises ``ScoringInputError``.

    An instance returned by ``prepare`` is returned as is when prepared
    again (compute, robustness and the digest of a run share one check);
    its frames must not be modified in place.
    """
    if isinstance(inputs, PreparedInputs):
        return inputs
    lv = _require("leaves", inputs.leaves)
    fd = _require("fields", inputs.fields)
    wt = _require("weights", inputs.weights)
    it = _require("items", inputs.items)
    cr = _require("credits", inputs.credits)
    rc = _require("response_counts", inputs.response_counts)
    un = _require("units", inputs.units)
    asm = _require("assessments", inputs.assessments)
    problems: list[dict] = []

    def fail(message: str) -> None:
        problems.append({"message": message})

    for frame, cols in ((lv, ("code", "field", "criterion", "source")), (fd, ("code",)),
                        (wt, ("leaf", "group")), (it, ("item", "questionnaire", "group", "leaf")),
                        (cr, ("unit", "group", "item")), (rc, ("unit", "group")), (un, ("unit",)),
                        (asm, ("unit", "leaf"))):
        for col in cols:
            frame[col] = _str(frame[col])
    lv["max"] = pd.to_numeric(lv["max"], errors="coerce").astype("float64")
    if lv["code"].duplicated().any():
        fail(f"leaves: duplicate code(s) {sorted(set(lv.loc[lv['code'].duplicated(), 'code']))}")
    if (lv["max"].isna() | (lv["max"] < 0)).any():
        fail("leaves: max must be a number >= 0")
    if not lv["source"].isin(SOURCES).all():
        fail(f"leaves: source must be one of {SOURCES}")
    if not lv["field"].isin(fd["code"]).all():
        fail("leaves: field not among fields")
    if fd["code"].duplicated().any():
        fail("fields: duplicate code")
    survey_leaves = set(lv.loc[lv["source"] == "survey", "code"])

    wt["weight"] = pd.to_numeric(wt["weight"], errors="coerce").astype("float64")
    if (wt["weight"].isna() | (wt["weight"] < 0)).any():
        fail("weights: weight must be a number >= 0")
    if not wt["leaf"].isin(survey_leaves).all():
        fail("weights: leaf is not a survey leaf")
    if wt.duplicated(["leaf", "group"]).any():
        fail("weights: duplicate (leaf, group)")
    if not it["leaf"].isin(survey_leaves).all():
        bad = sorted(set(it.loc[~it["leaf"].isin(survey_leaves), "leaf"].astype(str)))
        fail(f"items: question mapped to a leaf that is not a survey leaf: {bad}")
    if it.duplicated(["group", "item"]).any():
        fail("items: (group, item) must be unique")

    if un["unit"].duplicated().any():
        fail("units: duplicate unit code")
    un["survey_voided"] = un["survey_voided"].fillna(False).astype(bool)
    un["void_reason"] = un["void_reason"].map(lambda v: None if _missing(v) else str(v))
    known = set(un["unit"])
    cr["n"] = pd.to_numeric(cr["n"], errors="coerce")
    cr["sum_credit"] = pd.to_numeric(cr["sum_credit"], errors="coerce").astype("float64")
    if cr["n"].isna().any() or (cr["n"] < 0).any() or (cr["n"] % 1 != 0).any():
        fail("credits: n must be a whole number >= 0")
    cr["n"] = cr["n"].fillna(0).astype("int64")
    bad_sum = (cr["sum_credit"] < -_CREDIT_SLACK) | (cr["sum_credit"] > cr["n"] + _CREDIT_SLACK)
    if (cr["sum_credit"].isna() & (cr["n"] > 0)).any() or bad_sum.any():
        fail("credits: sum_credit must lie in [0, n] (credits are in [0, 1])")
    if cr.duplicated(["unit", "group", "item"]).any():
        fail("credits: duplicate (unit, group, item)")
    rc["responses"] = pd.to_numeric(rc["responses"], errors="coerce").fillna(0).astype("int64")
    for name, frame in (("credits", cr), ("response_counts", rc)):
        stray = sorted(set(frame["unit"]) - known, key=natural_key)
        if stray:
            fail(f"{name}: unknown unit(s) {stray[:5]}")

    for col in ("self_score", "appraised_score"):
        asm[col] = pd.to_numeric(asm[col], errors="coerce").astype("float64")
    asm["not_applicable"] = asm["not_applicable"].fillna(False).astype(bool)
    problems.extend(validate_assessments(inputs.assessments, inputs.leaves, inputs.units))

    bands = tuple((str(code), float(low)) for code, low in inputs.bands)
    if any(math.isnan(low) for _, low in bands):
        fail("bands: min_percent must be a number")
    vf = float(inputs.voided_fraction)
    if not 0.0 <= vf <= 1.0:
        fail("voided_fraction must lie in [0, 1]")
    if problems:
        raise ScoringInputError(problems)

    return PreparedInputs(
        leaves=sort_natural(lv, ["code"]),
        fields=fd.reset_index(drop=True),  # row order is the published order
        weights=sort_natural(wt, ["leaf", "group"]),
        items=sort_natural(it, ["leaf", "group", "item"]),
        credits=sort_natural(cr, ["unit", "group", "item"]),
        response_counts=sort_natural(rc, ["unit", "group"]),
        units=sort_natural(un, ["unit"]),
        assessments=sort_natural(asm, ["unit", "leaf"]),
        # Highest threshold first: the first band whose min <= percent wins.
        bands=tuple(sorted(bands, key=lambda b: -b[1])),
        voided_fraction=vf,
    )


def sort_natural(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows sorted by the natural order of ``keys`` (stable, index reset)."""
    ranks = pd.DataFrame({k: natural_rank(frame[k]) for k in keys}) if len(frame) else None
    if ranks is None:
        return frame.reset_index(drop=True)
    order = ranks.sort_values(keys, kind="mergesort").index
    return frame.loc[order].reset_index(drop=True)
