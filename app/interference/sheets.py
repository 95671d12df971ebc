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
    not in the shape still count (they are compared like any other option). ``item`` and
    ``option`` may be strings or categoricals; the answer rows are coded in chunks, so the
    memory beyond the frames is the matrices plus one chunk's temporaries.
    """
    missing = [c for c in ("response_id", "item", "option") if c not in answers.columns]
    if missing:
        raise ValueError(f"answers frame lacks columns: {', '.join(missing)}")
    chosen = answers["option"].notna().to_numpy()
    every = bool(chosen.all())
    rid = answers["response_id"].to_numpy(dtype="int64")
    item_s, opt_s = answers["item"], answers["option"]
    if not every:
        rid, item_s, opt_s = rid[chosen], item_s[chosen], opt_s[chosen]
    item_codes, item_labels = _codes(item_s, appearance=False)
    # Options are numbered in order of first appearance, as pd.factorize does: the one-hot
    # columns (and so the canonical order of the near-duplicate null) follow that numbering.
    opt_codes, opt_uniques = _codes(opt_s, appearance=True)
    del item_s, opt_s
    n_opt = len(opt_uniques)
    opt_index = {o: i for i, o in enumerate(opt_uniques)}

    ids = responses["response_id"].to_numpy(dtype="int64")
    questionnaire = responses["questionnaire"].to_numpy()
    which = np.full(len(responses), -1, dtype=np.int64)  # index into ``coded`` per response
    local = np.full(len(responses), -1, dtype=np.int64)  # row in its questionnaire's matrix
    coded: list[tuple[str, QuestionnaireShape, np.ndarray, np.ndarray]] = []
    for code, shape in questionnaires.items():
        if not shape.items:
            continue
        rows = np.flatnonzero(questionnaire == code)
        if rows.size == 0:
            continue
        which[rows] = len(coded)
        local[rows] = np.arange(rows.size)
        same = np.full((rows.size, len(shape.items)), -1, dtype=_int_type(n_opt))
        coded.append((code, shape, rows, same))
    # Item position of each item label in each coded questionnaire (-1: not its item).
    item_pos = np.full((len(coded) + 1, len(item_labels)), -1, dtype=np.int64)
    for q, (_code, shape, _rows, _same) in enumerate(coded):
        pos = {it.code: i for i, it in enumerate(shape.items)}
        item_pos[q] = [pos.get(label, -1) for label in item_labels]
    for lo in range(0, rid.size, _CHUNK_ROWS):
        part = slice(lo, lo + _CHUNK_ROWS)
        rpos = _positions(ids, rid[part])
        q = np.where(rpos >= 0, which[rpos], -1)
        it = item_pos[q, item_codes[part]]  # q = -1 (not coded) reads the last row, all -1
        ok = (q >= 0) & (it >= 0)
        q, it, r_loc, oc = q[ok], it[ok], local[rpos[ok]], opt_codes[part][ok]
        for k, (_code, _shape, _rows, same) in enumerate(coded):
            mine = q == k
            # Row order is kept: a response answering an item twice keeps its last answer.
            same[r_loc[mine], it[mine]] = oc[mine]
    out: dict[str, Sheets] = {}
    for code, shape, rows, same in coded:
        out[code] = _sheets(shape, ids[rows], responses["unit"].to_numpy()[rows], rows, same,
                            n_opt, opt_index)
    return out


def _sheets(shape: QuestionnaireShape, ids, units, rows, same: np.ndarray, n_opt: int,
            opt_index: dict) -> Sheets:
    """One-hot column = (item, option) pair, numbered densely in (item, option code) order
    (a presence table per item: no sort of the n × items pairs)."""
    n_items = len(shape.items)
    present = np.zeros(n_items * n_opt, dtype=bool)
    for i in range(n_items):
        chosen = same[:, i]
        present[i * n_opt + chosen[chosen >= 0].astype(np.int64)] = True
    rank = np.cumsum(present) - 1
    n_cols = int(present.sum())
    cols = np.full(same.shape, -1, dtype=_int_type(n_cols))
    for i in range(n_items):
        chosen = same[:, i]
        ok = chosen >= 0
        cols[ok, i] = rank[i * n_opt + chosen[ok].astype(np.int64)]
    top_code = np.array([opt_index.get(it.top_option, -2) for it in shape.items], dtype=np.int64)
    top = same == top_code[None, :]
    top_pairs = (np.arange(n_items) * n_opt + top_code)[top_code >= 0]
    top_cols = np.sort(rank[top_pairs[present[top_pairs]]])
    return Sheets(shape, ids, units, rows, cols, same, top, top_cols, n_cols)


_CHUNK_ROWS = 2_000_000  #: answer rows coded at a time: bounds the temporaries at 50 M answers


def _int_type(n: int) -> np.dtype:
    """The smallest signed integer type holding -1 … n (codes of n values, -1 = none)."""
    for t in (np.int8, np.int16, np.int32):
        if n <= np.iinfo(t).max:
            return np.dtype(t)
    return np.dtype(np.int64)


def _codes(values: pd.Series, appearance: bool) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` taken as strings, and those strings: the same as
    ``pd.factorize(values.astype(str))`` (with ``appearance``, numbered in the order of first
    appearance), but without a string per row when the column is categorical — the database
    loader's frames, where 50 million answers would otherwise be 100 million objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw, labels = values.cat.codes.to_numpy(), values.cat.categories
    else:
        raw, labels = pd.factorize(values)
    # Labels equal as strings are one value (1 and "1"), as after astype(str).
    label_codes, uniques = pd.factorize(np.asarray(pd.Index(labels).astype(str), dtype=object))
    codes = label_codes.astype(_int_type(len(uniques)))[raw]
    uniques = np.asarray(uniques, dtype=object)
    if not appearance:
        return codes, uniques
    first = pd.unique(codes)
    renumber = np.full(len(uniques), -1, dtype=codes.dtype)
    renumber[first] = np.arange(first.size)
    return renumber[codes], uniques[first]


def _positions(ids: np.ndarray, rid: np.ndarray) -> np.ndarray:
    """Position in ``ids`` (unique) of every value of ``rid``; -1 when absent. A lookup table
    when the ids are dense (database ids), a binary search otherwise."""
    out = np.full(rid.size, -1, dtype=np.int64)
    if ids.size == 0 or rid.size == 0:
        return out
    lo, hi = int(ids.min()), int(ids.max())
    if hi - lo < 8 * ids.size + 1024:
        table = np.full(hi - lo + 1, -1, dtype=np.int64)
        table[ids - lo] = np.arange(ids.size)
        inside = (rid >= lo) & (rid <= hi)
        out[inside] = table[rid[inside] - lo]
        return out
    order = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids, rid, sorter=order).clip(0, ids.size - 1)
    found = ids[order[at]] == rid
    out[found] = order[at[found]]
    return out
