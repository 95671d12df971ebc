"""`flask interference scan|decide` (DESIGN.md §6)."""
import click
from flask_babel import gettext as _
from flask.cli import with_appcontext
from sqlalchemy import select

from app.core.cli_utils import campaign_command, commit_or_fail, fail, report
from app.core.lookups import campaign_or_fail, find_user, row_or_fail
from app.core.schemes import SchemeNotFound
from app.extensions import db
from app.models import Finding

from .evidence import unit_sheet_counts
from .services import ACTIONS, ReviewError, decide, run_scan

interference = click.Group("interference", help="Phát hiện can thiệp / interference findings.")


def _actor(email):
    if not email:
        return None
    user = find_user(email)
    if user is None or user.role != "admin":
        fail(_("Không có tài khoản thường trực (admin) với thư điện tử '%(email)s'.", email=email))
    return user


def finding_row(f: Finding, unit_sheets: dict[int, int] | None = None) -> dict:
    """A finding for the JSON output: the unit by code and name, how many sheets the finding
    names and how many the unit has, and whether the rule says the unit is too small."""
    if unit_sheets is None:
        unit_sheets = unit_sheet_counts(f.campaign_id, [f.unit_id])
    ids = list(f.response_ids or ())
    return {"id": f.id, "rule": f.rule, "unit": f.unit.code, "unit_code": f.unit.code, "unit_name": f.unit.name,
            "sheets": len(ids), "unit_sheets": unit_sheets.get(f.unit_id, 0),
            "small_unit": bool((f.evidence or {}).get("small_unit", False)), "severity": f.severity,
            "score": f.score, "response_ids": ids, "state": f.state}


@campaign_command(interference, "scan")
@click.option("--user", "email", default=None, help="Admin account to record as the actor.")
@with_appcontext
def interference_scan(campaign_id, email, as_json):
    """Run the detectors over a campaign and keep the new findings."""
    campaign = campaign_or_fail(campaign_id)
    actor = _actor(email)
    outcome = commit_or_fail(lambda: run_scan(campaign, actor=actor), SchemeNotFound,
                             refused=lambda _exc: _("Không có bộ chỉ số với mã '%(code)s'.", code=campaign.scheme_code))
    by_fp = {f.fingerprint: f for f in db.session.scalars(
        select(Finding).where(Finding.campaign_id == campaign.id, Finding.fingerprint.in_(outcome.fingerprints)))}
    sheets = unit_sheet_counts(campaign.id)
    rows = [finding_row(by_fp[fp], sheets) for fp in outcome.fingerprints if fp in by_fp]
    record = outcome.record
    payload = {"campaign": campaign.id, "responses": record.responses, "new_findings": record.new_findings,
               "findings": rows, "unit_risk": record.unit_risk}
    lines = [_("Đã quét %(responses)d phiếu: %(findings)d phát hiện, %(new)d phát hiện mới.",
               responses=record.responses, findings=len(rows), new=record.new_findings)]
    lines += [f"#{r['id']} {r['unit']} ({r['unit_name']}) {r['rule']} {r['severity']} {r['score']:.2f} "
              f"{r['sheets']}/{r['unit_sheets']} [{', '.join(map(str, r['response_ids']))}] {r['state']}"
              for r in rows]
    report(payload, as_json, "\n".join(lines))


@interference.command("decide")
@click.argument("finding_id", type=int)
@click.option("--action", default=None, help="dismiss | exclude | void | revert")
@click.option("--reason", default=None, help="Why (mandatory).")
@click.option("--user", "email", default=None, help="Admin account to record as the decider.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def interference_decide(finding_id, action, reason, email, as_json):
    """Record the secretariat's decision on a finding (or revert the standing one)."""
    finding = row_or_fail(Finding, finding_id, _("Không có phát hiện với mã số %(id)s.", id=finding_id))
    if action not in (*ACTIONS, "revert"):
        fail(_("Quyết định '%(action)s' không hợp lệ; dùng --action dismiss, exclude, void hoặc revert.",
               action=action or ""))
    if not (reason or "").strip():
        fail(_("Cần ghi lý do của quyết định (--reason)."))
    actor = _actor(email)
    decision = commit_or_fail(lambda: decide(finding, action, reason, actor=actor, via="cli"), ReviewError)
    unit = finding.unit
    payload = {"finding": finding_row(finding), "decision": {"id": decision.id, "action": decision.action,
                                                            "reason": decision.reason},
               "unit": {"code": unit.code, "survey_voided": unit.survey_voided, "void_reason": unit.void_reason}}
    report(payload, as_json, _("Phát hiện #%(id)d: %(state)s.", id=finding.id, state=finding.state))


COMMANDS = [interference]
