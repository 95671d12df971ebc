"""`flask jobs run`: the long-running scheduler + worker process."""
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .registry import JOBS

jobs = click.Group("jobs", help="Tiến trình chạy nền / job runner.")


@jobs.command("run")
@click.option("--once", is_flag=True, help="Run every job once and exit (for tests and cron).")
@with_appcontext
def run(once):
    """Run the declared jobs on their intervals until stopped."""
    app = current_app._get_current_object()
    last: dict[str, float] = {}
    while True:
        now = time.monotonic()
        for job in JOBS:
            if once or now - last.get(job.id, -1e9) >= job.seconds:
                with app.app_context():
                    job.func()
                last[job.id] = now
        if once:
            return
        time.sleep(1)
