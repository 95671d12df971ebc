"""The near-duplicate pair statistics against a pair-by-pair count, whatever the blocking:
the products run over the upper triangle in blocks, and the result must not depend on it."""
import numpy as np
import pytest

from app.interference import DEFAULT_CONFIG, near_duplicate, null_threshold
from app.interference import answers
from app.interference.sheets import encode
from app.interference.model import normalize_responses

from .test_interference import answer_campaign


def brute_max_match(cols, top_cols, config=DEFAULT_CONFIG):
    """Max match share of each row, one pair at a time (float32 share, as the products)."""
    n, n_items = cols.shape
    top = set(int(c) for c in top_cols)
    out = np.zeros(n)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            both = (cols[i] >= 0) & (cols[j] >= 0)
            same = both & (cols[i] == cols[j])
            info = sum(1 for k in np.flatnonzero(same) if int(cols[i, k]) not in top)
            if both.sum() < config.near_dup_min_common * n_items \
                    or info < config.near_dup_min_informative * n_items:
                continue
            share = np.float32(same.sum()) / np.float32(max(both.sum(), 1))
            out[i] = max(out[i], float(share))
    return out


def sheets_of(copies, skips):
    resp, ans, qs = answer_campaign(copies=copies, n_units=3, per_unit=40)
    if skips:  # honest sheets skip some items: the common-item count then varies by pair
        ans = ans.copy()
        ans.loc[(ans.index % 23 == 3) & (ans["response_id"] < 5000), "option"] = None
    return resp, ans, qs, encode(normalize_responses(resp), ans, qs)["CB"]


@pytest.mark.parametrize("skips", [False, True])
@pytest.mark.parametrize("block_cells", [answers._BLOCK_CELLS, 7 * 45, 1])
def test_max_match_is_the_pairwise_count_in_any_blocking(monkeypatch, skips, block_cells):
    _resp, _ans, _qs, sh = sheets_of(copies=5, skips=skips)
    monkeypatch.setattr(answers, "_BLOCK_CELLS", block_cells)
    monkeypatch.setattr(answers, "_MIN_BLOCK_ROWS", 1)
    rows = np.flatnonzero(sh.units == "U0")  # 45 sheets: 7 rows per block at 7 × 45 cells
    got = answers._max_match(sh.cols[rows], sh, DEFAULT_CONFIG)
    want = brute_max_match(sh.cols[rows], sh.top_cols)
    assert want.max() > 0.85  # the copies are there
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("skips", [False, True])
def test_findings_and_threshold_do_not_depend_on_the_blocks(monkeypatch, skips):
    resp, ans, qs, sh = sheets_of(copies=6, skips=skips)
    whole = near_duplicate(resp, ans, qs)
    thr = null_threshold(sh)
    assert whole and whole[0].response_ids[:3] == (5000, 5001, 5002)
    monkeypatch.setattr(answers, "_BLOCK_CELLS", 30)
    monkeypatch.setattr(answers, "_MIN_BLOCK_ROWS", 1)
    assert null_threshold(sh) == thr
    blocked = near_duplicate(resp, ans, qs)
    assert [(f.fingerprint, f.score, f.evidence) for f in blocked] == \
        [(f.fingerprint, f.score, f.evidence) for f in whole]
