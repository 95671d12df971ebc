"""One definition of progress counts: after every kind of change, through the services' own
paths (bulk imports, replaces, queueing, reminders, answers, bounces, revocations, deletes), the
counters kept by the triggers and the batch deltas (app/models/counters.py) equal a full
recount (app/progress/services.py). Runs on SQLite and, with TEST_DATABASE_URL, PostgreSQL.
"""
from datetime import date, timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.lists.importer import import_list
from app.lists.state import approve, remove_respondents, return_list, submit
from app.mailing.services import mark_bounced, queue_invitations_report, reissue, revoke, send_reminders
from app.models import Invitation, OutboxMessage, Respondent, utcnow
from app.progress.services import Counts, answers_per_day, read_counters, recount, recount_per_day
from app.survey.services import _claim_answer, _hold_open

from .list_files import list_csv


def _agree(campaign) -> dict:
    db.session.commit()
    db.session.expire_all()
    direct = {k: v for k, v in recount(campaign).items() if v != Counts()}
    assert read_counters(campaign) == direct
    assert answers_per_day(campaign) == recount_per_day(campaign)
    return direct


def _total(direct: dict, field: str) -> int:
    return sum(getattr(c, field) for c in direct.values())


def test_every_service_path_keeps_counters_equal_to_a_recount(app, make_campaign):
    campaign = make_campaign()
    units = {u.code: u for u in campaign.units}
    so_tp, so_nv, h_da = units["SO_TP"], units["SO_NV"], units["H_DA"]

    import_list(campaign, so_tp, "a.csv", list_csv("SO_TP", 1, 30, "SO_TP;H_DA"), mode="replace")
    import_list(campaign, so_nv, "b.csv", list_csv("SO_NV", 100, 24), mode="replace")
    import_list(campaign, so_nv, "c.csv", list_csv("SO_NV", 200, 6, "SO_NV;SO_TP"), mode="append")
    assert _total(_agree(campaign), "listed") == 60

    for unit in (so_tp, so_nv):
        submit(campaign, unit, explanation="thử nghiệm")
        approve(campaign, unit)
    report = queue_invitations_report(campaign)  # bulk create + bulk status update
    direct = _agree(campaign)
    assert report["queued"] and _total(direct, "invitations") == 30 * 2 + 24 + 6 * 2
    assert _total(direct, "invited") == _total(direct, "invitations")  # citizens count as invited

    mailed = list(db.session.scalars(select(Invitation.id).where(Invitation.status == "queued")
                                     .order_by(Invitation.id)))
    db.session.execute(update(Invitation).where(Invitation.id.in_(mailed))  # the mail worker's bulk update
                       .values(status="sent", sent_at=utcnow() - timedelta(days=10)))
    db.session.execute(update(OutboxMessage).values(status="sent", sent_at=utcnow()))
    today = date.today()
    _hold_open(mailed[0], today)
    assert _claim_answer(mailed[1], today) and _claim_answer(mailed[2], today - timedelta(days=1))
    citizen = db.session.scalar(select(Invitation.id).join(Respondent, Respondent.id == Invitation.respondent_id)
                                .where(Respondent.email.is_(None), Invitation.unit_id == so_tp.id))
    assert _claim_answer(citizen, today)
    _agree(campaign)

    assert send_reminders(campaign, now=utcnow()) > 0  # bulk reminder_count update
    bounced_to = db.session.scalar(select(Respondent.email).join(Invitation, Invitation.respondent_id == Respondent.id)
                                   .where(Invitation.id == mailed[3]))
    assert mark_bounced(bounced_to, "550 không tồn tại")
    direct = _agree(campaign)
    assert _total(direct, "reminders") > 0 and _total(direct, "failed") > 0 and _total(direct, "answered") == 3

    revoke(db.session.get(Invitation, mailed[4]))
    reissue([db.session.get(Invitation, mailed[5])], None, "invitation.resend")
    _agree(campaign)

    # SO_NV's list comes back and is replaced (its invitations go), then appended to.
    return_list(campaign, so_nv, "sửa lại")
    report = import_list(campaign, so_nv, "d.csv", list_csv("SO_NV", 300, 12, "SO_NV;H_DA"), mode="replace")
    assert report["replaced"] == 30
    import_list(campaign, so_nv, "e.csv", list_csv("SO_NV", 400, 3), mode="append")
    direct = _agree(campaign)
    assert _total(direct, "listed") == 30 + 15
    submit(campaign, so_nv, explanation="thử nghiệm")
    approve(campaign, so_nv)
    queue_invitations_report(campaign)  # new invitations next to already-sent ones
    direct = _agree(campaign)
    assert _total(direct, "invitations") == 30 * 2 + 12 * 2 + 3 - 1  # less the one revoked

    # A unit without answers loses its list outright.
    db.session.execute(update(Invitation).where(Invitation.respondent_id.in_(
        select(Respondent.id).where(Respondent.unit_id == so_nv.id))).values(opened_on=today))
    return_list(campaign, so_nv, "bỏ")
    assert remove_respondents(so_nv, reason="thử nghiệm") == 15
    direct = _agree(campaign)
    assert _total(direct, "listed") == 30 and h_da.id in {u for u, _g in direct}
