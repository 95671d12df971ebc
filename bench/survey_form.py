"""Bench: the respondent form, open + submit, with 50 concurrent clients against gunicorn.

DESIGN.md §7 goal: p95 ≤ 100 ms per open + submit (gunicorn + PostgreSQL, one 2-core machine).
Baseline in the same run: GET /healthz (one database round trip) under the same concurrency.

    python bench/survey_form.py [--respondents 1000] [--clients 50] [--workers 2]      # SQLite file
    DATABASE_URL=postgresql://… python bench/survey_form.py                            # scratch PostgreSQL

The client threads run on the same machine as the server, so figures are pessimistic.
"""
import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import free_port, wait_for_port  # noqa: E402

SECRET = "bench-secret-key-0123456789"


def seed(url: str, n: int) -> list[str]:
    """A campaign with n invitations; returns their link paths."""
    from app import create_app
    from app.admin.services import add_unit, create_campaign
    from app.extensions import db
    from app.mailing.tokens import make_token, new_nonce
    from app.models import Group, Invitation, Respondent, RespondentTarget

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        db.drop_all()
        db.create_all()
        campaign = create_campaign("PAR_PROVINCE", 2026, "Bench", None, None, None)
        unit = add_unit(campaign, "SO_BENCH", "Sở Bench", "department")
        group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == "LD_SO"))
        invitations = []
        for i in range(n):
            r = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, full_name=f"Người {i}",
                           email=f"nguoi{i}@bench.gov.vn")
            r.targets = [RespondentTarget(unit_id=unit.id)]
            db.session.add(r)
            db.session.flush()
            inv = Invitation(campaign_id=campaign.id, respondent_id=r.id, unit_id=unit.id, group_id=group.id,
                             questionnaire_code=group.questionnaire_code, nonce=new_nonce(), status="sent")
            db.session.add(inv)
            invitations.append(inv)
        db.session.commit()
        from app.core.schemes import questionnaire

        q = questionnaire("PAR_PROVINCE", group.questionnaire_code)
        sheet = {f"q_{i.code}": ("b" if i.type == "choice" else "Ý kiến thử nghiệm") for i in q.items}
        links = [f"/s/{make_token(inv)}" for inv in invitations]
        db.engine.dispose()
    return links, sheet


def _cookies(resp, jar: dict) -> None:
    for header in resp.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def open_and_submit(conn, link: str, sheet: dict) -> float:
    jar: dict = {}
    start = time.perf_counter()
    conn.request("GET", link)
    resp = conn.getresponse()
    html = resp.read().decode()
    _cookies(resp, jar)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({**sheet, "csrf_token": token, "action": "submit"})
    conn.request("POST", link, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 303, resp.status
    return time.perf_counter() - start


def healthz(conn, link: str, sheet: dict) -> float:
    start = time.perf_counter()
    conn.request("GET", "/healthz")
    resp = conn.getresponse()
    resp.read()
    return time.perf_counter() - start


def run(port: int, clients: int, jobs: list, work) -> list[float]:
    timings, lock = [], threading.Lock()
    chunks = [jobs[i::clients] for i in range(clients)]

    def client(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for job in chunk:
            t = work(conn, *job)
            with lock:
                timings.append(t)
        conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-survey-')}/bench.db"
    from config import _normalise_db_url

    links, sheet = seed(_normalise_db_url(url), args.respondents)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "PARSURVEY_ENV": "production",
           "MAIL_URL": "smtp://127.0.0.1:2525?tls=none&sender=bench@parsurvey.test",
           "SESSION_COOKIE_SECURE": "0"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread", "--threads",
                               "16", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        wait_for_port(port, server)
        run(port, 4, [(None, None)] * 40, healthz)  # warm up every worker
        base = run(port, args.clients, [(None, None)] * args.respondents, healthz)
        started = time.perf_counter()
        form = run(port, args.clients, [(link, sheet) for link in links], open_and_submit)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    db = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"survey form open+submit, {args.respondents} respondents, {args.clients} clients, "
          f"{args.workers} gunicorn workers, {db}")
    print(f"  open+submit  p50 {1000 * statistics.median(form):7.1f} ms   p95 {1000 * pct(form, 95):7.1f} ms   "
          f"({args.respondents / wall:.0f} sheets/s)")
    print(f"  /healthz     p50 {1000 * statistics.median(base):7.1f} ms   p95 {1000 * pct(base, 95):7.1f} ms")
    print(f"  ratio p95 open+submit / healthz: {pct(form, 95) / pct(base, 95):.1f}   goal p95 <= 100 ms")


if __name__ == "__main__":
    main()
