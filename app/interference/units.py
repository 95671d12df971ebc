"""Unit-share rules: speeder and unit_anomaly."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .config import DEFAULT_CONFIG, Config
from .groups import frame_groups
from .model import Detection, QuestionnaireShape, common_group, make_finding, \
    normalize_responses, severity_rank
from .sheets import encode
from .stats import clean_base, robust_z, share_verdict


def speeder_mask(responses: pd.DataFrame, config: Config = DEFAULT_CONFIG) -> pd.Series:
    """True for web responses faster than speeder_fraction × their questionnaire's median
    duration; False otherwise (unknown durations are never speeders)."""
    timed = responses["mode"].eq("web") & responses["duration_s"].notna()
    median = responses[timed].groupby("questionnaire")["duration_s"].median()
    limit = responses["questionnaire"].map(median) * config.speeder_fraction
    return (timed & (responses["duration_s"] < limit)).astype(bool)


def speeder(responses: pd.DataFrame, config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """Units with a high share of speeders among their timed web responses (one speeder is
    individually weak evidence: people do answer fast)."""
    resp = normalize_responses(responses)
    timed = resp[resp["mode"].eq("web") & resp["duration_s"].notna()]
    if timed.empty:
        return []
    fast = speeder_mask(resp, config)[timed.index]
    base = clean_base(fast, timed["unit"], config)
    median = timed.groupby("questionnaire")["duration_s"].median()
    findings = []
    groups = list(frame_groups(timed.assign(_fast=fast), ["unit"]))
    for unit, grp in groups:
        k, n = int(grp["_fast"].sum()), len(grp)
        share = k / n
        if k < config.speeder_min or share < config.speeder_unit_share:
            continue
        verdict = share_verdict(k, n, base, len(groups), config)
        if verdict is None:
            continue
        quick = grp[grp["_fast"]]
        evidence = {"responses": k, "total": n, "share_pct": round(100 * share),
                    "campaign_pct": round(100 * base, 1),
                    "median_seconds": round(float(quick["duration_s"].median())),
                    "questionnaire_median_seconds":
                        round(float(median.reindex(grp["questionnaire"]).median())),
                    "p_value": verdict["p_value"], "threshold_p": verdict["threshold_p"],
                    "small_unit": verdict["small_unit"]}
        findings.append(make_finding("speeder", unit, common_group(quick["group"]),
                                     quick["response_id"], verdict["severity"],
                                     verdict["score"], evidence))
    return findings


def unit_measures(responses: pd.DataFrame, answers, questionnaires: dict[str,
                  QuestionnaireShape], findings: Iterable[Detection] = (),
                  config: Config = DEFAULT_CONFIG) -> pd.DataFrame:
    """Per unit: unit_kind, responses, flagged_share (responses in findings of at least
    flagged_min_severity) and top_share (answers on the item's best option)."""
    resp = normalize_responses(responses)
    sheets = answers if isinstance(answers, dict) else encode(resp, answers, questionnaires)
    out = resp.groupby("unit").agg(unit_kind=("unit_kind", "first"),
                                   responses=("response_id", "size"))
    min_rank = severity_rank(config.flagged_min_severity)
    flagged_ids = {i for f in findings if f.rule != "unit_anomaly"
                   and severity_rank(f.severity) >= min_rank for i in f.response_ids}
    is_flagged = resp["response_id"].isin(flagged_ids)
    out["flagged_share"] = is_flagged.groupby(resp["unit"]).mean()
    # Best-option share, adjusted for the unit's mix of questionnaires (a unit with more
    # citizens' forms of 4 options would otherwise look "better" than one with 5-option
    # officials' forms): observed − expected from each questionnaire's campaign share,
    # plus the campaign share.
    top = np.zeros(len(resp))
    answered = np.zeros(len(resp))
    expected = np.zeros(len(resp))
    for sh in sheets.values():
        t, a = sh.top.sum(axis=1), (sh.same >= 0).sum(axis=1)
        top[sh.rows], answered[sh.rows] = t, a
        expected[sh.rows] = a * (t.sum() / max(a.sum(), 1))
    sums = pd.DataFrame({"top": top, "answered": answered, "expected": expected}) \
        .groupby(resp["unit"]).sum()
    overall = top.sum() / max(answered.sum(), 1)
    denom = sums["answered"].where(sums["answered"] > 0)
    out["top_share"] = (sums["top"] - sums["expected"]) / denom + overall
    return out


def unit_anomaly(responses: pd.DataFrame, answers, questionnaires: dict[str,
                 QuestionnaireShape], findings: Iterable[Detection] = (),
                 config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """Units whose flagged share or top-option share stands far above the other units of
    their unit_kind (robust z with a MAD floor; kinds with too few units are skipped)."""
    resp = normalize_responses(responses)
    measures = unit_measures(resp, answers, questionnaires, findings, config)
    best: dict[str, tuple] = {}
    for kind, grp in frame_groups(measures, ["unit_kind"]):
        for measure in ("flagged_share", "top_share"):
            vals = grp[measure].dropna()
            if len(vals) < config.anomaly_min_units:
                continue
            z = robust_z(vals.to_numpy(), config.anomaly_mad_floor)
            median = float(vals.median())
            for unit, value, zi in zip(vals.index, vals.to_numpy(), z):
                if zi < config.anomaly_z or value - median < config.anomaly_min_excess:
                    continue
                # One finding per unit (one fingerprint): the measure that stands out most.
                if unit not in best or zi > best[unit][2]:
                    best[unit] = (measure, value, zi, median, len(vals), kind)
    out = []
    for unit, (measure, value, zi, median, n_kind, kind) in sorted(best.items()):
        ids = resp.loc[resp["unit"] == unit, "response_id"]
        score = min(1.0, 0.4 + 0.1 * (zi - config.anomaly_z) + (value - median))
        if measure == "top_share":
            score = min(score, config.anomaly_top_share_max_score)
        severity = "high" if zi >= 2 * config.anomaly_z else "medium"
        evidence = {"variant": measure, "value_pct": round(100 * value, 1),
                    "kind_median_pct": round(100 * median, 1), "z": round(zi, 1),
                    "units_of_kind": n_kind, "unit_kind": kind}
        out.append(make_finding("unit_anomaly", unit,
                                common_group(resp.loc[ids.index, "group"]), ids,
                                severity, score, evidence))
    return out
