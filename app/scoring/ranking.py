"""Competition ranks and bands.

Ranks and bands use the unrounded percent.  Two values that differ by less
than ``TIE_TOLERANCE`` percentage points are treated as equal: such a gap can
only come from the order in which floating-point sums were added (the same
scores summed in another order), never from a real difference in scores, and
it must not split a tie or push a unit across a band threshold.  It is far
below any displayed precision, so it is not a rounding of the result.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

#: Percentage points below which two percents are the same value.
TIE_TOLERANCE = 1e-9


def competition_rank(values: pd.Series | np.ndarray) -> np.ndarray:
    """Descending competition ranks (1, 2, 2, 4) of ``values``.

    rank = 1 + number of values strictly greater (beyond ``TIE_TOLERANCE``).
    NaN gets no rank (returned as NaN in a float array; callers convert).
    """
    v = np.asarray(values, dtype="float64")
    ranks = np.full(v.shape, np.nan)
    valid = ~np.isnan(v)
    if valid.any():
        ranks[valid] = rank_rows(v[valid][None, :])[0]
    return ranks


def rank_rows(matrix: np.ndarray) -> np.ndarray:
    """Competition ranks within each row of a 2-D array (draws x units).

    Sort-based, O(k log k) per row: a unit's rank is 1 + the number of values
    in its row greater than its own value plus the tolerance.  NaN cells get
    NaN and do not count as greater than anything.
    """
    m = np.asarray(matrix, dtype="float64")
    filled = np.where(np.isnan(m), -np.inf, m)
    ascending = np.sort(filled, axis=1)
    k = m.shape[1]
    out = np.empty(m.shape)
    for r in range(m.shape[0]):
        # values <= x + tol sit left of the insertion point; the rest are greater.
        out[r] = 1 + k - np.searchsorted(ascending[r], filled[r] + TIE_TOLERANCE, side="right")
    out[np.isnan(m)] = np.nan
    return out


def as_rank_column(ranks: np.ndarray) -> pd.array:
    """Ranks as a nullable integer column (missing rank stays empty in CSV)."""
    return pd.array([None if np.isnan(r) else int(r) for r in ranks], dtype="Int64")


def assign_band(percent: float, bands: Sequence[tuple[str, float]]) -> str | None:
    """Code of the first band (highest threshold first) whose min <= percent.

    ``bands`` must be sorted by descending threshold (``prepare`` does this).
    None when the percent is missing or below every threshold.
    """
    if percent is None or np.isnan(percent):
        return None
    for code, low in bands:
        if percent + TIE_TOLERANCE >= low:
            return code
    return None
