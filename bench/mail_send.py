"""Send N messages through a loopback aiosmtpd server (in its own process) with the outbox worker
and compare with a bare smtplib loop on the same server, same run, same messages.

Goal (DESIGN.md §7): ≥ 0.8 of the bare smtplib loop, on SQLite and PostgreSQL, with the crash
re-send bound stated (app/mailing/outbox.py: RESEND_BOUND) and tested
(tests/mailing/test_crash_bound.py). The worker does everything it does in production: claims
with SKIP LOCKED on PostgreSQL, composes each message, sends it, records statuses in groups
and marks the invitations (the progress counters' triggers run). The baseline sends the same
messages, composed beforehand, through one smtplib connection and records nothing.

The machine is shared, so the two are measured in alternating order over several rounds and
the median ratio is the figure; every round is printed.

    python bench/mail_send.py [N] [--rounds 3] [--db sqlite|postgresql|both] [--flask-mail]

--flask-mail: the same worker, but each message composed with Flask-Mail's Message and sent
through Flask-Mail's Connection (one per mailbox batch) — the measurement behind
docs/decisions/0001-flask-mail-for-one-off-mails.md.
"""
import argparse
import multiprocessing
import smtplib
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import add_db_argument, databases, load, record  # noqa: E402

SENDER = "hopthu@sonv.gov.vn"


class _Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def _serve(port, ready):
    from aiosmtpd.controller import Controller

    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bare_smtplib(port, messages):
    """The baseline: one connection, pre-built messages, nothing else."""
    t0 = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to_addr, data in messages:
            smtp.sendmail(SENDER, [to_addr], data)
    return time.perf_counter() - t0


def use_flask_mail():
    """Swap the worker's composition and connection for Flask-Mail's (bench only)."""
    from flask_mail import Connection

    from app.mailing import oneoff, outbox
    from app.mailing.mailboxes import SmtpSettings

    def build(*, sender, sender_name, reply_to, to_addr, subject, text, html):
        settings = SmtpSettings("", 0, "none", None, None, sender, sender_name, reply_to)
        message = oneoff.compose(settings, to_addr, subject, text, html)
        return message, message.msgId

    class FlaskMailTransport:
        def __init__(self, route):
            self.settings, self.conn = route.settings, None

        @property
        def connected(self):
            return self.conn is not None

        def open(self):
            self.conn = Connection(oneoff._state(self.settings)).__enter__()

        def send(self, message, to_addr, while_waiting=None):
            self.conn.send(message, envelope_from=self.settings.sender)
            if while_waiting is not None:
                while_waiting()
            return "250"

        def close(self):
            if self.conn is not None:
                self.conn.__exit__(None, None, None)
                self.conn = None

    outbox.build_mime = build
    outbox.make_transport = FlaskMailTransport


def _requeue():
    """Put every message and invitation back as queued for the next round."""
    from app.extensions import db
    from app.models import Invitation, OutboxMessage, utcnow

    db.session.execute(db.update(OutboxMessage).values(status="queued", claimed_by=None, claimed_at=None, attempts=0,
                                                       sent_at=None, next_attempt_at=utcnow()))
    db.session.execute(db.update(Invitation).values(status="queued", sent_at=None))
    db.session.commit()


def run(label: str, url: str, port: int, n: int, rounds: int, flask_mail: bool) -> None:
    from bench._mailing_setup import make_app, seed

    mail_url = f"smtp://127.0.0.1:{port}?tls=none&sender={SENDER}&name=Sở Nội vụ&rate=1000000&daily_cap=1000000"
    app = make_app(mail_url=mail_url, url=url)
    with app.app_context():
        from email import policy

        from app.extensions import db
        from app.mailing import outbox
        from app.mailing.composer import build_message
        from app.mailing.services import queue_invitations
        from app.models import Invitation, OutboxMessage

        campaign = seed(n)
        queue_invitations(campaign)
        db.session.commit()
        rows = db.session.execute(db.select(OutboxMessage.to_addr, OutboxMessage.subject, OutboxMessage.body_text,
                                            OutboxMessage.body_html)).all()
        prepared = [(r.to_addr, build_message(sender=SENDER, sender_name="Sở Nội vụ", reply_to=None, to_addr=r.to_addr,
                                              subject=r.subject, text=r.body_text,
                                              html=r.body_html).as_bytes(policy=policy.SMTP)) for r in rows]
        db.session.commit()
        bare_rates, ours_rates, ratios = [], [], []
        for i in range(rounds):
            if i:
                _requeue()
            order = ("bare", "ours") if i % 2 == 0 else ("ours", "bare")
            took = {}
            for which in order:
                if which == "bare":
                    took["bare"] = bare_smtplib(port, prepared)
                    continue
                t0 = time.perf_counter()
                result = outbox.drain(batch=1000)
                took["ours"] = time.perf_counter() - t0
                assert result.sent == n and not result.failed, result
            sent = db.session.scalar(db.select(db.func.count()).select_from(Invitation).where(Invitation.status == "sent"))
            assert sent == n, sent
            bare_rates.append(n / took["bare"])
            ours_rates.append(n / took["ours"])
            ratios.append(took["bare"] / took["ours"])
            print(f"  [{label}] round {i + 1} ({' then '.join(order)}): bare smtplib {bare_rates[-1]:.0f} msg/s, "
                  f"outbox worker {ours_rates[-1]:.0f} msg/s, ratio {ratios[-1]:.2f}; load average {load():.1f}",
                  flush=True)
        db.engine.dispose()
    what = "outbox worker with Flask-Mail" if flask_mail else "outbox worker"
    record(f"send {n:,} mails via loopback SMTP ({what}), ratio to bare smtplib", label,
           statistics.median(ratios), "×", 0.8,
           f"bare smtplib {statistics.median(bare_rates):.0f} msg/s, worker {statistics.median(ours_rates):.0f} msg/s "
           f"(median of {rounds} rounds; ratios {' / '.join(f'{r:.2f}' for r in ratios)}); "
           f"crash bound ≤ {outbox.RESEND_BOUND} messages per worker", lower_is_better=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=5_000, help="messages per round (default 5000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flask-mail", action="store_true")
    add_db_argument(parser)
    args = parser.parse_args()
    if args.flask_mail:
        use_flask_mail()
    port = _free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    server.start()
    ready.wait(30)
    try:
        for label, url in databases(args.db):
            run(label, url, port, args.n, args.rounds, args.flask_mail)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
