"""The attacker with the database (docs/ANONYMITY.md): after release, try to join every response
to its invitation — on PostgreSQL's system columns (xmin, cmin, xmax, ctid), on every column
pair of the two tables, and on time stamps — and find nothing better than a guess.

The test knows the truth (each sheet carries a tag in a free-text answer); the attacker's joins
use only the columns of `responses` and `invitations`.
"""
from datetime import datetime, timedelta

from app.extensions import db
from app.models import Answer, Invitation, utcnow
from app.core import clock
from app.survey.services import Paradata, open_link, submit_response
from tests.conftest import release_all

from .conftest import questionnaire_of

SHEETS = 40
#: A join "names" a sheet when it leaves exactly one candidate invitation and that one is right.
#: Chance alone does it about once (response id = invitation id: the fixed points of a random
#: permutation, Poisson(1); P(≥ 9) ≈ 1e-6, P(≥ 6) ≈ 6e-4 was too flaky); a real link, 40 times.
CHANCE_BOUND = 8
SYSTEM = "xmin::text AS sys_xmin, cmin::text AS sys_cmin, xmax::text AS sys_xmax, ctid::text AS sys_ctid"


def _answered_campaign(make_invitation):
    truth = {}
    invitations = [make_invitation() for _ in range(SHEETS)]
    for n, invitation in enumerate(invitations):
        invitation.created_at = invitation.sent_at = utcnow() - timedelta(days=4)  # mailed days before
    db.session.commit()
    for n, invitation in enumerate(invitations):
        q = questionnaire_of(invitation)
        answers = {i.code: "a" for i in q.items if i.type == "choice"}
        answers[next(i.code for i in q.items if i.type != "choice")] = f"tag-{n}"
        if n % 2:  # half open the form first (a draft that is deleted at submit)
            open_link(invitation, Paradata(device_hash=f"d{n}"), clock.today())
            db.session.commit()
        assert submit_response(invitation, q, answers, clock.today(), Paradata(device_hash=f"d{n}")) is not None
        db.session.commit()
        truth[f"tag-{n}"] = invitation.id
    assert release_all() == SHEETS
    tags = dict(db.session.execute(db.select(Answer.response_id, Answer.text).where(Answer.text.like("tag-%"))).all())
    return {response_id: truth[tag] for response_id, tag in tags.items()}  # response id -> invitation id


def _rows(table: str, postgres: bool) -> dict:
    extra = f", {SYSTEM}" if postgres else ", rowid AS sys_rowid"
    with db.engine.connect() as conn:
        return {row["id"]: dict(row) for row in conn.execute(db.text(f"SELECT *{extra} FROM {table}")).mappings()}


def test_no_join_names_the_respondent_of_a_released_sheet(app, make_invitation):
    postgres = db.engine.dialect.name == "postgresql"
    truth = _answered_campaign(make_invitation)
    responses, invitations = _rows("responses", postgres), _rows("invitations", postgres)
    assert len(truth) == SHEETS
    if postgres:
        # The transaction ids: no response (nor answer) row was written by a transaction that
        # wrote an invitation, a respondent or a progress counter.
        identity_xids = set()
        with db.engine.connect() as conn:
            for table in ("invitations", "respondents", "progress_counters", "progress_daily_answers"):
                identity_xids |= set(conn.execute(db.text(f"SELECT xmin::text FROM {table}")).scalars())
            answer_xids = set(conn.execute(db.text("SELECT xmin::text FROM answers")).scalars())
            assert conn.execute(db.text("SELECT count(*) FROM responses r JOIN invitations i ON r.xmin = i.xmin")
                                ).scalar() == 0
            assert conn.execute(db.text("SELECT count(*) FROM responses r JOIN invitations i "
                                        "ON r.xmin = i.xmin AND r.cmin = i.cmin")).scalar() == 0
            assert conn.execute(db.text("SELECT count(*) FROM responses r JOIN invitations i "
                                        "ON r.xmax = i.xmax AND r.xmax::text <> '0'")).scalar() == 0
        assert not ({r["sys_xmin"] for r in responses.values()} | answer_xids) & identity_xids
    named = {}
    for a in next(iter(responses.values())):
        for b in next(iter(invitations.values())):
            hits = 0
            for response_id, invitation_id in truth.items():
                value = responses[response_id][a]
                if value is None or isinstance(value, bool):
                    continue
                candidates = [i for i, row in invitations.items()
                              if type(row[b]) is type(value) and row[b] == value]
                hits += candidates == [invitation_id]
            named[(a, b)] = hits
    assert max(named.values()) <= CHANCE_BOUND, sorted(named.items(), key=lambda kv: -kv[1])[:5]
    # Time stamps: nothing on the invitation is within ten minutes of its sheet's submission.
    for response_id, invitation_id in truth.items():
        submitted = responses[response_id]["submitted_at"]
        for column, value in invitations[invitation_id].items():
            if isinstance(value, datetime) and not isinstance(submitted, str):
                assert abs(value.replace(tzinfo=None) - submitted.replace(tzinfo=None)) > timedelta(minutes=10), column


def test_the_invitation_keeps_the_day_only(app, make_invitation):
    _answered_campaign(make_invitation)
    for invitation in db.session.scalars(db.select(Invitation)):
        assert type(invitation.answered_on).__name__ == "date" and type(invitation.opened_on).__name__ == "date"


def test_the_window_before_release_is_real(app, make_invitation):
    """The documented limit: while a sheet waits in `sealed_answers`, PostgreSQL's xmin ties it to
    its invitation; released, the same join finds nothing."""
    invitation = make_invitation()
    q = questionnaire_of(invitation)
    submit_response(invitation, q, {i.code: "a" for i in q.items if i.type == "choice"}, clock.today(), Paradata())
    db.session.commit()
    if db.engine.dialect.name != "postgresql":
        assert db.session.scalar(db.text("SELECT count(*) FROM sealed_answers")) == 1
        return
    join = "SELECT count(*) FROM {} s JOIN invitations i ON s.xmin = i.xmin"
    assert db.session.scalar(db.text(join.format("sealed_answers"))) == 1
    release_all()
    assert db.session.scalar(db.text(join.format("responses"))) == 0
