"""`progress show --campaign ID [--unit CODE] [--json]` (DESIGN.md §6)."""
import click
from flask.cli import with_appcontext

from app.core.cli_utils import campaign_command, report
from app.core.lookups import campaign_or_fail, unit_or_fail

from .services import campaign_progress
from .status import outbox_status, runner_status

progress = click.Group("progress", help="Tiến độ khảo sát / survey progress.")


def _line(code: str, name: str, c: dict) -> str:
    rate = "–" if c["rate"] is None else f"{c['rate']:.1f}%"
    return (f"{code:<14} {name[:40]:<40} list {c['listed']:>6}  inv {c['invitations']:>6}  invited {c['invited']:>6}  "
            f"deliv {c['delivered']:>6}  failed {c['failed']:>5}  opened {c['opened']:>6}  answered {c['answered']:>6}  "
            f"rate {rate:>6}  reminders {c['reminders']:>5}")


@campaign_command(progress, "show")
@click.option("--unit", "unit_code", default=None, help="Only this assessed unit (code).")
@with_appcontext
def progress_show(campaign_id, unit_code, as_json):
    """The dashboard's figures per unit and group (same definitions as the web page)."""
    campaign = campaign_or_fail(campaign_id)
    unit_ids = [unit_or_fail(campaign, unit_code).id] if unit_code else None
    payload = campaign_progress(campaign, unit_ids).as_dict()
    payload["runner"] = runner_status()
    payload["outbox"] = outbox_status(campaign.id)
    lines = [f"{campaign.name} — {payload['taken_at']}"]
    for u in payload["units"]:
        lines.append(_line(u["code"], u["name"], u))
        lines += ["  " + _line(g["code"], g["name"], g) for g in u["groups"]]
    lines.append(_line("TOTAL", "", payload["totals"]))
    ob = payload["outbox"]
    lines.append(f"outbox: queued {ob['queued']}, sending {ob['sending']}, failed {ob['failed']}, "
                 f"bounced {ob['bounced']}; runner {'alive' if payload['runner']['alive'] else 'DOWN'}")
    report(payload, as_json, "\n".join(lines))


COMMANDS = [progress]
