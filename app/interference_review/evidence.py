"""The evidence page's numbers: the submissions involved, a timeline, answer similarity.

Never a respondent's identity: responses are shown by id, network and device by a short
label (N1, D1 …) that only says "the same" or "another" within this finding.
"""
from __future__ import annotations

from datetime import timedelta
from itertools import combinations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Finding, Response
from app.scoring.cells import small_cells

from .frames import reminder_times

MAX_TIMELINE = 60  #: rows drawn on the timeline (the table lists all)
MAX_SIMILARITY = 20  #: pairwise table only for small findings (20 × 20)
WIDTH, ROW, LEFT, TOP = 720, 14, 70, 24


def involved_responses(finding: Finding) -> list[Response]:
    """The finding's responses, restricted to its campaign and unit, in submission order."""
    ids = [int(i) for i in finding.response_ids or ()]
    if not ids:
        return []
    return list(db.session.scalars(select(Response).where(
        Response.id.in_(ids), Response.campaign_id == finding.campaign_id,
        Response.unit_id == finding.unit_id).order_by(Response.submitted_at, Response.id)))


def unit_sheet_counts(campaign_id: int, unit_ids=None) -> dict[int, int]:
    """Sheets (responses) per unit of the campaign: how much a finding's share rests on."""
    stmt = select(Response.unit_id, func.count(Response.id)).where(Response.campaign_id == campaign_id)
    if unit_ids is not None:
        stmt = stmt.where(Response.unit_id.in_(list(unit_ids)))
    return dict(db.session.execute(stmt.group_by(Response.unit_id)).all())


def response_rows(responses: list[Response]) -> list[dict]:
    """One table row per response with anonymous same/other labels for network and device."""
    labels: dict[tuple[str, str], str] = {}

    def label(kind: str, value: str | None) -> str:
        if not value:
            return "—"
        key = (kind, value)
        if key not in labels:
            labels[key] = f"{kind}{sum(1 for k in labels if k[0] == kind) + 1}"
        return labels[key]

    rows = []
    for r in responses:
        moved = None if r.moved_network is None and r.moved_device is None else bool(r.moved_network or r.moved_device)
        rows.append({"id": r.id, "mode": r.mode, "submitted_at": r.submitted_at, "duration_s": r.duration_s,
                     "network": label("N", r.net_prefix_hash), "address": label("A", r.net_hash),
                     "device": label("D", r.device_hash), "browser": label("B", r.ua_hash),
                     "moved": moved, "excluded": r.excluded})
    return rows


def timeline(finding: Finding, responses: list[Response]) -> dict | None:
    """Coordinates of a server-rendered SVG: one bar per response from (estimated) first
    open to submission, the unit's other submissions of the period as ticks, reminders as
    dashed lines. None when there is nothing to draw."""
    if not responses:
        return None
    shown = responses[:MAX_TIMELINE]
    starts = [r.submitted_at - timedelta(seconds=r.duration_s or 0) for r in shown]
    ends = [r.submitted_at for r in shown]
    lo, hi = min(starts), max(ends)
    span = max((hi - lo).total_seconds(), 60.0)
    lo, hi = lo - timedelta(seconds=span * 0.05), hi + timedelta(seconds=span * 0.05)
    span = (hi - lo).total_seconds()

    def x(t) -> float:
        return round(LEFT + (WIDTH - LEFT - 10) * (t - lo).total_seconds() / span, 1)

    ids = {r.id for r in responses}
    others = db.session.scalars(select(Response.submitted_at).where(
        Response.campaign_id == finding.campaign_id, Response.unit_id == finding.unit_id,
        Response.submitted_at >= lo, Response.submitted_at <= hi, Response.id.not_in(ids))).all()
    bars = []
    for i, (r, s, e) in enumerate(zip(shown, starts, ends)):
        y = TOP + i * ROW
        bars.append({"id": r.id, "y": y, "x1": x(s), "x2": max(x(e), x(s) + 2), "known": r.duration_s is not None,
                     "label_y": y + 10, "title": f"#{r.id} {e:%d/%m %H:%M:%S}"})
    height = TOP + len(shown) * ROW + 30
    reminders = [{"x": x(t.to_pydatetime()), "title": f"{t:%d/%m %H:%M}"}
                 for t in reminder_times(finding.campaign_id) if lo <= t.to_pydatetime() <= hi]
    anchors = ("start", "middle", "middle", "middle", "end")  # keep the end labels inside the chart
    ticks = [{"x": x(lo + timedelta(seconds=span * k / 4)), "anchor": anchors[k],
              "label": f"{lo + timedelta(seconds=span * k / 4):%d/%m %H:%M}"} for k in range(5)]
    return {"width": WIDTH, "height": height, "left": LEFT, "bars": bars, "axis_y": height - 22,
            "others": [{"x": x(t)} for t in others], "others_y": TOP - 14, "reminders": reminders,
            "ticks": ticks, "truncated": len(responses) - len(shown)}


def similarity(finding: Finding, responses: list[Response]) -> dict | None:
    """Pairwise share of identical answers (over items both answered) for ≤ 20 responses."""
    if not 2 <= len(responses) <= MAX_SIMILARITY:
        return None
    ids = [r.id for r in responses]
    sheets: dict[int, dict[str, str]] = {i: {} for i in ids}
    for rid, item, option in db.session.execute(select(Answer.response_id, Answer.item_code, Answer.option_code)
                                                .where(Answer.response_id.in_(ids), Answer.option_code.is_not(None))):
        sheets[rid][item] = option
    matrix: dict[tuple[int, int], int | None] = {}
    for a, b in combinations(ids, 2):
        common = sheets[a].keys() & sheets[b].keys()
        pct = round(100 * sum(sheets[a][k] == sheets[b][k] for k in common) / len(common)) if common else None
        matrix[(a, b)] = matrix[(b, a)] = pct
    values = [v for (a, b), v in matrix.items() if a < b and v is not None]
    rows = [{"id": a, "cells": [None if a == b else matrix[(a, b)] for b in ids],
             "answered": len(sheets[a])} for a in ids]
    return {"ids": ids, "rows": rows, "mean": round(sum(values) / len(values)) if values else None}


def hides_unit_share(finding: Finding, k: int) -> bool:
    """A unit's answer share (unit_anomaly: best-option or flagged share over all its sheets)
    resting on fewer than k sheets is a small cell: the page does not show it (issue 12 §4)."""
    return finding.rule == "unit_anomaly" and bool(small_cells([len(finding.response_ids or ())], k)[0])
