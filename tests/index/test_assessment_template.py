"""The assessment template checks while typing (0…max per row, the "Không áp dụng" list), a focal
unit downloads only its own rows, and the secretariat's whole file uploaded by a focal unit gives
one clear error instead of hundreds (issue 15 point 3)."""
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.index.assessments import AssessmentError, build_template, error_lines, import_assessments
from app.models import SelfAssessment


def _workbook(data):
    return load_workbook(io.BytesIO(data)).active


def test_template_validates_scores_per_row_and_the_na_column(make_campaign):
    campaign = make_campaign()
    ws = _workbook(build_template(campaign))
    header = [c.value for c in ws[1]]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    last = ws.max_row
    self_col, max_col = "F", "E"
    assert header[4] == "Điểm tối đa" and header[5] == "Điểm tự đánh giá"
    score = rules[f"{self_col}2:{self_col}{last}"]
    operator = score.operator or "between"  # the default of the file format: the writer may leave it out
    assert (score.type, operator, score.formula1, score.formula2) == ("decimal", "between", "0", f"${max_col}2")
    assert score.showErrorMessage and "điểm tối đa" in score.error
    na_col = "abcdefghij"[header.index("Không áp dụng")].upper()
    na = rules[f"{na_col}2:{na_col}{last}"]
    assert (na.type, na.formula1) == ("list", '"x"')
    assert f"G2:G{last}" in rules  # the appraised score, in the secretariat's template


def test_focal_downloads_only_its_own_rows_without_appraisal(make_campaign, make_user):
    campaign = make_campaign()
    focal = make_user("focal", units=["SO_TP"])
    ws = _workbook(build_template(campaign, focal))
    units = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert units == {"SO_TP"}
    assert "Điểm thẩm định" not in [c.value for c in ws[1]]


def test_whole_secretariat_file_from_a_focal_unit_is_one_error(make_campaign, make_user):
    campaign = make_campaign()
    focal = make_user("focal", units=["SO_TP"])
    with pytest.raises(AssessmentError) as err:
        wb = load_workbook(io.BytesIO(build_template(campaign)))  # every unit's rows but SO_TP's
        sheet = wb.active
        for r in sorted((r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "SO_TP"),
                        reverse=True):
            sheet.delete_rows(r)
        other = io.BytesIO()
        wb.save(other)
        import_assessments(campaign, "tt.xlsx", other.getvalue(), actor=focal)
    assert err.value.errors == [] and error_lines(err.value) == []
    assert "của đơn vị khác" in str(err.value) and "(SO_TP)" in str(err.value)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SelfAssessment.id))) == 0
