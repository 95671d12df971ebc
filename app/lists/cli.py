"""Lists commands (DESIGN.md §6): respondents template/import, lists approve/return."""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.core.cli_utils import campaign_command, commit_or_fail, fail, report
from app.core.lookups import campaign_or_fail, unit_or_fail
from app.extensions import db

from .importer import MODES, import_list
from .downloads import template_workbook
from .state import ListError, approve, return_list, submit

respondents = click.Group("respondents", help="Đối tượng khảo sát / respondent lists.")
lists = click.Group("lists", help="Duyệt danh sách / the secretariat's decision on lists.")


@campaign_command(respondents, "template")
@click.option("--unit", "unit_code", required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def respondents_template(campaign_id, unit_code, out, as_json):
    """Write the list template the web offers for this unit."""
    campaign = campaign_or_fail(campaign_id)
    unit = unit_or_fail(campaign, unit_code)
    data = template_workbook(campaign, unit)
    Path(out).write_bytes(data)
    report({"file": str(out), "bytes": len(data), "unit": unit.code}, as_json, f"Template written to {out}.")


def _public(result: dict) -> dict:
    """The CLI report: counts and row problems (not the stored rejected-row copies)."""
    return {"file": result["file"], "mode": result["mode"], "rows_read": result["rows_read"],
            "imported": result["imported"], "merged": result["merged"], "replaced": result["replaced"],
            "duplicates": result["duplicates"], "errors": result["errors"], "warnings": result.get("warnings", [])}


@campaign_command(respondents, "import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_code", required=True)
@click.option("--mode", type=click.Choice(MODES), default="replace", show_default=True,
              help="replace: the file becomes the unit's whole list; append: add to it.")
@click.option("--submit", "do_submit", is_flag=True, help="Submit the list after a clean import.")
@click.option("--explanation", default=None, help="Explanation when the list breaks a quota (with --submit).")
@with_appcontext
def respondents_import(file, campaign_id, unit_code, mode, do_submit, explanation, as_json):
    """Import a list (the same service as the web upload); report counts and row errors."""
    campaign = campaign_or_fail(campaign_id)
    unit = unit_or_fail(campaign, unit_code)
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 50 * 1024 * 1024
    size = os.path.getsize(file)
    if size > limit:
        fail(_("Tệp lớn %(size).1f MB, vượt giới hạn %(limit)d MB. Hãy chia nhỏ tệp.",
               size=size / 1024 / 1024, limit=limit // (1024 * 1024)))
    result = _public(commit_or_fail(lambda: import_list(campaign, unit, Path(file).name, Path(file).read_bytes(), mode),
                                    ListError))
    result["submitted"] = False
    submit_error = None
    if do_submit:
        if result["errors"]:
            submit_error = _("Danh sách chưa được gửi vì còn %(n)d dòng lỗi.", n=len(result["errors"]))
        else:
            try:
                submit(campaign, unit, explanation=explanation)
                db.session.commit()
                result["submitted"] = True
            except ListError as exc:
                db.session.rollback()
                submit_error = str(exc)
    result["submit_error"] = submit_error
    lines = [f"Rows read: {result['rows_read']}, imported: {result['imported']}, merged: {result['merged']}, "
             f"duplicates: {len(result['duplicates'])}, errors: {len(result['errors'])}"]
    lines += [f"  row {e['row']} ({e.get('name') or '-'}): {e['reason']}" for e in result["errors"][:200]]
    lines += [f"  row {w['row']} (warning): {w['reason']}" for w in result["warnings"][:200]]
    lines += [f"  row {d['row']} (duplicate): {d['reason']}" for d in result["duplicates"][:200]]
    report(result, as_json, "\n".join(lines))
    if submit_error:
        click.echo(f"Error: {submit_error}", err=True)
    if result["errors"] or submit_error:
        raise SystemExit(1)


@campaign_command(lists, "approve")
@click.option("--unit", "unit_code", required=True)
@with_appcontext
def lists_approve(campaign_id, unit_code, as_json):
    """Approve a submitted list."""
    campaign = campaign_or_fail(campaign_id)
    unit = unit_or_fail(campaign, unit_code)
    rlist = commit_or_fail(lambda: approve(campaign, unit), ListError)
    report({"unit": unit.code, "state": rlist.state}, as_json, f"{unit.code}: approved")


@campaign_command(lists, "return")
@click.option("--unit", "unit_code", required=True)
@click.option("--reason", required=True)
@with_appcontext
def lists_return(campaign_id, unit_code, reason, as_json):
    """Return a submitted (or approved) list to the focal unit with a reason."""
    campaign = campaign_or_fail(campaign_id)
    unit = unit_or_fail(campaign, unit_code)
    rlist = commit_or_fail(lambda: return_list(campaign, unit, reason), ListError)
    report({"unit": unit.code, "state": rlist.state, "reason": rlist.return_reason}, as_json, f"{unit.code}: returned")


COMMANDS = [respondents, lists]
