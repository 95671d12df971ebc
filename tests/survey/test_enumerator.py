"""Enumerator entry: paper and phone interviews for respondents without e-mail."""
from datetime import date, timedelta

from app.extensions import db
from app.models import Invitation, Respondent, RespondentList, Response
from tests.conftest import csrf_token, login, release_all

from .conftest import count_rows, full_sheet, sheets


def _url(campaign, respondent, unit_code=None):
    return f"/survey/campaigns/{campaign.id}/units/{unit_code or respondent.unit.code}/interviews/{respondent.id}"


def _sheet(client, campaign, respondent, mode="paper", option="b"):
    from app.core.schemes import questionnaire

    q = questionnaire(campaign.scheme_code, respondent.group.questionnaire_code)
    data = full_sheet(q, option=option)
    if mode:
        data["mode"] = mode
    data["csrf_token"] = csrf_token(client, _url(campaign, respondent))
    return data


def test_list_shows_assigned_and_unassigned_citizens_of_own_units_only(client, make_user, make_campaign,
                                                                       make_invitation):
    campaign = make_campaign()
    enumerator = make_user("enumerator", units=["SO_TP"])
    other = make_user("enumerator", units=["SO_NV"])
    mine = make_invitation(campaign, group="NGUOI_DAN", email=None, name="Lê Văn Được giao", enumerator=enumerator,
                           unit="SO_NV", invite=False)
    fallback = make_invitation(campaign, group="NGUOI_DAN", email=None, name="Phạm Thị Chưa giao", invite=False)
    make_invitation(campaign, group="NGUOI_DAN", email=None, name="Hoàng Của người khác", enumerator=other,
                    invite=False)
    make_invitation(campaign, group="LD_SO", name="Vũ Có thư", invite=False)  # has e-mail: answers by link
    make_invitation(campaign, group="NGUOI_DAN", email=None, unit="SO_NV", name="Đỗ Đơn vị khác", invite=False)
    login(client, enumerator)
    html = client.get(f"/survey/campaigns/{campaign.id}/interviews").get_data(as_text=True)
    assert mine.full_name in html and fallback.full_name in html
    for hidden in ("Hoàng Của người khác", "Vũ Có thư", "Đỗ Đơn vị khác"):
        assert hidden not in html
    assert html.count("Chưa có phiếu") == 2
    home = client.get("/").get_data(as_text=True)
    assert f"/survey/campaigns/{campaign.id}/interviews" in home and "Nhập phiếu điều tra" in home


def test_paper_interview_creates_the_invitation_and_one_response_only(client, make_user, make_campaign,
                                                                        make_invitation):
    campaign = make_campaign()
    enumerator = make_user("enumerator", units=["SO_TP"])
    respondent = make_invitation(campaign, group="NGUOI_DAN", email=None, invite=False)
    login(client, enumerator)
    page = client.get(_url(campaign, respondent)).get_data(as_text=True)
    assert "Phiếu giấy" in page and "Qua điện thoại" in page and "Lưu tạm" not in page
    assert count_rows(Invitation) == 0
    sent = client.post(_url(campaign, respondent), data=_sheet(client, campaign, respondent, "phone"))
    assert sent.status_code == 303
    release_all()
    response = db.session.scalar(db.select(Response))
    assert response.mode == "phone" and response.entered_by_id == enumerator.id
    assert response.net_hash is None and response.device_hash is None and response.duration_s is None
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.respondent_id == respondent.id and invitation.answered_on is not None
    # The same person again: refused, still one response.
    again = client.post(_url(campaign, respondent), data=_sheet(client, campaign, respondent, "paper"),
                        follow_redirects=True)
    assert "đã có phiếu trả lời" in again.get_data(as_text=True)
    assert sheets() == 1
    listing = client.get(f"/survey/campaigns/{campaign.id}/interviews").get_data(as_text=True)
    assert "Đã có phiếu" in listing and "Hài lòng" not in listing and "Tốt" not in listing  # never the answers


def test_web_answer_then_enumerator_entry_is_refused(client, make_user, make_campaign, make_invitation):
    campaign = make_campaign()
    invitation = make_invitation(campaign, group="NGUOI_DAN", email=None)
    db.session.get(Invitation, invitation.id).answered_on = date.today()
    db.session.commit()
    login(client, make_user("enumerator", units=["SO_TP"]))
    respondent = db.session.get(Respondent, invitation.respondent_id)
    client.post(_url(campaign, respondent), data=_sheet(client, campaign, respondent))
    assert sheets() == 0


def test_mode_is_required_and_forged_mode_refused(client, make_user, make_campaign, make_invitation):
    campaign = make_campaign()
    respondent = make_invitation(campaign, group="NGUOI_DAN", email=None, invite=False)
    login(client, make_user("enumerator", units=["SO_TP"]))
    missing = client.post(_url(campaign, respondent), data=_sheet(client, campaign, respondent, mode=None))
    assert missing.status_code == 400 and "Chọn hình thức phỏng vấn." in missing.get_data(as_text=True)
    forged = client.post(_url(campaign, respondent), data=_sheet(client, campaign, respondent, mode="web"))
    assert forged.status_code == 400 and "Hình thức phỏng vấn không hợp lệ." in forged.get_data(as_text=True)
    assert sheets() == 0


def test_other_enumerators_respondent_is_forbidden_and_unknown_is_404(client, make_user, make_campaign,
                                                                     make_invitation):
    campaign = make_campaign()
    other = make_user("enumerator", units=["SO_TP"])
    theirs = make_invitation(campaign, group="NGUOI_DAN", email=None, enumerator=other, invite=False)
    login(client, make_user("enumerator", units=["SO_TP"]))
    assert client.get(_url(campaign, theirs)).status_code == 403
    assert client.get(f"/survey/campaigns/{campaign.id}/units/{theirs.unit.code}/interviews/999999").status_code == 404
    assert client.get(_url(campaign, theirs, unit_code="KHONG_CO")).status_code == 404


def test_other_roles_cannot_use_enumerator_screens(client, as_role, make_campaign, make_invitation):
    campaign = make_campaign()
    respondent = make_invitation(campaign, group="NGUOI_DAN", email=None, invite=False)
    as_role("admin")
    assert client.get(f"/survey/campaigns/{campaign.id}/interviews").status_code == 403
    assert client.get(_url(campaign, respondent)).status_code == 403


def test_enumerator_entry_is_closed_after_the_deadline(client, make_user, make_campaign, make_invitation):
    campaign = make_campaign(lists_by=date.today() - timedelta(days=30), answers_by=date.today() - timedelta(days=2))
    respondent = make_invitation(campaign, group="NGUOI_DAN", email=None, invite=False)
    login(client, make_user("enumerator", units=["SO_TP"]))
    listing = client.get(f"/survey/campaigns/{campaign.id}/interviews").get_data(as_text=True)
    assert "Đợt khảo sát đã kết thúc" in listing and "Nhập phiếu</a>" not in listing
    late = client.post(_url(campaign, respondent), data={"csrf_token": csrf_token(client, "/"), "mode": "paper"},
                       follow_redirects=True)
    assert "Đợt khảo sát đã kết thúc" in late.get_data(as_text=True)
    assert sheets() == 0 and count_rows(Invitation) == 0


def test_no_entry_for_respondents_on_a_list_not_approved(client, make_user, make_campaign, make_invitation):
    """Issue 12 point 9: a draft, submitted or returned list gives the enumerator nobody to interview."""
    campaign = make_campaign()
    enumerator = make_user("enumerator", units=["SO_TP", "SO_NV"])
    login(client, enumerator)
    approved = make_invitation(campaign, group="NGUOI_DAN", email=None, name="Lê Thị Đã duyệt", unit="SO_NV",
                               invite=False)
    for state in ("draft", "submitted", "returned"):
        person = make_invitation(campaign, group="NGUOI_DAN", email=None, name=f"Người danh sách {state}",
                                 invite=False, list_state=state)
        html = client.get(f"/survey/campaigns/{campaign.id}/interviews").get_data(as_text=True)
        assert approved.full_name in html and person.full_name not in html, state
        assert client.get(_url(campaign, person)).status_code == 403, state
        sent = client.post(_url(campaign, person), data=_sheet(client, campaign, person))
        assert sent.status_code == 403, state
        assert sheets() == 0 and count_rows(Invitation) == 0
    # Approved: the same person can now be interviewed.
    db.session.execute(db.update(RespondentList).where(RespondentList.unit_id == person.unit_id)
                       .values(state="approved"))
    db.session.commit()
    assert client.get(_url(campaign, person)).status_code == 200
    assert client.post(_url(campaign, person), data=_sheet(client, campaign, person)).status_code == 303
    assert sheets() == 1
