"""`assessments template|import` and `index compute` (DESIGN.md §6)."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.admin.cli import get_campaign
from app.core.cli_utils import fail, report
from app.extensions import db

from .assessments import AssessmentError, build_template, error_lines, import_assessments
from .services import (DEFAULT_DRAWS, DEFAULT_SEED, DEFAULT_SPREAD, IndexComputeError, compute_run, publish,
                       ranking_rows)

assessments = click.Group("assessments", help="Điểm tự đánh giá và thẩm định / self-assessment scores.")


@assessments.command("template")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def assessments_template(campaign_id, out, as_json):
    """Write the self-assessment workbook to fill (all units, both score columns)."""
    campaign = get_campaign(campaign_id)
    data = build_template(campaign, None)
    Path(out).write_bytes(data)
    report({"campaign": campaign.id, "out": out, "bytes": len(data)}, as_json, out)


@assessments.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def assessments_import(path, campaign_id, as_json):
    """Import self-assessment / appraisal scores; any bad row refuses the whole file."""
    campaign = get_campaign(campaign_id)
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


@index.command("compute")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@click.option("--draws", type=int, default=DEFAULT_DRAWS, show_default=True, help="Monte Carlo draws.")
@click.option("--spread", type=float, default=DEFAULT_SPREAD, show_default=True, help="±share, e.g. 0.25.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def index_compute(campaign_id, out, draws, spread, seed, as_json):
    """Compute the index, store the run and write the published workbook."""
    campaign = get_campaign(campaign_id)
    try:
        comp = compute_run(campaign, None, current_app.config.get("INDEX_VOIDED_FRACTION", 0.0))
        data = publish(campaign, comp, spread, draws, seed)
        Path(out).write_bytes(data)
        db.session.commit()
    except IndexComputeError as exc:
        db.session.rollback()
        fail(str(exc))
    rows = ranking_rows(comp.run, comp.loaded.scheme)
    payload = {"campaign": campaign.id, "run": comp.run.id, "out": out, "inputs_digest": comp.run.inputs_digest,
               "result_digest": comp.run.result_digest,
               "units": [{k: r[k] for k in ("code", "name", "total", "max", "percent", "rank", "band", "responses",
                                            "voided", "fields")} for r in rows]}
    text = "\n".join(f"{r['rank'] or '-'}\t{r['code']}\t{r['total']:.2f}\t"
                     f"{'' if r['percent'] is None else format(r['percent'], '.2f')}\t{r['band'] or ''}" for r in rows)
    report(payload, as_json, text + f"\n{out}")


COMMANDS = [assessments, index]
