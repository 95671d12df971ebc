"""Load the inputs of the index computation from the scheme and the database.

Answers are aggregated in SQL (never millions of rows in Python); the scheme gives the
leaves, fields, weights and the question → sub-criterion map. The result is an
``app.scoring.IndexInputs`` plus the fingerprints that make a run traceable.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import text

from app.core.schemes import get_scheme
from app.extensions import db
from app.models import Campaign, Finding, Group, SelfAssessment, Unit
from app.scoring import IndexInputs
from app.scoring.inputs import prepare

# Grouping also by credit keeps the per-question sums exact and independent of the order in
# which the database adds rows: Python sums count × credit with math.fsum (see credits_frame).
CREDITS_SQL = text(
    "SELECT r.unit_id, r.group_id, a.item_code, a.credit, COUNT(*) AS n "
    "FROM answers a JOIN responses r ON r.id = a.response_id "
    "WHERE r.campaign_id = :c AND NOT r.excluded "
    "GROUP BY r.unit_id, r.group_id, a.item_code, a.credit"
)
COUNTS_SQL = text(
    "SELECT r.unit_id, r.group_id, COUNT(*) AS n FROM responses r "
    "WHERE r.campaign_id = :c AND NOT r.excluded GROUP BY r.unit_id, r.group_id"
)
# SQLite sorts all answer rows for CREDITS_SQL's GROUP BY (about 4 s at 5 million answers). This
# query needs no sort: the responses index yields the rows unit by unit and group by group, and
# each (unit, group) comes back as two strings, item codes and one character per answer naming
# its credit (bound parameters, so compared exactly), which numpy counts (see credits_by_block).
_SEP = "\x1f"
_CREDIT_CHARS = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # "0": no credit, "~": other


def _blocks_sql(n_credits: int):
    cases = " ".join(f"WHEN a.credit = :k{i} THEN '{_CREDIT_CHARS[i]}'" for i in range(n_credits))
    return text(
        "SELECT r.unit_id, r.group_id, group_concat(a.item_code, char(31)), "
        f"group_concat(CASE WHEN a.credit IS NULL THEN '0' {cases} ELSE '~' END, '') "
        "FROM responses r JOIN answers a ON a.response_id = r.id "
        "WHERE r.campaign_id = :c AND NOT r.excluded GROUP BY r.unit_id, r.group_id"
    )


EXCLUDED_SQL = text(
    "SELECT r.unit_id, COUNT(*) FROM responses r WHERE r.campaign_id = :c AND r.excluded GROUP BY r.unit_id"
)


@dataclass(frozen=True)
class LoadedInputs:
    """The scoring inputs with what the export and the run record need besides."""

    inputs: IndexInputs
    scheme: object
    unit_names: dict  #: unit code -> name
    excluded_responses: dict  #: unit code -> number of responses excluded by a decision
    decisions: list  #: findings with their decisions, as plain dicts
    inputs_digest: str


def scheme_frames(scheme) -> dict[str, pd.DataFrame]:
    """leaves, fields, weights and items frames of a scheme (see app.scoring.inputs)."""
    leaves = scheme.leaves()
    lv = pd.DataFrame([{"code": lf.code, "field": lf.field_code, "criterion": lf.criterion_code,
                        "max": float(lf.max), "source": lf.source, "name": lf.name} for lf in leaves],
                      columns=["code", "field", "criterion", "max", "source", "name"])
    fd = pd.DataFrame([{"code": f.code, "name": f.name, "max": float(f.max)} for f in scheme.fields],
                      columns=["code", "name", "max"])
    wt = pd.DataFrame([{"leaf": lf.code, "group": g, "weight": float(w)}
                       for lf in leaves if lf.source == "survey" for g, w in sorted(lf.weights.items())],
                      columns=["leaf", "group", "weight"])
    it = pd.DataFrame([{"item": item.code, "questionnaire": q.code, "group": q.group, "leaf": item.criterion}
                       for q in scheme.questionnaires.values() for item in q.items
                       if item.type == "choice" and item.criterion],
                      columns=["item", "questionnaire", "group", "leaf"])
    return {"leaves": lv, "fields": fd, "weights": wt, "items": it}


def credits_frame(rows, unit_code: dict, group_code: dict) -> pd.DataFrame:
    """credits (unit, group, item, n, sum_credit) from SQL rows grouped by credit value."""
    n: dict = defaultdict(int)
    parts: dict = defaultdict(list)
    for unit_id, group_id, item, credit, count in rows:
        key = (unit_code[unit_id], group_code[group_id], item)
        parts[key]  # a question answered only "Không biết" still appears, with n = 0
        if credit is not None:
            n[key] += int(count)
            parts[key].append(float(credit) * int(count))
    data = [(u, g, i, n[(u, g, i)], math.fsum(vals)) for (u, g, i), vals in parts.items()]
    return pd.DataFrame(data, columns=["unit", "group", "item", "n", "sum_credit"])


def scheme_credits(scheme) -> list[float]:
    """The distinct credits the scheme's options give, in a fixed order."""
    return sorted({float(o.credit) for q in scheme.questionnaires.values() for item in q.items
                   for o in getattr(item, "options", None) or () if o.credit is not None})


def credits_by_block(rows, credits: list[float], unit_code: dict, group_code: dict) -> pd.DataFrame | None:
    """credits (unit, group, item, n, sum_credit) from _blocks_sql rows; the same frame as
    credits_frame gives for the same answers. None if an answer has a credit outside ``credits``."""
    width = len(credits) + 1
    scale = _dyadic_scale(credits)
    data = []
    for unit_id, group_id, items, chars in rows:
        codes = np.frombuffer(chars.encode("ascii"), dtype=np.uint8)
        if (codes == ord("~")).any():
            return None
        index = np.full(128, -1, dtype=np.int64)
        index[ord("0")] = 0
        index[np.frombuffer(_CREDIT_CHARS[:len(credits)].encode("ascii"), dtype=np.uint8)] = np.arange(1, width)
        item_idx, names = _item_index(items)
        counts = np.bincount(item_idx * width + index[codes], minlength=len(names) * width).reshape(-1, width)
        u, g = unit_code[unit_id], group_code[group_id]
        if scale is not None:
            # Every credit is a whole number of 2**-e: the sums in those units are integers, exact
            # below 2**53, and so is their float — the value math.fsum rounds the exact sum to.
            e, units = scale
            n, whole = counts[:, 1:].sum(axis=1), counts[:, 1:] @ units
            if len(whole) == 0 or whole.max() < 2 ** 53:
                sums = np.ldexp(whole.astype(np.float64), -e)
                data.extend((u, g, name, k, x) for name, k, x in zip(names, n.tolist(), sums.tolist()))
                continue
        for name, row in zip(names, counts.tolist()):
            data.append((u, g, name, sum(row[1:]),
                         math.fsum(float(c) * n for c, n in zip(credits, row[1:]) if n)))
    return pd.DataFrame(data, columns=["unit", "group", "item", "n", "sum_credit"])


def _dyadic_scale(credits: list[float]) -> tuple[int, np.ndarray] | None:
    """(e, credits × 2**e as int64) when every credit is a whole multiple of 2**-e (e ≤ 30) and
    not negative (e.g. 0, 0.25, 0.5, 0.75, 1: e = 2); None otherwise (e.g. a credit of 1/3)."""
    if any(c < 0 or math.copysign(1.0, c) < 0 for c in credits):
        return None
    for e in range(31):
        if all(math.ldexp(c, e).is_integer() for c in credits):
            return e, np.array([int(math.ldexp(c, e)) for c in credits], dtype=np.int64)
    return None


def _item_index(items: str) -> tuple[np.ndarray, object]:
    """pd.factorize of the ``_SEP``-separated item codes: each answer's position among the distinct
    codes, in order of first appearance. A block is usually one questionnaire's answer sheet
    repeated (each response's answers come in key order); when the string is exactly a period
    repeated, only the period is split and its positions repeated — the same result, checked by
    comparing the whole string, without a Python string per answer."""
    line = _SEP + items + _SEP
    first = items.split(_SEP, 1)[0]
    end = line.find(_SEP + first + _SEP, 1)  # where the first code comes again
    if end > 0 and (len(line) - 1) % end == 0 and line[:end] * ((len(line) - 1) // end) == line[:-1]:
        period_idx, names = pd.factorize(np.array(line[1:end].split(_SEP), dtype=object))
        return np.tile(period_idx, (len(line) - 1) // end), names
    return pd.factorize(np.array(items.split(_SEP), dtype=object))


#: SQLite reads the answers for the join through a memory map of the file rather than a read()
#: per page into its small page cache (a fifth of the query's CPU at 5 million answers is that
#: copying); only during that query, on this connection (SQLite caps the map at its build limit).
_MMAP_BYTES = 1 << 31


@contextmanager
def _sqlite_mapped():
    conn = db.session.connection()
    before = int(conn.exec_driver_sql("PRAGMA mmap_size").scalar() or 0)
    conn.exec_driver_sql(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA mmap_size = {before}")


def _credits(campaign_id: int, scheme, unit_code: dict, group_code: dict) -> pd.DataFrame:
    params = {"c": campaign_id}
    credits = scheme_credits(scheme)
    if db.session.get_bind().dialect.name == "sqlite" and len(credits) <= len(_CREDIT_CHARS):
        with _sqlite_mapped():
            rows = db.session.execute(_blocks_sql(len(credits)),
                                      {**params, **{f"k{i}": c for i, c in enumerate(credits)}})
            try:
                frame = credits_by_block(rows, credits, unit_code, group_code)
            finally:
                rows.close()  # also when a credit outside the scheme stops the count early
        if frame is not None:
            return frame
    if db.session.get_bind().dialect.name == "postgresql":
        # The ~100 000 groups of a national campaign fit in 64 MB; at the default 4 MB the hash
        # aggregate spills to disk. SET LOCAL ends with the transaction.
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    return credits_frame(db.session.execute(CREDITS_SQL, params), unit_code, group_code)


def _decisions(campaign_id: int, unit_code: dict) -> list[dict]:
    findings = db.session.scalars(db.select(Finding).where(Finding.campaign_id == campaign_id)
                                  .order_by(Finding.id)).all()
    out = []
    for f in findings:
        for d in f.decisions:
            out.append({"finding": f.id, "unit": unit_code.get(f.unit_id, ""), "rule": f.rule,
                        "severity": f.severity, "state": f.state, "responses": len(f.response_ids or []),
                        "action": d.action, "reason": d.reason, "user_id": d.user_id,
                        "at": d.created_at.isoformat(timespec="seconds") if d.created_at else ""})
        if not f.decisions:
            out.append({"finding": f.id, "unit": unit_code.get(f.unit_id, ""), "rule": f.rule,
                        "severity": f.severity, "state": f.state, "responses": len(f.response_ids or []),
                        "action": "", "reason": "", "user_id": None, "at": ""})
    return out


def load_inputs(campaign: Campaign, voided_fraction: float = 0.0) -> LoadedInputs:
    """Everything one computation of ``campaign``'s index needs, read in a few queries.

    The inputs come back prepared (checked, canonical order); raises ScoringInputError.
    """
    scheme = get_scheme(campaign.scheme_code)
    frames = scheme_frames(scheme)
    units = db.session.execute(db.select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.survey_voided,
                                         Unit.void_reason).where(Unit.campaign_id == campaign.id)).all()
    unit_code = {u.id: u.code for u in units}
    group_code = dict(db.session.execute(db.select(Group.id, Group.code).where(Group.campaign_id == campaign.id)).all())
    un = pd.DataFrame([{"unit": u.code, "name": u.name, "kind": u.kind, "survey_voided": bool(u.survey_voided),
                        "void_reason": u.void_reason} for u in units],
                      columns=["unit", "name", "kind", "survey_voided", "void_reason"])
    params = {"c": campaign.id}
    credits = _credits(campaign.id, scheme, unit_code, group_code)
    counts = pd.DataFrame([(unit_code[u], group_code[g], int(n)) for u, g, n in db.session.execute(COUNTS_SQL, params)],
                          columns=["unit", "group", "responses"])
    excluded = {unit_code[u]: int(n) for u, n in db.session.execute(EXCLUDED_SQL, params)}
    rows = db.session.execute(db.select(SelfAssessment.unit_id, SelfAssessment.criterion_code,
                                        SelfAssessment.self_score, SelfAssessment.appraised_score,
                                        SelfAssessment.not_applicable)
                              .where(SelfAssessment.campaign_id == campaign.id)).all()
    asm = pd.DataFrame([{"unit": unit_code[r[0]], "leaf": r[1],
                         "self_score": float("nan") if r[2] is None else float(r[2]),
                         "appraised_score": float("nan") if r[3] is None else float(r[3]),
                         "not_applicable": bool(r[4])} for r in rows],
                       columns=["unit", "leaf", "self_score", "appraised_score", "not_applicable"])
    asm = asm.astype({"self_score": "float64", "appraised_score": "float64", "not_applicable": bool})
    inputs = prepare(IndexInputs(leaves=frames["leaves"], fields=frames["fields"], weights=frames["weights"],
                         items=frames["items"], credits=credits, response_counts=counts, units=un,
                         assessments=asm, bands=tuple((b.code, float(b.min)) for b in scheme.bands),
                         voided_fraction=float(voided_fraction)))
    decisions = _decisions(campaign.id, unit_code)
    return LoadedInputs(inputs, scheme, {u.code: u.name for u in units}, excluded, decisions,
                        inputs_digest(inputs, decisions, scheme.digest))


def inputs_digest(inputs: IndexInputs, decisions: list[dict], scheme_digest: str) -> str:
    """sha256 over the canonical (prepared, sorted) inputs, the decisions and the scheme digest.

    The decision timestamps and authors are part of the record, not of the numbers, so only
    what changes a figure is hashed: finding, unit, state and action.
    """
    p = prepare(inputs)  # free when already prepared
    h = hashlib.sha256()
    h.update(f"scheme:{scheme_digest}\nvoided_fraction:{p.voided_fraction!r}\nbands:{p.bands!r}\n".encode())
    for name in ("credits", "response_counts", "units", "assessments"):
        frame = getattr(p, name)
        h.update(f"# {name}\n".encode())
        h.update(frame.to_csv(index=False, lineterminator="\n", float_format="%r").encode("utf-8"))
    slim = [{k: d[k] for k in ("finding", "unit", "state", "action")} for d in decisions]
    h.update(json.dumps(slim, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()
