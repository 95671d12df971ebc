"""`assessments template|import` and `index compute` (DESIGN.md §6)."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.core.cli_utils import campaign_command, commit_or_fail, fail, report
from app.core.lookups import campaign_or_fail
from app.extensions import db

from .assessments import AssessmentError, build_template, error_lines, import_assessments
from .services import (DEFAULT_DRAWS, DEFAULT_SEED, DEFAULT_SPREAD, IndexComputeError, compute_run, publish,
                       ranking_rows)

assessments = click.Group("assessments", help="Điểm tự đánh giá và thẩm định / self-assessment scores.")


@campaign_command(assessments, "template")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def assessments_template(campaign_id, out, as_json):
    """Write the self-assessment workbook to fill (all units, both score columns)."""
    campaign = campaign_or_fail(campaign_id)
    data = build_template(campaign, None)
    Path(out).write_bytes(data)
    report({"campaign": campaign.id, "out": out, "bytes": len(data)}, as_json, out)


@campaign_command(assessments, "import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def assessments_import(path, campaign_id, as_json):
    """Import self-assessment / appraisal scores; any bad row refuses the whole file."""
    campaign = campaign_or_fail(campaign_id)
    try:
        result = import_assessments(campaign, Path(path).name, Path(path).read_bytes(), actor=None)
        db.session.commit()
    except AssessmentError as exc:
        db.session.rollback()
        if as_json:
            report({"ok": False, "error": str(exc), "errors": exc.errors}, True)
            click.echo(f"Error: {exc}", err=True)
            raise SystemExit(2)
        fail("\n".join([str(exc)] + error_lines(exc)))
    report({"ok": True, **result}, as_json,
           _("Đã nhập %(rows)d dòng cho %(units)d đơn vị.", rows=result["rows"], units=result["units"]))


index = click.Group("index", help="Tính chỉ số và xuất bảng tính / compute and export the index.")


@campaign_command(index, "compute")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@click.option("--draws", type=int, default=DEFAULT_DRAWS, show_default=True, help="Monte Carlo draws.")
@click.option("--spread", type=float, default=DEFAULT_SPREAD, show_default=True, help="±share, e.g. 0.25.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@with_appcontext
def index_compute(campaign_id, out, draws, spread, seed, as_json):
    """Compute the index, store the run and write the published workbook."""
    campaign = campaign_or_fail(campaign_id)
    def compute_and_write():
        comp = compute_run(campaign, None, current_app.config["INDEX_VOIDED_FRACTION"])
        Path(out).write_bytes(publish(campaign, comp, spread, draws, seed))
        return comp

    comp = commit_or_fail(compute_and_write, IndexComputeError)
    rows = ranking_rows(comp.run, comp.loaded.scheme)
    payload = {"campaign": campaign.id, "run": comp.run.id, "out": out, "inputs_digest": comp.run.inputs_digest,
               "result_digest": comp.run.result_digest,
               "units": [{k: r[k] for k in ("code", "name", "total", "max", "percent", "rank", "band", "responses",
                                            "voided", "fields")} for r in rows]}
    text = "\n".join(f"{r['rank'] or '-'}\t{r['code']}\t{r['total']:.2f}\t"
                     f"{'' if r['percent'] is None else format(r['percent'], '.2f')}\t{r['band'] or ''}" for r in rows)
    report(payload, as_json, text + f"\n{out}")


COMMANDS = [assessments, index]
