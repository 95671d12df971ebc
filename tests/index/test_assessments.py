"""Self-assessment import: row-level Vietnamese errors, all or nothing, scope and deadline."""
import hashlib
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.index.assessments import AssessmentError, import_assessments
from app.models import AssessmentImport, AuditEntry, SelfAssessment, Unit

HEADER = "Mã đơn vị,Mã tiêu chí,Điểm tự đánh giá,Điểm thẩm định,Cơ quan thẩm định,Không áp dụng,Ghi chú\n"


def csv(*lines) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


def scores(campaign):
    rows = db.session.execute(db.select(Unit.code, SelfAssessment.criterion_code, SelfAssessment.self_score,
                                        SelfAssessment.appraised_score, SelfAssessment.not_applicable)
                              .join(Unit, Unit.id == SelfAssessment.unit_id)
                              .where(SelfAssessment.campaign_id == campaign.id)).all()
    return {(u, c): (s, a, na) for u, c, s, a, na in rows}


def test_decimal_comma_not_applicable_and_record(make_campaign):
    campaign = make_campaign()
    data = csv('SO_TP,1.1.2,"1,5",,,,', "SO_TP,1.2,1.25,1,Sở Nội vụ,,Báo cáo số 12", "SO_TP,1.3,,,,KAD,",
               "SO_NV,1.1.1,1,,,không áp dụng,")
    result = import_assessments(campaign, "diem.csv", data)
    db.session.commit()
    assert scores(campaign) == {("SO_TP", "1.1.2"): (1.5, None, False), ("SO_TP", "1.2"): (1.25, 1.0, False),
                                ("SO_TP", "1.3"): (None, None, True), ("SO_NV", "1.1.1"): (1.0, None, True)}
    record = db.session.get(AssessmentImport, result["import"])
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.rows == 4
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "assessments.import"))


def test_every_bad_row_is_listed_and_nothing_is_written(make_campaign):
    campaign = make_campaign()
    import_assessments(campaign, "truoc.csv", csv("SO_TP,1.1.1,1,,,,"))
    db.session.commit()
    before = scores(campaign)
    data = csv("SO_TP,1.1.1,0.5,,,,",         # fine, but the file is refused as a whole
               "KHONG_CO,1.1.1,1,,,,",         # row 3: unknown unit
               "SO_TP,9.9.9,1,,,,",            # row 4: unknown criterion
               "SO_TP,1.1.2,2.5,,,,",          # row 5: above the max (2)
               "SO_TP,1.2,-1,,,,",             # row 6: below 0
               "SO_TP,1.3,mười,,,,",           # row 7: text where a number belongs
               "SO_TP,1.4.1,1,,,,",            # row 8: a survey sub-criterion
               "SO_TP,1.1.1,1,,,,",            # row 9: duplicate of row 2
               "SO_TP,2.2,1,,,có lẽ,")         # row 10: not a "not applicable" mark
    with pytest.raises(AssessmentError) as err:
        import_assessments(campaign, "sai.csv", data)
    db.session.rollback()
    rows = {(e["row"], e["message"]) for e in err.value.errors}
    assert rows == {
        (3, "Mã đơn vị 'KHONG_CO' không có trong kỳ đánh giá."),
        (4, "Mã tiêu chí '9.9.9' không có trong bộ chỉ số."),
        (5, "Điểm tự đánh giá 2,5 nằm ngoài khoảng 0 – 2."),
        (6, "Điểm tự đánh giá -1 nằm ngoài khoảng 0 – 1,5."),
        (7, "Điểm tự đánh giá 'mười' không phải là số."),
        (8, "Tiêu chí '1.4.1' được chấm bằng điều tra XHH, không nhập điểm."),
        (9, "Trùng đơn vị và tiêu chí với dòng 2."),
        (10, "Cột “Không áp dụng” chỉ nhận “x” hoặc để trống, không nhận 'có lẽ'."),
    }
    assert "chưa có điểm nào được ghi" in str(err.value)
    assert scores(campaign) == before
    assert db.session.scalar(db.select(db.func.count(AssessmentImport.id))) == 1


def test_reimport_replaces_the_units_scores(make_campaign):
    campaign = make_campaign()
    import_assessments(campaign, "a.csv", csv("SO_TP,1.1.1,1,,,,", "SO_TP,1.2,1,,,,", "SO_NV,1.2,1,,,,"))
    import_assessments(campaign, "b.csv", csv("SO_TP,1.3,0.5,,,,"))
    db.session.commit()
    assert scores(campaign) == {("SO_TP", "1.3"): (0.5, None, False), ("SO_NV", "1.2"): (1.0, None, False)}


def test_focal_only_own_units_self_scores_and_keeps_appraisal(make_campaign, make_user):
    campaign = make_campaign()
    import_assessments(campaign, "tt.csv", csv("SO_TP,1.1.1,1,0.5,Sở Nội vụ,,", "SO_TP,1.2,1,1,Sở Nội vụ,,"))
    focal = make_user("focal", units=["SO_TP"])
    with pytest.raises(AssessmentError) as err:
        import_assessments(campaign, "f.csv", csv("SO_NV,1.1.1,1,,,,", "SO_TP,1.1.1,1,1,,,"), actor=focal)
    assert [(e["row"], e["message"]) for e in err.value.errors] == [
        (2, "Tệp có 1 dòng của đơn vị khác (SO_NV), không thuộc tài khoản này (SO_TP). "
            "Hãy tải biểu mẫu của đơn vị mình, điền rồi nhập lại."),
        (3, "Chỉ Thường trực / Tổ thư ký được nhập điểm thẩm định."),
    ]
    db.session.rollback()
    import_assessments(campaign, "f.csv", csv("SO_TP,1.1.1,0.75,,,,"), actor=focal)
    db.session.commit()
    # The self score changed; the appraisals stay, also for 1.2 that the unit left out.
    assert scores(campaign) == {("SO_TP", "1.1.1"): (0.75, 0.5, False), ("SO_TP", "1.2"): (None, 1.0, False)}


def test_focal_locked_after_the_deadline_admin_is_not(make_campaign, make_user):
    today = date.today()
    campaign = make_campaign(lists_by=today - timedelta(days=30), answers_by=today - timedelta(days=20),
                             assessments_by=today - timedelta(days=1))
    focal = make_user("focal", units=["SO_TP"])
    with pytest.raises(AssessmentError) as err:
        import_assessments(campaign, "f.csv", csv("SO_TP,1.1.1,1,,,,"), actor=focal)
    assert "Đã quá hạn tự đánh giá" in str(err.value)
    import_assessments(campaign, "tt.csv", csv("SO_TP,1.1.1,1,,,,"))
    assert scores(campaign)[("SO_TP", "1.1.1")][0] == 1.0


def test_cli_import_refuses_with_row_numbers(runner, make_campaign, tmp_path):
    campaign = make_campaign()
    f = tmp_path / "sai.csv"
    f.write_bytes(csv("SO_TP,1.1.1,5,,,,"))
    out = runner.invoke(args=["assessments", "import", str(f), "--campaign", str(campaign.id)])
    assert out.exit_code != 0 and "dòng 2: Điểm tự đánh giá 5 nằm ngoài khoảng 0 – 1." in out.output
    assert scores(campaign) == {}


def test_missing_column_and_unreadable_file(make_campaign):
    campaign = make_campaign()
    with pytest.raises(AssessmentError, match="Thiếu cột: Điểm tự đánh giá"):
        import_assessments(campaign, "x.csv", "Mã đơn vị,Mã tiêu chí\nSO_TP,1.1.1\n".encode())
    with pytest.raises(AssessmentError, match="không phải bảng tính"):
        import_assessments(campaign, "x.pdf", b"%PDF-1.4")
