"""Index readiness before computing: what is not ready, a stored reason to compute anyway, the same
flags on the web as in the workbook, and a clear message on an empty campaign (issue 14 point 10)."""
from datetime import timedelta

from app.core import clock
from app.extensions import db
from app.models import AuditEntry, Campaign, IndexRun, RespondentList
from tests.conftest import csrf_token


def _post(client, campaign, reason=None):
    token = csrf_token(client, f"/index/campaigns/{campaign.id}")
    data = {"csrf_token": token} | ({"reason": reason} if reason is not None else {})
    return client.post(f"/index/campaigns/{campaign.id}/compute", data=data, follow_redirects=True)


def _runs() -> int:
    return db.session.scalar(db.select(db.func.count(IndexRun.id)))


def test_an_empty_campaign_gets_a_clear_message_never_a_500(client, as_role, make_campaign):
    as_role("admin")
    no_units = make_campaign(units=[], name="Kỳ trống")
    page = client.get(f"/index/campaigns/{no_units.id}").get_data(as_text=True)
    assert "chưa có đơn vị được đánh giá nào" in page and "Vẫn tính chỉ số" not in page
    done = _post(client, no_units, "thử")
    assert done.status_code == 200 and "chưa có đơn vị được đánh giá nào" in done.get_data(as_text=True)
    no_data = make_campaign(name="Kỳ chưa có dữ liệu")
    assert "chưa có dữ liệu để tính chỉ số" in _post(client, no_data, "thử").get_data(as_text=True)
    assert _runs() == 0


def test_not_ready_needs_a_reason_which_is_stored(client, as_role, make_campaign, make_responses):
    campaign = make_campaign()
    make_responses(campaign, "SO_TP", "HDND", "a", n=2)
    as_role("admin")
    page = client.get(f"/index/campaigns/{campaign.id}").get_data(as_text=True)
    assert "3 đơn vị chưa được duyệt danh sách" in page and "Thời hạn trả lời phiếu chưa kết thúc" in page
    assert "3 đơn vị có dưới 3 phiếu" in page  # SO_TP has 2, the others none
    refused = _post(client, campaign, "   ").get_data(as_text=True)
    assert "hãy ghi lý do nếu vẫn tính" in refused and _runs() == 0
    done = _post(client, campaign, "Số liệu sơ bộ cho  Ban Chỉ đạo.").get_data(as_text=True)
    run = db.session.scalar(db.select(IndexRun))
    assert run.params["readiness"]["reason"] == "Số liệu sơ bộ cho Ban Chỉ đạo."
    assert set(run.params["readiness"]["issues"]) == {"lists", "answering", "sheets"}
    assert "Lý do: Số liệu sơ bộ cho Ban Chỉ đạo." in done
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "index.compute"))
    assert entry.details["reason"] == "Số liệu sơ bộ cho Ban Chỉ đạo."
    # The web ranking carries the workbook's notes (assessed scores missing, survey data missing …).
    ranking = client.get(f"/index/campaigns/{campaign.id}").get_data(as_text=True)
    assert "tiêu chí" in ranking.split("Ghi chú")[1]


def test_a_ready_campaign_computes_without_a_reason(client, as_role, make_campaign, make_responses):
    campaign = make_campaign(units=[("SO_TP", "Sở Tư pháp", "department")])
    make_responses(campaign, "SO_TP", "HDND", "a", n=3)
    for rlist in db.session.scalars(db.select(RespondentList)):
        rlist.state = "approved"
    if not db.session.scalar(db.select(RespondentList)):
        db.session.add(RespondentList(campaign_id=campaign.id, unit_id=campaign.units[0].id, state="approved"))
    c = db.session.get(Campaign, campaign.id)
    c.answers_by = clock.today() - timedelta(days=1)
    db.session.commit()
    as_role("admin")
    page = client.get(f"/index/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Sẵn sàng" in page and 'name="reason"' not in page
    assert "Đã tính chỉ số" in _post(client, campaign).get_data(as_text=True)
    assert "readiness" not in db.session.scalar(db.select(IndexRun)).params
