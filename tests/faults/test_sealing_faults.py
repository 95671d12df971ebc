"""The mover of sealed answer sheets killed (SIGKILL, a real process) between its steps: no sheet
is lost, none is released twice (docs/ANONYMITY.md). Runs on SQLite and on PostgreSQL."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Answer, Response, SealedAnswer
from app.survey.sealing import release_sealed
from app.core import clock
from app.survey.services import Paradata, submit_response
from tests.survey.conftest import make_invitation, questionnaire_of  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
SHEETS, BATCH = 12, 5

#: step -> (responses, sealed) right after the kill
STEPS = {
    "claim:1": (0, SHEETS),  # batch 1 claimed (rows locked), nothing written
    "insert:1": (0, SHEETS),  # batch 1 inserted into responses, sealed rows not yet deleted
    "delete:1": (0, SHEETS),  # batch 1 inserted and its sealed rows deleted, not committed
    "claim:2": (BATCH, SHEETS - BATCH),  # batch 1 committed, batch 2 claimed
    "insert:2": (BATCH, SHEETS - BATCH),
    "vacuum:1": (SHEETS, 0),  # everything committed, killed in the clean-up
}


def _count(model) -> int:
    db.session.rollback()  # a fresh snapshot: see what the killed process committed, nothing else
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _tags() -> list[str]:
    db.session.rollback()
    return sorted(db.session.scalars(db.select(Answer.text).where(Answer.text.like("tag-%"))))


@pytest.mark.parametrize("step", list(STEPS))
def test_killed_mover_loses_and_duplicates_nothing(app, database_url, make_invitation, step, tmp_path):
    for n in range(SHEETS):
        invitation = make_invitation()
        q = questionnaire_of(invitation)
        answers = {i.code: "a" for i in q.items if i.type == "choice"}
        answers[next(i.code for i in q.items if i.type != "choice")] = f"tag-{n:02d}"
        assert submit_response(invitation, q, answers, clock.today(), Paradata(device_hash=f"d{n}"))
        db.session.commit()
    db.session.remove()  # no connection of ours holds a lock the mover needs (SQLite: one writer)
    marker = tmp_path / "marker"
    mover = subprocess.Popen([sys.executable, "-m", "tests.faults.sealing_mover", database_url,
                              app.config["INSTANCE_DIR"], str(BATCH), step, str(marker)],
                             cwd=ROOT, env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert mover.poll() is None, mover.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the mover never reached the step"
            time.sleep(0.05)
        assert marker.read_text(encoding="utf-8") == "paused"
    finally:
        mover.send_signal(signal.SIGKILL)
        mover.wait(30)
    assert mover.returncode == -signal.SIGKILL

    assert (_count(Response), _count(SealedAnswer)) == STEPS[step]
    # The next run of the job finishes the work (PostgreSQL: the dead backend's row locks go when
    # the server notices the closed connection, so retry while rows are still locked).
    deadline = time.monotonic() + 60
    while _count(SealedAnswer) and time.monotonic() < deadline:
        release_sealed(force=True, batch_size=BATCH)
        time.sleep(0.2)
    assert _count(SealedAnswer) == 0 and _count(Response) == SHEETS
    assert _tags() == [f"tag-{n:02d}" for n in range(SHEETS)]  # every sheet once: none lost, none twice
