"""Unit risk score and the scan entry point."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .answers import near_duplicate, straight_line
from .config import DEFAULT_CONFIG, RULES, Config
from .model import Detection, QuestionnaireShape, ScanResult, normalize_responses
from .paradata import burst, forwarded, same_device
from .sheets import encode
from .units import speeder, unit_anomaly, unit_measures

RISK_COLUMNS = ["unit", "unit_kind", "risk", "level", "flagged_share", "rules"]


def level_of(risk: float, config: Config = DEFAULT_CONFIG) -> str:
    """'none' | 'watch' | 'review' | 'void_candidate' for a risk in 0..1."""
    if risk >= config.level_void:
        return "void_candidate"
    if risk >= config.level_review:
        return "review"
    if risk >= config.level_watch:
        return "watch"
    return "none"


def unit_risk(responses: pd.DataFrame, findings: Iterable[Detection], measures: pd.DataFrame,
              config: Config = DEFAULT_CONFIG) -> pd.DataFrame:
    """risk = 1 − Π_r (1 − w_r · max score of rule r in the unit): independent kinds of
    evidence add up, many findings of one rule do not (they are one kind of evidence)."""
    best: dict[tuple[str, str], float] = {}
    for f in findings:
        key = (f.unit, f.rule)
        best[key] = max(best.get(key, 0.0), f.score)
    rows = []
    for unit, row in measures.iterrows():
        survive = 1.0
        rules = []
        for rule in RULES:
            score = best.get((unit, rule))
            if score is None:
                continue
            survive *= 1.0 - config.weights.get(rule, 0.0) * score
            rules.append(rule)
        risk = round(1.0 - survive, 4)
        rows.append({"unit": unit, "unit_kind": row["unit_kind"], "risk": risk,
                     "level": level_of(risk, config),
                     "flagged_share": round(float(np.nan_to_num(row["flagged_share"])), 4),
                     "rules": ",".join(rules)})
    frame = pd.DataFrame(rows, columns=RISK_COLUMNS)
    return frame.sort_values(["risk", "unit"], ascending=[False, True], ignore_index=True)


def scan(responses: pd.DataFrame, answers: pd.DataFrame,
         questionnaires: dict[str, QuestionnaireShape], reminders=(),
         config: Config = DEFAULT_CONFIG) -> ScanResult:
    """Run every detector over one campaign and score each unit.

    Findings are sorted by unit, rule and fingerprint; the same data and config always give
    the same findings (the permutation null is seeded by ``config.seed``).
    """
    resp = normalize_responses(responses)
    sheets = encode(resp, answers, questionnaires)
    findings: list[Detection] = []
    findings += same_device(resp, config)
    findings += burst(resp, reminders, config)
    findings += forwarded(resp, config)
    findings += speeder(resp, config)
    findings += near_duplicate(resp, sheets, questionnaires, config)
    findings += straight_line(resp, sheets, questionnaires, config)
    findings += unit_anomaly(resp, sheets, questionnaires, findings, config)
    findings.sort(key=lambda f: (f.unit, RULES.index(f.rule), f.fingerprint))
    measures = unit_measures(resp, sheets, questionnaires, findings, config)
    return ScanResult(findings=findings, unit_risk=unit_risk(resp, findings, measures, config))
