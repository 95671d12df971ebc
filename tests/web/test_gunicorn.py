"""gunicorn.conf.py as deployed: the app is loaded once in the master, workers are forked from it and
recycled (max_requests); every recycled worker serves from a pool of its own (post_fork)."""
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser_support import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_deployed_config_preloads_the_app():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["preload_app"] is True and config["max_requests"] > 0
    assert callable(config["post_fork"]) and callable(config["post_worker_init"])


def test_recycled_workers_keep_serving_from_the_preloaded_app(database_url, tmp_path):
    if database_url == "sqlite://":  # an in-memory database would be the master's own: use a file
        database_url = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PARSURVEY_ENV", "TEST_DATABASE_URL")}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": "k" * 40, "PARSURVEY_INSTANCE": str(tmp_path),
                "MAIL_URL": "smtp://127.0.0.1:2525?tls=none&sender=a@b.vn"})
    # Two workers, each recycled after two requests: 16 requests go through about eight forks.
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--threads", "2", "--max-requests", "2", "--max-requests-jitter", "0",
                               "--access-logfile", "/dev/null", "--log-level", "info", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.1)
        statuses = []
        for _ in range(16):
            for attempt in range(50):  # a worker restarting may refuse for a moment: ask again
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                        statuses.append((response.status, response.read()))
                    break
                except OSError:
                    time.sleep(0.1)
        assert statuses == [(200, b'{"status":"ok"}\n')] * 16
    finally:
        server.terminate()
        _out, log = server.communicate(timeout=30)
    assert len(re.findall(r"Booting worker with pid", log)) >= 6, log  # recycled, and served again
    assert "Autorestarting worker" in log and "Traceback" not in log and "Exception" not in log, log
