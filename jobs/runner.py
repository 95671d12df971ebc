"""The scheduler + worker loop behind `flask jobs run`.

Every process runs the jobs marked every_worker when the database supports concurrent claims
(PostgreSQL); everything else runs only in the process holding the leader lock. A failing
job is logged and rolled back — the loop goes on (no crash loop); SIGTERM/SIGINT stop it
between jobs.
"""
import logging
import signal
import threading
import time

from app.extensions import db

from .lock import LeaderLock
from .registry import JOBS

log = logging.getLogger("parsurvey.jobs")


class Runner:
    def __init__(self, app, jobs=None, tick: float = 1.0):
        self.app, self.jobs, self.tick = app, list(jobs if jobs is not None else JOBS), tick
        self.stop_event = threading.Event()
        with app.app_context():
            self.lock = LeaderLock(db.engine, app.config["INSTANCE_DIR"])
        self.last: dict[str, float] = {}
        self.leader = False
        self.runs: dict[str, int] = {}

    def stop(self, *_args) -> None:
        self.stop_event.set()

    def install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)

    def _may_run(self, job) -> bool:
        if self.leader:
            return True
        return job.every_worker and self.lock.postgres

    def run_due(self, force: bool = False) -> None:
        with self.app.app_context():
            try:
                self.leader = self.lock.acquire()
            except Exception:
                log.exception("leader lock")
                self.leader = False
        for job in self.jobs:
            if self.stop_event.is_set():
                return
            now = time.monotonic()
            if not force and now - self.last.get(job.id, -1e18) < job.seconds:
                continue
            if not self._may_run(job):
                continue
            self.last[job.id] = now
            with self.app.app_context():
                try:
                    job.func()
                    self.runs[job.id] = self.runs.get(job.id, 0) + 1
                except Exception:
                    db.session.rollback()
                    log.exception("job %s failed", job.id)
                finally:
                    db.session.remove()

    def run_forever(self) -> None:
        try:
            while not self.stop_event.is_set():
                self.run_due()
                self.stop_event.wait(self.tick)
        finally:
            with self.app.app_context():
                self.lock.release()

    def run_once(self) -> None:
        try:
            self.run_due(force=True)
        finally:
            with self.app.app_context():
                self.lock.release()
