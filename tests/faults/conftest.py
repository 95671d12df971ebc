"""Fixtures of the fault tests: a live threaded HTTP server, invited respondents, an admin
connection that plays "PostgreSQL restarted", and the postgres_only skip.

The other two faults of issue 9 live next to the code they exercise and are not repeated here:
- a worker killed mid-batch (in process): tests/mailing/test_faults.py::test_killed_worker_only_the_message_in_flight_goes_twice
  (a real subprocess killed with SIGKILL while another worker continues: test_mail_faults.py here);
- the scheduler started twice: tests/mailing/test_web_jobs.py::test_two_jobs_run_at_once_and_sigterm
  (two real `jobs run` processes, one leader, both stop on SIGTERM) and ::test_only_one_leader_and_the_heartbeat.
"""
import threading

import pytest
from sqlalchemy import insert, select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.mailing.tokens import make_token, new_nonce
from app.models import Group, Invitation, Respondent, RespondentTarget, Unit

from tests.mailing.conftest import make_respondents, smtp_server, use_mailbox  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _postgres_only(request, database_url):
    if request.node.get_closest_marker("postgres_only") and not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")


@pytest.fixture
def live_server(app):
    """live_server() -> (base_url, server_app): the app as production runs it, on a loopback port.

    TESTING is off so that an unexpected exception gives the error page (as under gunicorn),
    not a propagated traceback. The server app has its own engine and connection pool."""
    started = []

    def start():
        config = {**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False}
        server_app = create_app(config)
        server = make_server("127.0.0.1", 0, server_app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread, server_app))
        return f"http://127.0.0.1:{server.server_port}", server_app

    yield start
    for server, thread, server_app in started:
        server.shutdown()
        thread.join(10)
        with server_app.app_context():
            db.engine.dispose()


@pytest.fixture
def invitations(app, make_campaign):
    """invitations(n) -> (links, questionnaire): n sent invitations of one campaign, as link paths."""

    def make(n):
        from app.core.schemes import questionnaire

        campaign = make_campaign()
        unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.campaign_id == campaign.id)))
        group = db.session.scalar(select(Group).where(Group.campaign_id == campaign.id, Group.code == "LD_SO"))
        db.session.execute(insert(Respondent), [
            {"campaign_id": campaign.id, "unit_id": unit_ids[i % len(unit_ids)], "group_id": group.id,
             "full_name": f"Trần Thị {i}", "email": f"nguoi{i}@faults.gov.vn"} for i in range(n)])
        people = db.session.execute(select(Respondent.id, Respondent.unit_id)
                                    .where(Respondent.campaign_id == campaign.id)).all()
        db.session.execute(insert(RespondentTarget), [{"respondent_id": r, "unit_id": u} for r, u in people])
        db.session.execute(insert(Invitation), [
            {"campaign_id": campaign.id, "respondent_id": r, "unit_id": u, "group_id": group.id,
             "questionnaire_code": group.questionnaire_code, "nonce": new_nonce(), "status": "sent"}
            for r, u in people])
        db.session.commit()
        rows = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
        return [(inv.id, f"/s/{make_token(inv)}") for inv in rows], questionnaire("PAR_PROVINCE",
                                                                                   group.questionnaire_code)

    return make
