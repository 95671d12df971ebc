"""End to end: template -> filled self-assessment workbook -> responses -> index compute -> workbook.

Scheme PAR_PROVINCE: survey sub-criteria add up to S = 37 points, assessed ones to A = 63
(S + A = 100). Four departments:

  CAO   every group answers "Rất tốt" (credit 1)      -> survey 37 · 1 = 37
        (+ one excluded response answering "Rất kém": left out)
        self = appraised = max on every assessed row   -> 63          total 100, 100 %
  TB    every group answers "Trung bình" (0.5), plus one HDND sheet all "Không biết"
        (not counted, so the mean stays 0.5)           -> 37 · 0.5 = 18.5
        self = max, appraised = max / 2 (typed with a decimal comma where it has one)
                                                       -> 63 / 2 = 31.5  total 50, 50 %
  HUY   survey voided (answers "Rất tốt" but 0 points) -> 0
        appraised = max                                -> 63          total 63, 63 %
  THAP  no responses -> 0; 1.1.1 self 1 (not appraised); 1.1.2 (max 2) not applicable
                                                       -> total 1 of 98 applicable = 1.0204… %
Ranks 1 CAO, 2 HUY, 3 TB, 4 THAP; bands A (≥90), D, D, D.
Field 1 (max 12: assessed 1.1.1 1, 1.1.2 2, 1.2 1.5, 1.3 1.5, 1.4.3 2 = 8; survey 1.4.1 2, 1.4.2 2 = 4):
  CAO 12, HUY 8, TB 4 · 0.5 + 8 / 2 = 6, THAP 1.
"""
import json

from app.extensions import db
from app.models import AssessmentImport, IndexRun, SelfAssessment, Unit

from .conftest import fill_template, workbook_from

GROUPS = ("HDND", "LD_SO", "LD_PHONG", "LD_HUYEN", "NGUOI_DAN")
UNITS = [("CAO", "Sở Cao", "department"), ("TB", "Sở Trung bình", "department"),
         ("HUY", "Sở Hủy", "department"), ("THAP", "Sở Thấp", "department")]


def _values(unit, crit, top):
    if unit == "CAO":
        return {"Điểm tự đánh giá": top, "Điểm thẩm định": top, "Cơ quan thẩm định": "Sở Nội vụ"}
    if unit == "TB":
        half = top / 2
        typed = str(half).replace(".", ",") if half != int(half) else half  # "0,75" as text
        return {"Điểm tự đánh giá": top, "Điểm thẩm định": typed, "Ghi chú / tài liệu kiểm chứng": "=HYPERLINK(x)"}
    if unit == "HUY":
        return {"Điểm thẩm định": top}
    if unit == "THAP" and crit == "1.1.1":
        return {"Điểm tự đánh giá": 1}
    if unit == "THAP" and crit == "1.1.2":
        return {"Không áp dụng": "x"}
    return None


def test_import_compute_and_read_the_workbook(runner, make_campaign, make_responses, tmp_path):
    campaign = make_campaign(units=UNITS)
    template = tmp_path / "mau.xlsx"
    out = runner.invoke(args=["assessments", "template", "--campaign", str(campaign.id), "--out", str(template)])
    assert out.exit_code == 0, out.output
    filled = tmp_path / "tu-danh-gia.xlsx"
    filled.write_bytes(fill_template(template.read_bytes(), _values))
    out = runner.invoke(args=["assessments", "import", str(filled), "--campaign", str(campaign.id), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["units"] == 4

    for g in GROUPS:
        make_responses(campaign, "CAO", g, "a")
        make_responses(campaign, "TB", g, "c")
        make_responses(campaign, "HUY", g, "a")
    make_responses(campaign, "CAO", "HDND", "e", excluded=True)
    make_responses(campaign, "TB", "HDND", "x")
    huy = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == "HUY"))
    huy.survey_voided, huy.void_reason = True, "Một thiết bị trả lời thay nhiều người"
    db.session.commit()

    book = tmp_path / "chi-so.xlsx"
    out = runner.invoke(args=["index", "compute", "--campaign", str(campaign.id), "--out", str(book),
                              "--draws", "50", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    by_code = {u["code"]: u for u in data["units"]}
    assert [u["code"] for u in data["units"]] == ["CAO", "HUY", "TB", "THAP"]
    assert by_code["CAO"]["total"] == 100 and by_code["CAO"]["percent"] == 100 and by_code["CAO"]["band"] == "A"
    assert by_code["TB"]["total"] == 50 and by_code["TB"]["rank"] == 3
    assert by_code["HUY"]["total"] == 63 and by_code["HUY"]["rank"] == 2 and by_code["HUY"]["voided"] is True
    assert by_code["THAP"]["total"] == 1 and abs(by_code["THAP"]["percent"] - 100 / 98) < 1e-12
    assert by_code["TB"]["fields"]["1"] == 6 and by_code["THAP"]["fields"]["1"] == 1
    run = db.session.get(IndexRun, data["run"])
    assert run.result_digest == data["result_digest"] and run.code_version

    wb = workbook_from(book.read_bytes())
    ws = wb["Xếp hạng"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["STT", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)",
                           "Xếp hạng", "Xếp loại"]
    assert ws.freeze_panes == "D2"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=5)]
    assert [r[:8] for r in rows] == [
        [1, "CAO", "Sở Cao", 100, 100, 100, 1, "A"],
        [2, "HUY", "Sở Hủy", 63, 100, 63, 2, "D"],
        [3, "TB", "Sở Trung bình", 50, 100, 50, 3, "D"],
        [4, "THAP", "Sở Thấp", 1, 98, rows[3][5], 4, "D"],
    ]
    assert abs(rows[3][5] - 100 / 98) < 1e-12 and isinstance(rows[3][5], float)
    assert ws.cell(2, 4).number_format == "0.00"
    assert rows[0][8] == 12 and rows[2][8] == 6  # field 1 column
    assert "Một thiết bị" in rows[1][-1]
    assert wb["Biểu đồ xếp hạng"]._charts, "ranking bar chart on its own sheet"
    assert {"Lĩnh vực 1", "Chi tiết khảo sát XHH", "Tự đánh giá - Thẩm định", "Quyết định can thiệp",
            "Độ vững xếp hạng", "Phương pháp", "Hồ sơ lĩnh vực"} <= set(wb.sheetnames)
    f1 = wb["Lĩnh vực 1"]
    assert [f1.cell(4, c).value for c in range(2, 8)] == ["TB", "Sở Trung bình", 6, 12, 50, 3]  # numbers, not prose
    # The note typed as a formula stays text.
    sa = wb["Tự đánh giá - Thẩm định"]
    notes = [sa.cell(r, 10) for r in range(2, sa.max_row + 1) if sa.cell(r, 1).value == "TB"]
    assert notes[0].value == "=HYPERLINK(x)" and notes[0].data_type != "f"
    method = wb["Phương pháp"]
    texts = [str(c.value) for row in method.iter_rows() for c in row if c.value is not None]
    imp = db.session.scalar(db.select(AssessmentImport))
    assert imp.sha256 in texts and run.inputs_digest in texts and run.code_version in texts
    assert db.session.scalar(db.select(db.func.count(SelfAssessment.id))) > 0
