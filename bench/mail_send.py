"""Send 10 000 messages through a loopback aiosmtpd server (in its own process) and compare with
a bare smtplib loop on the same server (DESIGN.md §7: ≥ 200 msg/s and ≥ 0.8 of bare smtplib)."""
import multiprocessing
import os
import smtplib
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
N = int(ARGS[0]) if ARGS else 10_000
#: --flask-mail: the same worker, but each message composed with Flask-Mail's Message and sent
#: through Flask-Mail's Connection (one per mailbox batch) — the measurement behind
#: docs/decisions/0001-flask-mail-for-one-off-mails.md.
FLASK_MAIL = "--flask-mail" in sys.argv


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
            smtp.sendmail("hopthu@sonv.gov.vn", [to_addr], data)
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

        def send(self, message, to_addr):
            self.conn.send(message, envelope_from=self.settings.sender)
            return "250"

        def close(self):
            if self.conn is not None:
                self.conn.__exit__(None, None, None)
                self.conn = None

    outbox.build_mime = build
    outbox.make_transport = FlaskMailTransport


def main():
    from bench._mailing_setup import make_app, seed

    if FLASK_MAIL:
        use_flask_mail()

    port = _free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    server.start()
    ready.wait(30)
    url = f"smtp://127.0.0.1:{port}?tls=none&sender=hopthu@sonv.gov.vn&name=Sở Nội vụ&rate=1000000&daily_cap=1000000"
    app = make_app(mail_url=url)
    try:
        with app.app_context():
            from email import policy

            from app.extensions import db
            from app.mailing.outbox import drain
            from app.mailing.services import queue_invitations
            from app.models import OutboxMessage

            campaign = seed(N)
            queue_invitations(campaign)
            db.session.commit()
            # The baseline sends the same rendered messages, built beforehand.
            from app.mailing.composer import build_message

            rows = db.session.execute(db.select(OutboxMessage.to_addr, OutboxMessage.subject, OutboxMessage.body_text,
                                                OutboxMessage.body_html)).all()
            prepared = [(r.to_addr, build_message(sender="hopthu@sonv.gov.vn", sender_name="Sở Nội vụ", reply_to=None,
                                                  to_addr=r.to_addr, subject=r.subject, text=r.body_text,
                                                  html=r.body_html).as_bytes(policy=policy.SMTP)) for r in rows]
            bare = bare_smtplib(port, prepared)
            t0 = time.perf_counter()
            result = drain(batch=1000)
            ours = time.perf_counter() - t0
            assert result.sent == N, result
    finally:
        server.terminate()
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"bare smtplib loop: {N} messages in {bare:.2f} s = {N / bare:.0f} msg/s")
    print(f"outbox worker{' with Flask-Mail (Message + Connection)' if FLASK_MAIL else ''} "
          f"(render + send + status write per message): {N} in {ours:.2f} s = {N / ours:.0f} msg/s "
          f"(goal ≥ 200 msg/s)")
    print(f"ratio to bare smtplib: {bare / ours:.2f} (goal ≥ 0.8); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
