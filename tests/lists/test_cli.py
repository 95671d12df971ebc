"""CLI: respondents template / import (same service as the web), lists approve / return."""
import json

from openpyxl import load_workbook

from app.extensions import db
from app.models import Respondent, RespondentList
from tests.lists.conftest import person, xlsx


def test_template_and_import_json_report(runner, campaign, tmp_path):
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(args=["respondents", "template", "--campaign", str(campaign.id), "--unit", "SO_TP",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[1] == "Hướng dẫn"
    f = tmp_path / "ds.xlsx"
    f.write_bytes(xlsx([person(1), person(2, email="x y@gov"), person(3, email="nguoi1@sotp.gov.vn")]))
    result = runner.invoke(args=["respondents", "import", str(f), "--campaign", str(campaign.id), "--unit", "SO_TP",
                                 "--json"])
    assert result.exit_code == 1  # some rows had errors: reported, good rows stored
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["imported"]) == (3, 1)
    assert report["errors"][0]["row"] == 3 and "không hợp lệ" in report["errors"][0]["reason"]
    assert report["duplicates"][0]["row"] == 4
    assert db.session.scalar(db.select(db.func.count(Respondent.id))) == 1


def test_import_submit_approve_return(runner, campaign, tmp_path):
    f = tmp_path / "ds.csv"
    f.write_bytes(xlsx([person(1)]))
    args = ["respondents", "import", str(f), "--campaign", str(campaign.id), "--unit", "SO_TP", "--submit", "--json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "giải trình" in result.stderr
    result = runner.invoke(args=args + ["--mode", "append", "--explanation", "Sở nhỏ."])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["submitted"] is True
    ok = runner.invoke(args=["lists", "approve", "--campaign", str(campaign.id), "--unit", "SO_TP", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["state"] == "approved"
    ret = runner.invoke(args=["lists", "return", "--campaign", str(campaign.id), "--unit", "SO_TP",
                              "--reason", "Thiếu người", "--json"])
    assert ret.exit_code == 0 and json.loads(ret.stdout)["state"] == "returned"
    again = runner.invoke(args=["lists", "approve", "--campaign", str(campaign.id), "--unit", "SO_TP"])
    assert again.exit_code != 0 and "Chỉ duyệt" in again.output
    assert db.session.scalar(db.select(RespondentList.return_reason)) == "Thiếu người"


def test_import_refuses_big_and_bad_files(app, runner, campaign, tmp_path):
    big = tmp_path / "to.csv"
    big.write_bytes(b"x" * 2000)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    result = runner.invoke(args=["respondents", "import", str(big), "--campaign", str(campaign.id), "--unit", "SO_TP"])
    assert result.exit_code == 2 and "vượt giới hạn" in result.output
    app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024
    bad = tmp_path / "ds.docx"
    bad.write_bytes(b"hello")
    result = runner.invoke(args=["respondents", "import", str(bad), "--campaign", str(campaign.id), "--unit", "SO_TP"])
    assert result.exit_code == 2 and "không phải bảng tính" in result.output
    result = runner.invoke(args=["respondents", "import", str(bad), "--campaign", str(campaign.id), "--unit", "NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.output
