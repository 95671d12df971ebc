"""Answers as integer matrices, one per questionnaire (the fast path of the answer rules)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .model import QuestionnaireShape


@dataclass(frozen=True)
class Sheets:
    """Integer-coded answers of one questionnaire.

    ``cols[r, i]`` is the one-hot column of the option chosen by response row r on item i
    (-1 when skipped); ``same[r, i]`` codes the option text itself so equal codes across
    items mean "the same option"; ``top[r, i]`` is True when the best option was chosen.
    """

    questionnaire: QuestionnaireShape
    response_ids: np.ndarray
    units: np.ndarray
    rows: np.ndarray          # positions in the normalised responses frame
    cols: np.ndarray
    same: np.ndarray
    top: np.ndarray
    top_cols: np.ndarray      # one-hot columns that are a top option
    n_cols: int

    @property
    def n_items(self) -> int:
        return self.cols.shape[1]

    def blocks(self) -> dict[str, np.ndarray]:
        """Item positions per block, in questionnaire order."""
        out: dict[str, list[int]] = {}
        for i, item in enumerate(self.questionnaire.items):
            out.setdefault(item.block, []).append(i)
        return {b: np.array(v) for b, v in out.items()}


def encode(responses: pd.DataFrame, answers: pd.DataFrame,
           questionnaires: dict[str, QuestionnaireShape]) -> dict[str, Sheets]:
    """Code the answers of every questionnaire in ``questionnaires`` into ``Sheets``.

    Answers to items the shape does not list, or of unknown responses, are ignored; options
    not in the shape still count (they are compared like any other option).
    """
    missing = [c for c in ("response_id", "item", "option") if c not in answers.columns]
    if missing:
        raise ValueError(f"answers frame lacks columns: {', '.join(missing)}")
    ans = answers[answers["option"].notna()]
    rid = ans["response_id"].to_numpy(dtype="int64")
    item_str = ans["item"].astype(str).to_numpy()
    opt_str = ans["option"].astype(str).to_numpy()
    opt_codes, opt_uniques = pd.factorize(opt_str)
    opt_index = {o: i for i, o in enumerate(opt_uniques)}
    pos_of_id = pd.Series(np.arange(len(responses)), index=responses["response_id"].to_numpy())
    rpos = pos_of_id.reindex(rid).to_numpy(dtype=float)
    out: dict[str, Sheets] = {}
    for code, shape in questionnaires.items():
        if not shape.items:
            continue
        mask_r = (responses["questionnaire"] == code).to_numpy()
        rows = np.flatnonzero(mask_r)
        if rows.size == 0:
            continue
        ids = responses["response_id"].to_numpy()[rows]
        item_pos = {it.code: i for i, it in enumerate(shape.items)}
        ipos = pd.Series(item_str).map(item_pos).to_numpy(dtype=float, na_value=np.nan)
        local = np.full(len(responses), -1, dtype=np.int64)
        local[rows] = np.arange(rows.size)
        ok = ~np.isnan(ipos) & ~np.isnan(rpos)
        r_all = rpos[ok].astype(np.int64)
        r_loc = local[r_all]
        ok2 = r_loc >= 0
        r_loc, it, oc = r_loc[ok2], ipos[ok][ok2].astype(np.int64), opt_codes[ok][ok2]
        n_items = len(shape.items)
        same = np.full((rows.size, n_items), -1, dtype=np.int64)
        same[r_loc, it] = oc
        # One-hot column = (item, option) pair, densely renumbered.
        pair = np.where(same >= 0, np.arange(n_items)[None, :] * len(opt_uniques) + same, -1)
        uniq, inv = np.unique(pair, return_inverse=True)
        inv = inv.reshape(pair.shape)
        shift = 1 if uniq.size and uniq[0] == -1 else 0
        cols = inv - shift
        top_code = np.array([opt_index.get(it.top_option, -2) for it in shape.items])
        top = same == top_code[None, :]
        top_pairs = np.arange(n_items) * len(opt_uniques) + top_code
        top_cols = np.flatnonzero(np.isin(uniq[shift:], top_pairs[top_code >= 0]))
        out[code] = Sheets(shape, ids, responses["unit"].to_numpy()[rows], rows, cols, same,
                           top, top_cols, int(uniq.size - shift))
    return out
