"""The focal unit's home page: its tasks with state and deadline (issue 14 point 7)."""
from datetime import timedelta

from app.core import clock
from app.extensions import db
from app.lists.state import submit
from app.models import Group, Respondent, Unit
from tests.conftest import login


def test_focal_home_lists_each_unit_task_with_state_and_deadline(client, make_user, make_campaign):
    today = clock.today()
    campaign = make_campaign(lists_by=today + timedelta(days=3), answers_by=today + timedelta(days=20))
    campaign.assessments_by = today - timedelta(days=1)  # out of order on purpose: only the lock is shown here
    db.session.commit()
    login(client, make_user("focal", units=["SO_TP"]))
    html = client.get("/").get_data(as_text=True)
    assert "Xin chào" not in html and "Việc cần làm của đơn vị" in html
    assert "Sở Tư pháp" in html and "Sở Nội vụ" not in html  # only its own units
    assert "Đang soạn" in html and "còn 3 ngày" in html
    assert "mới đạt" in html  # an empty list meets no quota with a minimum
    assert "chưa nhập" in html and "đã quá hạn" in html  # self-assessment due yesterday
    assert (today + timedelta(days=3)).strftime("%d/%m/%Y") in html


def test_a_submitted_list_shows_as_done(client, make_user, make_campaign):
    campaign = make_campaign()
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == "SO_TP"))
    group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == "LD_SO"))
    db.session.add(Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, full_name="Lê Văn Cường",
                              email="cuong@sotp.gov.vn", phone="0912000001"))
    submit(campaign, unit, explanation="Danh sách thử.")
    db.session.commit()
    login(client, make_user("focal", units=["SO_TP"]))
    html = client.get("/").get_data(as_text=True)
    assert "Đã gửi, chờ duyệt" in html and "đã xong" in html
