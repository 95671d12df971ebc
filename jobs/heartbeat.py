"""The runner's heartbeat row, read by the UI to say when the runner is down."""
import os
import socket
from datetime import timedelta

from app.extensions import db
from app.models import Heartbeat, utcnow

NAME = "jobs"
#: The runner beats every 15 s (jobs/registry.py); after this long without a beat every page
#: (progress, mailing) says it is down. The one rule: nothing else decides "alive".
ALIVE_WITHIN = timedelta(seconds=60)


def beat(leader: bool = True) -> None:
    row = db.session.get(Heartbeat, NAME)
    if row is None:
        row = Heartbeat(name=NAME)
        db.session.add(row)
    row.at, row.host, row.pid, row.leader = utcnow(), socket.gethostname(), os.getpid(), leader
    db.session.commit()


def runner_status(now=None) -> dict:
    """{alive, at, leader} for the UI: alive = the leading runner beat within the last ~60 s."""
    row = db.session.get(Heartbeat, NAME)
    if row is None:
        return {"alive": False, "at": None, "leader": None}
    now = now or utcnow()
    return {"alive": now - row.at <= ALIVE_WITHIN, "at": row.at, "leader": f"{row.host}:{row.pid}"}
