"""Shared behaviour of the operations CLI (DESIGN.md §6): --json prints one object; errors exit non-zero."""
import json

import click


def report(payload: dict, as_json: bool, text: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        click.echo(text if text is not None else json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 2):
    """Print a clear message on stderr and exit non-zero."""
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


def commit_or_fail(action, errors: type[Exception] | tuple = ValueError):
    """Run a service call and commit; a refusal (one of `errors`) rolls back and exits non-zero
    with its message — the CLI owns the commit, as the views do."""
    from app.extensions import db

    try:
        result = action()
        db.session.commit()
    except errors as exc:
        db.session.rollback()
        fail(str(exc))
    return result
