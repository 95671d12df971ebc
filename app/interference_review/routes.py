"""Review of interference findings: the list per campaign, the evidence page, decisions.

Admins decide (and may revert); coordinators read; focal units and enumerators get 403.
"""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.confirm import confirm_page, confirmed
from app.core.lookups import campaign_or_404
from app.core.spreadsheet import small_cell_text
from app.core.policy import allow
from app.core.schemes import SchemeNotFound
from app.core.transactions import commit_or_flash
from app.extensions import db
from app.interference import RULES, explain
from app.interference.model import SEVERITIES
from app.models import Campaign, Finding, Response, Unit

from . import evidence
from .forms import DecisionForm, RevertForm, ScanForm
from .labels import STATE_LABELS, labels
from .services import ReviewError, as_pure, decide, finding_in_campaign, last_scan, revert, run_scan

bp = Blueprint("interference_review", __name__, url_prefix="/interference", template_folder="templates")

LIST_LIMIT = 500


@bp.app_context_processor
def _names():
    return {"interference_labels": labels}


@bp.route("/campaigns/<int:campaign_id>")
@allow("admin", "coordinator")
def findings(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    units = {u.code: u for u in campaign.units}
    filters = {k: (request.args.get(k) or "").strip() for k in ("unit", "rule", "severity", "state")}
    stmt = select(Finding).join(Unit, Unit.id == Finding.unit_id).where(Finding.campaign_id == campaign.id)
    if filters["unit"]:
        stmt = stmt.where(Unit.code == filters["unit"])
    if filters["rule"] in RULES:
        stmt = stmt.where(Finding.rule == filters["rule"])
    if filters["severity"] in SEVERITIES:
        stmt = stmt.where(Finding.severity == filters["severity"])
    if filters["state"] in STATE_LABELS:
        stmt = stmt.where(Finding.state == filters["state"])
    stmt = stmt.order_by(Finding.score.desc(), Unit.code, Finding.id).limit(LIST_LIMIT + 1)
    rows = db.session.scalars(stmt).all()
    scan = last_scan(campaign.id)
    return render_template("interference_review/findings.html", campaign=campaign, findings=rows[:LIST_LIMIT],
                           more=len(rows) > LIST_LIMIT, filters=filters, units=units, rules=RULES,
                           severities=SEVERITIES, states=list(STATE_LABELS), scan=scan,
                           scan_form=ScanForm(prefix="scan"), can_decide=current_user.role == "admin")


@bp.route("/campaigns/<int:campaign_id>/scan", methods=["POST"])
@allow("admin")
def scan_now(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if ScanForm(prefix="scan").validate_on_submit():
        commit_or_flash(lambda: run_scan(campaign, actor=current_user).record, SchemeNotFound,
                        lambda record: _("Đã quét %(responses)d phiếu: %(findings)d phát hiện, %(new)d phát hiện mới.",
                                         responses=record.responses, findings=record.findings,
                                         new=record.new_findings),
                        refused=lambda _exc: _("Không có bộ chỉ số với mã '%(code)s'.", code=campaign.scheme_code))
    return redirect(url_for("interference_review.findings", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/findings/<int:finding_id>")
@allow("admin", "coordinator")
def finding(campaign_id: int, finding_id: int):
    return _finding_page(campaign_or_404(campaign_id), finding_id)


def _finding_page(campaign: Campaign, finding_id: int, decision_form=None, revert_form=None, status=200):
    item = finding_in_campaign(campaign.id, finding_id) or abort(404)
    responses = evidence.involved_responses(item)
    lang = str(get_locale() or "vi")
    text = explain(as_pure(item), lang if lang in ("vi", "en") else "vi")
    if evidence.hides_unit_share(item, campaign.min_cell_sheets):
        text = _("Tỷ lệ của đơn vị dựa trên %(text)s nên không được hiển thị; xem các phiếu liên quan bên dưới.",
                 text=small_cell_text(campaign.min_cell_sheets))
    page = render_template(
        "interference_review/finding.html", campaign=campaign, finding=item, explanation=text,
        unit_sheets=evidence.unit_sheet_counts(campaign.id, [item.unit_id]).get(item.unit_id, 0),
        rows=evidence.response_rows(responses), timeline=evidence.timeline(item, responses),
        similarity=evidence.similarity(item, responses), can_decide=current_user.role == "admin",
        decision_form=decision_form or DecisionForm(prefix="d"), revert_form=revert_form or RevertForm(prefix="r"))
    return page, status


def _finding_of(campaign_id: int, finding_id: int):
    campaign = campaign_or_404(campaign_id)
    return campaign, finding_in_campaign(campaign.id, finding_id) or abort(404)


def _decision(campaign, item, form, valid: bool, action, success: str, form_name: str):
    """Decide or revert: the service called and committed once; a refusal or an invalid form
    shows the finding page again with the form (400)."""
    if valid and commit_or_flash(action, ReviewError, success)[0]:
        return redirect(url_for("interference_review.finding", campaign_id=campaign.id, finding_id=item.id))
    return _finding_page(campaign, item.id, status=400, **{form_name: form})


@bp.route("/campaigns/<int:campaign_id>/findings/<int:finding_id>/decide", methods=["POST"])
@allow("admin")
def decide_finding(campaign_id: int, finding_id: int):
    campaign, item = _finding_of(campaign_id, finding_id)
    form = DecisionForm(prefix="d")
    valid = form.validate_on_submit()
    if valid and form.action.data == "void" and not confirmed():
        unit = item.unit
        sheets = db.session.scalar(db.select(db.func.count(Response.id)).where(Response.unit_id == unit.id)) or 0
        return confirm_page(_("Huỷ kết quả khảo sát của %(unit)s", unit=unit.name),
                            [_("Điểm khảo sát của %(unit)s sẽ là 0 trong chỉ số; bảng kết quả ghi lý do.", unit=unit.name),
                             _("%(n)d phiếu của đơn vị vẫn được lưu nhưng không được tính.", n=sheets),
                             _("Lý do: %(reason)s", reason=form.reason.data)],
                            _("Huỷ kết quả của %(unit)s", unit=unit.name),
                            url_for("interference_review.finding", campaign_id=campaign.id, finding_id=finding_id))
    return _decision(campaign, item, form, valid,
                     lambda: decide(item, form.action.data, form.reason.data, actor=current_user),
                     _("Đã ghi quyết định."), "decision_form")


@bp.route("/campaigns/<int:campaign_id>/findings/<int:finding_id>/revert", methods=["POST"])
@allow("admin")
def revert_finding(campaign_id: int, finding_id: int):
    campaign, item = _finding_of(campaign_id, finding_id)
    form = RevertForm(prefix="r")
    return _decision(campaign, item, form, form.validate_on_submit(),
                     lambda: revert(item, form.reason.data, actor=current_user),
                     _("Đã hoàn tác quyết định; phát hiện mở lại để xem xét."), "revert_form")
