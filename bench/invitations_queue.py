"""Queue 100 000 invitations (DESIGN.md §7: ≤ 30 s). BENCH_DATABASE_URL selects PostgreSQL."""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._mailing_setup import make_app, seed  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main():
    from app.extensions import db
    from app.mailing.services import queue_invitations_report

    app = make_app()
    with app.app_context():
        campaign = seed(N)
        t0 = time.perf_counter()
        result = queue_invitations_report(campaign)
        db.session.commit()
        elapsed = time.perf_counter() - t0
        again = time.perf_counter()
        second = queue_invitations_report(campaign)
        db.session.commit()
        idle = time.perf_counter() - again
    print(f"database: {db.engine.url.get_backend_name() if False else app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"queue {N} invitations: {elapsed:.2f} s ({N / elapsed:.0f}/s), goal ≤ 30 s; result {result}")
    print(f"second run (idempotent, queues {second['queued']}): {idle:.2f} s")


if __name__ == "__main__":
    main()
