"""Issue 12 §4 on the evidence page: a unit's answer share resting on fewer than k sheets is
not shown (it would be one or two people's answers); with enough sheets it is."""
import pytest

from app.extensions import db
from app.models import Finding, Unit
from tests.conftest import login


def _anomaly(campaign, unit_code, response_ids):
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
    finding = Finding(campaign_id=campaign.id, unit_id=unit.id, rule="unit_anomaly", severity="high", score=0.9,
                      response_ids=list(response_ids),
                      evidence={"variant": "top_share", "value_pct": 97.5, "kind_median_pct": 41.0, "z": 6.1,
                                "units_of_kind": 8, "unit_kind": "department"},
                      fingerprint=f"fp-{unit_code}-anomaly-{len(response_ids)}")
    db.session.add(finding)
    db.session.commit()
    return finding


@pytest.mark.parametrize("sheets, shown", [(2, False), (3, True)])
def test_unit_share_on_fewer_than_k_sheets_is_not_shown(campaign, make_response, client, make_user, sheets, shown):
    ids = [make_response(campaign, "SO_TP", "LD_SO", "a").id for _ in range(sheets)]
    finding = _anomaly(campaign, "SO_TP", ids)
    login(client, make_user("admin"))
    page = client.get(f"/interference/campaigns/{campaign.id}/findings/{finding.id}").get_data(as_text=True)
    assert ("97.5" in page or "97,5" in page) is shown
    assert ("&lt; 3 phiếu" in page) is not shown
