"""Gunicorn settings for ParSurvey: `gunicorn -c gunicorn.conf.py wsgi:app`.

Command-line options override these (e.g. `--bind 0.0.0.0:8000 --workers 8`). The environment
(SECRET_KEY, MAIL_URL, DATABASE_URL …) is read by config.py, not here.
"""
import multiprocessing

#: Behind nginx on the same machine; TLS and HSTS are nginx's (README "Operations").
bind = "127.0.0.1:8000"
workers = min(2 * multiprocessing.cpu_count() + 1, 9)
worker_class = "gthread"
threads = 4
#: A list upload of 50 MB (MAX_CONTENT_LENGTH) is validated within this; nothing else is slow.
timeout = 120
graceful_timeout = 30
keepalive = 5
#: Workers are recycled now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
#: The app is loaded once, in the master, and each worker is forked from it: a recycled worker is
#: serving again within milliseconds, where importing the app anew took ~1.4 s of a core — a burst
#: that slowed every request of the other workers on a 2-core machine. New code therefore needs a
#: restart (or `kill -USR2`), not `kill -HUP` (README "Operations").
preload_app = True
#: Let nginx and the request size limit of the app refuse huge headers early.
limit_request_line = 8190

#: Access log without survey tokens: "/s/…" instead of "/s/<token>", and no client address on
#: survey requests (app/core/logredact.py; docs/ANONYMITY.md "Logs").
logger_class = "app.core.logredact.GunicornLogger"
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def post_fork(server, worker):
    """The master loaded the app: a connection it may have opened must never be shared with a
    worker (two processes on one socket). The worker's pool starts empty; the master's is left alone."""
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)


def post_worker_init(worker):
    """The app is loaded in this worker: its long-lived objects leave the collector's full passes
    (app/core/heap.py: the dashboard at 1 000 units took twice as long every second view)."""
    from app.core.heap import freeze_loaded_app

    freeze_loaded_app()
