"""Small exact tail probabilities and robust scores (no scipy dependency)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _logsumexp(values: np.ndarray) -> float:
    if values.size == 0:
        return -math.inf
    top = float(values.max())
    if top == -math.inf:
        return top
    return top + math.log(float(np.exp(values - top).sum()))


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), exact."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    p = min(max(p, 1e-12), 1 - 1e-12)
    i = np.arange(k, n + 1, dtype=float)
    logpmf = (math.lgamma(n + 1) - _lgamma(i + 1) - _lgamma(n - i + 1)
              + i * math.log(p) + (n - i) * math.log1p(-p))
    return min(1.0, math.exp(_logsumexp(logpmf)))


def poisson_sf(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam), exact enough for tails down to 1e-300."""
    if k <= 0:
        return 1.0
    lam = max(lam, 1e-12)
    i = np.arange(k, k + 400, dtype=float)
    logpmf = i * math.log(lam) - lam - _lgamma(i + 1)
    return min(1.0, math.exp(_logsumexp(logpmf)))


def _lgamma(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.lgamma, otypes=[float])(x)


def tail_strength(p: float, p_threshold: float) -> float:
    """Map a tail probability to 0..1: 0.5 at the threshold, 1 at its square."""
    if p <= 0:
        return 1.0
    ratio = -math.log10(p) / -math.log10(p_threshold)
    return float(min(1.0, max(0.0, ratio / 2)))


def robust_z(values: np.ndarray, mad_floor: float = 0.0) -> np.ndarray:
    """(x − median) / (1.4826 · MAD), with the MAD floored at ``mad_floor``."""
    values = np.asarray(values, dtype=float)
    med = np.median(values)
    mad = 1.4826 * np.median(np.abs(values - med))
    return (values - med) / max(mad, mad_floor, 1e-12)


def share_verdict(k: int, n: int, base: float, n_units: int, config) -> dict | None:
    """Is a unit's count k of n (speeders, straight-liners, moved sheets) far above the
    campaign's share ``base``? The binomial tail is compared with ``tail_alpha / n_units``
    (Bonferroni over the units tested, capped at ``tail_p_max``).

    Returns None (nothing to say), a verdict with a score that reaches the 'review' level
    on its own, or — when the share is high but the unit has too few sheets for the tail to
    be conclusive — a 'small unit' note of low severity that stays below 'review'."""
    threshold = min(config.tail_p_max, config.tail_alpha / max(1, n_units))
    p = binom_sf(k, n, base)
    share = k / n if n else 0.0
    out = {"p_value": float(f"{p:.3g}"), "threshold_p": float(f"{threshold:.3g}")}
    if p < threshold:
        strength = tail_strength(p, threshold)  # 0.5 at the threshold, 1 at its square
        return {**out, "score": min(1.0, 0.8 + 0.4 * (strength - 0.5)),
                "severity": "high" if share >= 0.5 else "medium", "small_unit": False}
    if share >= config.small_unit_share:
        return {**out, "score": config.small_unit_score, "severity": "low",
                "small_unit": True}
    return None


def clean_base(flags, units, config) -> float:
    """The campaign's share of flagged rows, leaving out the units whose own share is
    already far above it (one pass): a few planted units must not raise the yardstick the
    other units are measured by. Floored at ``base_rate_floor``."""
    frame = pd.DataFrame({"k": np.asarray(flags, dtype=float), "u": np.asarray(units, dtype=object)})
    per_unit = frame.groupby("u")["k"].agg(["sum", "size"])
    raw = max(float(frame["k"].mean()) if len(frame) else 0.0, config.base_rate_floor)
    threshold = min(config.tail_p_max, config.tail_alpha / max(1, len(per_unit)))
    keep = [binom_sf(int(k), int(n), raw) >= threshold for k, n in per_unit.to_numpy()]
    kept = per_unit[keep]
    base = kept["sum"].sum() / kept["size"].sum() if kept["size"].sum() else raw
    return max(float(base), config.base_rate_floor)
