"""No English codes on Vietnamese pages: unit kinds, audit actions, list states (issue 14 point 13)."""
import re
from pathlib import Path

from app.core.labels import AUDIT_ACTIONS
from tests.conftest import login

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_recorded_audit_action_has_a_vietnamese_name():
    recorded = set()
    for path in APP.rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\("([a-z_.]+)"', path.read_text(encoding="utf-8")))
        recorded |= set(re.findall(r'_reissue\(.*"([a-z_.]+)"\)', path.read_text(encoding="utf-8")))
    recorded |= {f"finding.{a}" for a in ("dismiss", "exclude", "void", "revert")}
    recorded |= {"deadline.lists", "deadline.answers"}
    assert recorded and not recorded - set(AUDIT_ACTIONS)


def test_campaign_and_audit_pages_name_kinds_and_actions_in_vietnamese(client, make_user, make_campaign):
    campaign = make_campaign()
    login(client, make_user("admin"))
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Sở, ban, ngành" in page and "UBND cấp huyện" in page
    assert ">department<" not in page and ">district<" not in page
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "Tạo kỳ đánh giá" in audit and "Thêm đơn vị" in audit
    assert ">campaign.create<" not in audit and ">unit.create<" not in audit  # codes only as option values
