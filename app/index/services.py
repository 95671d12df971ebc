"""Index runs: compute from the database, store the run, read a stored run back.

A run records the fingerprints of everything a published figure depends on (inputs,
scheme, code version) and the complete result tables as CSV, so that a figure can be
traced and the computation repeated byte for byte.
"""
from __future__ import annotations

import io
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from flask_babel import gettext as _

from app.core import audit
from app.extensions import db
from app.models import Campaign, IndexRun
from app.scoring import IndexResult, ScoringInputError, compute_index, leave_one_field_out, rank_robustness

from .loaders import LoadedInputs, load_inputs

DEFAULT_SPREAD = 0.25
DEFAULT_DRAWS = 1000
DEFAULT_SEED = 0


class IndexComputeError(ValueError):
    """The index cannot be computed or a run cannot be reproduced; the message says why."""


@dataclass
class Computation:
    """A stored run with the inputs and the result it was computed from."""

    run: IndexRun
    loaded: LoadedInputs
    result: IndexResult


def code_version() -> str:
    """``git rev-parse HEAD`` of the checkout, or a fixed label when git is not available."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()[:64]
    except (OSError, subprocess.SubprocessError):
        pass
    return "parsurvey-unversioned"


#: Read once, when the app starts (this module is imported by the index blueprint), never in a request.
CODE_VERSION = code_version()


def compute(campaign: Campaign, voided_fraction: float = 0.0) -> tuple[LoadedInputs, IndexResult]:
    """Load the inputs and compute the index, without storing anything."""
    try:
        loaded = load_inputs(campaign, voided_fraction)
        result = compute_index(loaded.inputs)
    except ScoringInputError as exc:
        raise IndexComputeError(_("Không tính được chỉ số: %(problems)s", problems=str(exc))) from None
    return loaded, result


def compute_run(campaign: Campaign, actor=None, voided_fraction: float = 0.0,
                readiness: dict | None = None) -> Computation:
    """Compute the index and store it as an ``IndexRun`` (the caller commits).

    `readiness`: what was not ready and the reason given to compute anyway, kept with the run."""
    loaded, result = compute(campaign, voided_fraction)
    csv_text = result.to_csv_bytes().decode("utf-8")
    run = IndexRun(campaign_id=campaign.id, user_id=getattr(actor, "id", None),
                   scheme_digest=loaded.scheme.digest or campaign.scheme_digest or "",
                   inputs_digest=loaded.inputs_digest, result_digest=result.result_digest(),
                   code_version=CODE_VERSION,
                   params={"voided_fraction": float(voided_fraction), "scheme": loaded.scheme.code,
                           "scheme_version": loaded.scheme.version,
                           "decisions": len([d for d in loaded.decisions if d["action"]]),
                           "units": len(loaded.unit_names),
                           **({"readiness": readiness} if readiness else {})},
                   result_csv=csv_text)
    db.session.add(run)
    db.session.flush()
    audit.record("index.compute", actor, campaign.id, target=f"run {run.id}",
                 inputs_digest=run.inputs_digest, result_digest=run.result_digest, **(readiness or {}))
    return Computation(run, loaded, result)


def reproduce(campaign: Campaign, run: IndexRun) -> Computation:
    """Recompute a stored run from the database; refuse if its inputs have changed since.

    Used for the robustness screen (other spreads and draws) and for the workbook of a run
    stored without one (see ``stored_workbook``): always run N's numbers.
    """
    loaded, result = compute(campaign, float((run.params or {}).get("voided_fraction", 0.0)))
    if loaded.inputs_digest != run.inputs_digest:
        raise IndexComputeError(_("Dữ liệu đầu vào đã thay đổi sau lần tính số %(id)d. Hãy tính lại chỉ số.", id=run.id))
    if result.result_digest() != run.result_digest:
        raise IndexComputeError(_("Kết quả tính lại khác với lần tính số %(id)d (phiên bản mã nguồn khác). "
                            "Hãy tính lại chỉ số.", id=run.id))
    return Computation(run, loaded, result)


def run_tables(run: IndexRun) -> dict[str, pd.DataFrame]:
    """The result tables stored with a run (totals, field_points, leaf_points, survey_detail)."""
    tables: dict[str, pd.DataFrame] = {}
    name, lines = None, []

    def flush():
        if name is not None:
            tables[name] = pd.read_csv(io.StringIO("".join(lines)), dtype={"unit": str, "field": str, "leaf": str,
                                                                           "group": str, "band": str},
                                       keep_default_na=True)

    for line in io.StringIO(run.result_csv or ""):
        if line.startswith("# "):
            flush()
            name, lines = line[2:].strip(), []
        else:
            lines.append(line)
    flush()
    return tables


def ranking_rows(run: IndexRun, scheme) -> list[dict]:
    """The ranking of a stored run as plain rows for screens, CSV and JSON."""
    tables = run_tables(run)
    totals = tables.get("totals")
    if totals is None:
        return []
    notes = unit_notes(tables) if "leaf_points" in tables else {}
    rows = []
    for i, r in enumerate(totals.itertuples(index=False), start=1):
        d = r._asdict()
        rows.append({
            "stt": i, "code": d["unit"], "name": d["name"], "kind": d["kind"], "total": _num(d["total"]),
            "max": _num(d["max"]), "percent": _num(d["percent"]), "rank": _int(d["rank"]),
            "band": None if _isnan(d["band"]) else str(d["band"]), "voided": bool(d["voided"]),
            "void_reason": None if _isnan(d["void_reason"]) else d["void_reason"],
            "responses": _int(d["responses"]), "note": notes.get(d["unit"], ""),
            "fields": {f.code: _num(d.get(f"field_{f.code}")) for f in scheme.fields},
        })
    return rows


def unit_profile(run: IndexRun, scheme, unit_code: str) -> dict | None:
    """Field percents of one unit against the campaign's mean and best, from a stored run."""
    fp = run_tables(run).get("field_points")
    if fp is None or unit_code not in set(fp["unit"]):
        return None
    out = []
    for f in scheme.fields:
        rows = fp.loc[fp["field"] == f.code]
        mine = rows.loc[rows["unit"] == unit_code].iloc[0]
        ranked = rows["rank"].notna().sum()
        out.append({"code": f.code, "name": f.name, "points": _num(mine["points"]), "max": _num(mine["max"]),
                    "percent": _num(mine["percent"]), "rank": _int(mine["rank"]), "of": int(ranked),
                    "mean": _num(rows["percent"].mean()), "best": _num(rows["percent"].max())})
    return {"unit": unit_code, "fields": out}


def robustness(loaded: LoadedInputs, result: IndexResult, spread: float = DEFAULT_SPREAD,
               draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monte Carlo rank intervals and the leave-one-field-out table (see app.scoring.robustness)."""
    if not 0.0 <= spread <= 1.0:
        raise IndexComputeError(_("Biên độ nhiễu phải từ 0 đến 100 phần trăm."))
    if not 1 <= draws <= 20000:
        raise IndexComputeError(_("Số lần mô phỏng phải từ 1 đến 20 000."))
    return (rank_robustness(loaded.inputs, n_draws=draws, spread=spread, seed=seed),
            leave_one_field_out(loaded.inputs, result))


def _isnan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _num(v):
    return None if _isnan(v) else float(v)


def _int(v):
    return None if _isnan(v) else int(v)


def workbook_for(campaign: Campaign, comp: Computation, spread: float = DEFAULT_SPREAD,
                 draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> bytes:
    """The published workbook of a computation, with its robustness sheet and input records."""
    from app.models import AssessmentImport, SelfAssessment, Unit, User

    from .downloads import build_workbook

    robust, loo = robustness(comp.loaded, comp.result, spread, draws, seed)
    notes = {(code, leaf): (appraiser or "", note or "") for code, leaf, appraiser, note in db.session.execute(
        db.select(Unit.code, SelfAssessment.criterion_code, SelfAssessment.appraiser, SelfAssessment.note)
        .join(Unit, Unit.id == SelfAssessment.unit_id).where(SelfAssessment.campaign_id == campaign.id))}
    imports = db.session.execute(
        db.select(AssessmentImport, User.email).outerjoin(User, User.id == AssessmentImport.user_id)
        .where(AssessmentImport.campaign_id == campaign.id).order_by(AssessmentImport.id)).all()
    return build_workbook(campaign, comp, robust, loo, {"spread": spread, "draws": draws, "seed": seed}, notes,
                          [(i, email or "CLI") for i, email in imports])


def publish(campaign: Campaign, comp: Computation, spread: float = DEFAULT_SPREAD, draws: int = DEFAULT_DRAWS,
            seed: int = DEFAULT_SEED) -> bytes:
    """Write the workbook of a just computed run and store it with the run (the caller commits).

    Downloads of the run serve these bytes (``stored_workbook``): the index and its
    robustness draws are computed once, when the run is made."""
    data = workbook_for(campaign, comp, spread, draws, seed)
    comp.run.workbook = data
    comp.run.params = {**(comp.run.params or {}),
                       "robustness": {"spread": float(spread), "draws": int(draws), "seed": int(seed)}}
    return data


def stored_workbook(campaign: Campaign, run: IndexRun) -> bytes:
    """The workbook of a stored run: the bytes written when it was computed. A run stored
    without them is recomputed (``reproduce`` refuses if its inputs have changed since)."""
    if run.workbook is not None:
        return run.workbook
    return workbook_for(campaign, reproduce(campaign, run))


def unit_notes(tables: dict) -> dict:
    """The workbook's per-unit notes (void reason, flagged sub-criteria), from a stored run's tables,
    so the web ranking shows the same flags as the published workbook."""
    from types import SimpleNamespace

    from .downloads import _unit_notes

    totals = tables["totals"].copy()
    totals["void_reason"] = totals["void_reason"].astype(object).where(totals["void_reason"].notna(), "")
    leaves = tables["leaf_points"].copy()
    leaves["flags"] = leaves["flags"].astype(object).where(leaves["flags"].notna(), "")  # all-NaN reads as float
    return _unit_notes(SimpleNamespace(totals=totals, leaf_points=leaves))
