"""Issue 13: findings name the unit whose rows they are about, whatever the row order."""
import numpy as np
import pandas as pd

from app.interference import near_duplicate, scan
from app.interference.groups import frame_groups, group_rows

from .test_interference import long_answers, row, shape


def test_labels_come_from_the_rows_of_the_issue_example():
    units = np.array(['STC', 'HLT', 'STC', 'SNV', 'STC'])
    groups = group_rows(units)
    assert [(label, rows.tolist()) for label, rows in groups] == [
        ("HLT", [1]), ("SNV", [3]), ("STC", [0, 2, 4])]
    for label, rows in groups:
        assert set(units[rows]) == {label}


def test_groups_by_unit_and_questionnaire_with_missing_values():
    units = np.array(['STC', 'HLT', 'STC', None, 'STC'], dtype=object)
    qs = np.array(['CB', 'ND', 'ND', 'CB', 'CB'], dtype=object)
    groups = group_rows(units, qs)
    assert [(label, rows.tolist()) for label, rows in groups] == [
        (("HLT", "ND"), [1]), (("STC", "CB"), [0, 4]), (("STC", "ND"), [2]), ((None, "CB"), [3])]
    frame = pd.DataFrame({"unit": units, "q": qs, "v": range(5)}, index=[50, 40, 30, 20, 10])
    for (unit, q), sub in frame_groups(frame, ["unit", "q"]):
        assert set(sub["q"]) == {q}
        assert all(u == unit or (pd.isna(u) and unit is None) for u in sub["unit"])
    assert list(group_rows(np.array([], dtype=object))) == []


def _interleaved_campaign():
    # Database order: STC, HLT, STC, SNV, STC, … — STC's sheets are copies of one template.
    shp = shape(n_items=12, block=12, options="abcd")
    rng = np.random.default_rng(3)
    template = list("bcadbcabdcab")
    pattern = ["STC", "HLT", "STC", "SNV", "STC", "KHA", "BNV", "SXD"]
    rows, matrix, copies = [], [], 0
    for i in range(64):
        unit = pattern[i % 8]
        rows.append(row(i, unit, minute=i * 613.0))
        if unit == "STC" and copies < 6:
            copies += 1
            line = list(template)
            line[int(rng.integers(12))] = "abcd"[int(rng.integers(4))]
        else:
            line = ["abcd"[k] for k in rng.integers(0, 4, 12)]
        matrix.append(line)
    return pd.DataFrame(rows), long_answers(range(64), matrix, shp), {"CB": shp}


def test_near_duplicate_names_the_copying_unit_on_unsorted_rows():
    responses, answers, shapes = _interleaved_campaign()
    found = near_duplicate(responses, answers, shapes)
    assert found, "the copies must be found"
    unit_of = dict(zip(responses["response_id"], responses["unit"]))
    for f in found:
        assert f.unit == "STC"
        assert {unit_of[i] for i in f.response_ids} == {"STC"}
    result = scan(responses, answers, shapes)
    risk = result.unit_risk.set_index("unit")
    assert "near_duplicate" in risk.loc["STC", "rules"]
    for honest in ("HLT", "SNV", "KHA", "BNV", "SXD"):
        assert risk.loc[honest, "rules"] == "", honest
