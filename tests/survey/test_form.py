"""The respondent's form: layout, save and resume, submit once, and every bad input of the issue."""
import re
import unicodedata

from app.extensions import db
from app.models import Answer, Invitation, Response, SurveyDraft

from tests.conftest import release_all

from .conftest import count_rows, full_sheet, link_of, open_form, post_sheet, questionnaire_of, sheets, token_from


def _html(response):
    return response.get_data(as_text=True)


def test_form_is_built_from_the_questionnaire_grouped_by_field(client, make_invitation):
    invitation = make_invitation(group="NGUOI_DAN", email=None)
    html = _html(client.get(link_of(invitation)))
    questionnaire = questionnaire_of(invitation)
    assert unicodedata.is_normalized("NFC", html)
    assert questionnaire.title in html
    for item in questionnaire.items:
        assert item.text in html
    sections = [s for s in questionnaire.items_by_field()]
    assert f"Phần 1/{len(sections)}" in html and f"Phần {len(sections)}/{len(sections)}" in html
    assert "Cải cách thủ tục hành chính" in html  # a field name of PAR_PROVINCE
    # Accessible structure: one fieldset + legend per choice question, labelled inputs, required flagged.
    assert html.count("<fieldset") == sum(1 for i in questionnaire.items if i.type == "choice")
    assert html.count("<legend>") == html.count("<fieldset")
    assert "(bắt buộc)" in html
    assert "Không biết / không trả lời" in html and 'class="option dont-know"' in html
    assert re.search(r'<label for="q_C1">', html) and 'maxlength="2000"' in html
    assert "Gửi phiếu" in html and "Lưu tạm" in html
    assert '<progress id="survey-progress"' in html and "survey.js" in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style


def test_first_open_sets_device_cookie_and_opened_on(client, make_invitation):
    invitation = make_invitation()
    page = client.get(link_of(invitation))
    cookie = page.headers.get("Set-Cookie", "")
    assert "ps_dev=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert db.session.get(Invitation, invitation.id).opened_on is not None
    draft = db.session.get(SurveyDraft, invitation.id)
    assert draft.open_device_hash and draft.open_net_hash
    # A second open keeps the first-open time and cookie.
    first = draft.first_opened_at
    again = client.get(link_of(invitation))
    assert "ps_dev=" not in again.headers.get("Set-Cookie", "")
    db.session.expire_all()
    assert db.session.get(SurveyDraft, invitation.id).first_opened_at == first


def test_save_and_resume_then_submit_deletes_the_draft(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    first, second = questionnaire.items[0].code, questionnaire.items[1].code
    saved = post_sheet(client, invitation, {f"q_{first}": "b", f"q_{second}": "x"}, action="save")
    assert saved.status_code == 303
    assert db.session.get(SurveyDraft, invitation.id).answers == {first: "b", second: "x"}
    assert sheets() == 0

    client.delete_cookie("session")  # coming back later, through the same link
    resumed = _html(client.get(link_of(invitation)))
    assert f'<input checked id="q_{first}-1"' in resumed and f'<input checked id="q_{second}-5"' in resumed
    assert "Đã trả lời 2/" in resumed

    done = post_sheet(client, invitation, full_sheet(questionnaire))
    assert done.status_code == 303
    assert count_rows(SurveyDraft) == 0 and sheets() == 1


def test_answers_are_stored_with_credit_from_the_yaml(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    sheet = full_sheet(questionnaire, option="b")
    choice = [i for i in questionnaire.items if i.type == "choice"]
    sheet[f"q_{choice[0].code}"] = "x"  # Không biết: not counted
    sheet["credit"] = "1.0"  # a client cannot send credit
    post_sheet(client, invitation, sheet)
    release_all()
    response = db.session.scalar(db.select(Response))
    answers = {a.item_code: a for a in response.answers}
    assert answers[choice[0].code].option_code == "x" and answers[choice[0].code].credit is None
    assert answers[choice[1].code].credit == 0.75
    assert response.questionnaire_code == questionnaire.code and response.questionnaire_version == questionnaire.version
    assert response.mode == "web" and response.entered_by_id is None


def test_missing_required_answers_come_back_with_answers_kept_and_errors_marked(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    sheet = full_sheet(questionnaire, text="Ý kiến của tôi")
    missing = [i.code for i in questionnaire.items if i.required][:2]
    for code in missing:
        del sheet[f"q_{code}"]
    page = post_sheet(client, invitation, sheet)
    html = _html(page)
    assert page.status_code == 400
    assert "Phiếu chưa được ghi nhận" in html
    for code in missing:
        assert f'href="#q_{code}-q"' in html
        assert re.search(rf'<fieldset class="question has-error" id="q_{code}-q"', html)
    kept = next(i.code for i in questionnaire.items if i.type == "choice" and i.code not in missing)
    assert f'<input checked id="q_{kept}-0"' in html
    assert "Ý kiến của tôi" in html
    assert sheets() == 0 and db.session.get(Invitation, invitation.id).answered_on is None


def test_forged_option_and_unknown_question_are_refused(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    first = questionnaire.items[0].code
    forged = full_sheet(questionnaire)
    forged[f"q_{first}"] = "z"
    page = post_sheet(client, invitation, forged)
    assert page.status_code == 400 and "Lựa chọn không hợp lệ cho câu này." in _html(page)

    unknown = full_sheet(questionnaire)
    unknown["q_Q999"] = "a"
    page = post_sheet(client, invitation, unknown)
    assert page.status_code == 400 and "Câu hỏi Q999 không có trong phiếu này." in _html(page)
    # Nor through "Lưu tạm".
    page = post_sheet(client, invitation, {"q_Q999": "a"}, action="save")
    assert page.status_code == 400
    assert sheets() == 0 and count_rows(Answer) == 0
    assert db.session.get(SurveyDraft, invitation.id).answers == {}


def test_free_text_is_limited(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    text_item = next(i for i in questionnaire.items if i.type == "text")
    limit = text_item.max_length or 2000
    too_long = post_sheet(client, invitation, full_sheet(questionnaire, text="ạ" * (limit + 1)))
    assert too_long.status_code == 400 and f"Câu trả lời dài quá {limit} ký tự." in _html(too_long)
    huge = post_sheet(client, invitation, full_sheet(questionnaire, text="A" * 1_000_000))
    assert huge.status_code == 413 and "Câu trả lời quá dài" in _html(huge)
    assert sheets() == 0
    ok = post_sheet(client, invitation, full_sheet(questionnaire, text="ạ" * limit))
    assert ok.status_code == 303
    release_all()
    assert db.session.scalar(db.select(Answer.text).where(Answer.item_code == text_item.code)) == "ạ" * limit


def test_script_in_free_text_is_stored_as_text_and_escaped(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = post_sheet(client, invitation, {"q_C1": evil} if any(i.code == "C1" for i in questionnaire.items) else {},
                      action="save")
    assert page.status_code == 303
    html = _html(client.get(link_of(invitation)))
    assert evil not in html and "&lt;script&gt;alert(" in html
    post_sheet(client, invitation, {**full_sheet(questionnaire), "q_C1": evil})
    release_all()
    assert db.session.scalar(db.select(Answer.text).where(Answer.item_code == "C1")) == evil


def test_post_without_csrf_token_is_refused(client, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    open_form(client, invitation)
    page = client.post(link_of(invitation), data={**full_sheet(questionnaire), "action": "submit"})
    assert page.status_code == 400
    assert sheets() == 0 and db.session.get(Invitation, invitation.id).answered_on is None


def test_submit_is_idempotent_double_click_back_button_and_two_tabs(client, app, make_invitation):
    invitation = make_invitation()
    questionnaire = questionnaire_of(invitation)
    token = open_form(client, invitation)
    sheet = full_sheet(questionnaire)
    first = post_sheet(client, invitation, sheet, token=token)
    again = post_sheet(client, invitation, sheet, token=token)  # double click / retried POST
    assert first.status_code == 303 and again.status_code == 200
    assert "Cảm ơn" in _html(again)
    # Back button: the page is not cached and now shows thanks; a second tab's draft is not kept.
    back = client.get(link_of(invitation))
    assert back.headers["Cache-Control"] == "no-store" and "Cảm ơn" in _html(back)
    other_tab = app.test_client()
    other_token = token_from(_html(other_tab.get("/login")))  # the other tab's own session
    late_save = other_tab.post(link_of(invitation), data={**sheet, "action": "save", "csrf_token": other_token})
    assert late_save.status_code == 200 and "Cảm ơn" in _html(late_save)  # never a new draft
    assert sheets() == 1 and count_rows(SurveyDraft) == 0
