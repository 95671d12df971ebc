"""The coordinator's first screen: units behind first, one reminder action whose confirmation counts
who gets a mail and why some get none, the reminder schedule editable per campaign (issue 14 point 5)."""
from datetime import date, timedelta

from app.extensions import db
from app.mailing.previews import reminder_preview
from app.models import AuditEntry, Campaign, Invitation, OutboxMessage, utcnow
from tests.conftest import csrf_token, login


def _order(html: str) -> list[str]:
    table = html.split('id="laggards-table"')[1].split("</table>")[0]
    return [name for name in ("UBND huyện Đông Anh", "Sở Nội vụ", "Sở Tư pháp") if name in table] and sorted(
        ("UBND huyện Đông Anh", "Sở Nội vụ", "Sở Tư pháp"), key=table.index)


def test_units_behind_come_first_with_bars_gap_and_units_without_invitations(known, client, make_user):
    login(client, make_user("coordinator"))
    html = client.get(f"/progress/campaigns/{known.campaign.id}").get_data(as_text=True)
    assert _order(html) == ["UBND huyện Đông Anh", "Sở Nội vụ", "Sở Tư pháp"]  # 0 answers, then 1, then 3
    assert "chưa mời" in html and 'class="meter low"' in html and "Thiếu (người)" in html
    assert "còn " in html and "ngày đến hạn trả lời" in html
    # The mail counters sit in the side panel with the schedule.
    side = html.split('class="board-side"')[1]
    assert 'id="outbox-queued"' in side and 'id="schedule"' in side and "Số liệu lúc" in side


def test_the_confirmation_counts_who_gets_a_reminder_and_why_others_do_not(known, client, make_user):
    known.invitations["p4"].reminder_count = known.campaign.reminder_max  # cap reached
    known.invitations["q2"].last_reminder_at = utcnow() - timedelta(days=1)  # inside the gap
    db.session.commit()
    preview = reminder_preview(known.campaign)
    assert (preview.invitations, preview.mails, preview.capped, preview.too_soon, preview.undeliverable) == (1, 1, 1, 1, 5)
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}"
    html = client.get(url).get_data(as_text=True)
    # The dashboard counts nothing over the invitations (DESIGN.md §7): it names the units behind and the button.
    note = html.split('id="remind-note"')[1].split("</p>")[0]
    assert "3 đơn vị chưa đạt chỉ tiêu" in note and "Sẽ xếp" not in html
    assert "Nhắc các đơn vị chậm" in html.split('class="remind-laggards"')[1].split("</form>")[0]
    token = csrf_token(client, url)
    before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    asked = client.post(f"{url}/remind-laggards", data={"csrf_token": token}).get_data(as_text=True)
    consequences = asked.split('id="consequences"')[1].split("</ul>")[0]
    assert "Sẽ xếp 1 thư nhắc (1 đường dẫn) cho 3 đơn vị chưa đạt chỉ tiêu." in consequences
    assert "1 người vừa nhận thư chưa đủ 3 ngày" in consequences and "1 người đã nhận đủ 3 thư nhắc" in consequences
    assert "5 người chưa có địa chỉ gửi được" in consequences
    assert 'name="confirmed" value="1"' in asked and "Xếp 1 thư nhắc" in asked
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == before  # asking queues nothing
    done = client.post(f"{url}/remind-laggards", data={"csrf_token": token, "confirmed": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã xếp 1 thư nhắc (1 đường dẫn) cho 3 đơn vị chưa đạt chỉ tiêu." in done
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == before + preview.mails
    db.session.expire_all()
    assert known.invitations["p3"].reminder_count == 2  # the one invitation the preview counted
    # Asked again at once: the gap holds, the page says nothing would be queued and offers no button.
    again = client.post(f"{url}/remind-laggards", data={"csrf_token": token}).get_data(as_text=True)
    assert "Sẽ xếp 0 thư nhắc (0 đường dẫn)" in again and 'name="confirmed"' not in again
    assert reminder_preview(known.campaign).invitations == 0


def test_a_person_invited_for_two_units_behind_gets_one_reminder_as_counted(known, client, make_user):
    p3 = known.invitations["p3"]
    db.session.add(Invitation(campaign_id=known.campaign.id, respondent_id=p3.respondent_id,
                              unit_id=known.units["SO_NV"].id, group_id=p3.group_id,
                              questionnaire_code=p3.questionnaire_code, nonce="p3-nv", status="sent",
                              reminder_count=0, sent_at=utcnow() - timedelta(days=5)))
    db.session.commit()
    preview = reminder_preview(known.campaign)
    assert preview.mails < preview.invitations
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}"
    token = csrf_token(client, url)
    asked = client.post(f"{url}/remind-laggards", data={"csrf_token": token}).get_data(as_text=True)
    assert f"Sẽ xếp {preview.mails} thư nhắc ({preview.invitations} đường dẫn)" in asked
    before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    client.post(f"{url}/remind-laggards", data={"csrf_token": token, "confirmed": "1"})
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == before + preview.mails
    assert db.session.scalar(db.select(db.func.count(Invitation.id)).where(
        Invitation.campaign_id == known.campaign.id, Invitation.last_reminder_at.is_not(None))) == preview.invitations


def test_in_the_quiet_hours_the_button_is_off_and_the_confirmation_sends_nothing(known, client, make_user):
    known.campaign.answers_by = date.today() + timedelta(days=5)
    known.campaign.reminder_quiet_hours = 240  # ten days: the deadline is nearer than that
    db.session.commit()
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}"
    html = client.get(url).get_data(as_text=True)
    form = html.split('class="remind-laggards"')[1].split("</form>")[0]
    assert "Đang trong 240 giờ trước hạn trả lời" in form and " disabled>" in form
    token = csrf_token(client, url)
    before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    asked = client.post(f"{url}/remind-laggards", data={"csrf_token": token}).get_data(as_text=True)
    assert "Đang trong 240 giờ trước hạn trả lời" in asked and 'name="confirmed"' not in asked
    client.post(f"{url}/remind-laggards", data={"csrf_token": token, "confirmed": "1"})
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == before


def test_the_reminder_schedule_is_editable_and_bad_values_change_nothing(known, client, make_user):
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}"
    token = csrf_token(client, url)
    bad = client.post(f"{url}/reminder-schedule", data={"csrf_token": token, "auto": "1", "every_days": "0",
                                                        "max": "ba", "quiet_hours": "12"}, follow_redirects=True)
    html = bad.get_data(as_text=True)
    assert "“0” không hợp lệ: nhập một số nguyên từ 1 đến 60." in html and "“ba” không hợp lệ" in html
    campaign = db.session.get(Campaign, known.campaign.id)
    db.session.refresh(campaign)
    assert (campaign.reminder_every_days, campaign.reminder_max, campaign.reminder_quiet_hours) == (3, 3, 24)
    client.post(f"{url}/reminder-schedule", data={"csrf_token": token, "every_days": "2", "max": "5",
                                                   "quiet_hours": "12"})
    db.session.refresh(campaign)
    assert (campaign.reminders_auto, campaign.reminder_every_days, campaign.reminder_max,
            campaign.reminder_quiet_hours) == (False, 2, 5, 12)
    assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.action == "campaign.reminders"))
    assert "Tắt gửi tự động" in client.get(url).get_data(as_text=True)


def test_focal_users_do_not_get_the_board(known, client, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    html = client.get(f"/progress/campaigns/{known.campaign.id}").get_data(as_text=True)
    assert "laggards-table" not in html and 'id="schedule"' not in html


def test_automatic_reminders_off_means_the_scheduler_sends_none(known):
    from app.mailing.services import scheduled_reminders

    known.campaign.reminders_auto = False
    db.session.commit()
    assert scheduled_reminders() == 0
    known.campaign.reminders_auto = True
    db.session.commit()
    assert scheduled_reminders() == 3  # p3, p4 and q2 are due


def test_the_panel_lists_the_units_furthest_behind_first_and_all_on_request(known, client, make_user, monkeypatch):
    # A province's 1 000 units are all in the progress table; the panel names the ones to call first.
    monkeypatch.setattr("app.progress.laggards.SHOWN_FIRST", 2)
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}"
    html = client.get(url).get_data(as_text=True)
    table = html.split('id="laggards-table"')[1].split("</table>")[0]
    assert "Sở Tư pháp" not in table  # the third, furthest ahead, is left out; the two behind, in order
    assert table.index("UBND huyện Đông Anh") < table.index("Sở Nội vụ")
    more = html.split('id="laggards-more"')[1].split("</p>")[0]
    assert "Còn 1 đơn vị ít chậm hơn hoặc đã đạt chỉ tiêu." in more and "Xem tất cả 3 đơn vị" in more
    assert "3 đơn vị chưa đạt chỉ tiêu" in html.split('id="remind-note"')[1]  # counted over every unit
    assert "Sở Tư pháp" in html.split('id="progress-table"')[1]
    link = more.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert "laggards=all" in link
    every = client.get(link).get_data(as_text=True)
    assert _order(every) == ["UBND huyện Đông Anh", "Sở Nội vụ", "Sở Tư pháp"] and 'id="laggards-more"' not in every
    kept = client.get(f"{url}?sort=-name&laggards=all").get_data(as_text=True)  # other arguments kept
    assert _order(kept) == ["UBND huyện Đông Anh", "Sở Nội vụ", "Sở Tư pháp"]
