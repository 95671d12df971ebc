"""One test per validation rule: break the minimal scheme, expect one precise problem."""
import pytest

from tests.unit.qn_fixtures import Q1, Q2, S, assert_problem, load, minimal, write
from questionnaires import load_directory


def broken(tmp_path, edit):
    """Load the minimal scheme after ``edit(files)`` changed it in place."""
    files = minimal()
    edit(files)
    return load(tmp_path, files)


def scheme(files):
    return files["scheme.yaml"]


def crit(files, f, c):
    return scheme(files)["fields"][f]["criteria"][c]


# --- files, YAML, keys and types -----------------------------------------------------------

def test_malformed_yaml_names_the_line(tmp_path):
    files = minimal()
    files["q_g2.yaml"] = "code: Q_G2\nitems:\n  - code: Q1\n   text: [unclosed\n"
    result = load(tmp_path, files)
    assert_problem(result, Q2, "", "invalid YAML at line 4")
    # No echoes ("questionnaire does not exist", "leaf not fed") of the unreadable file.
    assert len(result.problems) == 1


def test_duplicate_yaml_key(tmp_path):
    files = minimal()
    files["q_g2.yaml"] = "code: Q_G2\ncode: Q_G3\n"
    assert_problem(load(tmp_path, files), Q2, "", "duplicate key 'code'")


def test_top_level_not_a_mapping(tmp_path):
    files = minimal()
    files["scheme.yaml"] = "- just\n- a list\n"
    assert_problem(load(tmp_path, files), S, "", "must be a mapping, got a list")


@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: crit(f, 0, 0).pop("max"), S, "fields[0].criteria[0].max",
                 "missing required key 'max'", id="missing_required_key"),
    pytest.param(lambda f: crit(f, 0, 0).update(maxx=2), S, "fields[0].criteria[0].maxx",
                 "unknown key 'maxx'", id="unknown_key_is_reported"),
    pytest.param(lambda f: crit(f, 0, 1)["subcriteria"][1].update(max="hai"),
                 S, "fields[0].criteria[1].subcriteria[1].max",
                 "max must be a number, got 'hai'",
                 id="max_not_a_number"),
    pytest.param(lambda f: scheme(f)["fields"][1].update(code=2), S, "fields[1].code",
                 'write it in quotes: "2"', id="unquoted_numeric_code"),
])
def test_keys_and_types(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


# --- duplicate codes -----------------------------------------------------------------------

@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: scheme(f)["fields"][1].update(code="1"), S, "fields[1].code",
                 "duplicate criterion code '1'", id="duplicate_field_code"),
    pytest.param(lambda f: crit(f, 0, 1)["subcriteria"][1].update(code="1.1"),
                 S, "fields[0].criteria[1].subcriteria[1].code",
                 "duplicate criterion code '1.1' (already used at fields[0].criteria[0].code)",
                 id="duplicate_code_across_the_tree"),
    pytest.param(lambda f: scheme(f)["groups"][1].update(code="G1"), S, "groups[1].code",
                 "duplicate group code 'G1'", id="duplicate_group_code"),
    pytest.param(lambda f: f["q_g2.yaml"].update(code="Q_G1"), Q2, "code",
                 "duplicate questionnaire code 'Q_G1'", id="duplicate_questionnaire_code"),
    pytest.param(lambda f: f["q_g1.yaml"]["items"][1].update(code="Q1"), Q1, "items[1].code",
                 "duplicate item code 'Q1'", id="duplicate_item_code"),
    pytest.param(lambda f: f["q_g1.yaml"]["items"][0]["options"][1].update(code="a"), Q1, "items[0].options[1].code",
                 "duplicate option code 'a'", id="duplicate_option_code"),
])
def test_duplicate_codes(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


def test_duplicate_scheme_code_across_directories(tmp_path):
    write(tmp_path, minimal(), "a")
    write(tmp_path, minimal(), "b")
    result = load_directory(tmp_path)
    assert [str(p) for p in result.problems] == [
        "b/scheme.yaml: code: duplicate scheme code 'T' (already used in a/scheme.yaml)"]
    assert result.schemes["T"].source_files[0] == "a/scheme.yaml"


# --- maxima --------------------------------------------------------------------------------

@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: crit(f, 0, 1)["subcriteria"][1].update(max=1.5), S, "fields[0].criteria[1].max",
                 "subcriteria add up to 3.5 but criterion '1.2' has max 4", id="subcriteria_do_not_add_up"),
    pytest.param(lambda f: scheme(f).update(total=100), S, "total",
                 "fields add up to 10 but scheme 'T' has total 100", id="fields_do_not_add_up"),
])
def test_maxima(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


def test_criteria_do_not_add_up(tmp_path):
    def edit(f):
        crit(f, 1, 0)["max"] = 3.5
    assert_problem(broken(tmp_path, edit), S, "fields[1].max",
                   "criteria add up to 3.5 but field '2' has max 4")


def test_float_sums_use_a_tolerance(tmp_path):
    def edit(f):
        subs = crit(f, 0, 1)["subcriteria"]
        subs[0]["max"], subs[1]["max"] = 0.1 + 0.2 + 1.7, 2.0  # 2.0000000000000004 - ok
    assert broken(tmp_path, edit).problems == []


# --- sources and weights -------------------------------------------------------------------

@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: crit(f, 0, 0).update(source="survey_"), S, "fields[0].criteria[0].source",
                 "source must be 'assessed' or 'survey', got 'survey_'", id="unknown_source"),
    pytest.param(lambda f: crit(f, 0, 1).update(source="assessed"), S, "fields[0].criteria[1].source",
                 "both subcriteria and a source", id="node_with_subcriteria_and_source"),
    pytest.param(lambda f: crit(f, 0, 0).pop("source"), S, "fields[0].criteria[0].source",
                 "needs a source", id="leaf_without_source"),
    pytest.param(lambda f: crit(f, 0, 1)["subcriteria"][0]["weights"].update(GX=1),
                 S, "fields[0].criteria[1].subcriteria[0].weights.GX",
                 "unknown group 'GX'",
                 id="weights_name_unknown_group"),
    pytest.param(lambda f: crit(f, 0, 1)["subcriteria"][0]["weights"].update(G1=-1),
                 S, "fields[0].criteria[1].subcriteria[0].weights.G1",
                 "must not be negative, got -1",
                 id="negative_weight"),
    pytest.param(lambda f: scheme(f)["groups"][0].update(weight=-0.5), S, "groups[0].weight",
                 "must not be negative, got -0.5", id="negative_group_weight"),
    pytest.param(lambda f: crit(f, 0, 0).update(weights={"G1": 1}), S, "fields[0].criteria[0].weights",
                 "only allowed on survey leaves", id="weights_on_assessed_leaf"),
    pytest.param(lambda f: crit(f, 0, 1)["subcriteria"][0]["weights"].update(G2=1),
                 S, "fields[0].criteria[1].subcriteria[0].weights.G2",
                 "group 'G2', which has no question on '1.2.1'",
                 id="weights_name_group_without_question_on_leaf"),
])
def test_sources_and_weights(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


# --- questionnaire items -------------------------------------------------------------------

@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: f["q_g1.yaml"]["items"][0].update(criterion="9.9"), Q1, "items[0].criterion",
                 "unknown criterion '9.9'", id="item_unknown_criterion"),
    pytest.param(lambda f: f["q_g1.yaml"]["items"][0].update(criterion="1.1"), Q1, "items[0].criterion",
                 "'1.1' is assessed, not survey", id="item_mapped_to_assessed_leaf"),
    pytest.param(lambda f: f["q_g1.yaml"]["items"][0].update(criterion="1.2"), Q1, "items[0].criterion",
                 "'1.2' is not a leaf", id="item_mapped_to_non_leaf"),
    pytest.param(lambda f: f["q_g1.yaml"]["items"][0]["options"][0].pop("label"), Q1, "items[0].options[0].label",
                 "missing required key 'label'", id="option_without_label"),
])
def test_questionnaire_items(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


def test_survey_leaf_not_fed(tmp_path):
    def edit(f):
        del f["q_g1.yaml"]["items"][0]
        del crit(f, 0, 1)["subcriteria"][0]["weights"]
    assert_problem(broken(tmp_path, edit), S, "fields[0].criteria[1].subcriteria[0]",
                   "survey leaf '1.2.1' is not fed by any question")


@pytest.mark.parametrize("credit, shown", [(1.5, "1.5"), (-0.25, "-0.25")])
def test_credit_out_of_range(tmp_path, credit, shown):
    result = broken(tmp_path,
                    lambda f: f["q_g1.yaml"]["items"][1]["options"][2].update(credit=credit))
    assert_problem(result, Q1, "items[1].options[2].credit",
                   f"credit must be between 0 and 1 (or null), got {shown}")


def test_item_with_one_option(tmp_path):
    def edit(f):
        f["q_g2.yaml"]["items"][0]["options"] = f["q_g2.yaml"]["items"][0]["options"][:1]
    assert_problem(broken(tmp_path, edit), Q2, "items[0].options", "at least 2 options, got 1")


def test_options_without_any_credit(tmp_path):
    def edit(f):
        for opt in f["q_g2.yaml"]["items"][0]["options"]:
            opt["credit"] = None
    assert_problem(broken(tmp_path, edit), Q2, "items[0].options", "no option carries a credit")


def test_unknown_scale(tmp_path):
    def edit(f):
        item = f["q_g2.yaml"]["items"][0]
        del item["options"]
        item["scale"] = "nope"
    assert_problem(broken(tmp_path, edit), Q2, "items[0].scale", "unknown scale 'nope'")


# --- groups and questionnaires -------------------------------------------------------------

def test_group_questionnaire_missing(tmp_path):
    def edit(f):
        scheme(f)["groups"][1]["questionnaire"] = "Q_NONE"
    result = broken(tmp_path, edit)
    assert_problem(result, S, "groups[1].questionnaire",
                   "questionnaire 'Q_NONE' of group 'G2' does not exist")
    assert_problem(result, Q2, "group", "group 'G2' uses questionnaire 'Q_NONE', not 'Q_G2'")


@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: f["q_g2.yaml"].update(group="G9"), Q2, "group", "unknown group 'G9'", id="unknown-group"),
    pytest.param(lambda f: f["q_g2.yaml"].update(scheme="OTHER"), Q2, "scheme", "points at scheme 'OTHER'",
                 id="of-another-scheme"),
    pytest.param(lambda f: f["q_g2.yaml"].pop("field"), Q2, "field", "a topical questionnaire needs the field",
                 id="topical-without-field"),
    pytest.param(lambda f: f["q_g1.yaml"].update(field="1"), Q1, "field", "only a topical questionnaire",
                 id="full-with-field"),
    pytest.param(lambda f: f["q_g1.yaml"].update(kind="partial"), Q1, "kind", "got 'partial'", id="unknown-kind"),
])
def test_questionnaire_header(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


def test_topical_item_outside_its_field(tmp_path):
    def edit(f):
        f["q_g2.yaml"]["items"][0]["criterion"] = "1.2.1"
        crit(f, 0, 1)["subcriteria"][0]["weights"] = {"G1": 2, "G2": 1}
    assert_problem(broken(tmp_path, edit), Q2, "items[0].criterion",
                   "belongs to field '1', outside the topical field '2'")


# --- bands, priorities, quotas -------------------------------------------------------------

def test_bands_not_descending(tmp_path):
    def edit(f):
        scheme(f)["bands"] = [{"code": "A", "name": "a", "min": 50},
                              {"code": "B", "name": "b", "min": 70},
                              {"code": "C", "name": "c", "min": 0}]
    assert_problem(broken(tmp_path, edit), S, "bands[1].min", "70 is not below 50")


@pytest.mark.parametrize("edit, file, path, message", [
    pytest.param(lambda f: scheme(f)["bands"][0].update(min=120), S, "bands[0].min",
                 "between 0 and 100, got 120", id="band_min_outside_range"),
    pytest.param(lambda f: scheme(f)["bands"][1].update(min=10), S, "bands[1].min",
                 "lowest band must start at 0, got 10", id="lowest_band_must_start_at_zero"),
    pytest.param(lambda f: scheme(f)["groups"][1].update(priority=1), S, "groups[1].priority",
                 "priority 1 is already used by group 'G1'", id="priority_not_unique"),
    pytest.param(lambda f: scheme(f)["groups"][0].update(quota={"min": 5, "max": 3}), S, "groups[0].quota.min",
                 "quota min 5 is greater than max 3", id="quota_min_above_max"),
    pytest.param(lambda f: scheme(f)["groups"][0].update(quota={"min": -1}), S, "groups[0].quota.min",
                 "must not be negative, got -1", id="quota_negative"),
])
def test_bands_priorities_quotas(tmp_path, edit, file, path, message):
    assert_problem(broken(tmp_path, edit), file, path, message)


@pytest.mark.parametrize("value, fragment", [(0, "positive integer, got 0"),
                                             (1.5, "must be an integer, got 1.5")])
def test_priority_not_positive_int(tmp_path, value, fragment):
    result = broken(tmp_path, lambda f: scheme(f)["groups"][1].update(priority=value))
    assert_problem(result, S, "groups[1].priority", fragment)


def test_quota_by_unknown_kind(tmp_path):
    def edit(f):
        scheme(f)["groups"][0]["quota_by_kind"] = {"commune": 3}
    assert_problem(broken(tmp_path, edit), S, "groups[0].quota_by_kind.commune",
                   "unknown unit kind 'commune'")


def test_many_problems_are_all_reported(tmp_path):
    def edit(f):
        scheme(f)["total"] = "mười"
        f["q_g1.yaml"]["items"][0]["criterion"] = "9.9"
        f["q_g2.yaml"]["items"][0]["options"][0]["credit"] = 2
    result = broken(tmp_path, edit)
    assert {p.file for p in result.problems} == {S, Q1, Q2}
