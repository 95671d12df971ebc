"""Queue invitations: create them for every approved respondent and queue one mail each.

Goal (DESIGN.md §7): 100 000 invitations ≤ 10 s on SQLite and PostgreSQL; scaling rows at
10 k / 100 k / 300 k (and 1 M with --full), each held to the 100 k goal (scaled linearly above 100 k).
Baseline in the same run: creating the same invitations alone (one bulk insert).

    python bench/invitations_queue.py [--db sqlite|postgresql|both] [--sizes 10000,100000] [--full]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import add_db_argument, databases, record  # noqa: E402
from bench._mailing_setup import make_app, seed  # noqa: E402


def run(label: str, url: str, n: int) -> None:
    from app.extensions import db
    from app.mailing.services import create_invitations, queue_invitations_report
    from app.models import Campaign, Invitation

    app = make_app(url=url)
    with app.app_context():
        campaign = seed(n)
        t0 = time.perf_counter()
        created = create_invitations(campaign)
        db.session.rollback()  # the baseline: the bulk insert alone, undone
        create_s = time.perf_counter() - t0
        assert created == n
        t0, cpu = time.perf_counter(), time.process_time()
        result = queue_invitations_report(campaign)
        db.session.commit()
        elapsed, cpu_s = time.perf_counter() - t0, time.process_time() - cpu
        queued = db.session.scalar(db.select(db.func.count(Invitation.id)).where(Invitation.status == "queued"))
        assert queued == n, (queued, result)
        t0 = time.perf_counter()
        second = queue_invitations_report(campaign)
        db.session.commit()
        idle = time.perf_counter() - t0
        record(f"queue {n:,} invitations", label, elapsed, "s", 10 * max(1.0, n / 100_000),
               f"{elapsed / n * 1e6:.0f} µs/invitation; CPU of this process {cpu_s:.2f} s; "
               f"creating them alone {create_s:.2f} s; "
               f"idempotent second run {idle:.2f} s "
               f"(queued {second['queued']})")
        db.session.execute(db.delete(Campaign).where(Campaign.id == campaign.id))
        db.session.commit()
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser()
    add_db_argument(parser)
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--full", action="store_true", help="add the 1 000 000 scaling row (slow)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")] + ([1_000_000] if args.full else [])
    for label, url in databases(args.db):
        for n in sizes:
            run(label, url, n)


if __name__ == "__main__":
    main()
