"""The form names the unit assessed, and a respondent with several links sees the units still waiting
(issue 14 points 1 and 4) — only their own, never anyone else's."""
from app.extensions import db
from app.mailing.tokens import new_nonce
from app.models import Group, Invitation, Unit

from .conftest import full_sheet, link_of, post_sheet, questionnaire_of


def _second_link(invitation, unit_code):
    """Another invitation of the same person, about another unit (an HĐND delegate assesses many)."""
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == invitation.campaign_id, Unit.code == unit_code))
    group = db.session.get(Group, invitation.group_id)
    other = Invitation(campaign_id=invitation.campaign_id, respondent_id=invitation.respondent_id, unit_id=unit.id,
                       group_id=group.id, questionnaire_code=invitation.questionnaire_code, nonce=new_nonce(),
                       status="sent")
    db.session.add(other)
    db.session.commit()
    return other


def test_the_form_names_the_assessed_unit_in_title_heading_and_bar(client, make_invitation):
    invitation = make_invitation(unit="SO_TP")
    html = client.get(link_of(invitation)).get_data(as_text=True)
    title = html.split("<title>")[1].split("</title>")[0]
    assert "Đánh giá: Sở Tư pháp" in title
    assert '<span class="assessed">Đánh giá: Sở Tư pháp</span></h1>' in html
    assert '<strong class="survey-unit">Đánh giá: Sở Tư pháp</strong>' in html
    # The name is not a link to the staff login (point 4), nor is anything else on the page.
    assert 'href="/login' not in html and 'class="brand" href' not in html


def test_other_units_still_waiting_on_the_form_and_the_thank_you_page(client, make_invitation):
    first = make_invitation(unit="SO_TP", name="Vũ Thị Giang")
    second = _second_link(first, "H_DA")
    stranger = make_invitation(unit="SO_NV", name="Người khác")
    html = client.get(link_of(first)).get_data(as_text=True)
    assert "Ông/Bà còn được mời đánh giá" in html and link_of(second) in html
    assert "Sở Nội vụ" not in html.split("survey-waiting")[1] and link_of(stranger) not in html
    post_sheet(client, first, full_sheet(questionnaire_of(first)))
    thanks = client.get(link_of(first)).get_data(as_text=True)
    assert "Cảm ơn Ông/Bà đã trả lời phiếu khảo sát" in thanks and "Đánh giá: UBND huyện Đông Anh" in thanks
    assert link_of(second) in thanks and 'class="brand" href' not in thanks
    # The second link answered: nothing waits any more on either page.
    post_sheet(client, second, full_sheet(questionnaire_of(second)))
    assert "Ông/Bà còn được mời đánh giá" not in client.get(link_of(first)).get_data(as_text=True)
