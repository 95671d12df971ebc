"""Interference scan from the database: load frames → scan → persist findings.

Bulk-inserts a simulated campaign of ~100 000 responses × 50 answers with paradata (1 000 000
with --full: ten such chunks of 300 units), then times the whole path the CLI and the hourly
job take (DESIGN.md §7: ≤ 20 s at 100 000, ≤ 120 s at 1 000 000), phase by phase, in a fresh
process whose peak memory is printed, against the pure scan of the (first chunk's) frames
measured in the same run.

Run: PYTHONPATH=. python bench/interference_scan_db.py [--db sqlite|postgresql|both] [--full]
The PostgreSQL run adds one campaign (deleted at the end) to the tables already there.
"""
from __future__ import annotations

import hashlib
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import add_db_argument, databases, record  # noqa: E402

GOAL_S = 20.0  # 100 000 responses
GOAL_1M_S = 120.0  # 1 000 000 responses


def _hashes(values: np.ndarray) -> list:
    """Keyed-hash look-alikes (64 hex chars) so the rows have their real width."""
    missing = pd.isna(values)
    uniq = {v: hashlib.sha256(str(v).encode()).hexdigest() for v in set(values[~missing])}
    return [None if m else uniq[v] for v, m in zip(values, missing)]


def _rows(camp, campaign_id: int, unit_ids: dict, group_ids: dict, first_id: int):
    r = camp.responses
    n = len(r)
    ids = np.arange(first_id, first_id + n)
    moved = r["moved"].astype(object).where(r["moved"].notna(), None).tolist()
    submitted = pd.to_datetime(r["submitted_at"]).dt.tz_localize(None).dt.to_pydatetime()
    dur = [None if d != d else float(d) for d in r["duration_s"]]
    cols = {c: _hashes(r[c].to_numpy(dtype=object)) for c in ("net_hash", "net_prefix_hash", "ua_hash", "device_hash")}
    responses = list(zip(ids.tolist(), [campaign_id] * n, [unit_ids[u] for u in r["unit"]],
                         [group_ids[g] for g in r["group"]], r["questionnaire"].tolist(), ["bench"] * n,
                         r["mode"].tolist(), submitted, dur, cols["net_hash"], cols["net_prefix_hash"],
                         cols["ua_hash"], cols["device_hash"], moved, moved, [False] * n))
    a = camp.answers
    a = a[a["option"].notna()]
    credit = {"a": 1.0, "b": 0.75, "c": 0.5, "d": 0.25, "e": 0.0}
    answers = list(zip((a["response_id"].to_numpy() + first_id).tolist(), a["item"].tolist(),
                       a["option"].tolist(), a["option"].map(credit).tolist()))
    return responses, answers


RESPONSE_COLS = ("id, campaign_id, unit_id, group_id, questionnaire_code, questionnaire_version, mode, "
                 "submitted_at, duration_s, net_hash, net_prefix_hash, ua_hash, device_hash, moved_network, "
                 "moved_device, excluded")
ANSWER_COLS = "response_id, item_code, option_code, credit"


def _bulk_insert(conn, responses, answers) -> None:
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY responses ({RESPONSE_COLS}) FROM STDIN") as copy:
                for row in responses:
                    copy.write_row(row)
            with cur.copy(f"COPY answers ({ANSWER_COLS}) FROM STDIN") as copy:
                for row in answers:
                    copy.write_row(row)
            cur.execute("SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))")
        return
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.executemany(f"INSERT INTO responses ({RESPONSE_COLS}) VALUES ({','.join('?' * 16)})", responses)
    raw.executemany(f"INSERT INTO answers ({ANSWER_COLS}) VALUES (?,?,?,?)", answers)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_db_argument(parser)
    parser.add_argument("--sizes", default="100000", help="responses, in chunks of ~100 000 (300 units each)")
    parser.add_argument("--full", action="store_true", help="add the 1 000 000-response row (slow)")
    parser.add_argument("--child", nargs=4, metavar=("URL", "CAMPAIGN", "LABEL", "BASELINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, campaign_id, label, baseline = args.child
        return timed_scans(url, int(campaign_id), label, baseline)
    sizes = [int(x) for x in args.sizes.split(",")] + ([1_000_000] if args.full else [])
    for label, url in databases(args.db):
        for size in sizes:
            run(label, url, size)


def _app(url: str):
    from app import create_app
    from config import _normalise_db_url

    return create_app({"SQLALCHEMY_DATABASE_URI": _normalise_db_url(url), "TESTING": True})


def run(label: str, url: str, size: int) -> None:
    """Set up ``size`` responses (untimed), then time the scans in a fresh process so that its
    peak memory (VmHWM, see _peak_mb) is the scan's own."""
    from app.extensions import db
    from app.interference import scan
    from app.interference.simulate import questionnaires, simulate_campaign
    from app.models import Campaign, Group, Unit

    app = _app(url)
    with app.app_context():
        db.create_all()
        dialect = db.engine.dialect.name
        t0 = time.perf_counter()
        shapes = questionnaires(50)
        campaign = Campaign(scheme_code="PAR_PROVINCE", year=2026, name="bench interference",
                            lists_by=date(2026, 1, 1), answers_by=date(2026, 2, 1), assessments_by=date(2026, 3, 1))
        db.session.add(campaign)
        db.session.flush()
        groups = [Group(campaign_id=campaign.id, code=q, name=q, priority=i + 1, questionnaire_code=q)
                  for i, q in enumerate(shapes)]
        db.session.add_all(groups)
        db.session.flush()
        n_responses = n_answers = n_units = 0
        chunk = 0
        while n_responses < size * 0.95:  # ~100 000 responses per chunk of 300 units
            camp = simulate_campaign(seed=7 + chunk, n_units=300, planted_per_rule=3, size=(250, 420),
                                     main_items=50, mix=(1, 0, 0))
            if chunk:
                camp.responses["unit"] = f"C{chunk}" + camp.responses["unit"]
            else:  # the baseline: the pure scan of the first chunk's frames
                t1 = time.perf_counter()
                pure = scan(camp.responses, camp.answers, shapes, camp.reminders)
                pure_s = time.perf_counter() - t1
                pure_n, pure_findings = len(camp.responses), len(pure.findings)
                del pure
            kinds = camp.responses.groupby("unit")["unit_kind"].first()
            units = [Unit(campaign_id=campaign.id, code=u, name=u, kind=k) for u, k in kinds.items()]
            db.session.add_all(units)
            db.session.flush()
            first = (db.session.scalar(db.text("SELECT max(id) FROM responses")) or 0) + 1
            responses, answers = _rows(camp, campaign.id, {u.code: u.id for u in units},
                                       {g.code: g.id for g in groups}, first)
            _bulk_insert(db.session.connection(), responses, answers)
            db.session.commit()
            n_responses, n_answers, n_units = n_responses + len(responses), n_answers + len(answers), \
                n_units + len(units)
            del camp, responses, answers
            chunk += 1
        if dialect == "postgresql":
            # What autovacuum does within a minute of a big load, and long before a coordinator scans a
            # campaign whose answers came in over weeks: without statistics the planner takes the
            # freshly loaded tables for ~1 600 responses and its answer grouping spills to disk.
            db.session.execute(db.text("ANALYZE responses, answers"))
            db.session.commit()
        print(f"{dialect}: inserted {n_responses} responses, {n_answers} answers, {n_units} units "
              f"in {time.perf_counter() - t0:.1f} s (setup, not timed)", flush=True)
        campaign_id = campaign.id
        db.session.remove()
        db.engine.dispose()
    scale = n_responses / pure_n
    baseline = (f"pure scan of the same frames {pure_s:.1f} s" if chunk == 1 else
                f"pure scan of the first {pure_n:,}-response chunk {pure_s:.1f} s (× {scale:.1f} = "
                f"{pure_s * scale:.0f} s)")
    baseline += f" ({pure_findings} findings)"
    try:
        subprocess.run([sys.executable, __file__, "--child", url, str(campaign_id), label, baseline], check=True)
    finally:
        if dialect == "postgresql":  # leave the operator's database as it was
            with _app(url).app_context():
                db.session.execute(db.text("DELETE FROM campaigns WHERE id = :c"), {"c": campaign_id})
                db.session.commit()
                db.engine.dispose()


def _peak_mb() -> float:
    """Peak resident memory of this process's own address space (VmHWM). Not ru_maxrss: Linux
    carries the pre-exec high-water mark into it, so a child started by a parent holding the
    simulated campaign (1.8 GB at 100 k) reported the parent's size, not the scan's."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_scans(url: str, campaign_id: int, label: str, baseline: str) -> None:
    from app.extensions import db
    from app.interference.simulate import questionnaires
    from app.interference_review.services import run_scan
    from app.models import Campaign

    shapes = questionnaires(50)
    with _app(url).app_context():
        n = db.session.scalar(db.text("SELECT count(*) FROM responses WHERE campaign_id = :c"), {"c": campaign_id})
        goal = GOAL_S if n <= 150_000 else GOAL_1M_S
        try:
            for what in ("first scan", "re-scan"):
                timings = {}
                t0, c0 = time.perf_counter(), time.process_time()
                outcome = run_scan(db.session.get(Campaign, campaign_id), shapes=shapes, timings=timings)
                t1 = time.perf_counter()
                db.session.commit()
                total = time.perf_counter() - t0
                cpu = time.process_time() - c0  # this process only (the database's work is not in it)
                timings["persist"] += time.perf_counter() - t1
                rec = outcome.record
                peak = _peak_mb()
                print(f"{what}: load {timings['load']:.1f} s · scan {timings['scan']:.1f} s · persist+commit "
                      f"{timings['persist']:.2f} s · total {total:.1f} s (goal ≤ {goal:.0f} s: "
                      f"{'met' if total <= goal else 'NOT met'}); {rec.findings} findings, "
                      f"{rec.new_findings} new; CPU of the scanning process {cpu:.1f} s; peak memory of the scanning "
                      f"process {peak:.0f} MB", flush=True)
                record(f"interference {what}, {n:,} responses", label, total, "s", goal,
                       f"{baseline}; CPU of the scanning process {cpu:.1f} s; peak memory {peak:.0f} MB")
        finally:
            db.session.rollback()
            db.engine.dispose()


if __name__ == "__main__":
    main()
