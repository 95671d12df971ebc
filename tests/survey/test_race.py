"""Concurrent submissions on one link produce exactly one response (SQLite and PostgreSQL)."""
import threading

from flask import g
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Answer, Invitation, SurveyDraft

from tests.conftest import release_all

from .conftest import count_rows, full_sheet, link_of, questionnaire_of, sheets, token_from

TABS = 8


def test_concurrent_submissions_on_one_link_store_exactly_one_response(app, make_invitation):
    invitation = make_invitation()
    link, invitation_id = link_of(invitation), invitation.id
    sheet = full_sheet(questionnaire_of(invitation))
    n_items = len(sheet)
    clients, tokens = [], []
    for _ in range(TABS):  # eight tabs / devices, each with its own session and form
        c = FlaskClient(app, app.response_class, use_cookies=True)
        g.__dict__.clear()  # the CSRF token is cached on g: each tab gets its own, as in production
        tokens.append(token_from(c.get(link).get_data(as_text=True)))
        clients.append(c)
    db.session.remove()
    barrier = threading.Barrier(TABS)
    statuses, errors = [None] * TABS, []

    def submit(i):
        try:
            barrier.wait(timeout=30)
            response = clients[i].post(link, data={**sheet, "csrf_token": tokens[i], "action": "submit"})
            statuses[i] = response.status_code
        except Exception as exc:  # surfaced below
            errors.append(repr(exc))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(TABS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    # Winner and losers alike are sent to the thank-you page (303) or already see it (200).
    assert set(statuses) <= {200, 303}, statuses
    assert sheets() == 1
    release_all()
    assert count_rows(Answer) == n_items
    assert count_rows(SurveyDraft) == 0
    assert db.session.get(Invitation, invitation_id).answered_on is not None
