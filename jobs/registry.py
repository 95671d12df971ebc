"""The periodic jobs, declared once with stable ids (the scheduler reads this list)."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Job:
    id: str  #: stable id: never rename, the heartbeat and logs refer to it
    func: Callable[[], object]  #: runs inside an app context; must be safe to run twice
    seconds: int  #: interval
    description: str


def _heartbeat():
    from jobs.heartbeat import beat

    beat()


JOBS: list[Job] = [
    Job("interference-scan", lambda: __import__("app.interference_review.jobs", fromlist=["scheduled_scan"])
        .scheduled_scan(), 3600, "Scan campaigns with new responses for interference (leader only)"),
    Job("heartbeat", _heartbeat, 15, "Record that the job runner is alive"),
]
