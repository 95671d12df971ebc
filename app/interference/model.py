"""Shapes, findings and the normalisation of the input frames."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

SEVERITIES = ("low", "medium", "high")

RESPONSE_COLUMNS = ("response_id", "unit", "unit_kind", "group", "questionnaire", "mode",
                    "submitted_at", "duration_s")
PARADATA_COLUMNS = ("net_hash", "net_prefix_hash", "ua_hash", "device_hash", "moved")
ANSWER_COLUMNS = ("response_id", "item", "option")


@dataclass(frozen=True)
class ItemShape:
    """One scored choice item: its block (field), option codes and best option."""

    code: str
    block: str
    options: tuple[str, ...]
    top_option: str


@dataclass(frozen=True)
class QuestionnaireShape:
    """The scored items of a questionnaire, in order."""

    code: str
    items: tuple[ItemShape, ...]


@dataclass(frozen=True)
class Detection:
    """One detected pattern, with the numbers a reviewer needs to judge it (stored as a models.Finding)."""

    rule: str
    unit: str
    group: str | None
    response_ids: tuple[int, ...]
    severity: str
    score: float
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable id of rule + unit + group + responses, so a re-scan does not duplicate."""
        key = "|".join([self.rule, self.unit, self.group or "",
                        ",".join(str(i) for i in self.response_ids)])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class ScanResult:
    """All findings (sorted) and one risk row per unit."""

    findings: list[Detection]
    unit_risk: pd.DataFrame


def make_finding(rule: str, unit: str, group: str | None, ids, severity: str, score: float,
                 evidence: Mapping[str, Any]) -> Detection:
    """Build a Detection with sorted plain-int ids, a clipped score and JSON-able evidence."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    clean = {k: _plain(v) for k, v in evidence.items()}
    return Detection(rule=rule, unit=str(unit), group=None if group is None else str(group),
                   response_ids=tuple(sorted(int(i) for i in ids)), severity=severity,
                   score=round(float(min(1.0, max(0.0, score))), 4), evidence=clean)


def _plain(value):
    # Evidence goes to JSON and to the explanation: plain Python numbers and strings only.
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), 4)
    return str(value)


def severity_rank(severity: str) -> int:
    """0 for low, 1 for medium, 2 for high."""
    return SEVERITIES.index(severity)


def common_group(groups) -> str | None:
    """The single group of a set of responses, or None when they span several."""
    values = {g for g in groups if g is not None and g == g}
    return next(iter(values)) if len(values) == 1 else None


def normalize_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """Check the columns and return a copy with uniform types.

    Missing paradata columns are added as all-None (old imports); ``submitted_at`` becomes
    naive UTC; ``moved`` becomes a nullable boolean; ``mode`` lower-case.
    """
    if responses.attrs.get("interference_normalized"):
        return responses  # already done by scan(); detectors called alone redo it
    missing = [c for c in RESPONSE_COLUMNS if c not in responses.columns]
    if missing:
        raise ValueError(f"responses frame lacks columns: {', '.join(missing)}")
    out = responses.copy()
    for col in PARADATA_COLUMNS:
        if col not in out.columns:
            out[col] = None
    out["response_id"] = out["response_id"].astype("int64")
    if out["response_id"].duplicated().any():
        raise ValueError("responses frame has duplicate response_id values")
    for col in ("unit", "unit_kind", "group", "questionnaire"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
        out[col] = out[col].map(lambda v: None if v is None else str(v))
    out["mode"] = out["mode"].astype(object).map(lambda v: str(v).lower() if v == v and v
                                                 is not None else "unknown")
    ts = pd.to_datetime(out["submitted_at"], utc=True)
    out["submitted_at"] = ts.dt.tz_localize(None).astype("datetime64[ns]")
    out["duration_s"] = pd.to_numeric(out["duration_s"], errors="coerce").astype("float64")
    for col in ("net_hash", "net_prefix_hash", "ua_hash", "device_hash"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    moved = out["moved"].astype(object).where(out["moved"].notna(), None)
    out["moved"] = pd.array([None if v is None else bool(v) for v in moved], dtype="boolean")
    # Paradata only describes web answering; an enumerator's entry has none of its own.
    not_web = out["mode"] != "web"
    out.loc[not_web, ["net_hash", "net_prefix_hash", "ua_hash", "device_hash"]] = None
    out.loc[not_web, "moved"] = pd.NA
    out = out.reset_index(drop=True)
    out.attrs["interference_normalized"] = True
    return out


def web_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """Web responses only: the only ones device and network rules may look at."""
    return responses[responses["mode"] == "web"]


def reference_durations(responses: pd.DataFrame, min_known: int = 5) -> pd.Series:
    """Median answering time per response: its unit's (if ≥ min_known timed), else its
    questionnaire's across the campaign. NaN when neither is known."""
    timed = responses[responses["mode"].eq("web") & responses["duration_s"].notna()]
    by_q = timed.groupby("questionnaire")["duration_s"].median()
    by_uq = timed.groupby(["unit", "questionnaire"])["duration_s"].agg(["median", "size"])
    by_uq = by_uq[by_uq["size"] >= min_known]["median"]
    key = pd.MultiIndex.from_arrays([responses["unit"], responses["questionnaire"]])
    ref = pd.Series(by_uq.reindex(key).to_numpy(), index=responses.index)
    fallback = responses["questionnaire"].map(by_q)
    return ref.fillna(fallback).astype("float64")
