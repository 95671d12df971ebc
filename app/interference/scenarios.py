"""Campaigns that look like real ones (issue 13), for the quality bench and property tests.

8–60 units; 2–10 sheets per unit and group; rows in database order (by submission, units
interleaved, ids in that order); honest units that are homogeneous (most staff tick the best
option) or heterogeneous; answering spread over weekdays with office-hour peaks and
reminder waves; honest meetings where a room answers together on their own phones over the
office Wi-Fi; desk PCs shared by two. Plants: one PC answering for many, a template copied
with a few changes, forwarded links, speeders, straight-liners.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .simulate import DAY, START, questionnaires

PLANTS = ("one_pc", "template", "forwarded", "speeders", "straight_liners")
SCENARIOS = (*PLANTS, "mixed", "honest")
#: group → questionnaire: leaders and officials answer the officials' form, citizens theirs.
GROUPS = {"LD": "CB", "CV": "CB", "ND": "ND"}
_OPTS = np.array(list("abcde") + [None], dtype=object)
_MED_S = {"CB": 960.0, "ND": 360.0}


@dataclass(frozen=True)
class RealCampaign:
    """Frames for ``scan()`` and the truth: planted units (unit → plant) and honest ones
    (unit → 'homogeneous' | 'heterogeneous' | 'meeting')."""

    scenario: str
    responses: pd.DataFrame
    answers: pd.DataFrame
    questionnaires: dict
    reminders: tuple
    plants: dict
    honest: dict


def real_campaign(seed: int, scenario: str | None = None) -> RealCampaign:
    """One seeded campaign of the given scenario (default: chosen by the seed)."""
    rng = np.random.default_rng(seed)
    scenario = scenario or SCENARIOS[seed % len(SCENARIOS)]
    shapes = questionnaires(24)
    n_units = int(rng.integers(8, 61))
    lo = int(rng.integers(2, 7))
    hi = int(rng.integers(lo, 11))
    two_kinds = rng.random() < 0.3
    units = [f"S{u:02d}" for u in range(n_units)]
    kinds = {u: ("huyen" if two_kinds and rng.random() < 0.4 else "so") for u in units}
    reminders = tuple(START + d * DAY + np.timedelta64(2, "h") for d in (7, 14))
    n_plant = 0 if scenario == "honest" else int(rng.integers(1, min(4, n_units // 4) + 1))
    picked = rng.choice(n_units, n_plant, replace=False)
    plants = {units[u]: (str(rng.choice(PLANTS)) if scenario == "mixed" else scenario)
              for u in picked}
    ctx = {"rng": rng, "shapes": shapes, "reminders": reminders, "rows": [], "answers": {}}
    honest = {}
    for u, unit in enumerate(units):
        homogeneous = rng.random() < 0.4
        meeting = unit not in plants and rng.random() < 0.25
        honest_kind = "meeting" if meeting else "homogeneous" if homogeneous else "heterogeneous"
        if unit not in plants:
            honest[unit] = honest_kind
        _unit(ctx, u, unit, kinds[unit], lo, hi, homogeneous, meeting, plants.get(unit))
    responses, answers = _frames(ctx)
    return RealCampaign(scenario, responses, answers, shapes, reminders, plants, honest)


def _unit(ctx, u, unit, kind, lo, hi, homogeneous, meeting, plant):
    rng = ctx["rng"]
    mu, sd = (rng.uniform(0.0, 0.3), 0.35) if homogeneous else (rng.normal(1.0, 0.3), 0.8)
    offices = [f"o{u}_{k}" for k in range(int(rng.integers(1, 3)))]
    office_ua = f"ua{int(rng.integers(3))}"
    sheets = []
    for group, q in GROUPS.items():
        for _ in range(int(rng.integers(lo, hi + 1))):
            sheets.append(_sheet(ctx, unit, kind, group, q, mu, sd, offices, office_ua))
    cb_web = [s for s in sheets if s["questionnaire"] == "CB" and s["mode"] == "web"]
    if rng.random() < 0.15 and len(cb_web) >= 2:  # a desk PC shared by two colleagues
        for s in rng.choice(cb_web, 2, replace=False):
            s["device_hash"] = f"shared{u}"
    if meeting:
        _meeting(ctx, u, sheets, offices[0], office_ua)
    if plant:
        _PLANT[plant](ctx, u, sheets, offices[0], office_ua)
    ctx["rows"].extend(sheets)


def _sheet(ctx, unit, kind, group, q, mu, sd, offices, office_ua):
    rng, shape = ctx["rng"], ctx["shapes"][q]
    n_items, n_opt = len(shape.items), len(shape.items[0].options)
    theta = mu + rng.normal(0, sd)
    level = theta + rng.normal(0, 0.3, n_items) + rng.normal(0, 0.6, n_items)
    ans = np.clip(np.rint(level), 0, n_opt - 1).astype(int)
    ans[rng.random(n_items) < 0.03] = -1
    web = rng.random() < (0.95 if q == "CB" else 0.5)
    at_office = web and rng.random() < (0.7 if q == "CB" else 0.2)
    dur = float(rng.lognormal(np.log(_MED_S[q]), 0.45))
    if rng.random() < 0.03:
        dur *= rng.uniform(0.1, 0.3)  # people do answer fast now and then
    key = len(ctx["rows"]) * 1000 + int(rng.integers(1000))
    office = offices[int(rng.integers(len(offices)))]
    return {"unit": unit, "unit_kind": kind, "group": group, "questionnaire": q,
            "mode": "web" if web else str(rng.choice(["paper", "phone"])),
            "submitted_at": _honest_time(ctx), "duration_s": dur if web else np.nan,
            "net_hash": office if at_office else f"h{key}",
            "net_prefix_hash": office if at_office else f"m{int(rng.integers(3))}_{key % 97}",
            "ua_hash": office_ua if at_office and rng.random() < 0.85 else f"ua{int(rng.integers(12))}",
            "device_hash": None if rng.random() < 0.05 else f"d{key}",
            "moved": bool(rng.random() < 0.08), "_ans": ans}


def _honest_time(ctx) -> np.datetime64:
    """A weekday, office-hour peaks (9:00 and 14:30 in Hà Nội), reminder waves."""
    rng = ctx["rng"]
    wave = rng.choice(4, p=[.5, .15, .15, .2])
    if wave in (1, 2):
        return ctx["reminders"][wave - 1] + np.timedelta64(int(rng.exponential(1.5) * 3600), "s")
    day = int(min(rng.exponential(3), 20)) if wave == 0 else int(rng.integers(0, 21))
    day += 2 if day % 7 >= 5 else 0  # weekends → Monday
    hour = rng.normal(2.0, 0.8) if rng.random() < 0.5 else rng.normal(7.5, 0.9)
    if rng.random() < 0.15:
        hour = rng.uniform(0, 15)  # evenings at home
    return START + day * DAY + np.timedelta64(int(max(0.0, hour) * 3600), "s")


def _weekday(rng) -> np.datetime64:
    day = int(rng.choice([d for d in range(1, 20) if d % 7 < 5 and d not in (7, 14)]))
    return START + day * DAY + np.timedelta64(3, "h")


def _meeting(ctx, u, sheets, office, office_ua):
    """Honest: one group's staff answer together in a meeting, each on their own phone,
    over the office Wi-Fi (one address, one prefix), sessions running in parallel."""
    rng = ctx["rng"]
    room = [s for s in sheets if s["group"] in ("LD", "CV") and s["mode"] == "web"]
    begin = _weekday(rng)
    for s in room:
        opened = begin + np.timedelta64(int(rng.uniform(0, 300)), "s")
        s["submitted_at"] = opened + np.timedelta64(int(s["duration_s"]), "s")
        s["net_hash"] = s["net_prefix_hash"] = office
        s["ua_hash"] = f"mob{int(rng.integers(6))}"
        s["moved"] = False


def _sequence(ctx, sheets, lo_s, hi_s, start):
    """One person submitting sheets one after another."""
    rng, t = ctx["rng"], start
    for s in sheets:
        s["duration_s"] = float(rng.uniform(lo_s, hi_s))
        t = t + np.timedelta64(int(s["duration_s"] + rng.uniform(5, 40)), "s")
        s["submitted_at"] = t


def _plant_one_pc(ctx, u, sheets, office, office_ua):
    """One PC answers for many: one browser (a private window in 1 of 5 cases), sheet after
    sheet, on the office network, answers of one mind."""
    rng = ctx["rng"]
    web = [s for s in sheets if s["mode"] == "web" and s["group"] in ("LD", "CV")]
    pick = [web[i] for i in sorted(rng.choice(len(web), max(3, int(len(web) * rng.uniform(.6, 1))),
                                              replace=False))] if len(web) >= 3 else web
    private = rng.random() < 0.2
    theta = rng.normal(0.3, 0.2)
    for i, s in enumerate(pick):
        s["device_hash"] = f"priv{u}_{i}" if private else f"pc{u}"
        s["net_hash"] = s["net_prefix_hash"] = office
        s["ua_hash"], s["moved"] = office_ua, False
        n = s["_ans"].size
        s["_ans"] = np.clip(np.rint(theta + rng.normal(0, 0.5, n)), 0, 4).astype(int)
    _sequence(ctx, pick, 120, 400, _weekday(rng))


def _plant_template(ctx, u, sheets, office, office_ua):
    """A template (random options, not the best ones) copied with a few changes."""
    rng = ctx["rng"]
    cb = [s for s in sheets if s["questionnaire"] == "CB"]
    k = max(3, int(round(len(cb) * rng.uniform(0.7, 1.0))))
    template = rng.integers(0, 5, cb[0]["_ans"].size)
    for s in rng.choice(cb, min(k, len(cb)), replace=False):
        ans = template.copy()
        edits = rng.choice(ans.size, int(rng.integers(1, 4)), replace=False)
        ans[edits] = rng.integers(0, 5, edits.size)
        s["_ans"] = ans


def _plant_forwarded(ctx, u, sheets, office, office_ua):
    """Links collected and forwarded: most sheets submitted elsewhere than first opened."""
    rng = ctx["rng"]
    web = [s for s in sheets if s["mode"] == "web"]
    for s in rng.choice(web, int(np.ceil(len(web) * rng.uniform(0.6, 1.0))), replace=False):
        s["moved"] = True


def _plant_speeders(ctx, u, sheets, office, office_ua):
    """Most web sheets clicked through in a fraction of the usual time."""
    rng = ctx["rng"]
    web = [s for s in sheets if s["mode"] == "web"]
    for s in rng.choice(web, int(np.ceil(len(web) * rng.uniform(0.5, 0.9))), replace=False):
        s["duration_s"] *= rng.uniform(0.05, 0.25)
        n = s["_ans"].size
        s["_ans"] = np.where(rng.random(n) < 0.6, 0, rng.integers(0, 4, n))


def _plant_straight_liners(ctx, u, sheets, office, office_ua):
    """Most sheets tick the best option on every item (told to), a little faster."""
    rng = ctx["rng"]
    for s in rng.choice(sheets, int(np.ceil(len(sheets) * rng.uniform(0.5, 0.9))),
                        replace=False):
        s["_ans"] = np.zeros_like(s["_ans"])
        if s["mode"] == "web":
            s["duration_s"] *= rng.uniform(0.4, 0.7)


_PLANT = {"one_pc": _plant_one_pc, "template": _plant_template, "forwarded": _plant_forwarded,
          "speeders": _plant_speeders, "straight_liners": _plant_straight_liners}


def _frames(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Database order: rows by submission time, ids given in that order."""
    rows = sorted(ctx["rows"], key=lambda s: (s["submitted_at"], s["unit"]))
    ans = []
    for rid, s in enumerate(rows, start=1):
        s["response_id"] = rid
        items = [it.code for it in ctx["shapes"][s["questionnaire"]].items]
        ans.append(pd.DataFrame({"response_id": rid, "item": items, "option": _OPTS[s["_ans"]]}))
        if s["mode"] != "web":
            for c in ("net_hash", "net_prefix_hash", "ua_hash", "device_hash", "moved"):
                s[c] = None
    responses = pd.DataFrame([{k: v for k, v in s.items() if k != "_ans"} for s in rows])
    responses["submitted_at"] = pd.to_datetime(responses["submitted_at"]).dt.tz_localize("UTC")
    responses["moved"] = responses["moved"].astype("boolean")
    return responses, pd.concat(ans, ignore_index=True)


def evaluate_units(campaign: RealCampaign, result) -> dict:
    """Unit-level counts at the 'review' and 'void_candidate' levels: flagged planted (tp),
    flagged honest (fp, and by honest kind), planted missed (fn)."""
    risk = result.unit_risk.set_index("unit")["level"]
    out = {}
    for name, levels in (("review", {"review", "void_candidate"}), ("void", {"void_candidate"})):
        flagged = {u for u, lv in risk.items() if lv in levels}
        out[name] = {"tp": len(flagged & campaign.plants.keys()),
                     "fp": len(flagged & campaign.honest.keys()),
                     "fn": len(campaign.plants.keys() - flagged),
                     "fp_kinds": sorted(campaign.honest[u] for u in flagged & campaign.honest.keys()),
                     "missed": sorted(campaign.plants[u] for u in campaign.plants.keys() - flagged)}
    return out
