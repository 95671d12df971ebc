"""Rules on paradata: same_device, burst, forwarded. Web responses only."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

from .config import DEFAULT_CONFIG, Config
from .groups import frame_groups
from .model import Detection, common_group, make_finding, normalize_responses, \
    reference_durations, web_responses
from .stats import clean_base, poisson_sf, share_verdict, tail_strength


def same_device(responses: pd.DataFrame, config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """One device cookie (or, without one, one network + browser pair answering in a tight
    chain) submitting several responses of one unit."""
    resp = normalize_responses(responses)
    resp = resp.assign(_ref=reference_durations(resp))
    web = web_responses(resp)
    findings = []
    with_dev = _repeated(web[web["device_hash"].notna()], ["unit", "device_hash"],
                         config.same_device_min)
    for (unit, _dev), grp in frame_groups(with_dev, ["unit", "device_hash"]):
        findings.append(_device_finding(unit, grp, config, "device", 1.0))
    # The net+ua fallback only sees responses without a device cookie: colleagues behind
    # one NAT with the same browser build each still have their own cookie.
    no_dev = _repeated(web[web["device_hash"].isna() & web["net_hash"].notna()
                           & web["ua_hash"].notna()], ["unit", "net_hash", "ua_hash"],
                       config.same_device_netua_min)
    for (unit, _n, _u), grp in frame_groups(no_dev, ["unit", "net_hash", "ua_hash"]):
        if len(grp) < config.same_device_netua_min:
            continue
        for chain in _chains(grp, config.same_device_netua_gap_factor):
            if len(chain) >= config.same_device_netua_min:
                findings.append(_device_finding(unit, chain, config, "network_browser", 0.7))
    findings += _sequential_sessions(web, config)
    return findings


def _sequential_sessions(web: pd.DataFrame, config: Config) -> list[Detection]:
    """One person in a private window per sheet: a new cookie each time, but one address and
    browser build, each session opened right after the previous one was submitted. Sheets
    whose cookie already makes a ``device`` finding are left to it."""
    keys = ["unit", "net_hash", "ua_hash"]
    rows = web[web["device_hash"].notna() & web["net_hash"].notna() & web["ua_hash"].notna()
               & web["duration_s"].notna()]
    dev_n = rows.groupby(["unit", "device_hash"])["unit"].transform("size")
    rows = _repeated(rows[dev_n < config.same_device_min], keys, config.same_device_seq_min)
    if rows.empty:
        return []
    # All groups at once, in the order of group_rows (labels sorted, then submission time,
    # then row position): a chain is a run of rows of one group, each opened right after the
    # previous one was submitted.
    group = np.zeros(len(rows), dtype=np.int64)
    for key in keys:
        codes = pd.factorize(rows[key].to_numpy(dtype=object), sort=True)[0]
        group = pd.factorize(group * (codes.max() + 1) + codes, sort=True)[0]  # stays < rows
    sub = rows["submitted_at"].to_numpy()
    order = np.lexsort((sub, group))  # stable: row position breaks ties
    group, sub = group[order], sub[order]
    opened = sub - (rows["duration_s"].to_numpy()[order] * 1e9).astype("timedelta64[ns]")
    wait = (opened[1:] - sub[:-1]) / np.timedelta64(1, "s")
    linked = ((group[1:] == group[:-1]) & (wait >= -config.burst_sequential_tolerance_s)
              & (wait <= config.same_device_seq_gap_s))
    chain_id = np.r_[0, np.cumsum(~linked)]
    sizes = np.bincount(chain_id)
    findings = []
    for c in np.flatnonzero(sizes >= config.same_device_seq_min):
        chain = rows.iloc[order[chain_id == c]]
        findings.append(_device_finding(chain["unit"].iloc[0], chain, config, "sequential", 0.8))
    return findings


def _repeated(frame: pd.DataFrame, keys: list[str], k: int) -> pd.DataFrame:
    """Rows whose key combination occurs at least k times (skips ~all singleton groups
    before the slow per-group loop)."""
    if frame.empty:
        return frame
    size = frame.groupby(keys, sort=False)[keys[0]].transform("size")
    return frame[size >= k]


def _chains(grp: pd.DataFrame, gap_factor: float) -> list[pd.DataFrame]:
    """Split by submission time wherever a gap exceeds gap_factor × the median duration."""
    grp = grp.sort_values("submitted_at", kind="stable")
    ref = np.nanmedian(grp["_ref"].to_numpy()) if grp["_ref"].notna().any() else np.nan
    if not np.isfinite(ref):
        return []
    gaps = grp["submitted_at"].diff().dt.total_seconds().to_numpy()
    breaks = np.cumsum(~(gaps < gap_factor * ref))  # NaN first gap starts chain 1
    return [g for _, g in grp.groupby(breaks)]


def _device_finding(unit, grp: pd.DataFrame, config: Config, basis: str, scale: float):
    grp = grp.sort_values("submitted_at", kind="stable")
    n = len(grp)
    times = grp["submitted_at"]
    minutes = (times.iloc[-1] - times.iloc[0]).total_seconds() / 60
    gaps = times.diff().dt.total_seconds().to_numpy()[1:]
    ref = float(np.nanmedian(grp["_ref"])) if grp["_ref"].notna().any() else math.nan
    if math.isfinite(ref):
        close_share = float(np.mean(gaps < config.same_device_close_factor * ref))
    else:
        close_share = 0.5  # unknown durations: neither for nor against
    median_gap_h = float(np.median(gaps)) / 3600
    k = {"device": config.same_device_min, "sequential": config.same_device_seq_min}.get(
        basis, config.same_device_netua_min)
    score = 0.55 + 0.15 * min(1.0, (n - k) / 4) + 0.3 * close_share
    if median_gap_h > config.same_device_far_hours:
        severity, score = "low", score * 0.4
    elif close_share >= 0.5 and basis == "device":
        severity = "high"
    else:
        severity = "medium"
    evidence = {"responses": n, "minutes": max(1, round(minutes)),
                "median_minutes": round(ref / 60) if math.isfinite(ref) else "?",
                "close_share": round(close_share, 2), "variant": basis}
    return make_finding("same_device", unit, common_group(grp["group"]), grp["response_id"],
                        severity, score * scale, evidence)


def burst(responses: pd.DataFrame, reminders: Iterable = (),
          config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """Many submissions of one unit from one network prefix within a short window, far above
    the unit's own rate, weighed down after reminders and when sessions ran in parallel."""
    resp = normalize_responses(responses)
    web = web_responses(resp)
    rem = np.sort(pd.to_datetime(pd.Series(list(reminders), dtype=object), utc=True)
                  .dt.tz_localize(None).to_numpy(dtype="datetime64[ns]"))
    window = np.timedelta64(int(config.burst_window_min * 60), "s")
    findings = []
    unit_stats = web.groupby("unit")["submitted_at"].agg(
        n="size", days=lambda s: max(1, s.dt.normalize().nunique()))
    slots_per_day = config.burst_workday_hours * 60 / config.burst_window_min
    candidates = _repeated(web[web["net_prefix_hash"].notna()], ["unit", "net_prefix_hash"],
                           config.burst_min)
    for (unit, _prefix), grp in frame_groups(candidates, ["unit", "net_prefix_hash"]):
        stats = unit_stats.loc[unit]
        lam = stats["n"] / (stats["days"] * slots_per_day)
        grp = grp.sort_values("submitted_at", kind="stable")
        t = grp["submitted_at"].to_numpy()
        taken = np.zeros(len(t), dtype=bool)
        while True:
            free = np.flatnonzero(~taken)
            if free.size < config.burst_min:
                break
            tf = t[free]
            ends = np.searchsorted(tf, tf + window, side="right")
            counts = ends - np.arange(tf.size)
            best = int(np.argmax(counts))
            if counts[best] < config.burst_min:
                break
            members = free[best:ends[best]]
            taken[members] = True
            f = _burst_finding(unit, grp.iloc[members], lam, rem, config)
            if f is not None:
                findings.append(f)
    return findings


def _burst_finding(unit, grp: pd.DataFrame, lam: float, rem: np.ndarray, config: Config):
    n = len(grp)
    p = poisson_sf(n, lam)
    if p >= config.burst_p:
        return None
    seq = _sequential_share(grp, config.burst_sequential_tolerance_s)
    start = grp["submitted_at"].iloc[0].to_datetime64()
    i = np.searchsorted(rem, start, side="right") - 1
    after_h = (start - rem[i]) / np.timedelta64(1, "h") if i >= 0 else math.inf
    in_reminder = after_h <= config.reminder_window_h
    w = config.burst_parallel_weight
    score = tail_strength(p, config.burst_p) * (w + (1 - w) * seq)
    if in_reminder:
        score *= config.reminder_discount
    if score < config.burst_min_score:
        return None
    severity = "high" if score >= 0.75 else "medium" if score >= 0.5 else "low"
    minutes = (grp["submitted_at"].iloc[-1] - grp["submitted_at"].iloc[0]).total_seconds() / 60
    evidence = {"responses": n, "minutes": max(1, round(minutes)),
                "expected": round(lam, 2), "window_minutes": round(config.burst_window_min),
                "p_value": float(f"{p:.3g}"),
                "sequential": round(seq * (n - 1)), "pairs": n - 1,
                "after_reminder_h": round(after_h, 1) if in_reminder else "-"}
    return make_finding("burst", unit, common_group(grp["group"]), grp["response_id"],
                        severity, score, evidence)


def _sequential_share(grp: pd.DataFrame, tolerance_s: float) -> float:
    """Share of consecutive submissions whose session opened after the previous one was
    submitted: one person working through a pile, not a room of people answering together.
    Unknown durations count half."""
    sub = grp["submitted_at"].to_numpy()
    dur = grp["duration_s"].to_numpy()
    opened = sub - (np.nan_to_num(dur, nan=0) * 1e9).astype("timedelta64[ns]")
    follows = (opened[1:] - sub[:-1]) / np.timedelta64(1, "s") >= -tolerance_s
    value = np.where(np.isnan(dur[1:]), 0.5, follows.astype(float))
    return float(value.mean()) if value.size else 0.0


def forwarded(responses: pd.DataFrame, config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """Responses submitted from another network/device than the link was opened from,
    concentrated in one unit far above the campaign's share (binomial tail)."""
    resp = normalize_responses(responses)
    known = web_responses(resp)
    known = known[known["moved"].notna()]
    if known.empty:
        return []
    base = clean_base(known["moved"].astype(bool), known["unit"], config)
    findings = []
    groups = list(frame_groups(known, ["unit"]))
    for unit, grp in groups:
        moved = grp[grp["moved"].astype(bool)]
        k, n = len(moved), len(grp)
        share = k / n
        if k < config.forwarded_min or share < base + config.forwarded_excess:
            continue
        verdict = share_verdict(k, n, base, len(groups), config)
        if verdict is None:
            continue
        severity = "low" if verdict["small_unit"] else "high" if share >= 0.6 else "medium"
        evidence = {"responses": k, "total": n, "share_pct": round(100 * share),
                    "campaign_pct": round(100 * base, 1), "p_value": verdict["p_value"],
                    "threshold_p": verdict["threshold_p"], "small_unit": verdict["small_unit"]}
        findings.append(make_finding("forwarded", unit, common_group(moved["group"]),
                                     moved["response_id"], severity, verdict["score"],
                                     evidence))
    return findings
