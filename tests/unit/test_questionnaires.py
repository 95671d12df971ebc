"""Unit tests for the questionnaires package: shipped schemes and every validation rule."""
import copy
import json
import unicodedata

import pytest

import questionnaires as qn
from tests.unit.qn_fixtures import Q1, Q2, S, SCALE, load, minimal, write
from questionnaires import load_directory



# --- the shipped schemes -------------------------------------------------------------------

def test_shipped_schemes_load_without_problems():
    result = load_directory(qn.default_directory())
    assert result.problems == []
    assert set(result.schemes) == {"PAR_PROVINCE", "PAR_MINISTRY", "MINISTRY_INTERNAL"}


@pytest.fixture(scope="module")
def shipped():
    result = load_directory(qn.default_directory())
    assert result.problems == []
    return result.schemes


@pytest.mark.parametrize("code", ["PAR_PROVINCE", "PAR_MINISTRY", "MINISTRY_INTERNAL"])
def test_shipped_scheme_totals_and_fed_leaves(shipped, code):
    scheme = shipped[code]
    assert scheme.total == 100
    leaves = scheme.leaves()
    assert abs(sum(lf.max for lf in leaves) - 100) < 1e-9
    survey = sum(lf.max for lf in leaves if lf.source == "survey")
    assert 30 <= survey <= 40
    fed = {it.criterion for q in scheme.questionnaires.values() for it in q.items}
    for lf in leaves:
        if lf.source == "survey":
            assert lf.code in fed
            assert lf.weights, lf.code
    assert [f.name for f in scheme.fields][2] == "Cải cách thủ tục hành chính"
    for text in json.dumps(scheme.to_dict(), ensure_ascii=False).split('"'):
        assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("code", ["PAR_PROVINCE", "PAR_MINISTRY", "MINISTRY_INTERNAL"])
def test_to_dict_has_design_shape(shipped, code):
    d = json.loads(json.dumps(shipped[code].to_dict()))
    assert {"code", "name", "bands", "fields", "groups", "questionnaires"} <= set(d)
    assert all({"code", "min"} <= set(b) for b in d["bands"])
    for f in d["fields"]:
        assert {"code", "name", "criteria"} <= set(f)
        for c in f["criteria"]:
            assert {"code", "name", "subcriteria"} <= set(c)
            if not c["subcriteria"]:
                assert {"max", "source"} <= set(c)
            for s in c["subcriteria"]:
                assert {"code", "name", "max", "source", "weights"} <= set(s)
    for g in d["groups"]:
        assert {"code", "name", "priority", "questionnaire"} <= set(g)
    for q in d["questionnaires"]:
        assert {"code", "group", "items"} <= set(q)
        for it in q["items"]:
            assert {"code", "criterion", "text", "required", "options"} <= set(it)
            for o in it["options"]:
                assert {"code", "label", "credit"} <= set(o)


def test_province_groups_and_quotas(shipped):
    scheme = shipped["PAR_PROVINCE"]
    assert [g.code for g in scheme.groups] == ["HDND", "LD_SO", "LD_PHONG", "LD_HUYEN",
                                                "NGUOI_DAN"]
    citizens = scheme.group("NGUOI_DAN")
    assert citizens.requires_email is False
    assert citizens.quota_for("department") == (60, 60)
    assert citizens.quota_for("district") == (100, 100)
    assert scheme.group("HDND").quota_for("department") == (3, 10)
    # Explicit weight for citizens, default weight 1 for the other feeding groups.
    assert scheme.leaf("3.3.3").weights == {"HDND": 1.0, "LD_SO": 1.0, "NGUOI_DAN": 2.0}


def test_ministry_quotas(shipped):
    scheme = shipped["PAR_MINISTRY"]
    assert scheme.group("CB_CCHC").quota_for("ministry") == (2, 2)
    assert scheme.group("HIEP_HOI").quota_for("ministry") == (None, 5)


def test_internal_topical_questionnaires_stay_in_their_field(shipped):
    scheme = shipped["MINISTRY_INTERNAL"]
    topical = [q for q in scheme.questionnaires.values() if q.kind == "topical"]
    assert topical
    for q in topical:
        assert {it.field_code for it in q.items if it.type == "choice"} == {q.field}


# --- the minimal fixture and the model -----------------------------------------------------

def test_minimal_scheme_loads(tmp_path):
    result = load(tmp_path, minimal())
    assert result.problems == []
    scheme = result.schemes["T"]
    assert scheme.source_files == (S, Q1, Q2)
    assert len(scheme.digest) == 64
    assert scheme.leaf("1.2.1").weights == {"G1": 2.0}
    # 2.1 is fed by both groups: default weights 1 (G1) and 0.5 (G2).
    assert scheme.leaf("2.1").weights == {"G1": 1.0, "G2": 0.5}
    assert scheme.leaf("2.1").criterion_code == "2.1"
    assert scheme.leaf("1.2.2").field_code == "1"
    assert scheme.leaf("1.2.2").criterion_code == "1.2"
    q = scheme.questionnaires["Q_G1"]
    assert [it.field_code for it in q.items] == ["1", "2", None]
    assert list(q.items_by_field()) == ["1", "2", None]
    assert q.items[0].options[3].credit is None
    d = scheme.to_dict()
    assert d["fields"][0]["criteria"][0]["subcriteria"] == []
    assert d["fields"][0]["criteria"][1]["subcriteria"][0]["weights"] == {"G1": 2.0}
    with pytest.raises(KeyError):
        scheme.leaf("9.9")


def test_quota_for_by_unit_kind(tmp_path):
    scheme = load(tmp_path, minimal()).schemes["T"]
    assert scheme.group("G1").quota_for("department") == (1, 3)
    assert scheme.group("G1").quota_for("district") == (5, 5)
    assert scheme.group("G1").quota_for(None) == (1, 3)
    assert scheme.group("G2").quota_for("district") == (None, None)


def test_quota_shorthand_exact_number(tmp_path):
    files = minimal()
    files["scheme.yaml"]["groups"][1]["quota"] = 6
    scheme = load(tmp_path, files).schemes["T"]
    assert scheme.group("G2").quota_for("department") == (6, 6)


def test_digest_changes_with_any_file(tmp_path):
    a = load_directory(write(tmp_path, minimal(), "a")).schemes["T"]
    files = minimal()
    files["q_g2.yaml"]["title"] = "Phiếu 2 (sửa)"
    b = load_directory(write(tmp_path, files, "b")).schemes["T"]
    assert a.digest != b.digest


def test_strings_are_normalised_to_nfc(tmp_path):
    files = minimal()
    nfd = unicodedata.normalize("NFD", "Cải cách thủ tục hành chính")
    files["scheme.yaml"]["fields"][1]["name"] = nfd
    files["q_g1.yaml"]["items"][0]["options"][0]["label"] = unicodedata.normalize("NFD", "Rất tốt")
    scheme = load(tmp_path, files).schemes["T"]
    assert scheme.field("2").name == unicodedata.normalize("NFC", nfd)
    assert scheme.questionnaires["Q_G1"].items[0].options[0].label == "Rất tốt"
    assert unicodedata.is_normalized("NFC", scheme.field("2").name)


def test_scales_shared_from_scheme(tmp_path):
    files = minimal()
    files["scheme.yaml"]["scales"] = {"muc_do": copy.deepcopy(SCALE)}
    item = files["q_g2.yaml"]["items"][0]
    del item["options"]
    item["scale"] = "muc_do"
    scheme = load(tmp_path, files).schemes["T"]
    assert len(scheme.questionnaires["Q_G2"].items[0].options) == 4


def test_load_scheme_dir_and_missing_directory(tmp_path):
    d = write(tmp_path, minimal())
    assert qn.load_scheme_dir(d).schemes["T"].code == "T"
    assert load_directory(d).schemes["T"].code == "T"
    missing = load_directory(tmp_path / "nope")
    assert "no such directory" in missing.problems[0].message


def test_scheme_error_lists_problems():
    err = qn.SchemeError([qn.Problem("a/scheme.yaml", "total", "total must be a number")])
    assert "a/scheme.yaml: total: total must be a number" in str(err)


def test_package_does_not_import_flask():
    for path in qn.default_directory().glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import flask" not in text.lower() and "from flask" not in text.lower(), path
