"""`interference scan` and `interference decide` (DESIGN.md §6)."""
import json

from app.extensions import db
from app.models import AuditEntry, Decision, Finding


def test_scan_json_prints_one_object_with_findings_and_unit_risk(planted, runner):
    campaign, bad = planted
    result = runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["campaign"] == campaign.id
    (finding,) = payload["findings"]
    assert set(finding) >= {"id", "rule", "unit", "severity", "score", "response_ids"}
    assert finding["rule"] == "same_device" and finding["unit"] == "SO_TP"
    assert finding["response_ids"] == [r.id for r in bad]
    assert payload["unit_risk"][0]["unit"] == "SO_TP" and "level" in payload["unit_risk"][0]
    again = json.loads(runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id), "--json"]).output)
    assert again["findings"][0]["id"] == finding["id"] and again["new_findings"] == 0


def test_scan_unknown_campaign_is_a_clear_error(runner, app):
    result = runner.invoke(args=["interference", "scan", "--campaign", "999", "--json"])
    assert result.exit_code != 0 and "999" in result.output


def test_decide_void_then_revert(planted, runner, make_user):
    campaign, bad = planted
    admin = make_user("admin", email="thu.ky@example.gov.vn")
    finding_id = json.loads(runner.invoke(
        args=["interference", "scan", "--campaign", str(campaign.id), "--json"]).output)["findings"][0]["id"]
    result = runner.invoke(args=["interference", "decide", str(finding_id), "--action", "void", "--reason",
                                 "Một thiết bị trả lời thay 4 người", "--user", admin.email, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["finding"]["state"] == "voided" and payload["unit"]["survey_voided"] is True
    decision = db.session.scalar(db.select(Decision))
    assert decision.user_id == admin.id
    result = runner.invoke(args=["interference", "decide", str(finding_id), "--action", "revert",
                                 "--reason", "Hội đồng xem lại", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unit"]["survey_voided"] is False
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "finding.revert")).details["via"] == "cli"


def test_decide_errors_are_clear_and_change_nothing(planted, runner):
    campaign, _ = planted
    runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id)])
    finding = db.session.scalar(db.select(Finding))
    cases = [
        (["999999", "--action", "void", "--reason", "x"], "Không có phát hiện với mã số 999999"),
        ([str(finding.id), "--action", "delete", "--reason", "x"], "không hợp lệ"),
        ([str(finding.id), "--action", "void"], "Cần ghi lý do"),
        ([str(finding.id), "--action", "void", "--reason", "  "], "Cần ghi lý do"),
        ([str(finding.id), "--action", "revert", "--reason", "x"], "chưa có quyết định"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["interference", "decide", *args, "--json"])
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).state == "open"
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 0
