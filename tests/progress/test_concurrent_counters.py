"""Counters stay exact under concurrent writers on real connections (SQLite and PostgreSQL).

Parallel list imports (replace and append), answer claims, mail-status updates, reminders,
revocations and new invitations run in threads, each on its own connection and transactions;
afterwards the trigger-kept counters must equal a full recount, cell by cell and day by day.
"""
import random
import threading
import time
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.lists.importer import import_list
from app.models import Invitation, Respondent, utcnow
from app.progress.services import Counts, read_counters, recount, recount_per_day, answers_per_day

from .list_files import list_csv

PEOPLE = 240


def _retrying(app, work, errors: list) -> None:
    """Run work() in its own transaction until it commits (a locked SQLite file or a PostgreSQL
    deadlock rolls the whole transaction back, so a retry cannot count anything twice)."""
    with app.app_context(), app.test_request_context():
        try:
            for _attempt in range(200):
                try:
                    work()
                    db.session.commit()
                    return
                except DBAPIError as exc:
                    db.session.rollback()
                    text = str(exc.orig).lower()
                    if "locked" not in text and "deadlock" not in text and "serializ" not in text:
                        raise
                    time.sleep(random.uniform(0.005, 0.05))
            raise AssertionError("a writer never got through")
        except Exception as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            db.session.remove()


def _in_threads(app, jobs: list) -> None:
    errors: list = []
    threads = [threading.Thread(target=lambda j=job: [_retrying(app, step, errors) for step in j]) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors


def test_parallel_imports_answers_and_mail_updates_keep_counters_exact(app, make_campaign):
    campaign = make_campaign()
    units = {u.code: u for u in campaign.units}
    groups = {g.code: g for g in campaign.groups}
    home = units["H_DA"]
    people = [Respondent(campaign_id=campaign.id, unit_id=home.id, group_id=groups["LD_SO"].id,
                         full_name=f"Người {i}", email=f"p{i}@example.gov.vn" if i % 4 else None,
                         phone=None if i % 4 else f"08{i:08d}") for i in range(PEOPLE)]
    db.session.add_all(people)
    db.session.flush()
    q = groups["LD_SO"].questionnaire_code
    db.session.execute(insert(Invitation.__table__), [
        {"campaign_id": campaign.id, "respondent_id": p.id, "unit_id": home.id, "group_id": p.group_id,
         "questionnaire_code": q, "nonce": f"n{p.id}", "status": "pending", "reminder_count": 0,
         "created_at": utcnow()} for p in people])
    db.session.commit()
    ids = list(db.session.scalars(select(Invitation.id).where(Invitation.campaign_id == campaign.id)))
    person_ids = [p.id for p in people]
    cid, so_tp, so_nv = campaign.id, units["SO_TP"], units["SO_NV"]
    rng = random.Random(16)
    inv = Invitation.__table__

    def importer(unit, rounds):
        def step(r):
            def work():
                camp = db.session.get(type(campaign), cid)
                unit_now = db.session.get(type(unit), unit.id)
                mode = "replace" if r % 2 == 0 else "append"
                import_list(camp, unit_now, "list.csv", list_csv(unit.code, 1000 * r, 60, "SO_TP;H_DA"), mode=mode)
            return work
        return [step(r) for r in range(rounds)]

    def claims():
        shuffled = rng.sample(ids, len(ids) // 2)
        return [lambda i=i: db.session.execute(
            update(inv).where(inv.c.id == i, inv.c.answered_on.is_(None))
            .values(answered_on=date.today(), opened_on=date.today())) for i in shuffled]

    def mail_status():
        order = rng.sample(ids, len(ids))
        batches = [order[k:k + 10] for k in range(0, len(order), 10)]
        return [lambda b=b, n=n: db.session.execute(
            update(inv).where(inv.c.id.in_(b)).values(status="failed" if n % 3 == 0 else "sent", sent_at=utcnow()))
            for n, b in enumerate(batches)]

    def reminders_and_revocations():
        order = rng.sample(ids, len(ids))
        out = [lambda b=order[k:k + 15]: db.session.execute(
            update(inv).where(inv.c.id.in_(b)).values(reminder_count=inv.c.reminder_count + 1))
            for k in range(0, len(order), 15)]
        out += [lambda i=i: db.session.execute(update(inv).where(inv.c.id == i).values(revoked_at=utcnow()))
                for i in order[:20]]
        return out

    def new_invitations():
        return [lambda b=person_ids[k:k + 30]: db.session.execute(insert(inv), [
            {"campaign_id": cid, "respondent_id": pid, "unit_id": so_tp.id, "group_id": groups["LD_SO"].id,
             "questionnaire_code": q, "nonce": f"m{pid}", "status": "queued", "reminder_count": 0,
             "created_at": utcnow()} for pid in b]) for k in range(0, len(person_ids), 30)]

    _in_threads(app, [importer(so_tp, 4), importer(so_nv, 3), claims(), mail_status(),
                      reminders_and_revocations(), new_invitations()])

    db.session.expire_all()
    direct = {k: v for k, v in recount(campaign).items() if v != Counts()}
    counters = read_counters(campaign)
    assert counters == direct
    assert sum(c.listed for c in direct.values()) > PEOPLE           # the imports did store rows
    assert sum(c.answered for c in direct.values()) >= len(ids) // 2 - 20  # claimed, less any revoked
    assert sum(c.invitations for c in direct.values()) == 2 * PEOPLE - 20
    assert answers_per_day(campaign) == recount_per_day(campaign)
