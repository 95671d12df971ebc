"""`flask jobs run`: the long-running scheduler + worker process."""
import json
import logging
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from .runner import Runner

jobs = click.Group("jobs", help="Tiến trình chạy nền / job runner.")


@jobs.command("run")
@click.option("--once", is_flag=True, help="Run every job once and exit (for tests and cron).")
@with_appcontext
def jobs_run(once):
    """Run the declared jobs on their intervals until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # APScheduler logs every run at INFO (a line every few seconds per job): keep its warnings
    # (missed runs, errors) only; our jobs log what they do themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    runner = Runner(current_app._get_current_object())
    if once:
        runner.run_once()
        click.echo(json.dumps({"leader": runner.leader, "runs": runner.runs}))
        return
    runner.install_signals()
    click.echo(f"jobs run: started, pid {os.getpid()}", err=True)
    runner.run_forever()
    click.echo(f"jobs run: stopped, pid {os.getpid()}", err=True)
