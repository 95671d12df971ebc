"""`make run PORT=…` mails links that reach the server it starts (issue 14 point 14)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_a_base_url_that_follows_host_and_port():
    out = subprocess.run(["make", "-n", "run", "HOST=127.0.0.1", "PORT=5123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    runs = [line for line in out.splitlines() if "jobs run" in line or " run --host" in line]
    assert runs and all("BASE_URL=http://127.0.0.1:5123" in line for line in runs)
    given = subprocess.run(["make", "-n", "run", "PORT=5123", "BASE_URL=https://khaosat.example.vn"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert "BASE_URL=https://khaosat.example.vn" in given


def test_config_reads_base_url_from_the_environment():
    env = {**os.environ, "BASE_URL": "http://127.0.0.1:5123/"}
    out = subprocess.run([sys.executable, "-c", "import config; print(config.Config.BASE_URL)"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "http://127.0.0.1:5123"
