"""What a link leads to: the form, one generic page for bad links, thanks, and the closed page."""
from datetime import date, timedelta

from app.extensions import db
from app.mailing.tokens import make_token
from app.models import Invitation, Response, SurveyDraft, utcnow

from .conftest import count_rows, full_sheet, link_of, open_form, post_sheet, questionnaire_of

GENERIC = "Đường dẫn không hợp lệ"


def _body(response):
    return response.get_data(as_text=True)


def test_bad_links_get_one_generic_page_that_hides_whether_the_invitation_exists(client, make_invitation):
    invitation = make_invitation()
    genuine = make_token(invitation)
    forged = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")

    class Ghost:
        id, nonce = 999_999, invitation.nonce

    class WrongNonce:
        id, nonce = invitation.id, "not-the-nonce"

    revoked = make_invitation()
    revoked_link = link_of(revoked)
    db.session.get(Invitation, revoked.id).revoked_at = utcnow()
    db.session.commit()

    pages = [client.get(url) for url in (f"/s/{forged}", "/s/x.y.z", f"/s/{make_token(Ghost)}",
                                          f"/s/{make_token(WrongNonce)}", revoked_link)]
    assert {p.status_code for p in pages} == {404}
    bodies = {_body(p).replace(p.request.path, "") for p in pages}  # the language link repeats the path
    assert len(bodies) == 1 and GENERIC in bodies.pop()
    assert all("ps_dev" not in p.headers.get("Set-Cookie", "") for p in pages)
    assert count_rows(SurveyDraft) == 0


def test_a_new_nonce_revokes_the_old_link(client, make_invitation):
    invitation = make_invitation()
    old = link_of(invitation)
    db.session.get(Invitation, invitation.id).nonce = "fresh-nonce-value"
    db.session.commit()
    assert GENERIC in _body(client.get(old))
    assert client.get(link_of(invitation)).status_code == 200


def test_answered_link_shows_thanks(client, make_invitation):
    invitation = make_invitation()
    post_sheet(client, invitation, full_sheet(questionnaire_of(invitation)))
    page = client.get(link_of(invitation))
    assert page.status_code == 200 and "Cảm ơn Ông/Bà đã trả lời phiếu khảo sát" in _body(page)
    assert page.headers["Cache-Control"] == "no-store"


def test_after_the_deadline_the_link_is_closed_and_drafts_are_refused(client, make_invitation, make_campaign):
    campaign = make_campaign(lists_by=date.today() - timedelta(days=20), answers_by=date.today() + timedelta(days=5))
    invitation = make_invitation(campaign=campaign)
    questionnaire = questionnaire_of(invitation)
    token = open_form(client, invitation)  # opened while still open
    campaign.answers_by = date.today() - timedelta(days=2)
    db.session.commit()

    page = client.get(link_of(invitation))
    assert page.status_code == 410 and "Đợt khảo sát đã kết thúc" in _body(page)
    for action in ("save", "submit"):
        late = post_sheet(client, invitation, full_sheet(questionnaire), action=action, token=token)
        assert late.status_code == 410 and "Đợt khảo sát đã kết thúc" in _body(late)
    assert count_rows(Response) == 0
    assert db.session.get(SurveyDraft, invitation.id).answers == {}
    assert db.session.get(Invitation, invitation.id).answered_on is None


def test_answers_by_day_itself_is_still_open(client, make_invitation, make_campaign):
    from app.core import clock

    campaign = make_campaign(lists_by=clock.today() - timedelta(days=20), answers_by=clock.today())
    invitation = make_invitation(campaign=campaign)
    assert client.get(link_of(invitation)).status_code == 200
