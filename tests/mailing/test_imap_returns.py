"""Bounces and replies read from a REAL IMAP server (Dovecot on loopback), end to end:
invitation sent through aiosmtpd -> delivery report / reply delivered into Dovecot -> one
polling run -> invitation state, dashboard figures, replies list, folders on the server."""
import json
import os
from pathlib import Path

import pytest

from app.extensions import db
from app.mailing.imap import PROCESSED_FOLDER, read_all
from app.mailing.mailboxes import parse_imap_url, save_imap
from app.mailing.outbox import drain
from app.mailing.replies import replies_for
from app.mailing.services import queue_invitations
from app.models import Invitation, Mailbox, MailReply, OutboxMessage, Respondent
from app.progress.services import campaign_progress

from tests.conftest import login

from .dovecot import CuttingProxy, Dovecot
from .test_smtp_offices import certificate  # noqa: F401  (fixture: a certificate for 127.0.0.1)

# Skipped without Dovecot, except where REQUIRE_IMAP=1 (CI): there a missing server fails the tests.
pytestmark = pytest.mark.skipif(not Path("/usr/sbin/dovecot").exists() and os.environ.get("REQUIRE_IMAP") != "1",
                                reason="Dovecot is not installed")

SAMPLES = Path(__file__).parent / "returns"
USER, PASSWORD = "hopthu@sonv.gov.vn", "mat-khau-imap"
OTHER = "thuky@sonv.gov.vn"


@pytest.fixture
def dovecot():
    server = Dovecot({USER: PASSWORD, OTHER: "khac"}).start()
    yield server
    server.stop()


def sample(name: str, msg: OutboxMessage) -> bytes:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return text.replace("{MSGID}", msg.message_id).replace("{RCPT}", msg.to_addr).replace("{FROM}", USER).encode()


def imap_url(port, password=PASSWORD, user=USER, folder="INBOX", tls="none"):
    return f"imap://{user.replace('@', '%40')}:{password}@127.0.0.1:{port}/{folder}?tls={tls}"


@pytest.fixture
def sent(app, make_campaign, make_respondents, smtp_server, use_mailbox, dovecot):
    """Six invitations of SO_TP sent through a real SMTP server; the mailbox is read from Dovecot."""
    smtp = smtp_server()
    campaign = make_campaign()
    box = use_mailbox(smtp.url(sender=USER), unit_code="SO_TP")
    save_imap(box, parse_imap_url(imap_url(dovecot.port)))
    db.session.commit()
    people = make_respondents(campaign, "SO_TP", 6)
    queue_invitations(campaign)
    db.session.commit()
    assert drain().sent == 6
    mails = {m.respondent_id: m for m in db.session.scalars(db.select(OutboxMessage))}
    return campaign, box, [mails[p.id] for p in people]


def _inv(msg):
    db.session.expire_all()
    return db.session.get(Invitation, msg.invitation_ids[0])


def test_one_polling_run_marks_bounces_lists_replies_and_moves_what_it_read(app, dovecot, sent):
    campaign, box, mails = sent
    before = campaign_progress(campaign).as_dict()["totals"]
    assert before["delivered"] == 6 and before["failed"] == 0
    for name, msg in zip(["postfix_550.eml", "exchange_ndr.eml", "gmail_550.eml", "zimbra_full.eml",
                          "ooo_vi.eml", "reply.eml"], mails):
        dovecot.deliver(USER, sample(name, msg))
    dovecot.deliver(USER, sample("ooo_exchange.eml", mails[5]))
    dovecot.deliver(USER, sample("bounce_no_status.eml", mails[0]))

    report = read_all().as_dict()

    assert report["errors"] == [] and report["read"] == 8
    assert report["bounced"] == {"hard": 3, "soft": 1}
    assert (report["replies"], report["auto_replies"], report["unreadable"]) == (1, 2, 1)
    for msg in mails[:3]:  # Postfix, Exchange (non-standard NDR), Gmail: hard
        inv = _inv(msg)
        assert inv.status == "bounced" and "5.1.1" in inv.last_error
        assert db.session.get(Respondent, msg.respondent_id).email_status == "bounced"
    soft = _inv(mails[3])  # Zimbra over quota: sent again later, not an address to fix
    assert soft.status == "queued" and "5.2.2" in soft.last_error
    assert db.session.get(OutboxMessage, mails[3].id).status == "queued"
    assert db.session.get(Respondent, mails[3].respondent_id).email_status == "ok"
    assert _inv(mails[4]).status == _inv(mails[5]).status == "sent"  # replies change nothing
    # The dashboard's figures within the same run.
    after = campaign_progress(campaign).as_dict()["totals"]
    assert after["failed"] == 3 and after["delivered"] == 2
    # The secretariat's list: the person's reply with the invitation it answers; auto-replies aside.
    listed = replies_for(campaign.id)
    assert [r["kind"] for r in listed] == ["reply"]
    assert listed[0]["sender"] == mails[5].to_addr and listed[0]["subject"].startswith("Re: Thư mời")
    assert listed[0]["invitations"][0]["id"] == mails[5].invitation_ids[0]
    assert listed[0]["invitations"][0]["unit"] == "Sở Tư pháp"
    assert len(replies_for(campaign.id, kinds=("auto_reply",))) == 2
    # Read messages moved, never deleted; the unreadable one stays in the inbox and is reported.
    assert dovecot.count(USER, PROCESSED_FOLDER) == 7 and dovecot.count(USER) == 1
    unreadable = db.session.scalar(db.select(MailReply).where(MailReply.kind == "unreadable"))
    assert "Không đọc được thư" in unreadable.note
    # A second run: nothing new is applied twice; the unreadable one is reported again.
    again = read_all().as_dict()
    assert again["read"] == 1 and again["unreadable"] == 1 and again["bounced"] == {"hard": 0, "soft": 0}


def test_the_problem_addresses_list_shows_hard_bounces(app, dovecot, sent):
    from app.mailing.addresses import addresses_to_fix

    campaign, box, mails = sent
    dovecot.deliver(USER, sample("postfix_550.eml", mails[0]))
    dovecot.deliver(USER, sample("zimbra_full.eml", mails[1]))
    read_all()
    rows = addresses_to_fix(campaign)
    assert [fix.respondent.email for fix in rows] == [mails[0].to_addr]
    assert "5.1.1" in rows[0].reason and rows[0].invitation_id is not None  # proposable by the focal unit


def test_a_report_for_a_mail_we_never_sent_stays_and_is_reported(app, dovecot, sent):
    campaign, box, mails = sent

    class Foreign:
        message_id, to_addr = "<someone-else@sonv.gov.vn>", mails[0].to_addr

    dovecot.deliver(USER, sample("postfix_550.eml", Foreign))
    report = read_all().as_dict()
    assert report["unreadable"] == 1 and report["bounced"]["hard"] == 0
    assert _inv(mails[0]).status == "sent"  # never matched on the address alone
    assert dovecot.count(USER) == 1


def test_unreadable_messages_are_counted_on_the_mailbox_page(app, client, make_user, dovecot, sent):
    campaign, box, mails = sent
    dovecot.deliver(USER, sample("bounce_no_status.eml", mails[0]))
    assert read_all().as_dict()["unreadable"] == 1
    login(client, make_user("admin"))
    page = client.get("/admin/mailboxes").get_data(as_text=True)
    assert "1 thư không đọc được hoặc không khớp thư mời nào" in page


def test_connection_cut_mid_fetch_loses_nothing_and_the_next_run_finishes(app, dovecot, sent):
    campaign, box, mails = sent
    for msg in mails[:3]:
        dovecot.deliver(USER, sample("postfix_550.eml", msg))
    proxy = CuttingProxy(dovecot.port, cut_after=3000)  # greeting + login + select + part of the first fetch
    try:
        save_imap(db.session.get(Mailbox, box.id), parse_imap_url(imap_url(proxy.port)))
        db.session.commit()
        report = read_all().as_dict()
    finally:
        proxy.close()
    assert len(report["errors"]) == 1 and "Mất kết nối" in report["errors"][0]["error"]
    db.session.expire_all()
    assert "Mất kết nối" in db.session.get(Mailbox, box.id).imap_last_error
    assert dovecot.count(USER) + dovecot.count(USER, PROCESSED_FOLDER) == 3  # nothing deleted
    save_imap(db.session.get(Mailbox, box.id), parse_imap_url(imap_url(dovecot.port)))
    db.session.commit()
    report = read_all().as_dict()
    assert report["errors"] == []
    assert all(_inv(m).status == "bounced" for m in mails[:3])
    assert dovecot.count(USER) == 0 and dovecot.count(USER, PROCESSED_FOLDER) == 3
    assert db.session.get(Mailbox, box.id).imap_last_error is None


def test_bad_credentials_are_shown_on_the_mailbox_page_and_other_mailboxes_go_on(app, client, make_user, dovecot, sent):
    campaign, box, mails = sent
    other = Mailbox(unit_code="SO_NV", host="127.0.0.1", port=25, tls="none", sender=OTHER)
    db.session.add(other)
    db.session.flush()
    save_imap(other, parse_imap_url(imap_url(dovecot.port, password="sai", user=OTHER)))
    db.session.commit()
    dovecot.deliver(USER, sample("gmail_550.eml", mails[0]))
    report = read_all().as_dict()
    assert report["errors"] == [{"mailbox": "SO_NV", "error": report["errors"][0]["error"]}]
    assert "từ chối đăng nhập" in report["errors"][0]["error"]
    assert report["bounced"]["hard"] == 1 and _inv(mails[0]).status == "bounced"
    login(client, make_user("admin"))
    page = client.get("/admin/mailboxes").get_data(as_text=True)
    assert "từ chối đăng nhập" in page


def test_cli_read_bounces_json(app, runner, dovecot, sent):
    campaign, box, mails = sent
    dovecot.deliver(USER, sample("reply.eml", mails[0]))
    result = runner.invoke(args=["mail", "read-bounces", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["replies"] == 1 and data["mailboxes"] == 1 and data["errors"] == []


def test_cli_imap_url_is_checked_and_stored_encrypted(app, runner):
    from app.models import Unit  # noqa: F401  (the default mailbox needs no unit)

    bad = runner.invoke(args=["mailboxes", "add", "--url", "smtp://127.0.0.1:25?tls=none&sender=a@b.vn",
                              "--imap-url", "pop3://x@127.0.0.1"])
    assert bad.exit_code != 0 and "imap://" in bad.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Mailbox)) == 0  # nothing half-written
    ok = runner.invoke(args=["mailboxes", "add", "--url", "smtp://127.0.0.1:25?tls=none&sender=a@b.vn",
                             "--imap-url", "imap://hop%40b.vn:bi-mat@127.0.0.1:1143/Bounces?tls=starttls", "--json"])
    assert ok.exit_code == 0, ok.output
    box = db.session.scalar(db.select(Mailbox))
    assert (box.imap_host, box.imap_port, box.imap_tls, box.imap_username, box.imap_folder) == \
        ("127.0.0.1", 1143, "starttls", "hop@b.vn", "Bounces")
    assert "bi-mat" not in (box.imap_password_encrypted or "")


def test_admin_form_sets_imap_and_refuses_it_without_a_login(app, client, make_user):
    from app.core.crypto import decrypt
    from tests.conftest import csrf_token

    login(client, make_user("admin"))
    base = {"host": "smtp.tinh.gov.vn", "port": 587, "tls": "starttls", "sender": "cchc@tinh.gov.vn",
            "rate_per_minute": 60, "daily_cap": 5000, "imap_host": "imap.tinh.gov.vn", "imap_port": 993,
            "imap_tls": "ssl", "imap_password": "mat-khau-doc-thu", "imap_folder": "Bounces"}
    refused = client.post("/admin/mailboxes", data={**base, "csrf_token": csrf_token(client, "/admin/mailboxes")},
                          follow_redirects=True)
    assert "Thiếu tên đăng nhập hộp thư IMAP" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Mailbox)) == 0  # nothing half-written
    client.post("/admin/mailboxes", data={**base, "imap_username": "cchc@tinh.gov.vn",
                                          "csrf_token": csrf_token(client, "/admin/mailboxes")})
    box = db.session.scalar(db.select(Mailbox))
    assert (box.imap_host, box.imap_port, box.imap_tls, box.imap_folder) == ("imap.tinh.gov.vn", 993, "ssl", "Bounces")
    assert decrypt(box.imap_password_encrypted) == "mat-khau-doc-thu"
    html = client.get("/admin/mailboxes").get_data(as_text=True)
    assert "mat-khau-doc-thu" not in html and "imap.tinh.gov.vn:993/Bounces" in html


def test_starttls_to_the_imap_server_with_the_office_ca(app, certificate, sent):  # noqa: F811
    campaign, box, mails = sent
    server = Dovecot({USER: PASSWORD}, certificate=certificate).start()
    try:
        server.deliver(USER, sample("postfix_550.eml", mails[0]))
        save_imap(db.session.get(Mailbox, box.id), parse_imap_url(imap_url(server.port, tls="starttls")))
        db.session.commit()
        app.config["MAIL_CA_FILE"] = None  # an unknown certificate: nothing read, a clear error
        untrusted = read_all().as_dict()
        assert untrusted["read"] == 0 and "Không kết nối được máy chủ IMAP" in untrusted["errors"][0]["error"]
        app.config["MAIL_CA_FILE"] = str(certificate[0])
        trusted = read_all().as_dict()
        assert trusted["errors"] == [] and trusted["bounced"]["hard"] == 1
        assert _inv(mails[0]).status == "bounced"
    finally:
        server.stop()
