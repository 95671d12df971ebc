"""The runner's heartbeat row, read by the UI to say when the runner is down."""
import os
import socket

from app.extensions import db
from app.models import Heartbeat, utcnow

NAME = "jobs"


def beat(leader: bool = True) -> None:
    row = db.session.get(Heartbeat, NAME)
    if row is None:
        row = Heartbeat(name=NAME)
        db.session.add(row)
    row.at, row.host, row.pid, row.leader = utcnow(), socket.gethostname(), os.getpid(), leader
    db.session.commit()
