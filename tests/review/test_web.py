"""The review pages: roles, list with filters and unit risk, evidence page, decisions."""
import re

import pytest

from app.extensions import db
from app.interference_review.services import run_scan
from app.models import Decision, Finding, Response
from tests.conftest import csrf_token, login


@pytest.fixture
def scanned(planted):
    campaign, bad = planted
    run_scan(campaign)
    db.session.commit()
    return campaign, bad, db.session.scalar(db.select(Finding))


def _urls(campaign, finding):
    base = f"/interference/campaigns/{campaign.id}"
    return base, f"{base}/findings/{finding.id}"


@pytest.mark.parametrize("role", ["focal", "enumerator"])
def test_focal_and_enumerator_are_refused_everywhere(scanned, client, make_user, role):
    campaign, _, finding = scanned
    login(client, make_user(role, units=["SO_TP"]))
    listing, page = _urls(campaign, finding)
    for url in (listing, page):
        assert client.get(url).status_code == 403
    for url in (f"{listing}/scan", f"{page}/decide", f"{page}/revert"):
        assert client.post(url, data={}).status_code in (400, 403)


def test_coordinator_reads_but_cannot_decide(scanned, client, make_user):
    campaign, _, finding = scanned
    login(client, make_user("coordinator"))
    listing, page = _urls(campaign, finding)
    html = client.get(listing).get_data(as_text=True)
    assert "SO_TP" in html and "Quét ngay" not in html
    html = client.get(page).get_data(as_text=True)
    assert "<svg" in html and "Ghi quyết định" not in html
    token = csrf_token(client, listing)
    response = client.post(f"{page}/decide", data={"csrf_token": token, "d-action": "void", "d-reason": "x"})
    assert response.status_code == 403
    assert db.session.get(Finding, finding.id).state == "open"


def test_home_links_to_the_findings_for_staff(scanned, client, make_user):
    campaign, _, _ = scanned
    login(client, make_user("coordinator"))
    assert f"/interference/campaigns/{campaign.id}" in client.get("/").get_data(as_text=True)


def test_list_shows_unit_risk_and_filters(scanned, client, make_user):
    campaign, _, finding = scanned
    login(client, make_user("admin"))
    listing, _ = _urls(campaign, finding)
    html = client.get(listing).get_data(as_text=True)
    risk = html.split('id="unit-risk"')[1].split("</table>")[0]
    assert "SO_TP" in risk and re.search(r"0,\d\d", risk)  # Vietnamese decimal comma
    assert "Cùng một thiết bị" in html
    assert f"/findings/{finding.id}" in client.get(f"{listing}?unit=SO_TP&rule=same_device&severity=high").get_data(as_text=True)
    for query in ("unit=SO_NV", "rule=burst", "severity=low", "state=voided"):
        assert f"/findings/{finding.id}" not in client.get(f"{listing}?{query}").get_data(as_text=True), query


def test_evidence_page_explains_draws_and_compares(scanned, client, make_user):
    campaign, bad, finding = scanned
    login(client, make_user("admin"))
    _, page = _urls(campaign, finding)
    html = client.get(page).get_data(as_text=True)
    assert "4 phiếu của đơn vị SO_TP được gửi từ cùng một trình duyệt" in html
    assert html.count('class="iv-bar') == 4 and "<script" not in html and "style=" not in html
    table = html.split('id="similarity"')[1].split("</table>")[0]
    assert all(f"#{r.id}" in table for r in bad)
    assert "dev-shared" not in html and "net-x" not in html  # hashes are never shown, only D1 / N1 labels
    client.get("/lang/en")
    html = client.get(page).get_data(as_text=True)
    assert "4 responses of unit SO_TP were submitted from the same browser" in html


def test_admin_decides_exclude_then_reverts_on_the_web(scanned, client, make_user):
    campaign, bad, finding = scanned
    admin = make_user("admin")
    login(client, admin)
    _, page = _urls(campaign, finding)
    token = csrf_token(client, page)
    response = client.post(f"{page}/decide", data={"csrf_token": token, "d-action": "exclude", "d-reason": ""})
    assert response.status_code == 400 and "Cần ghi lý do" in response.get_data(as_text=True)
    response = client.post(f"{page}/decide", data={"csrf_token": token, "d-action": "exclude",
                                                   "d-reason": "Một thiết bị gửi 4 phiếu trong 9 phút"})
    assert response.status_code == 302
    ids = [r.id for r in bad]
    assert all(db.session.scalars(db.select(Response.excluded).where(Response.id.in_(ids))))
    html = client.get(page).get_data(as_text=True)
    assert "Một thiết bị gửi 4 phiếu trong 9 phút" in html and admin.email in html and "Hoàn tác" in html
    response = client.post(f"{page}/revert", data={"csrf_token": token, "r-reason": "Xác minh lại: máy dùng chung"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not any(db.session.scalars(db.select(Response.excluded).where(Response.id.in_(ids))))
    assert [d.action for d in db.session.scalars(db.select(Decision).order_by(Decision.id))] == ["exclude", "revert"]
    assert db.session.get(Finding, finding.id).state == "open"


def test_admin_scans_from_the_list(planted, client, make_user):
    campaign, _ = planted
    login(client, make_user("admin"))
    listing = f"/interference/campaigns/{campaign.id}"
    token = csrf_token(client, listing)
    response = client.post(f"{listing}/scan", data={"csrf_token": token}, follow_redirects=True)
    assert "1 phát hiện mới" in response.get_data(as_text=True)


def test_finding_of_another_campaign_is_404(scanned, client, make_user, make_campaign):
    campaign, _, finding = scanned
    other = make_campaign(name="Kỳ khác")
    login(client, make_user("admin"))
    assert client.get(f"/interference/campaigns/{other.id}/findings/{finding.id}").status_code == 404
