"""The periodic jobs, declared once with stable ids (the scheduler reads this list)."""
from dataclasses import dataclass
from typing import Callable

from app.extensions import db
from app.interference_review.jobs import scheduled_scan
from app.mailing.imap import read_all
from app.mailing.outbox import drain_once
from app.mailing.services import check_deadlines, scheduled_reminders
from app.survey.sealing import release_sealed
from jobs.heartbeat import beat


@dataclass(frozen=True)
class Job:
    id: str  #: stable id: never rename, the heartbeat and logs refer to it
    func: Callable[[], object]  #: runs inside an app context; must be safe to run twice
    seconds: int  #: interval (and, for a cron job, the misfire grace time is half of it)
    description: str
    #: True: every runner process runs it where claims are safe (PostgreSQL SKIP LOCKED);
    #: False: only the leader (scheduler work that must not run twice at once).
    every_worker: bool = False
    #: A crontab line in the campaign zone (e.g. "7 * * * *") instead of the interval.
    cron: str | None = None


def _reminders():
    count = scheduled_reminders()
    db.session.commit()
    return count


def _deadlines():
    done = check_deadlines()
    db.session.commit()
    return done


def _read_bounces():
    return read_all().as_dict()


JOBS: list[Job] = [
    Job("heartbeat", beat, 15, "Record that the job runner is alive"),
    Job("outbox.drain", drain_once, 5, "Send the mails that are due", every_worker=True),
    Job("reminders.schedule", _reminders, 900, "Queue the scheduled reminders of open campaigns"),
    Job("deadlines.check", _deadlines, 600, "Record passed deadlines; stop reminders after the answering deadline"),
    Job("survey.release", release_sealed, 300,
        "Move sealed answer sheets into responses, shuffled, once the release rule is met", every_worker=True),
    Job("mail.read_bounces", _read_bounces, 300, "Read bounces and replies from every mailbox with IMAP settings"),
    Job("interference-scan", scheduled_scan, 3600, "Scan campaigns with new responses for interference (leader only)",
        cron="7 * * * *"),
]
