"""The sealed-sheet mover in its own process, stopped dead at a chosen step (test_sealing_faults).

Usage: python -m tests.faults.sealing_mover DATABASE_URL INSTANCE_DIR BATCH STEP MARKER
STEP is "<function>:<call number>" of app/survey/sealing.py (claim, insert, delete, vacuum): the
process writes MARKER right after that call returns and sleeps until the test kills it.
"""
import sys
import time
from pathlib import Path

from app import create_app
from config import TestConfig


def main(url: str, instance: str, batch: str, step: str, marker: str) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_DIR = instance

    app = create_app(Config)
    from app.survey import sealing

    name, _sep, number = step.partition(":")
    target = {"claim": "_claim_batch", "insert": "_insert", "delete": "_delete", "vacuum": "_vacuum"}[name]
    original, calls = getattr(sealing, target), {"n": 0}

    def stop_after(*args, **kwargs):
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == int(number or 1):
            Path(marker).write_text("paused", encoding="utf-8")
            time.sleep(3600)  # the test sends SIGKILL here
        return result

    setattr(sealing, target, stop_after)
    with app.app_context():
        sealing.release_sealed(force=True, batch_size=int(batch))
    Path(marker).write_text("finished", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:6])
