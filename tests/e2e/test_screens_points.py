"""Issue 14 point by point in Chromium, at desktop (1280×800) and phone (390×844) size, against the demo
campaign; screenshots in test-artifacts/screens/points-*.png (the axe check of every page is in
test_screens.py)."""
import re

import pytest

from app.extensions import db
from app.mailing.tokens import new_nonce
from app.models import Invitation, Unit

from .screens_support import SIZES, axe_violations, shot, signed_in
from .test_screens import base_url, demo  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
ADMIN, COORD, FOCAL = "admin@demo.parsurvey.vn", "theodoi@demo.parsurvey.vn", "daumoi.sotp@demo.parsurvey.vn"


def seen(page, name: str, full: bool = True) -> None:
    """Screenshot, and axe-core finds no serious or critical violation on this screen either."""
    shot(page, name, full)
    assert not axe_violations(page), (name, axe_violations(page))


@pytest.fixture
def two_links(app, demo):
    """A respondent asked about two units (an HĐND delegate): the open invitation and a second one."""
    from app.mailing.tokens import make_token

    first = db.session.scalar(db.select(Invitation).where(Invitation.answered_on.is_(None), Invitation.revoked_at.is_(None))
                              .order_by(Invitation.id).limit(1))
    other_unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == first.campaign_id,
                                                         Unit.id != first.unit_id, Unit.code == "SO_YT"))
    second = Invitation(campaign_id=first.campaign_id, respondent_id=first.respondent_id, unit_id=other_unit.id,
                        group_id=first.group_id, questionnaire_code=first.questionnaire_code, nonce=new_nonce(),
                        status="sent")
    db.session.add(second)
    db.session.commit()
    names = (db.session.get(Unit, first.unit_id).name, other_unit.name)
    tokens = (make_token(first), make_token(second))
    db.session.commit()
    return tokens, names


@pytest.mark.parametrize("size", SIZES)
def test_respondent_sees_the_unit_saves_by_itself_and_errors_are_not_hidden(chromium, base_url, two_links, size):
    (first, second), (unit, other) = two_links
    page = chromium.new_context(viewport=SIZES[size], locale="vi-VN").new_page()
    page.goto(f"{base_url}/s/{first}")
    # Point 1: the unit in the title, the heading and the sticky bar; the other unit still waiting.
    assert f"Đánh giá: {unit}" in page.title()
    assert page.inner_text("h1 .assessed") == f"Đánh giá: {unit}"
    assert page.inner_text(".survey-progress .survey-unit") == f"Đánh giá: {unit}"
    assert page.inner_text(".survey-waiting") .count(f"Đánh giá: {other}") == 1
    # Point 4: the name at the top is not a link to the staff login.
    assert page.locator("header a.brand").count() == 0 and page.locator("a[href*='/login']").count() == 0
    # Point 3: an error link jumps to its question, and the sticky bar does not cover it.
    page.click("button:has-text('Gửi phiếu')")
    page.wait_for_load_state()
    page.locator("#error-summary a").first.click()
    target = page.locator("#error-summary a").first.get_attribute("href")
    page.wait_for_timeout(300)
    bar = page.locator(".survey-progress").bounding_box()
    question = page.locator(target).bounding_box()
    assert question["y"] >= bar["y"] + bar["height"] - 1, (bar, question)
    seen(page, f"points-1-3-error-link-{size}", full=False)  # what the screen shows after the jump
    # Drafts save by themselves: pick an answer, wait for the notice, reload, the answer is there.
    fieldset = page.locator("fieldset.question").nth(2)
    fieldset.locator("label.option").first.click()
    page.wait_for_selector("#autosave-status:has-text('Đã tự động lưu')", timeout=10000)
    seen(page, f"points-3-autosaved-{size}", full=False)
    page.goto(f"{base_url}/s/{first}")  # open the link again (a reload would re-send the failed POST)
    assert page.locator("fieldset.question").nth(2).locator("input[type=radio]").first.is_checked()
    # Leaving with an answer not yet saved: the browser asks first.
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    page.locator("fieldset.question").nth(3).locator("label.option").first.click()
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]


@pytest.mark.parametrize("size", SIZES)
def test_thank_you_page_lists_the_units_still_waiting(chromium, base_url, two_links, size):
    (first, second), (unit, other) = two_links
    page = chromium.new_context(viewport=SIZES[size], locale="vi-VN").new_page()
    page.goto(f"{base_url}/s/{first}")
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label.option").first.click()
    page.click("button:has-text('Gửi phiếu')")
    page.wait_for_selector("text=Cảm ơn Ông/Bà đã trả lời phiếu khảo sát")
    link = page.locator(".survey-waiting a")
    assert link.inner_text() == f"Đánh giá: {other}"
    seen(page, f"points-1-thanks-{size}")
    link.click()
    assert f"Đánh giá: {other}" in page.title()


@pytest.mark.parametrize("size", SIZES)
def test_coordinator_first_screen_and_drill_down(app, chromium, base_url, size):
    from datetime import timedelta

    from app.mailing.outbox import drain
    from app.models import utcnow

    drain()  # the demo's invitations go out (development mailbox), sent five days ago
    db.session.execute(db.update(Invitation).where(Invitation.status == "sent")
                       .values(sent_at=utcnow() - timedelta(days=5)))
    db.session.commit()
    page = signed_in(chromium, base_url, COORD, size)
    page.click("a:has-text('Tiến độ')")
    rows = page.locator("#laggards-table tbody tr")
    assert rows.count() == 12
    rates = [int(re.search(r"(\d+) %", rows.nth(i).inner_text()).group(1)) for i in range(rows.count())]
    assert rates == sorted(rates)  # the furthest behind first
    assert "chưa mời" in page.inner_text("#laggards-table")  # SO_TP and H_TY have no invitations yet
    assert re.search(r"\d+ đơn vị chưa đạt chỉ tiêu", page.inner_text("#remind-note"))
    assert page.locator(".board-side #outbox-queued").count() == 1 and page.locator("#schedule form").count() == 1
    assert page.locator(".legend").count() >= 2  # the bars and the rate chart explain their colours
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", page.inner_text("#outbox-at"))
    assert re.search(r"\d+,\d %", page.inner_text("#progress-table"))  # point 12: Vietnamese decimal comma
    seen(page, f"points-5-board-{size}")
    page.fill("#s-every", "2")
    page.click("button:has-text('Lưu lịch đôn đốc')")
    assert "Đã lưu lịch đôn đốc." in page.inner_text(".flash.success")
    assert "cách nhau 2 ngày" in page.inner_text("#schedule")
    page.click("button:has-text('Nhắc các đơn vị chậm')")  # the counts first, on the confirmation page
    counted = re.search(r"Sẽ xếp (\d+) thư nhắc \((\d+) đường dẫn\) cho (\d+) đơn vị", page.inner_text("#consequences"))
    assert counted and int(counted.group(1)) > 0
    seen(page, f"points-5-remind-confirm-{size}")
    page.click(f"button:has-text('Xếp {counted.group(1)} thư nhắc')")
    assert page.inner_text(".flash.success") == (f"Đã xếp {counted.group(1)} thư nhắc ({counted.group(2)} đường dẫn) "
                                                 f"cho {counted.group(3)} đơn vị chưa đạt chỉ tiêu.")
    # Point 6: drill down into the unit furthest behind that has invitations, only those not answered.
    page.locator("#laggards-table a:has-text('Sở Nội vụ')").click()
    page.select_option("#d-state", "unanswered")
    page.click("form.search-form button")
    states = page.locator("#respondents tbody tr td:nth-child(5)").all_inner_texts()
    assert states and not any("Đã trả lời" in s for s in states)
    name = page.locator("#respondents tbody tr td").first.inner_text()
    page.fill("#d-q", name.split()[-1].upper())
    page.click("form.search-form button")
    assert name in page.inner_text("#respondents")
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", page.inner_text("#outbox-at"))
    seen(page, f"points-6-drilldown-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_focal_home_shows_tasks_with_state_and_deadline(chromium, base_url, size):
    page = signed_in(chromium, base_url, FOCAL, size)
    text = page.inner_text("main")
    assert "Xin chào" not in text and "Việc cần làm của đơn vị" in text
    assert "Sở Tư pháp" in text and "Đang soạn" in text and "còn 14 ngày" in text
    assert "Chỉ tiêu theo nhóm" in text and "Tự đánh giá, chấm điểm" in text
    seen(page, f"points-7-focal-home-{size}")
    page.click("a:has-text('Tải lên, sửa và gửi danh sách')")
    assert "sẽ xoá" in page.inner_text("form:has(#u-file)")  # point 9: replacing says how many people go
    page.click("button:has-text('Xoá toàn bộ danh sách')")
    assert "người sẽ bị xoá khỏi danh sách của đơn vị" in page.inner_text("#consequences")
    seen(page, f"points-9-clear-confirm-{size}")
    page.click("a:has-text('Huỷ, quay lại')")
    assert "Danh sách" in page.title() or page.url.endswith("/SO_TP")


@pytest.mark.parametrize("size", SIZES)
def test_secretariat_confirms_sends_and_the_mailed_link_works(app, chromium, base_url, size):
    from app.mailing.outbox import drain
    from app.models import RespondentList

    unit = db.session.scalar(db.select(Unit).where(Unit.code == "SO_TP"))
    db.session.scalar(db.select(RespondentList).where(RespondentList.unit_id == unit.id)).state = "approved"
    db.session.commit()
    page = signed_in(chromium, base_url, ADMIN, size)
    campaign_id = unit.campaign_id
    page.goto(f"{base_url}/mailing/campaigns/{campaign_id}/invitations")
    page.click("button:has-text('Gửi thư mời')")
    consequences = page.inner_text("#consequences")
    assert re.search(r"Sẽ xếp hàng \d+ thư", consequences) and "Sở Tư pháp:" in consequences
    seen(page, f"points-9-send-confirm-{size}")
    page.locator("form.actions button[type=submit]").click()
    assert "Đã xếp hàng" in page.inner_text(".flash.success")
    db.session.commit()
    db.session.expire_all()
    assert drain().sent > 0
    db.session.commit()
    # Point 11 and 14: the development mailbox searches; the mailed link leads to this very server.
    page.goto(f"{base_url}/mailing/dev-mail")
    page.fill("#m-q", "sotp.demo.gov.vn")
    page.click("form.search-form button")
    body = page.locator("article").first.inner_text()
    link = re.search(r"(http://127\.0\.0\.1:\d+/s/\S+)", body).group(1)
    assert link.startswith(base_url)
    seen(page, f"points-11-dev-mailbox-{size}")
    page.goto(link)
    assert "Đánh giá: Sở Tư pháp" in page.title() or "Đánh giá:" in page.title()
    # Point 11: the audit log filters and searches, in Vietnamese (point 13).
    page.goto(f"{base_url}/admin/audit")
    page.select_option("#a-action", "invitations.queue")
    page.click("form.search-form button")
    assert "Gửi thư mời" in page.inner_text("table") and "invitations.queue" not in page.inner_text("table")
    seen(page, f"points-11-audit-{size}")
    # Point 10: readiness before computing the index, a reason to compute anyway.
    page.goto(f"{base_url}/index/campaigns/{campaign_id}")
    issues = page.inner_text("#readiness-issues")
    assert "chưa được duyệt danh sách" in issues and "Thời hạn trả lời phiếu chưa kết thúc" in issues
    seen(page, f"points-10-readiness-{size}")
    page.fill("#reason", "Số liệu sơ bộ cho cuộc họp giao ban.")
    page.click("button:has-text('Vẫn tính chỉ số')")
    assert "Lý do: Số liệu sơ bộ cho cuộc họp giao ban." in page.inner_text("#run-readiness")
    assert re.search(r"\d+,\d\d", page.inner_text("table"))  # point 12: 82,20 and not 82.20
    seen(page, f"points-10-run-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_enumerator_list_searches_and_pages(chromium, base_url, size):
    page = signed_in(chromium, base_url, "dieutravien@demo.parsurvey.vn", size)
    page.click("a:has-text('Nhập phiếu điều tra')")
    total = int(re.search(r"(\d+) người\.", page.inner_text("main")).group(1))
    name = page.locator("table tbody tr td").first.inner_text()
    page.fill("#i-q", name)
    page.click("form.search-form button")
    found = int(re.search(r"(\d+) người\.", page.inner_text("main")).group(1))
    assert 1 <= found < total or total == 1
    seen(page, f"points-11-enumerator-{size}")
