"""A real respondent: the link from a real (loopback SMTP) mail, opened in headless Chromium.

Screenshots at phone (360×800) and desktop (1280×900) width go to test-artifacts/ (git-ignored).
"""
import re
import smtplib
from email.message import EmailMessage

import pytest

from app.extensions import db
from app.mailing.tokens import make_token
from app.models import Response, SurveyDraft
from tests.browser_support import ARTIFACTS
from tests.conftest import release_all

from .conftest import count_rows

pytestmark = pytest.mark.browser


def _mail_link(invitation, base_url, inbox, port) -> str:
    """Send the invitation through the loopback SMTP server and read the link back from the mail."""
    msg = EmailMessage()
    msg["From"] = "cchc@sonoivu.gov.vn"
    msg["To"] = invitation.respondent.email
    msg["Subject"] = "Thư mời tham gia khảo sát Chỉ số CCHC"
    msg.set_content(f"Kính gửi Ông/Bà,\n\nMời Ông/Bà trả lời phiếu khảo sát tại: {base_url}/s/{make_token(invitation)}\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg)
    received = inbox.messages[-1]
    assert received["To"] == invitation.respondent.email
    match = re.search(r"(http://127\.0\.0\.1:\d+/s/\S+)", received.get_content())
    assert match
    return match.group(1)


def _answer_everything(page):
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label.option").first.click()
    for area in page.locator("textarea").all():
        area.fill("Đề nghị rút ngắn thời gian giải quyết hồ sơ <b>ngay</b>.")


@pytest.mark.parametrize("width,height,name", [(360, 800, "phone"), (1280, 900, "desktop")])
def test_respondent_answers_from_a_mailed_link(chromium, base_url, smtp_inbox, make_invitation,
                                               width, height, name):
    ARTIFACTS.mkdir(exist_ok=True)
    inbox, port = smtp_inbox
    invitation = make_invitation(group="NGUOI_DAN", email="nguoidan.test@example.vn")
    link = _mail_link(invitation, base_url, inbox, port)

    context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(link)
    assert page.locator("h1").first.inner_text().startswith("Phiếu khảo sát")
    # Nothing wider than the screen on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(ARTIFACTS / f"survey-form-{name}.png"), full_page=True)

    # Save part of it, come back through the same link, finish.
    page.locator("fieldset.question").first.locator("label.option").nth(1).click()
    assert page.evaluate("document.getElementById('survey-progress').value") == 1  # survey.js
    page.get_by_role("button", name="Lưu tạm").click()
    page.wait_for_load_state()
    assert "Đã lưu tạm" in page.content()
    page.goto(link)
    assert page.locator("fieldset.question").first.locator("input").nth(1).is_checked()

    page.get_by_role("button", name="Gửi phiếu").click()  # required questions missing
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"survey-errors-{name}.png"), full_page=False)

    _answer_everything(page)
    page.get_by_role("button", name="Gửi phiếu").click()
    page.wait_for_load_state()
    assert "Cảm ơn Ông/Bà đã trả lời phiếu khảo sát" in page.content()
    page.screenshot(path=str(ARTIFACTS / f"survey-thanks-{name}.png"), full_page=True)
    page.goto(link)  # the link again, later: thanks, not the form
    assert "Cảm ơn" in page.content() and page.locator("form.survey-form").count() == 0
    context.close()

    assert csp_errors == []
    db.session.expire_all()
    release_all()
    assert count_rows(Response) == 1 and count_rows(SurveyDraft) == 0
    response = db.session.scalar(db.select(Response))
    assert response.device_hash and response.duration_s is not None and response.moved_device is False
