"""Who commits: the view (or the job, or the command), once; services only flush.

`commit_or_flash` is the views' form of it; commands use `core.cli_utils.commit_or_fail`.
"""
from flask import flash

from app.extensions import db


def commit_or_flash(action, refusals, success=None, refused=str):
    """Run one service call and commit. A refusal (an exception of `refusals`) rolls back and
    is flashed as an error — `refused(exc)` gives its text — and gives (False, the exception).

    `success` is flashed after the commit: a message, a (message, category) pair, or a callable
    of the result returning either; then (True, the result)."""
    try:
        result = action()
        db.session.commit()
    except refusals as exc:
        db.session.rollback()
        flash(refused(exc), "error")
        return False, exc
    message = success(result) if callable(success) else success
    if message is not None:
        flash(*(message if isinstance(message, tuple) else (message, "success")))
    return True, result
