"""Drafts save by themselves (survey.js posts action=autosave) and saving keeps the position
(issue 14 point 3). The browser side is in tests/e2e/test_screens.py."""
from app.extensions import db
from app.models import Response, SurveyDraft

from .conftest import count_rows, link_of, post_sheet, questionnaire_of


def test_autosave_keeps_the_draft_and_answers_json(client, make_invitation):
    invitation = make_invitation()
    first = questionnaire_of(invitation).items[0].code
    response = post_sheet(client, invitation, {f"q_{first}": "a"}, action="autosave")
    assert response.status_code == 200 and response.json["saved"] is True and ":" in response.json["at"]
    draft = db.session.scalar(db.select(SurveyDraft).where(SurveyDraft.invitation_id == invitation.id))
    assert draft.answers == {first: "a"} and count_rows(Response) == 0


def test_autosave_of_a_bad_sheet_is_refused_and_keeps_the_old_draft(client, make_invitation):
    invitation = make_invitation()
    first = questionnaire_of(invitation).items[0].code
    post_sheet(client, invitation, {f"q_{first}": "a"}, action="autosave")
    bad = post_sheet(client, invitation, {f"q_{first}": "b", "q_NOT_A_QUESTION": "a"}, action="autosave")
    assert bad.status_code == 400 and bad.json == {"saved": False}
    db.session.expire_all()
    draft = db.session.scalar(db.select(SurveyDraft).where(SurveyDraft.invitation_id == invitation.id))
    assert draft.answers == {first: "a"}


def test_saving_comes_back_to_the_question_the_respondent_was_at(client, make_invitation):
    invitation = make_invitation()
    code = questionnaire_of(invitation).items[3].code
    saved = post_sheet(client, invitation, {f"q_{code}": "a", "position": f"q_{code}-q"}, action="save")
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"{link_of(invitation)}#q_{code}-q")
    forged = post_sheet(client, invitation, {"position": "x\" onload=\"alert(1)"}, action="save")
    assert forged.headers["Location"].endswith(link_of(invitation))


def test_the_form_carries_the_autosave_hooks_without_inline_script(client, make_invitation):
    html = client.get(link_of(make_invitation())).get_data(as_text=True)
    assert "data-autosave" in html and 'id="autosave-status"' in html and 'name="position"' in html
    assert "<script>" not in html
