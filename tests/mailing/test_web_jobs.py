"""The development backend and pages, the CLI, and the job runner (leader lock, heartbeat, SIGTERM)."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.core import clock
from app.extensions import db
from app.survey.services import OPEN, resolve_survey_link
from app.models import Campaign, Invitation, Respondent
from jobs.heartbeat import beat, runner_status
from jobs.lock import LeaderLock
from jobs.runner import Runner
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]


def test_dev_backend_whole_flow_in_the_browser_pages(app, client, as_role, make_campaign, make_respondents):
    campaign = make_campaign()
    make_respondents(campaign, "SO_TP", 2)
    as_role("admin")
    page = client.get(f"/mailing/campaigns/{campaign.id}/invitations").get_data(as_text=True)
    assert "Gửi thư mời" in page and "jobs run" in page  # the runner is not running
    before = set(Path(app.config["MAIL_DEV_DIR"]).glob("*.eml"))  # the instance dir is shared by the run
    token = csrf_token(client, f"/mailing/campaigns/{campaign.id}/invitations")
    # First the confirmation: how many mails, to which units; nothing is queued yet (issue 14 point 9).
    ask = client.post(f"/mailing/campaigns/{campaign.id}/invitations/send", data={"csrf_token": token})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Sẽ xếp hàng 2 thư (2 thư mời)" in html
    assert "Sở Tư pháp: 2 thư mời cho 2 người." in html and "Gửi 2 thư" in html
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0
    assert client.post(f"/mailing/campaigns/{campaign.id}/invitations/send",
                       data={"csrf_token": token, "confirmed": "1"}).status_code == 302
    result = app.test_cli_runner().invoke(args=["mail", "drain", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["sent"] == 2
    files = set(Path(app.config["MAIL_DEV_DIR"]).glob("*.eml")) - before
    assert len(files) == 2
    page = client.get("/mailing/dev-mail").get_data(as_text=True)
    links = re.findall(r'href="http://127.0.0.1:5000/s/([^"]+)"', page)
    assert len(links) >= 2 and sum(resolve_survey_link(t, clock.today()).state == OPEN for t in links)
    assert "Thư mời tham gia khảo sát" in page
    counts = client.get(f"/mailing/campaigns/{campaign.id}/invitations").get_data(as_text=True)
    assert "<td>2</td>" in counts


def test_template_needs_the_link_placeholder(app, client, as_role, make_campaign):
    campaign = make_campaign()
    as_role("admin")
    token = csrf_token(client, f"/mailing/campaigns/{campaign.id}/invitations")
    data = {"invitation-csrf_token": token, "invitation-subject": "Mời {ho_ten}", "invitation-body": "Kính gửi {ho_ten}"}
    page = client.post(f"/mailing/campaigns/{campaign.id}/mail-templates", data=data, follow_redirects=True).get_data(as_text=True)
    assert "{duong_dan}" in page and "phải có" in page
    assert db.session.get(Campaign, campaign.id).mail_templates == {}
    data.update({"invitation-body": "Kính gửi {ho_ten}: {duong_dan} trước {han}", "invitation-subject": "{ho_ten.__class__}"})
    page = client.post(f"/mailing/campaigns/{campaign.id}/mail-templates", data=data, follow_redirects=True).get_data(as_text=True)
    assert "không hợp lệ" in page
    data["invitation-subject"] = "Mời {ho_ten} đánh giá {don_vi}"
    client.post(f"/mailing/campaigns/{campaign.id}/mail-templates", data=data)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).mail_templates["invitation"]["subject"] == "Mời {ho_ten} đánh giá {don_vi}"


def test_focal_sees_only_its_own_lists_and_can_only_propose(app, client, make_user, make_campaign, make_respondents):
    from tests.conftest import login

    campaign = make_campaign()
    mine, = make_respondents(campaign, "SO_TP", 1)
    theirs, = make_respondents(campaign, "SO_NV", 1)
    from app.mailing.services import queue_invitations

    queue_invitations(campaign)
    for r in (mine, theirs):
        r.email_status, r.email_error = "failed", "550 không tồn tại"
    db.session.commit()
    inv = {r.id: db.session.scalar(db.select(Invitation.id).where(Invitation.respondent_id == r.id))
           for r in (mine, theirs)}
    login(client, make_user("focal", units=["SO_TP"]))
    page = client.get(f"/mailing/campaigns/{campaign.id}/addresses").get_data(as_text=True)
    assert mine.email in page and theirs.email not in page
    token = csrf_token(client, f"/mailing/campaigns/{campaign.id}/addresses")
    data = {"csrf_token": token, "email": "x@sonv.gov.vn", "reason": "Địa chỉ cũ đã bỏ"}
    assert client.post(f"/mailing/campaigns/{campaign.id}/invitations/{inv[theirs.id]}/address-proposal",
                       data=data).status_code == 404
    assert client.post(f"/mailing/campaigns/{campaign.id}/respondents/{mine.id}/address", data=data).status_code == 403
    client.post(f"/mailing/campaigns/{campaign.id}/invitations/{inv[mine.id]}/address-proposal",
                data={**data, "email": "moi@sotp.gov.vn"})
    db.session.expire_all()
    # Only proposed: the address and the link stay as they were until the secretariat decides.
    assert db.session.get(Respondent, mine.id).email != "moi@sotp.gov.vn"
    assert db.session.scalar(db.select(Invitation.status).where(Invitation.respondent_id == mine.id)) == "queued"
    assert "moi@sotp.gov.vn" in client.get(f"/mailing/campaigns/{campaign.id}/addresses").get_data(as_text=True)


def test_cli_invitations_and_reminders(runner, make_campaign, make_respondents):
    campaign = make_campaign()
    make_respondents(campaign, "SO_TP", 2)
    out = runner.invoke(args=["invitations", "send", "--campaign", str(campaign.id), "--json"])
    assert out.exit_code == 0 and json.loads(out.output) == {"campaign": campaign.id, "created": 2, "queued": 2, "mails": 2}
    again = runner.invoke(args=["invitations", "send", "--campaign", str(campaign.id), "--json"])
    assert json.loads(again.output)["queued"] == 0
    rem = runner.invoke(args=["reminders", "send", "--campaign", str(campaign.id), "--json"])
    assert rem.exit_code == 0 and json.loads(rem.output)["reminded"] == 0
    bad = runner.invoke(args=["invitations", "send", "--campaign", "9999"])
    assert bad.exit_code != 0 and "9999" in bad.output


def test_only_one_leader_and_the_heartbeat(app, tmp_path):
    first, second = LeaderLock(db.engine, str(tmp_path)), LeaderLock(db.engine, str(tmp_path))
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
    assert runner_status()["alive"] is False
    beat()
    status = runner_status()
    assert status["alive"] and str(os.getpid()) in status["leader"]


def test_runner_once_runs_the_declared_jobs(app):
    runner = Runner(app)
    runner.run_once()
    assert runner.leader and set(runner.runs) == {"heartbeat", "outbox.drain", "reminders.schedule", "deadlines.check",
                                                  "survey.release", "interference-scan", "mail.read_bounces"}


def test_two_jobs_run_at_once_and_sigterm(app, database_url, tmp_path):
    env = {**os.environ, "PARSURVEY_ENV": "development", "DATABASE_URL": database_url,
           "PARSURVEY_INSTANCE": str(Path(app.config["INSTANCE_DIR"]))}
    env.pop("MAIL_URL", None)
    procs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        for p in procs:  # both must have installed their signal handlers before we signal them
            line = b""
            while b"jobs run: started" not in line:
                line = p.stderr.readline()
                assert line, "jobs run exited before starting"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not runner_status()["alive"]:
            time.sleep(0.2)
            db.session.rollback()
        status = runner_status()
        assert status["alive"]
        leader_pid = int(status["leader"].rsplit(":", 1)[1])
        assert leader_pid in {p.pid for p in procs}
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            assert p.wait(timeout=30) == 0, p.stderr.read().decode()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def test_the_schedule_is_apscheduler_with_coalescing_and_grace_times(app):
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from jobs.registry import JOBS

    runner = Runner(app)
    runner.schedule()
    jobs = {j.id: j for j in runner.scheduler.get_jobs()}
    assert set(jobs) == {j.id for j in JOBS} | {"leader.elect"}
    for declared in JOBS:
        job = jobs[declared.id]
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 1
        assert isinstance(job.trigger, CronTrigger if declared.cron else IntervalTrigger)
        if not declared.cron:
            assert job.trigger.interval.total_seconds() == declared.seconds


def test_a_stop_before_the_scheduler_runs_is_not_lost(app):
    runner = Runner(app, jobs=[])
    runner.stop()  # SIGTERM between "started" and the scheduler's start
    runner.run_forever()  # returns at once instead of running for ever
    assert runner.finished.is_set() and not runner.scheduler.running
