"""A seeded, pure simulation of a survey campaign with planted interference.

Honest noise is deliberately hard: offices behind one NAT address with one browser build,
meetings where a room answers at once from distinct devices, reminder waves, desk PCs
shared by two colleagues, enthusiastic respondents (skewed answers), a 3-question form on
which identical honest answers are normal, paper/phone entries and old imports without
paradata. Planted units each carry one kind of interference; the ground truth says which
units and which responses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import RULES
from .model import ItemShape, QuestionnaireShape

KINDS = ("so", "huyen", "bo", "tinh")
START = np.datetime64("2025-11-03T00:00:00", "ns")
DAY = np.timedelta64(86400, "s")
MIN = np.timedelta64(60, "s")
_OPTS = "abcde"


@dataclass(frozen=True)
class Campaign:
    """Frames for ``scan()`` plus the ground truth of the planted interference."""

    responses: pd.DataFrame
    answers: pd.DataFrame
    questionnaires: dict[str, QuestionnaireShape]
    reminders: tuple
    planted_units: dict[str, frozenset]
    planted_ids: dict[str, frozenset]

    @property
    def honest_units(self) -> frozenset:
        planted = frozenset().union(*self.planted_units.values())
        return frozenset(self.responses["unit"]) - planted


def questionnaires(main_items: int = 24) -> dict[str, QuestionnaireShape]:
    """CB: officials, main_items items in blocks of 6, 5 options; ND: citizens, 12 items in
    blocks of 4, 4 options; DN: a 3-question form with 3 options."""
    def shape(code, n, block, n_opt):
        opts = tuple(_OPTS[:n_opt])
        return QuestionnaireShape(code, tuple(
            ItemShape(f"{code}{i + 1}", f"B{i // block + 1}", opts, "a") for i in range(n)))
    return {"CB": shape("CB", main_items, 6, 5), "ND": shape("ND", 12, 4, 4),
            "DN": shape("DN", 3, 3, 3)}


def simulate_campaign(seed: int = 0, n_units: int = 80, planted_per_rule: int = 2,
                      size: tuple[int, int] = (25, 70), main_items: int = 24,
                      mix: tuple[float, float, float] = (.6, .3, .1)) -> Campaign:
    """Simulate one campaign; planted_per_rule units per rule get one kind of interference.

    ``mix`` = shares of the CB / ND / DN questionnaires among responses."""
    rng = np.random.default_rng(seed)
    shapes = questionnaires(main_items)
    n_items = {q: len(s.items) for q, s in shapes.items()}
    n_opt = {q: len(s.items[0].options) for q, s in shapes.items()}
    med_s = {"CB": 40.0 * main_items, "ND": 360.0, "DN": 90.0}
    reminders = tuple(START + d * DAY + np.timedelta64(2, "h") for d in (7, 14))

    sizes = rng.integers(size[0], size[1] + 1, n_units)
    unit_of = np.repeat(np.arange(n_units), sizes)
    n = unit_of.size
    units = np.array([f"U{u:03d}" for u in range(n_units)])
    kind = np.array([KINDS[k] for k in rng.choice(4, n_units, p=[.4, .3, .15, .15])])
    q = rng.choice(np.array(["CB", "ND", "DN"]), n, p=np.array(mix) / sum(mix))
    mode = np.where(q == "ND", rng.choice(np.array(["web", "paper", "phone"]), n,
                                          p=[.25, .55, .2]),
                    np.where(rng.random(n) < .03, "paper", "web"))
    web = mode == "web"
    old = web & (rng.random(n) < 0.02)   # old imports: web answers without paradata
    has_para = web & ~old

    # Answers: respondent satisfaction θ around the unit's mean (0 = best option).
    mu = rng.normal(1.0, 0.25, n_units)
    theta = mu[unit_of] + rng.normal(0, 0.8, n)
    mats = {}
    for code in shapes:
        rows = np.flatnonzero(q == code)
        off = rng.normal(0, 0.4, n_items[code])
        level = theta[rows, None] + off[None, :] + rng.normal(0, 0.7, (rows.size, n_items[code]))
        m = np.clip(np.rint(level), 0, n_opt[code] - 1).astype(np.int64)
        m[rng.random(m.shape) < 0.03] = -1
        mats[code] = (rows, m)

    # Times: first wave after invitation, waves after reminders, the rest spread out.
    comp = rng.choice(4, n, p=[.45, .2, .15, .2])
    day = np.where(comp == 0, np.minimum(rng.exponential(3, n), 20), rng.uniform(0, 21, n))
    day = np.floor(day).astype(int)
    hour = rng.uniform(1, 10, n)  # 8:00–17:00 in Vietnam is 1:00–10:00 UTC
    t = START + day * DAY + (hour * 3600).astype("timedelta64[s]")
    for i, r in enumerate(reminders):
        sel = comp == i + 1
        t[sel] = r + (rng.exponential(1.5, sel.sum()) * 3600).astype("timedelta64[s]")
    qmed = np.vectorize(med_s.get)(q)
    dur = rng.lognormal(np.log(qmed), 0.45)
    fast = rng.random(n) < 0.03
    dur[fast] *= rng.uniform(0.1, 0.3, fast.sum())
    dur = np.where(has_para, dur, np.nan)

    # Networks: offices behind one NAT with one browser build; home/mobile otherwise.
    ua_pool = np.array([f"ua{i}" for i in range(12)])
    net = np.array([f"h{i}" for i in range(n)], dtype=object)
    prefix = np.array([f"hp{i % 997}" for i in range(n)], dtype=object)
    ua = rng.choice(ua_pool, n).astype(object)
    device = np.array([f"d{i}" for i in range(n)], dtype=object)
    device[rng.random(n) < 0.05] = None          # cookies blocked
    moved = rng.random(n) < 0.10
    office_ua = rng.choice(ua_pool[:3], n_units)
    at_office = rng.random(n) < np.where(q == "CB", 0.7, 0.3)
    n_off = 1 + rng.poisson(1, n_units)
    office = rng.integers(0, 99, n) % n_off[unit_of]
    net[at_office] = [f"n{u}_{o}" for u, o in zip(unit_of[at_office], office[at_office])]
    prefix[at_office] = [f"p{u}_{o}" for u, o in zip(unit_of[at_office], office[at_office])]
    same_ua = at_office & (rng.random(n) < 0.85)
    ua[same_ua] = office_ua[unit_of[same_ua]]

    starts = np.r_[0, np.cumsum(sizes)]
    for u in range(n_units):
        rows = np.arange(starts[u], starts[u + 1])
        cb_web = rows[(q[rows] == "CB") & has_para[rows]]
        if rng.random() < 0.15 and cb_web.size >= 2:       # a desk PC shared by two
            pair = rng.choice(cb_web, 2, replace=False)
            device[pair] = f"shared{u}"
        if rng.random() < 0.3 and cb_web.size >= 8:        # a meeting: one room, one time
            k = int(min(cb_web.size, rng.integers(8, 21)))
            room = rng.choice(cb_web, k, replace=False)
            begin = START + rng.integers(1, 20) * DAY + np.timedelta64(3, "h")
            opened = begin + (rng.uniform(0, 180, k)).astype("timedelta64[s]")
            t[room] = opened + (dur[room] * 1e9).astype("timedelta64[ns]")
            net[room], prefix[room], ua[room] = f"n{u}_0", f"p{u}_0", office_ua[u]

    planted_units = {r: set() for r in RULES}
    planted_ids = {r: set() for r in RULES}
    big = [u for u in rng.permutation(n_units) if sizes[u] >= 30]
    chosen = dict(zip(RULES, np.array_split(np.array(big[:planted_per_rule * len(RULES)]),
                                            len(RULES))))
    ctx = dict(rng=rng, q=q, has_para=has_para, t=t, dur=dur, net=net, prefix=prefix, ua=ua,
               device=device, moved=moved, mats=mats, office_ua=office_ua, n_opt=n_opt,
               reminders=reminders)
    for rule, picks in chosen.items():
        for u in picks:
            rows = np.arange(starts[u], starts[u + 1])
            ids = _PLANT[rule](ctx, int(u), rows)
            if len(ids):
                planted_units[rule].add(str(units[u]))
                planted_ids[rule].update(int(i) for i in ids)

    tz = pd.to_datetime(t).tz_localize("UTC")
    para = np.where(has_para, 1, 0).astype(bool)
    responses = pd.DataFrame({
        "response_id": np.arange(n, dtype=np.int64), "unit": units[unit_of],
        "unit_kind": kind[unit_of], "group": q, "questionnaire": q, "mode": mode,
        "submitted_at": tz, "duration_s": dur,
        "net_hash": np.where(para, net, None), "net_prefix_hash": np.where(para, prefix, None),
        "ua_hash": np.where(para, ua, None), "device_hash": np.where(para, device, None),
        "moved": pd.array(np.where(para, moved, None), dtype="boolean")})
    answers = _long_answers(shapes, mats)
    return Campaign(responses, answers, shapes, reminders,
                    {r: frozenset(v) for r, v in planted_units.items()},
                    {r: frozenset(v) for r, v in planted_ids.items()})


def _long_answers(shapes, mats) -> pd.DataFrame:
    parts = []
    for code, (rows, m) in mats.items():
        items = np.array([it.code for it in shapes[code].items])
        opts = np.array(list(_OPTS) + [None], dtype=object)
        parts.append(pd.DataFrame({"response_id": np.repeat(rows, m.shape[1]),
                                   "item": np.tile(items, rows.size),
                                   "option": opts[m.ravel()]}))
    return pd.concat(parts, ignore_index=True)


def _cb_web(ctx, rows):
    return rows[(ctx["q"][rows] == "CB") & ctx["has_para"][rows]]


def _sequence(ctx, rows, lo_s, hi_s, start):
    """Submit rows one after another from start, each taking lo_s..hi_s seconds."""
    rng = ctx["rng"]
    d = rng.uniform(lo_s, hi_s, rows.size)
    gaps = d + rng.uniform(5, 30, rows.size)
    ctx["dur"][rows] = d
    ctx["t"][rows] = start + (np.cumsum(gaps) * 1e9).astype("timedelta64[ns]")


def _quiet_start(ctx):
    # A day and hour away from any reminder wave.
    day = ctx["rng"].choice([3, 4, 5, 10, 11, 12, 17, 18])
    return START + int(day) * DAY + np.timedelta64(5, "h")


def _plant_same_device(ctx, u, rows):
    cand = _cb_web(ctx, rows)
    pick = ctx["rng"].choice(cand, min(cand.size, int(ctx["rng"].integers(6, 13))), False)
    ctx["device"][pick], ctx["net"][pick] = f"evil{u}", f"n{u}_0"
    ctx["prefix"][pick], ctx["ua"][pick] = f"p{u}_0", ctx["office_ua"][u]
    ctx["moved"][pick] = False
    _sequence(ctx, pick, 90, 300, _quiet_start(ctx))
    return pick


def _plant_burst(ctx, u, rows):
    cand = _cb_web(ctx, rows)
    pick = ctx["rng"].choice(cand, min(cand.size, int(ctx["rng"].integers(10, 16))), False)
    ctx["device"][pick] = [f"bd{i}" for i in pick]  # a fresh private window per sheet
    ctx["net"][pick], ctx["prefix"][pick] = f"n{u}_0", f"p{u}_0"
    _sequence(ctx, pick, 50, 110, _quiet_start(ctx))
    return pick


def _plant_near_duplicate(ctx, u, rows):
    rng = ctx["rng"]
    qrows, m = ctx["mats"]["CB"]
    local = np.flatnonzero(np.isin(qrows, rows))
    # The model sheet looks credible: at least 30 % of its answers are not the best
    # option. (A nearly all-best model sheet is beyond this rule: honest enthusiasts look
    # the same; straight_line and unit_anomaly are the rules for it.)
    credible = local[((m[local] > 0).mean(axis=1) >= 0.3)]
    pick = rng.choice(local, min(local.size, int(rng.integers(8, 15))), False)
    model = rng.choice(credible) if credible.size else pick[0]
    pick = np.unique(np.r_[model, pick])
    template = np.where(m[model] < 0, 0, m[model])
    max_edits = max(2, m.shape[1] // 12)
    for r in pick:
        m[r] = template
        edits = rng.choice(m.shape[1], int(rng.integers(1, max_edits + 1)), False)
        m[r, edits] = rng.integers(0, ctx["n_opt"]["CB"], edits.size)
    return qrows[pick]


def _plant_speeder(ctx, u, rows):
    rng = ctx["rng"]
    timed = rows[~np.isnan(ctx["dur"][rows])]
    pick = rng.choice(timed, int(timed.size * rng.uniform(0.6, 0.8)), False)
    ctx["dur"][pick] *= rng.uniform(0.05, 0.2, pick.size)
    for code, (qrows, m) in ctx["mats"].items():
        loc = np.flatnonzero(np.isin(qrows, pick))
        click = rng.random((loc.size, m.shape[1])) < 0.6
        m[loc] = np.where(click, 0, rng.integers(0, ctx["n_opt"][code], (loc.size, m.shape[1])))
    return pick


def _plant_straight_line(ctx, u, rows):
    rng = ctx["rng"]
    pick = rng.choice(rows, int(rows.size * rng.uniform(0.45, 0.65)), False)
    for _code, (qrows, m) in ctx["mats"].items():
        m[np.flatnonzero(np.isin(qrows, pick))] = 0
    return pick


def _plant_forwarded(ctx, u, rows):
    known = rows[ctx["has_para"][rows]]
    pick = ctx["rng"].choice(known, int(known.size * ctx["rng"].uniform(0.6, 0.85)), False)
    ctx["moved"][pick] = True
    return pick


def _plant_unit_anomaly(ctx, u, rows):
    # Respondents coached towards the best option, without straight-lining everything.
    for _code, (qrows, m) in ctx["mats"].items():
        loc = np.flatnonzero(np.isin(qrows, rows))
        coach = (ctx["rng"].random((loc.size, m.shape[1])) < 0.75) & (m[loc] >= 0)
        m[loc] = np.where(coach, 0, m[loc])
    return rows


_PLANT = {"same_device": _plant_same_device, "burst": _plant_burst,
          "near_duplicate": _plant_near_duplicate, "speeder": _plant_speeder,
          "straight_line": _plant_straight_line, "forwarded": _plant_forwarded,
          "unit_anomaly": _plant_unit_anomaly}


def evaluate(campaign: Campaign, result, min_severity: str = "medium") -> dict:
    """Precision and recall of a scan against the planted truth.

    A unit (or response) counts as flagged by a rule when a finding of that rule with at
    least ``min_severity`` names it. Precision = flagged items that are planted (by any rule:
    a copied sheet that is also fast is no false alarm) / flagged; recall = planted items of
    that rule that the rule flags / planted. The risk score flags a unit at 'review' or above.
    """
    from .model import severity_rank  # local: keeps the simulation importable on its own
    rank = severity_rank(min_severity)
    any_units = frozenset().union(*campaign.planted_units.values())
    any_ids = frozenset().union(*campaign.planted_ids.values())
    out = {}
    for rule in RULES:
        fs = [f for f in result.findings if f.rule == rule and severity_rank(f.severity) >= rank]
        units = {f.unit for f in fs}
        ids = {i for f in fs for i in f.response_ids}
        out[rule] = {
            "unit_precision": _ratio(len(units & any_units), len(units)),
            "unit_recall": _ratio(len(units & campaign.planted_units[rule]),
                                  len(campaign.planted_units[rule])),
            "response_precision": _ratio(len(ids & any_ids), len(ids)),
            "response_recall": _ratio(len(ids & campaign.planted_ids[rule]),
                                      len(campaign.planted_ids[rule])),
            "flagged_units": len(units), "planted_units": len(campaign.planted_units[rule])}
    risk = result.unit_risk.set_index("unit")
    flagged = set(risk.index[risk["level"].isin(["review", "void_candidate"])])
    honest = campaign.honest_units
    out["risk"] = {"unit_precision": _ratio(len(flagged & any_units), len(flagged)),
                   "unit_recall": _ratio(len(flagged & any_units), len(any_units)),
                   "flagged_units": len(flagged), "planted_units": len(any_units),
                   "max_honest_risk": float(risk.loc[sorted(honest), "risk"].max()),
                   "honest_void": int((risk.loc[sorted(honest), "level"]
                                       == "void_candidate").sum()),
                   "honest_low_findings": sum(1 for f in result.findings
                                              if f.unit in honest)}
    return out


def _ratio(a: int, b: int) -> float:
    return 1.0 if b == 0 else a / b
