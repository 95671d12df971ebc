"""The one small-cell rule (app.scoring.cells), hand-computed."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.scoring.cells import leaf_sheets, small_cells


def test_marks_one_to_k_minus_one_sheets():
    assert small_cells([0, 1, 2, 3, 10, np.nan], 3).tolist() == [False, True, True, False, False, False]
    assert small_cells([1, 2], 1).tolist() == [False, False]
    with pytest.raises(ValueError):
        small_cells([1], 0)


def test_leaf_sheets_counts_the_groups_that_scored():
    detail = pd.DataFrame({"unit": ["U", "U", "U", "V"], "leaf": ["1", "1", "1", "1"], "group": ["A", "B", "C", "A"],
                           "responses": [2, 4, 7, 1], "s": [0.5, 1.0, np.nan, 0.2]})
    out = leaf_sheets(detail).set_index(["unit", "leaf"])["sheets"].to_dict()
    assert out == {("U", "1"): 6, ("V", "1"): 1}  # C has sheets but no counted answer: not behind the figure


@given(st.lists(st.integers(0, 20), min_size=1, max_size=30), st.integers(1, 10), st.randoms())
def test_marks_follow_their_rows_in_any_order(counts, k, rnd):
    order = list(range(len(counts)))
    rnd.shuffle(order)
    marks = small_cells(counts, k)
    assert small_cells([counts[i] for i in order], k).tolist() == [bool(marks[i]) for i in order]
