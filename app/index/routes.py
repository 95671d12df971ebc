"""Self-assessment import, index computation and the published workbook (issue: index)."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.lookups import campaign_or_404, in_campaign_or_404
from app.core.policy import allow, require_unit
from app.core.schemes import get_scheme
from app.core.transactions import commit_or_flash
from app.extensions import db
from app.models import AssessmentImport, Campaign, IndexRun, SelfAssessment, utcnow

from .assessments import AssessmentError, build_template, error_lines, import_assessments, visible_units
from .forms import AssessmentUploadForm, ComputeForm
from .readiness import readiness
from .services import (DEFAULT_DRAWS, DEFAULT_SPREAD, IndexComputeError, compute_run, publish, ranking_rows,
                       reproduce, robustness, stored_workbook, unit_profile)

bp = Blueprint("index", __name__, url_prefix="/index", template_folder="templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(campaign: Campaign, run_id: int) -> IndexRun:
    return in_campaign_or_404(IndexRun, run_id, campaign.id)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/campaigns/<int:campaign_id>")
@allow("admin", "coordinator")
def overview(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    runs = db.session.scalars(db.select(IndexRun).where(IndexRun.campaign_id == campaign.id)
                              .order_by(IndexRun.id.desc()).limit(20)).all()
    latest = runs[0] if runs else None
    scheme = get_scheme(campaign.scheme_code)
    rows = ranking_rows(latest, scheme) if latest else []
    return render_template("index/overview.html", campaign=campaign, runs=runs, run=latest, rows=rows,
                           scheme=scheme, form=ComputeForm(), check=readiness(campaign))


@bp.route("/campaigns/<int:campaign_id>/compute", methods=["POST"])
@allow("admin")
def compute(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if not ComputeForm().validate_on_submit():
        abort(400)
    check = readiness(campaign)
    reason = " ".join((request.form.get("reason") or "").split())
    if check.blocking or (check.issues and not reason):
        flash(check.blocking or _("Chưa sẵn sàng để tính chỉ số: hãy ghi lý do nếu vẫn tính."), "error")
        return redirect(url_for("index.overview", campaign_id=campaign.id))
    def compute_and_publish():
        comp = compute_run(campaign, current_user, current_app.config["INDEX_VOIDED_FRACTION"],
                           readiness=check.as_params(reason) if check.issues else None)
        publish(campaign, comp)
        return comp

    done, comp = commit_or_flash(compute_and_publish, IndexComputeError,
                                 lambda comp: _("Đã tính chỉ số (lần tính số %(id)d).", id=comp.run.id))
    if not done:
        return redirect(url_for("index.overview", campaign_id=campaign.id))
    return redirect(url_for("index.run", campaign_id=campaign.id, run_id=comp.run.id))


@bp.route("/campaigns/<int:campaign_id>/runs/<int:run_id>")
@allow("admin", "coordinator")
def run(campaign_id: int, run_id: int):
    campaign = campaign_or_404(campaign_id)
    run = _run(campaign, run_id)
    scheme = get_scheme(campaign.scheme_code)
    rows = ranking_rows(run, scheme)
    chart = [(f"{r['rank'] or '–'}. {r['name']}", r["percent"], f"band-{r['band'] or 'none'}") for r in rows]
    return render_template("index/run.html", campaign=campaign, run=run, rows=rows, scheme=scheme, chart=chart)


@bp.route("/campaigns/<int:campaign_id>/runs/<int:run_id>/workbook.xlsx")
@allow("admin")
def workbook(campaign_id: int, run_id: int):
    campaign = campaign_or_404(campaign_id)
    run = _run(campaign, run_id)
    try:
        data = stored_workbook(campaign, run)
    except IndexComputeError as exc:
        flash(str(exc), "error")
        return redirect(url_for("index.run", campaign_id=campaign.id, run_id=run.id))
    return _download(data, f"chi-so-{campaign.year}-lan-{run.id}.xlsx", XLSX)


@bp.route("/campaigns/<int:campaign_id>/runs/<int:run_id>/ranking.csv")
@allow("admin")
def ranking_csv(campaign_id: int, run_id: int):
    from app.core.spreadsheet import write_csv

    campaign = campaign_or_404(campaign_id)
    run = _run(campaign, run_id)
    scheme = get_scheme(campaign.scheme_code)
    headers = [_("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Tổng điểm"), _("Điểm tối đa áp dụng"), _("Chỉ số (%)"),
               _("Xếp hạng"), _("Xếp loại")] + [_("Lĩnh vực %(code)s", code=f.code) for f in scheme.fields] \
        + [_("Số phiếu sử dụng")]
    rows = [[r["stt"], r["code"], r["name"], r["total"], r["max"], r["percent"], r["rank"], r["band"]]
            + [r["fields"][f.code] for f in scheme.fields] + [r["responses"]] for r in ranking_rows(run, scheme)]
    return _download(write_csv(headers, rows), f"xep-hang-{campaign.year}-lan-{run.id}.csv", "text/csv")


def _float_arg(name: str, default: float, low: float, high: float) -> float:
    try:
        value = float(request.args.get(name, default))
    except ValueError:
        return default
    return min(max(value, low), high)


@bp.route("/campaigns/<int:campaign_id>/runs/<int:run_id>/robustness")
@allow("admin")
def robustness_view(campaign_id: int, run_id: int):
    campaign = campaign_or_404(campaign_id)
    run = _run(campaign, run_id)
    spread = _float_arg("spread", DEFAULT_SPREAD * 100, 0, 100) / 100
    draws = int(_float_arg("draws", DEFAULT_DRAWS, 1, 20000))
    try:
        comp = reproduce(campaign, run)
        robust, loo = robustness(comp.loaded, comp.result, spread, draws)
    except IndexComputeError as exc:
        flash(str(exc), "error")
        return redirect(url_for("index.run", campaign_id=campaign.id, run_id=run.id))
    scheme = comp.loaded.scheme
    shifts = loo.pivot(index="unit", columns="field", values="shift")
    n = len(robust)
    rows = [{"unit": r["unit"], "name": comp.loaded.unit_names.get(r["unit"], ""), "rank": r["rank"],
             "median": r["median_rank"], "p05": r["p05"], "p95": r["p95"],
             "shifts": [shifts.at[r["unit"], f.code] for f in scheme.fields]} for r in robust.to_dict("records")]
    return render_template("index/robustness.html", campaign=campaign, run=run, rows=rows, scheme=scheme,
                           spread=spread, draws=draws, n=n)


@bp.route("/campaigns/<int:campaign_id>/runs/<int:run_id>/units/<unit_code>")
@allow("admin", "coordinator")
def unit_profile_view(campaign_id: int, run_id: int, unit_code: str):
    campaign = campaign_or_404(campaign_id)
    run = _run(campaign, run_id)
    scheme = get_scheme(campaign.scheme_code)
    profile = unit_profile(run, scheme, unit_code) or abort(404)
    rows = ranking_rows(run, scheme)
    row = next(r for r in rows if r["code"] == unit_code)
    chart = []
    for f in profile["fields"]:
        chart += [(f"{f['code']}. {row['name']}"[:40], f["percent"], "unit"),
                  (_("%(code)s. Bình quân", code=f["code"]), f["mean"], "mean"),
                  (_("%(code)s. Cao nhất", code=f["code"]), f["best"], "best")]
    return render_template("index/unit.html", campaign=campaign, run=run, profile=profile, row=row, chart=chart,
                           n=sum(1 for r in rows if r["rank"] is not None))


@bp.route("/campaigns/<int:campaign_id>/assessments", methods=["GET", "POST"])
@allow("admin", "focal")
def assessments(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = AssessmentUploadForm()
    errors = []
    if form.validate_on_submit():
        f = form.file.data
        done, outcome = commit_or_flash(
            lambda: import_assessments(campaign, f.filename, f.read(), actor=current_user), AssessmentError,
            lambda result: _("Đã nhập %(rows)d dòng cho %(units)d đơn vị.", rows=result["rows"], units=result["units"]))
        if done:
            return redirect(url_for("index.assessments", campaign_id=campaign.id))
        errors = error_lines(outcome)
    units = visible_units(campaign, current_user)
    ids = [u.id for u in units]
    counts = dict(db.session.execute(
        db.select(SelfAssessment.unit_id, db.func.count(SelfAssessment.self_score))
        .where(SelfAssessment.unit_id.in_(ids)).group_by(SelfAssessment.unit_id)).all()) if ids else {}
    appraised = dict(db.session.execute(
        db.select(SelfAssessment.unit_id, db.func.count(SelfAssessment.appraised_score))
        .where(SelfAssessment.unit_id.in_(ids)).group_by(SelfAssessment.unit_id)).all()) if ids else {}
    imports = []
    if current_user.role == "admin":
        imports = db.session.scalars(db.select(AssessmentImport).where(AssessmentImport.campaign_id == campaign.id)
                                     .order_by(AssessmentImport.id.desc()).limit(20)).all()
    locked = current_user.role != "admin" and utcnow().date() > campaign.assessments_by
    n_assessed = sum(1 for lf in get_scheme(campaign.scheme_code).leaves() if lf.source == "assessed")
    return render_template("index/assessments.html", campaign=campaign, form=form, errors=errors, units=units,
                           counts=counts, appraised=appraised, imports=imports, locked=locked, n_assessed=n_assessed)


@bp.route("/campaigns/<int:campaign_id>/assessments/template.xlsx")
@allow("admin", "focal")
def assessments_template(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    for unit in visible_units(campaign, current_user):
        require_unit(unit.code)  # belt and braces: the template only lists the account's units
    return _download(build_template(campaign, current_user), f"tu-danh-gia-{campaign.year}.xlsx", XLSX)
