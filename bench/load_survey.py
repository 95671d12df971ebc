"""Bench: the whole answering flow under load — gunicorn on PostgreSQL, 10 000 invitations,
50 / 100 / 200 concurrent respondents with think time, then a zero-think saturation run.

DESIGN.md §7 goal: respondent form open + submit p95 ≤ 100 ms with 100 concurrent clients
thinking 1–3 s (gunicorn + PostgreSQL, one 2-core machine); the saturation throughput (sheets/s
without think time) is reported without a goal. Each figure is recorded with the /healthz p95
of the same run as its baseline and the load average (bench/_common.py).

    python bench/load_survey.py                      # PostgreSQL database ps_load on 127.0.0.1
    python bench/load_survey.py --runs 50 --seconds 20 --think 1-3
    LOAD_DATABASE_URL=postgresql://user@host/db python bench/load_survey.py

Each virtual client takes invitations from one shared queue: GET /s/<token> (reads the CSRF
token), "reads" for the think time, POSTs the answers, follows the 303 to the thank-you page.
Every 50th sheet is posted a second time (a double click / a resent form): it must not count.
A probe thread measures GET /healthz (one database round trip) during each run: the baseline.
At the end the database must hold exactly as many responses as the clients saw successful
submits, and as many answered invitations — nothing lost, nothing doubled.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL: figures are pessimistic.
"""
import argparse
import http.client
import os
import queue
import random
import re
import runpy
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import free_port, record, wait_for_port  # noqa: E402
SECRET = "bench-load-secret-0123456789abcdef"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/ps_load"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
GOAL_MS = 100
GOAL_CLIENTS = 100  #: the goal holds up to this many clients thinking 1–3 s; more are shown without a goal


# ------------------------------------------------------------------ database and seed
def recreate_database(url: str) -> None:
    """Drop and create the bench database (never the cluster: others share it)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), name
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def migrate(env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def seed(url: str, n: int, units: int = 20) -> tuple[list[str], object]:
    """A campaign with n sent invitations over `units` units (bulk inserts); returns (links, questionnaire)."""
    from sqlalchemy import insert, select

    from app import create_app
    from app.admin.services import create_campaign
    from app.core.schemes import questionnaire
    from app.extensions import db
    from app.mailing.tokens import make_token, new_nonce
    from app.models import Group, Invitation, Respondent, RespondentList, RespondentTarget, Unit, utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        campaign = create_campaign("PAR_PROVINCE", 2026, "Bench tải")
        db.session.execute(insert(Unit), [{"campaign_id": campaign.id, "code": f"SO_{i:02d}", "name": f"Sở số {i}",
                                           "kind": "department", "survey_voided": False} for i in range(units)])
        unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.campaign_id == campaign.id).order_by(Unit.id)))
        group = db.session.scalar(select(Group).where(Group.campaign_id == campaign.id, Group.code == "LD_SO"))
        db.session.execute(insert(Respondent), [
            {"campaign_id": campaign.id, "unit_id": unit_ids[i % units], "group_id": group.id,
             "full_name": f"Nguyễn Văn {i}", "position": "", "organisation": "", "address": "",
             "email": f"nguoi{i}@bench.gov.vn", "phone": None, "email_status": "ok"} for i in range(n)])
        people = db.session.execute(select(Respondent.id, Respondent.unit_id)
                                    .where(Respondent.campaign_id == campaign.id)).all()
        db.session.execute(insert(RespondentTarget), [{"respondent_id": r, "unit_id": u} for r, u in people])
        db.session.execute(insert(RespondentList), [{"campaign_id": campaign.id, "unit_id": u, "state": "approved"}
                                                    for u in unit_ids])
        now = utcnow()
        db.session.execute(insert(Invitation), [
            {"campaign_id": campaign.id, "respondent_id": r, "unit_id": u, "group_id": group.id,
             "questionnaire_code": group.questionnaire_code, "nonce": new_nonce(), "status": "sent",
             "sent_at": now, "reminder_count": 0} for r, u in people])
        db.session.commit()
        invitations = db.session.execute(select(Invitation.id, Invitation.nonce).order_by(Invitation.id)).all()
        links = [f"/s/{make_token(inv)}" for inv in invitations]
        q = questionnaire("PAR_PROVINCE", group.questionnaire_code)
        db.engine.dispose()
    return links, q


def sheet_for(q, rng: random.Random) -> dict:
    """A plausible answer sheet: a random option per choice question, some free text."""
    out = {}
    for item in q.items:
        if item.type == "choice":
            out[f"q_{item.code}"] = rng.choice(item.options).code
        elif rng.random() < 0.3:
            out[f"q_{item.code}"] = "Cần rút ngắn thời gian giải quyết hồ sơ."
    return out


def db_counts(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        # Sheets are sealed at submission and released later by the job runner: count both.
        return {"responses": one("SELECT (SELECT count(*) FROM responses) + (SELECT count(*) FROM sealed_answers)"),
                "answered": one("SELECT count(*) FROM invitations WHERE answered_on IS NOT NULL"),
                "drafts": one("SELECT count(*) FROM survey_drafts"),
                "answers": one("SELECT count(*) FROM answers")}


# ------------------------------------------------------------------ the load generator
class Stats:
    """Timings (seconds) per kind and counters, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.t = {"get": [], "post": [], "thanks": [], "sheet": [], "healthz": []}
        self.submitted = 0
        self.resubmits = 0
        self.requests = 0
        self.errors: dict[str, int] = {}

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.t[kind].append(seconds)
            if kind != "sheet":
                self.requests += 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def _request(port: int, method: str, path: str, jar: dict, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"User-Agent": "Mozilla/5.0 (bench) load_survey", "Accept-Language": "vi"}
    if jar:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        for header in resp.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return resp.status, resp.getheader("Location"), data
    finally:
        conn.close()


def one_sheet(port: int, link: str, sheet: dict, think: tuple[float, float], rng: random.Random, stats: Stats,
              resubmit: bool) -> None:
    jar: dict = {}
    t0 = time.perf_counter()
    status, _, html = _request(port, "GET", link, jar)
    t1 = time.perf_counter()
    stats.add("get", t1 - t0)
    match = CSRF_RE.search(html.decode()) if status == 200 else None
    if match is None:
        stats.error(f"GET {status}")
        return
    if think[1] > 0:
        time.sleep(rng.uniform(*think))
    body = urllib.parse.urlencode({**sheet, "csrf_token": match.group(1), "action": "submit"})
    t2 = time.perf_counter()
    status, location, _ = _request(port, "POST", link, jar, body)
    t3 = time.perf_counter()
    stats.add("post", t3 - t2)
    if status != 303:
        stats.error(f"POST {status}")
        return
    status, _, page = _request(port, "GET", urllib.parse.urlsplit(location).path, jar)
    t4 = time.perf_counter()
    stats.add("thanks", t4 - t3)
    if status != 200 or CSRF_RE.search(page.decode()):
        stats.error(f"thank-you page {status}")
        return
    with stats.lock:
        stats.submitted += 1
    stats.add("sheet", (t1 - t0) + (t4 - t2))  # what the respondent waits for: open, then submit + thank-you
    if resubmit:  # the same sheet again (double click, resent form): must show thanks and store nothing
        status, _, _ = _request(port, "POST", link, jar, body)
        with stats.lock:
            stats.requests += 1
            stats.resubmits += 1
        if status not in (200, 303):
            stats.error(f"resubmit {status}")


def run(port: int, links: "queue.Queue[str]", q, clients: int, think: tuple[float, float], seconds: float) -> tuple:
    """`clients` virtual respondents for `seconds` (or until the queue is empty)."""
    stats = Stats()
    stop = threading.Event()
    deadline = time.perf_counter() + seconds

    def client(k: int):
        rng = random.Random(k)
        if think[1] > 0:  # arrivals spread over the first think time, not all at once
            time.sleep(rng.uniform(0, think[1]))
        while time.perf_counter() < deadline:
            try:
                link = links.get_nowait()
            except queue.Empty:
                return
            try:
                one_sheet(port, link, sheet_for(q, rng), think, rng, stats, resubmit=rng.random() < 0.02)
            except (OSError, http.client.HTTPException) as exc:
                stats.error(type(exc).__name__)

    def probe():
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                status, _, _ = _request(port, "GET", "/healthz", {})
                if status == 200:
                    stats.t["healthz"].append(time.perf_counter() - t0)
            except OSError:
                pass
            stop.wait(0.1)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    prober = threading.Thread(target=probe)
    started = time.perf_counter()
    prober.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    stop.set()
    prober.join()
    return stats, wall


def _ticks(pid: int, reaped: bool = False) -> float:
    """CPU seconds (user + system) of one process, from /proc (0 if it is gone); with `reaped`, only
    those of its children that ended and were waited for (a recycled gunicorn worker)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    first = 13 if reaped else 11
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CpuMeter:
    """CPU seconds spent by the gunicorn processes, the database's backends and this load generator
    between start() and stop(): where a sheet's cost goes, whatever else the machine is doing.
    Read from /proc, so it counts only processes on this machine (PostgreSQL on loopback here).
    Workers recycled meanwhile (max_requests) are counted through the master's reaped-children
    time; a database backend that ended meanwhile (its worker's pool with it) is not."""

    def __init__(self, server_pid: int, url: str):
        self.server_pid, self.url = server_pid, url

    def _backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]

    def _read(self) -> dict:
        server = [self.server_pid, *_children(self.server_pid)]
        return {"server": {p: _ticks(p) for p in server}, "db": {p: _ticks(p) for p in self._backends()},
                "reaped": _ticks(self.server_pid, reaped=True), "client": time.process_time()}

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict:
        after = self._read()
        spent = {"client": after["client"] - self.before["client"]}
        for kind in ("server", "db"):
            spent[kind] = sum(t - self.before[kind].get(p, 0.0) for p, t in after[kind].items())
        # A worker that ended meanwhile: its whole life is in the master's reaped time, less what it
        # had spent before start().
        spent["server"] += after["reaped"] - self.before["reaped"] - sum(
            t for p, t in self.before["server"].items() if p not in after["server"])
        return spent


def pct(values, p) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return 1000 * values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(label: str, stats: Stats, wall: float, clients: int, saturation: bool, cpu: dict) -> None:
    print(f"\n{label}: {stats.submitted} sheets in {wall:.1f} s = {stats.submitted / wall:.1f} sheets/s, "
          f"{stats.requests / wall:.0f} requests/s, errors {sum(stats.errors.values())} {stats.errors or ''}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    per = {k: 1000 * v / max(1, stats.submitted) for k, v in cpu.items()}
    print(f"  CPU per sheet: gunicorn {per['server']:.1f} ms, PostgreSQL {per['db']:.1f} ms, "
          f"load generator {per['client']:.1f} ms = {sum(per.values()):.1f} ms "
          f"(so {os.cpu_count()} cores carry at most {1000 * os.cpu_count() / max(1e-9, sum(per.values())):.0f} sheets/s)")
    names = {"get": "GET form", "post": "POST answers", "thanks": "GET thank-you", "sheet": "open+submit",
             "healthz": "/healthz probe"}
    for kind, name in names.items():
        v = stats.t[kind]
        goal = f"   goal p95 <= {GOAL_MS} ms" if kind == "sheet" else ""
        print(f"  {name:15s} n={len(v):5d}  p50 {pct(v, 50):7.1f}  p95 {pct(v, 95):7.1f}  p99 {pct(v, 99):7.1f} ms{goal}")
    base = f"/healthz p95 {pct(stats.t['healthz'], 95):.0f} ms in the same run"
    if saturation:
        record(f"form, {clients} clients without think time (saturation)", "PostgreSQL", stats.submitted / wall,
               "sheets/s", None, f"{base}; open+submit p95 {pct(stats.t['sheet'], 95):.0f} ms")
    else:
        record(f"form open+submit p95, {clients} clients thinking {label.split('think ')[-1]}", "PostgreSQL",
               pct(stats.t["sheet"], 95), "ms", GOAL_MS if clients <= GOAL_CLIENTS else None,
               f"{base}; {stats.submitted / wall:.1f} sheets/s")


def start_server(env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads",
                               str(threads), "--backlog", "2048", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # the access log: written, not shown
    wait_for_port(port, server)
    return server, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--runs", default="50,100,200", help="concurrent clients of the think-time runs")
    parser.add_argument("--think", default="1-3", help="think time range in seconds, e.g. 1-3")
    parser.add_argument("--seconds", type=float, default=35, help="length of each think-time run")
    parser.add_argument("--saturate", type=int, default=50, help="clients of the zero-think run (0: skip)")
    parser.add_argument("--saturate-seconds", type=float, default=40)
    # The deployed settings unless told otherwise: gunicorn.conf.py's workers (2 × cores + 1) and threads.
    deployed = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    parser.add_argument("--workers", type=int, default=deployed["workers"])
    parser.add_argument("--threads", type=int, default=deployed["threads"])
    args = parser.parse_args()
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    think = tuple(float(x) for x in args.think.split("-"))
    from config import _normalise_db_url

    t0 = time.perf_counter()
    recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "PARSURVEY_ENV": "production",
           "MAIL_URL": "smtp://127.0.0.1:2525?tls=none&sender=bench@parsurvey.test",
           "SESSION_COOKIE_SECURE": "0", "PYTHONPATH": str(ROOT)}
    migrate(env)
    links, q = seed(_normalise_db_url(url), args.invitations)
    print(f"load_survey: {args.invitations} invitations seeded and migrated in {time.perf_counter() - t0:.1f} s; "
          f"gunicorn {args.workers} workers x {args.threads} threads (gthread), PostgreSQL, {os.cpu_count()} cores")
    pending: "queue.Queue[str]" = queue.Queue()
    for link in links:
        pending.put(link)
    server, port = start_server(env, args.workers, args.threads)
    total = Stats()
    meter = CpuMeter(server.pid, url)
    try:
        for _ in range(40):  # warm every worker (imports, pools) ...
            _request(port, "GET", "/healthz", {})
        # ... and the answering path (templates, questionnaire): counted in the integrity check, not reported.
        warm, _ = run(port, pending, q, args.workers * args.threads, (0.0, 0.0), 3)
        total.submitted, total.resubmits, total.errors = warm.submitted, warm.resubmits, dict(warm.errors)
        plan = [(int(c), think, args.seconds, f"{c} clients, think {args.think} s") for c in args.runs.split(",") if c]
        if args.saturate:
            plan.append((args.saturate, (0.0, 0.0), args.saturate_seconds, f"{args.saturate} clients, no think time "
                                                                           "(saturation)"))
        for clients, th, seconds, label in plan:
            meter.start()
            stats, wall = run(port, pending, q, clients, th, seconds)
            report(label, stats, wall, clients, th[1] == 0, meter.stop())
            total.submitted += stats.submitted
            total.resubmits += stats.resubmits
            for k, v in stats.errors.items():
                total.errors[k] = total.errors.get(k, 0) + v
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts = db_counts(url)
    ok = counts["responses"] == counts["answered"] == total.submitted
    print(f"\nintegrity: successful submits {total.submitted} (+{total.resubmits} posted twice), "
          f"responses in DB {counts['responses']}, answered invitations {counts['answered']}, "
          f"drafts left {counts['drafts']}, answer rows {counts['answers']} -> {'OK' if ok else 'MISMATCH'}")
    print(f"total bench time {time.perf_counter() - t0:.0f} s")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
