"""Anonymity (DESIGN.md §5, docs/ANONYMITY.md) and paradata for interference detection."""
from datetime import date, timedelta

from sqlalchemy import inspect

from app.core.security import keyed_hash, network_prefix
from app.extensions import db
from app.mailing.tokens import make_token
from app.models import Invitation, Respondent, Response, SurveyDraft
from app.core import clock
from app.survey.services import Paradata, save_draft

from tests.conftest import release_all

from .conftest import count_rows, full_sheet, link_of, post_sheet, questionnaire_of, sheets, token_from

IDENTITY_TABLES = {"invitations", "respondents", "respondent_targets", "survey_drafts", "outbox_messages"}


def test_no_response_or_answer_column_references_a_respondent_or_invitation(app, client, make_invitation):
    schema = inspect(db.engine)
    for table in ("responses", "answers"):
        targets = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert not targets & IDENTITY_TABLES, (table, targets)
        names = {c["name"] for c in schema.get_columns(table)}
        assert not {n for n in names if "respondent" in n or "invitation" in n or "email" in n or "token" in n}


def test_no_value_in_a_response_row_equals_an_identifier_of_the_person(client, make_invitation):
    invitations = [make_invitation(name=f"Trần Thị B{i}") for i in range(3)]
    for invitation in invitations:
        post_sheet(client, invitation, full_sheet(questionnaire_of(invitation)))
    assert sheets() == 3
    release_all()
    identifiers = set()
    for invitation in db.session.scalars(db.select(Invitation)):
        respondent = db.session.get(Respondent, invitation.respondent_id)
        identifiers |= {invitation.nonce, make_token(invitation), respondent.full_name, respondent.email, respondent.phone,
                        keyed_hash(str(invitation.id), "net"), keyed_hash(invitation.nonce, "device")}
    with db.engine.connect() as conn:
        for table in ("responses", "answers"):
            for row in conn.execute(db.text(f"SELECT * FROM {table}")).mappings():
                for column, value in row.items():
                    assert not (isinstance(value, str) and value in identifiers), (table, column)
    # Nothing joins a response to an invitation: no draft survives, the invitation keeps a date only.
    assert count_rows(SurveyDraft) == 0
    for invitation in db.session.scalars(db.select(Invitation)):
        assert type(invitation.answered_on) is date and invitation.opened_on is not None


def test_a_draft_cannot_come_back_after_submission(client, make_invitation):
    invitation = make_invitation()
    post_sheet(client, invitation, full_sheet(questionnaire_of(invitation)))
    # A second tab that opened before the submission saves late: refused, nothing linked is written.
    assert save_draft(db.session.get(Invitation, invitation.id), {"Q1": "a"}, Paradata(), clock.today()) is False
    db.session.commit()
    assert count_rows(SurveyDraft) == 0


def test_paradata_hashes_duration_and_moves(app, client, make_invitation):
    invitation = make_invitation()
    office = {"REMOTE_ADDR": "203.0.113.17"}
    client.get(link_of(invitation), environ_base=office, headers={"User-Agent": "Phone/1"})
    draft = db.session.get(SurveyDraft, invitation.id)
    draft.first_opened_at -= timedelta(seconds=300)  # opened five minutes ago
    db.session.commit()
    device = client.get_cookie("ps_dev").value
    # Submitted from another network, same device.
    home = {"REMOTE_ADDR": "198.51.100.9"}
    token = open_form_from(client, invitation, home)
    post_sheet(client, invitation, full_sheet(questionnaire_of(invitation)), token=token, environ_base=home,
               headers={"User-Agent": "Phone/1"})
    release_all()
    response = db.session.scalar(db.select(Response))
    assert response.net_hash == keyed_hash("198.51.100.9", "net")
    assert response.net_prefix_hash == keyed_hash(network_prefix("198.51.100.9"), "net-prefix")
    assert response.ua_hash == keyed_hash("Phone/1", "ua")
    assert response.device_hash == keyed_hash(device, "device")
    assert response.moved_network is True and response.moved_device is False
    assert response.duration_s >= 300
    for value in (response.net_hash, response.net_prefix_hash, response.ua_hash, response.device_hash):
        assert len(value) == 64 and "198.51" not in value


def open_form_from(client, invitation, environ):
    return token_from(client.get(link_of(invitation), environ_base=environ).get_data(as_text=True))


def test_same_office_network_new_device_is_a_device_move(client, make_invitation):
    invitation = make_invitation()
    client.get(link_of(invitation), environ_base={"REMOTE_ADDR": "203.0.113.17"})
    client.delete_cookie("ps_dev")
    token = open_form_from(client, invitation, {"REMOTE_ADDR": "203.0.113.99"})
    post_sheet(client, invitation, full_sheet(questionnaire_of(invitation)), token=token,
               environ_base={"REMOTE_ADDR": "203.0.113.99"})
    release_all()
    response = db.session.scalar(db.select(Response))
    assert response.moved_network is False and response.moved_device is True


def test_client_address_comes_from_the_trusted_proxy_header_only(app, client, make_invitation):
    spoofed = {"X-Forwarded-For": "192.0.2.50"}
    first = make_invitation()
    post_sheet(client, first, full_sheet(questionnaire_of(first)), environ_base={"REMOTE_ADDR": "198.51.100.1"},
               headers=spoofed)
    release_all()
    assert db.session.scalar(db.select(Response.net_hash)) == keyed_hash("198.51.100.1", "net")

    app.config["TRUSTED_PROXIES"] = ("10.0.0.2",)
    second = make_invitation()
    proxied = {"REMOTE_ADDR": "10.0.0.2"}
    token = open_form_from(client, second, proxied)
    post_sheet(client, second, full_sheet(questionnaire_of(second)), token=token, environ_base=proxied,
               headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.50"})
    release_all()
    hashes = set(db.session.scalars(db.select(Response.net_hash)))
    assert keyed_hash("192.0.2.50", "net") in hashes

