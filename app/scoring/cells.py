"""Small cells are never published (issue 12 §4): a figure resting on fewer than k answer
sheets is suppressed wherever it is shown, and still counts in the totals above it.

One rule for every output: workbook, CSV, JSON, CLI and pages call ``small_cells`` and
print the app's "< k phiếu" text in place of the figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_MIN_CELL_SHEETS = 3  #: k when a campaign does not set its own


def small_cells(sheets, k: int = DEFAULT_MIN_CELL_SHEETS) -> np.ndarray:
    """True where a figure rests on 1 … k-1 answer sheets (0 sheets = no figure, nothing to hide).

    ``sheets``: the number of answer sheets behind each figure (any 1-D array-like, NaN = 0).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    n = pd.to_numeric(pd.Series(np.asarray(sheets, dtype="float64")), errors="coerce").fillna(0).to_numpy()
    return (n > 0) & (n < k)


def leaf_sheets(detail: pd.DataFrame) -> pd.DataFrame:
    """Answer sheets behind each unit × survey sub-criterion figure: the sheets of the groups
    that scored it (``survey_detail`` rows with a score). Returns unit, leaf, sheets."""
    scored = detail.loc[detail["s"].notna(), ["unit", "leaf", "responses"]]
    out = scored.groupby(["unit", "leaf"], sort=False)["responses"].sum().rename("sheets").reset_index()
    out["sheets"] = out["sheets"].astype("int64")
    return out
