"""Grouping rows by unit (and questionnaire, device …): the one way every rule does it.

A group's label is read from its own rows, never from a sorted copy indexed by positions of
the unsorted one (issue 13: copies of one unit were reported under another unit's name).
Groups come out sorted by their labels, so the order of the input rows does not matter.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd


def group_rows(*columns) -> list[tuple[object, np.ndarray]]:
    """Row positions grouped by equal values across ``columns`` (arrays of one length).

    Returns ``[(label, positions), …]`` sorted by label, where label is the value (one
    column) or the tuple of values (several) found on the group's rows; positions ascend.
    None/NaN is a value of its own (sorted last).
    """
    cols = [np.asarray(c, dtype=object) for c in columns]
    if not cols or cols[0].size == 0:
        return []
    codes = [pd.factorize(pd.Series(c), sort=True, use_na_sentinel=True)[0] for c in cols]
    # NaN/None get code -1: move them last so the sort is by value, missing last.
    codes = [np.where(c < 0, c.max() + 1, c) for c in codes]
    order = np.lexsort(codes[::-1])  # stable: positions ascend inside a group
    keys = np.stack(codes, axis=1)[order]
    cuts = np.flatnonzero((keys[1:] != keys[:-1]).any(axis=1)) + 1
    out = []
    for rows in np.split(order, cuts):
        values = tuple(_value(c[rows[0]]) for c in cols)
        out.append((values[0] if len(cols) == 1 else values, rows))
    return out


def frame_groups(frame: pd.DataFrame, keys: list[str]) -> Iterator[tuple[object, pd.DataFrame]]:
    """``(label, sub-frame)`` per group of ``frame`` by the ``keys`` columns (see
    ``group_rows``); every row of a sub-frame carries its label."""
    if frame.empty:
        return
    for label, rows in group_rows(*(frame[k].to_numpy(dtype=object) for k in keys)):
        yield label, frame.iloc[rows]


def _value(v):
    return None if v is None or (isinstance(v, float) and v != v) else v
