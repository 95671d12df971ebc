"""Rules on the answers themselves: near_duplicate and straight_line."""
from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from .config import DEFAULT_CONFIG, Config
from .model import Detection, QuestionnaireShape, common_group, make_finding, \
    normalize_responses
from .groups import frame_groups, group_rows
from .sheets import Sheets, encode
from .stats import share_verdict

#: pair cells per block of the pairwise products (rows × rows of a unit): ~80 MB of
#: temporaries, whatever the unit's size; a unit of up to 2 000 sheets is one block.
_BLOCK_CELLS = 4_000_000
_MIN_BLOCK_ROWS = 64


def _sheets(responses, answers, questionnaires) -> tuple[pd.DataFrame, dict[str, Sheets]]:
    resp = normalize_responses(responses)
    if isinstance(answers, dict):
        return resp, answers  # already encoded by scan()
    return resp, encode(resp, answers, questionnaires)


def _canonical_order(sheets: Sheets) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rows in an order that depends only on the answers and on which rows share a unit —
    not on the input order, unit names or response ids — and the unit slices in it.

    Units are ordered by (size, their sorted answer rows), rows inside a unit by their
    answers; equal keys are interchangeable, so the seeded null is the same however the
    campaign's rows were listed (metamorphic tests). The bytes of the narrow integer codes sort
    as those of the same values in int64 would (little-endian, sign-extended), so the order
    does not depend on the code type either."""
    keyed = []
    for _unit, rows in group_rows(sheets.units):
        rows = rows[np.lexsort(sheets.cols[rows].T[::-1])] if sheets.n_items else rows
        keyed.append(((rows.size, sheets.cols[rows].tobytes()), rows))
    keyed.sort(key=lambda kr: kr[0])
    order = np.concatenate([rows for _k, rows in keyed]) if keyed else np.zeros(0, int)
    bounds = np.cumsum([0] + [rows.size for _k, rows in keyed])
    return order, [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


class _Hot:
    """The 0/1 matrices of the pairwise counts of one set of rows (float32: a product of
    0/1 values is an exact integer count below 2**24).

    ``onehot`` is the answers one-hot, ``tophot`` its best-option columns (the informative
    matches of a pair are its matches less its best-option matches, so the second product has
    n_items columns, not n_cols), ``answered`` the answered indicator, left out when every row
    answered every item (then every pair has n_items in common)."""

    def __init__(self, cols: np.ndarray, sheets: Sheets):
        n, n_items = cols.shape
        onehot = np.zeros((n, sheets.n_cols + 1), dtype=np.float32)
        onehot[np.repeat(np.arange(n), n_items), cols.ravel()] = 1.0  # -1 lands in last column
        self.onehot = onehot[:, :sheets.n_cols]
        self.tophot = np.ascontiguousarray(self.onehot[:, sheets.top_cols])
        answered = cols >= 0
        self.answered = None if answered.all() else answered.astype(np.float32)
        self.n, self.n_items = n, n_items


def _pair_blocks(hot: _Hot, config: Config):
    """(lo, hi, share, usable) for blocks of rows lo:hi against rows lo:n — the upper
    triangle of the pair matrix, which is symmetric — in ≤ _BLOCK_CELLS cells at a time.

    share is the match share (float32, as matches / common), usable is where a pair could be
    an edge of the near-duplicate graph (enough common and informative items)."""
    n, n_items = hot.n, hot.n_items
    min_common = config.near_dup_min_common * n_items
    min_info = config.near_dup_min_informative * n_items
    step = max(_MIN_BLOCK_ROWS, _BLOCK_CELLS // max(n, 1))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        share = hot.onehot[lo:hi] @ hot.onehot[lo:].T  # a whole unit at once: syrk
        usable = hot.tophot[lo:hi] @ hot.tophot[lo:].T
        np.subtract(share, usable, out=usable)  # informative matches
        usable = usable >= min_info
        if hot.answered is None:
            if np.float32(n_items) < min_common:
                usable[...] = False
            np.divide(share, np.float32(n_items), out=share)
        else:
            common = hot.answered[lo:hi] @ hot.answered[lo:].T
            usable &= common >= min_common
            np.maximum(common, 1, out=common)
            np.divide(share, common, out=share)  # no common item: no match, 0 / 1
        yield lo, hi, share, usable


def _max_match(cols: np.ndarray, sheets: Sheets, config: Config) -> np.ndarray:
    """Max percent match of each row against the other rows (rows = one unit), over the
    pairs that could be an edge of the near-duplicate graph (enough common and informative
    items), so that the null and the observed statistic measure the same thing."""
    n = cols.shape[0]
    out = np.zeros(n)
    if n < 2:
        return out
    for lo, hi, share, usable in _pair_blocks(_Hot(cols, sheets), config):
        share[~usable] = 0.0
        share[np.arange(hi - lo), np.arange(hi - lo)] = 0.0  # a row against itself
        np.maximum(out[lo:hi], share.max(axis=1), out=out[lo:hi])
        if lo or hi < n:  # the pairs below the diagonal, from the other side
            np.maximum(out[lo:], share.max(axis=0), out=out[lo:])
    return out


def _one_blas_thread():
    """The pairwise products on one BLAS thread: they are many small products, for which
    OpenBLAS's threads cost more CPU than they save (3× the CPU at load 3 on 2 cores, and
    worse when the machine is busier), and the scan runs beside the web workers anyway.
    Products of 0/1 values are exact on any number of threads."""
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


_BLAS = None


def null_threshold(sheets: Sheets, config: Config = DEFAULT_CONFIG) -> tuple[float, float]:
    """Threshold of the max percent match for one questionnaire: max(floor, quantile of a
    permutation null) where answers are shuffled within item across the campaign (within
    strata of the respondent's best-option share, see ``_strata``) and the real unit sizes
    are kept. Returns (threshold, null quantile)."""
    rng = np.random.default_rng(config.seed)
    n = sheets.cols.shape[0]
    reps = int(min(20, max(1, np.ceil(config.near_dup_null_samples / max(n, 1)))))
    order, slices = _canonical_order(sheets)
    cols, top = sheets.cols[order], sheets.top[order]
    strata = _strata(cols, top, config.near_dup_null_strata)
    values = []
    with _one_blas_thread():
        for _ in range(reps):
            shuffled = cols.copy()
            for rows in strata:
                shuffled[rows] = rng.permuted(cols[rows], axis=0)
            for rows in slices:
                values.append(_max_match(shuffled[rows], sheets, config))
    null = np.concatenate(values) if values else np.zeros(1)
    q = float(np.quantile(null, config.near_dup_null_quantile))
    return max(config.near_dup_floor, q), q


def _strata(cols: np.ndarray, top: np.ndarray, n_strata: int) -> list[np.ndarray]:
    """Rows grouped by their share of best-option answers (quantile bins).

    Honest respondents who are generally satisfied resemble each other; shuffling only
    among respondents of similar overall level keeps that resemblance in the null, so it
    is not mistaken for copying.
    """
    answered = (cols >= 0).sum(axis=1)
    level = top.sum(axis=1) / np.maximum(answered, 1)
    ranks = np.argsort(np.argsort(level, kind="stable"), kind="stable")
    bins = ranks * max(1, n_strata) // max(1, level.size)
    return [np.flatnonzero(bins == b) for b in range(max(1, n_strata))]


def near_duplicate(responses: pd.DataFrame, answers, questionnaires: dict[str,
                   QuestionnaireShape], config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """Clusters (connected components, ≥ near_dup_min_cluster) of sheets of one unit and
    questionnaire whose percent match exceeds the permutation-calibrated threshold."""
    resp, all_sheets = _sheets(responses, answers, questionnaires)
    findings = []
    for code, sh in sorted(all_sheets.items()):
        if sh.n_items < config.near_dup_min_items:
            continue  # see Config.near_dup_min_items: short forms carry no evidence here
        thr, q = null_threshold(sh, config)
        with _one_blas_thread():
            clusters = [(unit, found) for unit, rows in group_rows(sh.units)
                        if rows.size >= config.near_dup_min_cluster
                        for found in _clusters(sh, rows, thr, config)]
        for unit, (comp, mean_match) in clusters:
            ids = sh.response_ids[comp]
            size = comp.size
            excess = (mean_match - thr) / max(1e-9, 1 - thr)
            score = min(1.0, 0.6 + 0.08 * (size - config.near_dup_min_cluster)
                        + 0.3 * excess)
            severity = "high" if size >= 5 or mean_match >= 0.95 else "medium"
            groups = resp["group"].to_numpy()[sh.rows[comp]]
            evidence = {"responses": int(size), "items": sh.n_items,
                        "match_pct": round(100 * mean_match),
                        "threshold_pct": round(100 * thr, 1),
                        "null_pct": round(100 * q, 1), "questionnaire": code}
            findings.append(make_finding("near_duplicate", unit, common_group(groups),
                                         ids, severity, score, evidence))
    return findings


def _clusters(sh: Sheets, rows: np.ndarray, thr: float, config: Config):
    """Connected components of the 'near-duplicate' graph within one unit."""
    cols = sh.cols[rows]
    n = cols.shape[0]
    parent = np.arange(n)

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    edges_share = []  # (a, b, share) with a < b, in (a, b) order
    for lo, _hi, share, usable in _pair_blocks(_Hot(cols, sh), config):
        usable &= share >= thr
        ii, jj = np.nonzero(usable)
        keep = ii < jj  # pair (ii + lo, jj + lo) above the diagonal
        ii, jj = ii[keep], jj[keep]
        for a, b, s in zip(ii + lo, jj + lo, share[ii, jj]):
            edges_share.append((a, b, s))
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    if not edges_share:
        return []
    roots = np.array([find(a) for a in range(n)])
    out = []
    for root in np.unique(roots):
        members = np.flatnonzero(roots == root)
        if members.size < config.near_dup_min_cluster:
            continue
        inside = [s for a, b, s in edges_share if roots[a] == root]
        out.append((rows[members], float(np.mean(inside))))
    return out


def straight_line(responses: pd.DataFrame, answers, questionnaires: dict[str,
                  QuestionnaireShape], config: Config = DEFAULT_CONFIG) -> list[Detection]:
    """Units where a high share of responses give one option on every item of every block
    with ≥ straight_min_block_items items, far above the questionnaire's campaign share."""
    resp, all_sheets = _sheets(responses, answers, questionnaires)
    flags, base = [], {}
    for code, sh in all_sheets.items():
        is_sl = _straight_rows(sh, config.straight_min_block_items)
        if is_sl is None:
            continue
        base[code] = max(float(is_sl.mean()), config.base_rate_floor)
        flags.append(pd.DataFrame({"row": sh.rows, "sl": is_sl, "q": code}))
    if not flags:
        return []
    df = pd.concat(flags, ignore_index=True)
    df["unit"] = resp["unit"].to_numpy()[df["row"]]
    df["base"] = df["q"].map(base)
    findings = []
    groups = list(frame_groups(df, ["unit"]))
    for unit, grp in groups:
        k, n = int(grp["sl"].sum()), len(grp)
        if k < config.straight_min or k / n < config.straight_unit_share:
            continue
        p0 = float(grp["base"].mean())
        verdict = share_verdict(k, n, p0, len(groups), config)
        if verdict is None:
            continue
        rows = grp.loc[grp["sl"], "row"].to_numpy()
        evidence = {"responses": k, "total": n, "share_pct": round(100 * k / n),
                    "campaign_pct": round(100 * p0, 1), "p_value": verdict["p_value"],
                    "threshold_p": verdict["threshold_p"], "small_unit": verdict["small_unit"]}
        findings.append(make_finding("straight_line", unit,
                                     common_group(resp["group"].to_numpy()[rows]),
                                     resp["response_id"].to_numpy()[rows], verdict["severity"],
                                     verdict["score"], evidence))
    return findings


def _straight_rows(sh: Sheets, min_items: int) -> np.ndarray | None:
    """True where a response straight-lines every block of ≥ min_items items (all answered
    items of the block on one option, and at least min_items answered)."""
    blocks = [b for b in sh.blocks().values() if b.size >= min_items]
    if not blocks:
        return None
    result = np.ones(sh.same.shape[0], dtype=bool)
    for b in blocks:
        vals = sh.same[:, b]
        ok = vals >= 0
        big = np.where(ok, vals, np.iinfo(vals.dtype).max).min(axis=1)
        small = np.where(ok, vals, -1).max(axis=1)
        result &= (ok.sum(axis=1) >= min_items) & (big == small)
    return result
