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


def commit_or_fail(action, errors: type[Exception] | tuple = ValueError, refused=str):
    """Run a service call and commit; a refusal (one of `errors`) rolls back and exits non-zero
    with its message (`refused(exc)`) — the CLI owns the commit, as the views do
    (`core.transactions.commit_or_flash`)."""
    from app.extensions import db

    try:
        result = action()
        db.session.commit()
    except errors as exc:
        db.session.rollback()
        fail(refused(exc))
    return result


def campaign_command(group: click.Group, name: str, **kwargs):
    """`group name … --campaign ID --json`: a command on one campaign, with the two options every
    such command takes (DESIGN.md §6); the function receives `campaign_id` and `as_json`."""
    def declare(function):
        function = click.option("--json", "as_json", is_flag=True)(function)
        function = click.option("--campaign", "campaign_id", type=int, required=True, help="Campaign id.")(function)
        return group.command(name, **kwargs)(function)
    return declare
