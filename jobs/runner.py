"""The scheduler + worker behind `flask jobs run`, on APScheduler.

Every declared job gets an interval (or cron) trigger with coalescing (a backlog of missed runs
becomes one run), a misfire grace time and one instance at a time. Jobs marked every_worker
run in every process when the database supports concurrent claims (PostgreSQL SKIP LOCKED);
everything else runs only in the process holding the leader lock (PostgreSQL advisory lock /
file lock, jobs/lock.py), re-checked every few seconds so a standby takes over. A failing job
is logged and rolled back — the scheduler goes on (no crash loop); SIGTERM/SIGINT stop it
after the job in progress.
"""
import logging
import signal
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.extensions import db

from .lock import LeaderLock
from .registry import JOBS

log = logging.getLogger("parsurvey.jobs")
ELECTION_SECONDS = 5


class Runner:
    def __init__(self, app, jobs=None):
        self.app, self.jobs = app, list(jobs if jobs is not None else JOBS)
        with app.app_context():
            self.lock = LeaderLock(db.engine, app.config["INSTANCE_DIR"])
        self.zone = ZoneInfo(app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
        self.leader = False
        self.runs: dict[str, int] = {}
        self.stopper: threading.Thread | None = None
        self.stop_requested, self.finished = threading.Event(), threading.Event()
        # One worker thread: jobs run one after another, as they did in the hand-written loop
        # (SQLite has one writer; the outbox drain is short and runs every few seconds).
        self.scheduler = BlockingScheduler(
            timezone=self.zone, executors={"default": ThreadPoolExecutor(1)})

    def stop(self, *_args) -> None:
        # From a signal handler: shut down from another thread (the main thread may hold the
        # scheduler's locks right now); the job in progress finishes first. A signal that comes
        # before the scheduler runs is kept: the scheduler is stopped as soon as it starts.
        self.stop_requested.set()
        if self.stopper is None:
            self.stopper = threading.Thread(target=self._shutdown, daemon=True)
            self.stopper.start()

    def _shutdown(self) -> None:
        while not self.scheduler.running and not self.finished.is_set():
            self.finished.wait(0.05)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)

    def elect(self) -> None:
        with self.app.app_context():
            try:
                self.leader = self.lock.acquire()
            except Exception:
                log.exception("leader lock")
                self.leader = False

    def _may_run(self, job) -> bool:
        return self.leader or (job.every_worker and self.lock.postgres)

    def run_job(self, job) -> None:
        """One run of one job inside an app context; errors are logged and rolled back."""
        if not self._may_run(job):
            return
        with self.app.app_context():
            try:
                job.func()
                self.runs[job.id] = self.runs.get(job.id, 0) + 1
            except Exception:
                db.session.rollback()
                log.exception("job %s failed", job.id)
            finally:
                db.session.remove()

    def trigger(self, job):
        if job.cron:
            return CronTrigger.from_crontab(job.cron, timezone=self.zone)
        return IntervalTrigger(seconds=job.seconds, timezone=self.zone)

    def schedule(self) -> None:
        """Add the declared jobs (and the leader election) to the scheduler; each runs first now."""
        now = datetime.now(timezone.utc)
        self.scheduler.add_job(self.elect, IntervalTrigger(seconds=ELECTION_SECONDS), id="leader.elect",
                               coalesce=True, max_instances=1, misfire_grace_time=ELECTION_SECONDS)
        for job in self.jobs:
            first = {} if job.cron else {"next_run_time": now}  # (None would mean "paused")
            self.scheduler.add_job(self.run_job, self.trigger(job), args=[job], id=job.id, name=job.description,
                                   coalesce=True, max_instances=1, misfire_grace_time=max(1, job.seconds // 2),
                                   **first)

    def run_forever(self) -> None:
        self.elect()
        self.schedule()
        try:
            if not self.stop_requested.is_set():
                self.scheduler.start()  # blocks until stop()
        finally:
            self.finished.set()
            if self.stopper is not None:
                self.stopper.join()
            with self.app.app_context():
                self.lock.release()

    def run_once(self) -> None:
        """Every job once, in the declared order, then exit (tests, cron)."""
        try:
            self.elect()
            for job in self.jobs:
                self.run_job(job)
        finally:
            with self.app.app_context():
                self.lock.release()
