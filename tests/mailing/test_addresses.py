"""Address changes are the secretariat's (issue 12 point 2): a focal unit proposes for a failed or
bounced delivery on its own approved list, an admin or coordinator decides; real SMTP on loopback."""
import json
import re
import pytest
from sqlalchemy import inspect

from app.core import clock
from app.extensions import db
from app.mailing import tokens
from app.mailing.addresses import addresses_to_fix, change_address, decide, propose
from app.mailing.outbox import drain
from app.mailing.services import MailingError, mark_bounced, queue_invitations
from app.models import AddressProposal, AuditEntry, Invitation, OutboxMessage, Respondent, RespondentList
from app.survey.services import INVALID, OPEN, resolve_survey_link
from tests.conftest import csrf_token, login


def _inv(person):
    return db.session.scalar(db.select(Invitation).where(Invitation.respondent_id == person.id))


def _token_in(received) -> str:
    return re.search(r"/s/(\S+)", received.message.get_body(("plain",)).get_content()).group(1)


@pytest.fixture
def bounced(app, make_campaign, make_respondents, make_user, smtp_server, use_mailbox):
    """SO_TP's list (approved): `bad` refused by the server (550), `good` delivered. SO_NV: `theirs` refused."""
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    bad, good = make_respondents(campaign, "SO_TP", 2, emails=["sai@sotp.gov.vn", "dung@sotp.gov.vn"])
    theirs, = make_respondents(campaign, "SO_NV", 1, emails=["sai@sonv.gov.vn"])
    for addr in ("sai@sotp.gov.vn", "sai@sonv.gov.vn"):
        server.handler.refuse_rcpt[addr] = "550 5.1.1 Không có hộp thư này"
    queue_invitations(campaign)
    db.session.commit()
    drain()
    users = {"focal": make_user("focal", units=["SO_TP"]), "focal_nv": make_user("focal", units=["SO_NV"]),
             "admin": make_user("admin"), "coordinator": make_user("coordinator")}
    assert _inv(bad).status == "failed" and _inv(good).status == "sent"
    return campaign, server, bad, good, theirs, users


def _audit(action):
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_proposal_mails_nothing_until_approved_then_old_link_dies_and_new_one_works(bounced):
    campaign, server, bad, good, theirs, users = bounced
    old_token = tokens.make_token(_inv(bad))
    proposal = propose(_inv(bad), "  Moi@SOTP.gov.vn ", "Cán bộ đổi hộp thư công vụ", users["focal"])
    db.session.commit()
    drain()
    assert proposal.state == "pending" and proposal.new_email == "Moi@sotp.gov.vn"
    assert server.handler.to("Moi@sotp.gov.vn") == []  # nothing mailed before the decision
    assert db.session.get(Respondent, bad.id).email == "sai@sotp.gov.vn"
    assert [f.pending.id for f in addresses_to_fix(campaign) if f.respondent.id == bad.id] == [proposal.id]

    assert decide(proposal, True, users["coordinator"], "Đã gọi điện xác nhận") == 1
    db.session.commit()
    drain()
    assert db.session.get(Respondent, bad.id).email == "Moi@sotp.gov.vn"
    assert resolve_survey_link(old_token, clock.today()).state == INVALID
    received, = server.handler.to("Moi@sotp.gov.vn")
    link = resolve_survey_link(_token_in(received), clock.today())
    assert link.state == OPEN and link.invitation.respondent_id == bad.id
    assert proposal.state == "approved" and proposal.decided_by_id == users["coordinator"].id
    # Every step audited, the old and the new address shown.
    entry, = _audit("address.propose")
    assert entry.user_id == users["focal"].id and entry.details["before"] == "sai@sotp.gov.vn"
    assert entry.details["after"] == "Moi@sotp.gov.vn" and entry.details["reason"] == "Cán bộ đổi hộp thư công vụ"
    entry, = _audit("address.approve")
    assert entry.user_id == users["coordinator"].id and entry.details["note"] == "Đã gọi điện xác nhận"
    entry, = _audit("address.change")
    assert (entry.details["before"], entry.details["after"]) == ("sai@sotp.gov.vn", "Moi@sotp.gov.vn")
    assert _audit("invitation.revoke") and _audit("invitation.reissue")
    assert bad.id not in {f.respondent.id for f in addresses_to_fix(campaign)}


def test_rejection_changes_nothing_and_mails_nothing(bounced):
    campaign, server, bad, good, theirs, users = bounced
    proposal = propose(_inv(bad), "moi@sotp.gov.vn", "Lý do", users["focal"])
    db.session.commit()
    outbox = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    assert decide(proposal, False, users["admin"], "Không xác minh được") == 0
    db.session.commit()
    drain()
    assert proposal.state == "rejected" and db.session.get(Respondent, bad.id).email == "sai@sotp.gov.vn"
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == outbox
    assert server.handler.to("moi@sotp.gov.vn") == []
    assert _audit("address.reject")[0].details["note"] == "Không xác minh được"
    with pytest.raises(MailingError, match="đã được quyết định"):
        decide(proposal, True, users["admin"])


@pytest.mark.parametrize("case, message", [
    ("not failed", "không bị lỗi"),
    ("other unit", "Chỉ đơn vị đầu mối đã lập danh sách"),
    ("coordinator", "Chỉ đơn vị đầu mối đã lập danh sách"),
    ("no reason", "Hãy ghi lý do"),
    ("bad address", "không hợp lệ"),
    ("same address", "trùng với địa chỉ hiện tại"),
    ("taken address", "đã có trong danh sách"),
    ("list returned", "Danh sách chưa được duyệt"),
    ("second proposal", "đang chờ Tổ thư ký"),
])
def test_refused_proposals_say_why_and_change_nothing(bounced, case, message):
    campaign, server, bad, good, theirs, users = bounced
    target, email, reason, actor = _inv(bad), "moi@sotp.gov.vn", "Đổi hộp thư", users["focal"]
    if case == "not failed":
        target = _inv(good)
    elif case == "other unit":
        actor = users["focal_nv"]
    elif case == "coordinator":
        actor = users["coordinator"]
    elif case == "no reason":
        reason = "   "
    elif case == "bad address":
        email = "khong-phai-dia-chi"
    elif case == "same address":
        email = "sai@sotp.gov.vn"
    elif case == "taken address":
        email = "dung@sotp.gov.vn"
    elif case == "list returned":
        db.session.execute(db.update(RespondentList).where(RespondentList.unit_id == bad.unit_id)
                           .values(state="returned"))
    elif case == "second proposal":
        propose(target, "khac@sotp.gov.vn", "Lần đầu", actor)
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(AddressProposal.id)))
    with pytest.raises(MailingError, match=message):
        propose(target, email, reason, actor)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(AddressProposal.id))) == before
    assert db.session.get(Respondent, bad.id).email == "sai@sotp.gov.vn"


def test_only_the_secretariat_decides_or_changes(bounced):
    campaign, server, bad, good, theirs, users = bounced
    proposal = propose(_inv(bad), "moi@sotp.gov.vn", "Đổi hộp thư", users["focal"])
    db.session.commit()
    for focal in (users["focal"], users["focal_nv"]):
        with pytest.raises(MailingError, match="Chỉ Tổ thư ký"):
            decide(proposal, True, focal)
        with pytest.raises(MailingError, match="Chỉ Tổ thư ký"):
            change_address(good, "khac@sotp.gov.vn", focal)
    db.session.rollback()
    assert db.session.get(AddressProposal, proposal.id).state == "pending"
    assert db.session.get(Respondent, good.id).email == "dung@sotp.gov.vn"


def test_direct_change_by_admin_closes_a_pending_proposal_and_a_stale_approval_is_refused(bounced):
    campaign, server, bad, good, theirs, users = bounced
    proposal = propose(_inv(bad), "moi@sotp.gov.vn", "Đổi hộp thư", users["focal"])
    db.session.commit()
    assert change_address(db.session.get(Respondent, bad.id), "thuky.chon@sotp.gov.vn", users["admin"]) == 1
    db.session.commit()
    drain()
    assert proposal.state == "rejected" and "trực tiếp" in proposal.decision_note
    assert len(server.handler.to("thuky.chon@sotp.gov.vn")) == 1 and server.handler.to("moi@sotp.gov.vn") == []
    # A second proposal made on the old address, then the address changes again: approving it is refused.
    db.session.execute(db.update(Respondent).where(Respondent.id == bad.id).values(email_status="bounced"))
    second = propose(_inv(bad), "moi@sotp.gov.vn", "Vẫn lỗi", users["focal"])
    db.session.commit()
    change_address(db.session.get(Respondent, bad.id), "lan-ba@sotp.gov.vn", users["coordinator"])
    second.state, second.decided_at = "pending", None  # as if the direct change had raced the decision
    db.session.flush()
    with pytest.raises(MailingError, match="đã thay đổi sau khi có đề xuất"):
        decide(second, True, users["admin"])


def test_hard_bounce_appears_in_addresses_to_fix_and_is_proposable(bounced):
    campaign, server, bad, good, theirs, users = bounced
    assert good.id not in {f.respondent.id for f in addresses_to_fix(campaign)}
    assert mark_bounced("dung@sotp.gov.vn", "550 5.1.1 User unknown") == 1
    db.session.commit()
    fixes = {f.respondent.id: f for f in addresses_to_fix(campaign, [good.unit_id])}
    assert set(fixes) == {bad.id, good.id} and fixes[good.id].reason == "550 5.1.1 User unknown"
    assert fixes[good.id].invitation_id == _inv(good).id
    assert propose(_inv(good), "dung2@sotp.gov.vn", "Thư bị trả lại", users["focal"]).state == "pending"


def test_proposal_carries_no_answer_time():
    """Anonymity: nothing on a proposal is about answering (only when it was proposed and decided)."""
    columns = {c.key for c in inspect(AddressProposal).columns}
    assert columns == {"id", "campaign_id", "respondent_id", "invitation_id", "old_email", "new_email", "reason",
                       "state", "proposed_by_id", "proposed_at", "decided_by_id", "decided_at", "decision_note"}


def test_web_focal_proposes_secretariat_sees_and_approves(bounced, client):
    campaign, server, bad, good, theirs, users = bounced
    page = f"/mailing/campaigns/{campaign.id}/addresses"
    login(client, users["focal"])
    html = client.get(page).get_data(as_text=True)
    assert bad.email in html and good.email not in html and theirs.email not in html
    token = csrf_token(client, page)
    empty = client.post(f"/mailing/campaigns/{campaign.id}/invitations/{_inv(bad).id}/address-proposal",
                        data={"csrf_token": token, "email": "moi@sotp.gov.vn"}, follow_redirects=True)
    assert "Hãy nhập địa chỉ mới và lý do đề xuất." in empty.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AddressProposal.id))) == 0
    sent = client.post(f"/mailing/campaigns/{campaign.id}/invitations/{_inv(bad).id}/address-proposal",
                       data={"csrf_token": token, "email": "moi@sotp.gov.vn", "reason": "Đổi hộp thư"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Chưa có thư nào gửi tới địa chỉ mới" in sent and "Chờ quyết định" in sent
    proposal = db.session.scalar(db.select(AddressProposal))
    # The focal unit cannot decide its own proposal.
    assert client.post(f"/mailing/campaigns/{campaign.id}/address-proposals/{proposal.id}/decision",
                       data={"csrf_token": token, "decision": "approve"}).status_code == 403
    login(client, users["coordinator"])
    html = client.get(page).get_data(as_text=True)
    assert "moi@sotp.gov.vn" in html and "Đổi hộp thư" in html and users["focal"].email in html
    token = csrf_token(client, page)
    bad_decision = client.post(f"/mailing/campaigns/{campaign.id}/address-proposals/{proposal.id}/decision",
                               data={"csrf_token": token, "decision": "maybe"}, follow_redirects=True)
    assert "Hãy chọn duyệt hoặc từ chối." in bad_decision.get_data(as_text=True)
    done = client.post(f"/mailing/campaigns/{campaign.id}/address-proposals/{proposal.id}/decision",
                       data={"csrf_token": token, "decision": "approve"}, follow_redirects=True)
    assert "Đã duyệt" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Respondent, bad.id).email == "moi@sotp.gov.vn"
    drain()
    assert len(server.handler.to("moi@sotp.gov.vn")) == 1


def test_cli_propose_and_decide(bounced, runner):
    campaign, server, bad, good, theirs, users = bounced
    out = runner.invoke(args=["addresses", "propose", str(_inv(bad).id), "--email", "moi@sotp.gov.vn",
                              "--reason", "Đổi hộp thư", "--user", users["focal"].email, "--json"])
    assert out.exit_code == 0, out.output
    row = json.loads(out.output)
    assert row["state"] == "pending" and row["new_email"] == "moi@sotp.gov.vn" and row["old_email"] == bad.email
    refused = runner.invoke(args=["addresses", "propose", str(_inv(good).id), "--email", "x@sotp.gov.vn",
                                  "--reason", "?", "--user", users["focal"].email, "--json"])
    assert refused.exit_code != 0 and "không bị lỗi" in refused.output
    for args, word in ((["--approve", "--user", users["focal"].email], "Chỉ Tổ thư ký"),
                       (["--user", users["admin"].email], "--approve"),
                       (["--approve", "--user", "khong-co@so.gov.vn"], "khong-co@so.gov.vn")):
        bad_run = runner.invoke(args=["addresses", "decide", str(row["id"]), *args, "--json"])
        assert bad_run.exit_code != 0 and word in bad_run.output
    missing = runner.invoke(args=["addresses", "decide", "999999", "--reject", "--user", users["admin"].email])
    assert missing.exit_code != 0 and "999999" in missing.output
    ok = runner.invoke(args=["addresses", "decide", str(row["id"]), "--approve", "--user", users["admin"].email,
                             "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output) == {**row, "state": "approved", "queued": 1}
    db.session.expire_all()
    assert db.session.get(Respondent, bad.id).email == "moi@sotp.gov.vn"


def test_list_replacement_clears_proposals_and_queued_mail_through_mailing(bounced):
    from app.lists.state import remove_respondents

    campaign, server, bad, good, theirs, users = bounced
    propose(_inv(bad), "moi@sotp.gov.vn", "Đổi hộp thư", users["focal"])
    change_address(db.session.get(Respondent, good.id), "dung2@sotp.gov.vn", users["admin"])  # queues a mail
    db.session.commit()
    assert remove_respondents(bad.unit, "thay danh sách") == 2
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(AddressProposal.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == "queued")) == 0
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 1  # SO_NV's only


def test_addresses_to_fix_depend_on_delivery_only_never_on_answering(app, make_campaign):
    """Property: for any mix of delivery states, opened and answered days, the people a focal unit
    is shown are exactly those whose mail failed or bounced — opening or answering changes nothing."""
    from datetime import date

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from app.models import Group, RespondentTarget, Unit

    campaign = make_campaign()
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == "SO_TP"))
    group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == "LD_SO"))
    person = st.tuples(st.sampled_from(("pending", "queued", "sent", "failed", "bounced")), st.booleans(),
                       st.booleans())

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(person, max_size=8))
    def check(people):
        db.session.execute(db.delete(Invitation))
        db.session.execute(db.delete(RespondentTarget))
        db.session.execute(db.delete(Respondent))
        expected = set()
        for n, (status, opened, answered) in enumerate(people):
            r = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, full_name=f"Người {n}",
                           email=f"n{n}@sotp.gov.vn")
            db.session.add(r)
            db.session.flush()
            db.session.add(Invitation(campaign_id=campaign.id, respondent_id=r.id, unit_id=unit.id, group_id=group.id,
                                      questionnaire_code=group.questionnaire_code, nonce=str(n), status=status,
                                      opened_on=date.today() if opened else None,
                                      answered_on=date.today() if answered else None))
            if status in ("failed", "bounced"):
                expected.add(r.id)
        db.session.flush()
        shown = {f.respondent.id for f in addresses_to_fix(campaign, [unit.id])}
        assert shown == expected
        db.session.execute(db.update(Invitation).values(answered_on=None, opened_on=None))
        assert {f.respondent.id for f in addresses_to_fix(campaign, [unit.id])} == shown
        db.session.rollback()

    check()


def test_after_the_answering_deadline_nothing_is_re_sent(bounced):
    from datetime import date, timedelta

    from app.mailing.services import resend_invitation

    campaign, server, bad, good, theirs, users = bounced
    proposal = propose(_inv(bad), "moi@sotp.gov.vn", "Đổi hộp thư", users["focal"])
    db.session.commit()
    campaign.answers_by = date.today() - timedelta(days=1)
    db.session.commit()
    outbox = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    for attempt in (lambda: resend_invitation(_inv(good), users["admin"]),
                    lambda: change_address(db.session.get(Respondent, good.id), "x@sotp.gov.vn", users["admin"]),
                    lambda: decide(proposal, True, users["admin"]),
                    lambda: propose(_inv(bad), "khac@sotp.gov.vn", "Lý do", users["focal"])):
        with pytest.raises(MailingError, match="quá hạn trả lời"):
            attempt()
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == outbox
    assert db.session.get(Respondent, good.id).email == "dung@sotp.gov.vn"
