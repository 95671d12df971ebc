"""The scheduled scan declared in jobs/registry.py."""
from app.extensions import db
from app.models import Finding, InterferenceScan
from jobs.registry import JOBS


def test_the_job_is_declared_hourly():
    job = next(j for j in JOBS if j.id == "interference-scan")
    assert job.seconds == 3600


def test_scheduled_scan_scans_campaigns_with_new_responses_once(planted, runner, make_campaign):
    campaign, _ = planted
    make_campaign(name="Kỳ trống")  # no responses: skipped
    job = next(j for j in JOBS if j.id == "interference-scan")
    job.func()
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 1
    job.func()  # nothing new: skipped, safe to run twice
    scans = db.session.scalars(db.select(InterferenceScan)).all()
    assert [s.campaign_id for s in scans] == [campaign.id]
    result = runner.invoke(args=["jobs", "run", "--once"])
    assert result.exit_code == 0, result.output
