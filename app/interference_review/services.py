"""Run the interference scan over a campaign, keep its findings, record decisions on them.

Services flush; the view, the CLI command or the job commits. Every decision is a
``Decision`` row (who, when, why) and an audit entry.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import audit
from app.extensions import db
from app.interference import DEFAULT_CONFIG, Config
from app.interference import Detection
from app.interference import scan
from app.models import Campaign, Decision, Finding, Group, InterferenceScan, Response, Unit, utcnow

from .frames import load_answers, load_responses, questionnaire_shapes, reminder_times

ACTIONS = ("dismiss", "exclude", "void")
#: The finding state each decision leads to.
STATE_OF = {"dismiss": "dismissed", "exclude": "excluded", "void": "voided"}


class ReviewError(ValueError):
    """A refused request; the message is shown to the user as is."""


@dataclass(frozen=True)
class ScanOutcome:
    """The stored run and the fingerprints of the findings it found (new or known)."""

    record: InterferenceScan
    fingerprints: tuple[str, ...]


def run_scan(campaign: Campaign, actor=None, shapes=None, config: Config = DEFAULT_CONFIG,
             timings: dict | None = None) -> ScanOutcome:
    """Load the campaign's responses, run every detector, keep the new findings.

    A finding already stored (same fingerprint) is left as it is, with its decisions; the
    unit risk of this run is kept on the stored ``InterferenceScan``. ``timings`` (if
    given) receives the seconds of each phase: load, scan, persist.
    """
    t0 = time.perf_counter()
    responses = load_responses(campaign.id)
    answers = load_answers(campaign.id)
    shapes = shapes if shapes is not None else questionnaire_shapes(campaign.scheme_code)
    reminders = reminder_times(campaign.id)
    t1 = time.perf_counter()
    result = scan(responses, answers, shapes, reminders, config) if len(responses) else None
    t2 = time.perf_counter()
    findings = result.findings if result else []
    new = persist_findings(campaign, findings)
    risk = []
    if result is not None:
        rows = result.unit_risk[result.unit_risk["rules"] != ""]
        risk = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in rows.to_dict("records")]
    record = InterferenceScan(campaign_id=campaign.id, user_id=getattr(actor, "id", None),
                              started_at=utcnow(), responses=int(len(responses)),
                              last_response_id=int(responses["response_id"].max()) if len(responses) else 0,
                              findings=len(findings), new_findings=new, unit_risk=risk)
    db.session.add(record)
    db.session.flush()
    t3 = time.perf_counter()
    record.seconds = round(t3 - t0, 3)
    audit.record("interference.scan", actor, campaign.id, target=f"scan:{record.id}",
                 responses=record.responses, findings=record.findings, new_findings=new)
    if timings is not None:
        timings.update(load=t1 - t0, scan=t2 - t1, persist=t3 - t2)
    return ScanOutcome(record, tuple(f.fingerprint for f in findings))


def persist_findings(campaign: Campaign, findings: list[Detection]) -> int:
    """Insert the findings whose fingerprint is new to the campaign; returns how many."""
    known = set(db.session.scalars(select(Finding.fingerprint).where(Finding.campaign_id == campaign.id)))
    unit_ids = dict(db.session.execute(select(Unit.code, Unit.id).where(Unit.campaign_id == campaign.id)).all())
    group_ids = dict(db.session.execute(select(Group.code, Group.id).where(Group.campaign_id == campaign.id)).all())
    rows = []
    for f in findings:
        fp = f.fingerprint
        if fp in known or f.unit not in unit_ids:
            continue
        known.add(fp)
        rows.append({"campaign_id": campaign.id, "unit_id": unit_ids[f.unit],
                     "group_id": group_ids.get(f.group) if f.group else None, "rule": f.rule,
                     "severity": f.severity, "score": f.score, "response_ids": list(f.response_ids),
                     "evidence": dict(f.evidence), "fingerprint": fp, "state": "open",
                     "created_at": utcnow()})
    if rows:
        # ON CONFLICT DO NOTHING: a scan running at the same time (job + button) may have
        # stored the same finding a moment ago; the UNIQUE constraint keeps it once.
        db.session.execute(_insert_ignoring_duplicates(), rows)
    return len(rows)


def _insert_ignoring_duplicates():
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return db.insert(Finding)
    return insert(Finding).on_conflict_do_nothing(index_elements=["campaign_id", "fingerprint"])


def last_scan(campaign_id: int) -> InterferenceScan | None:
    return db.session.scalar(select(InterferenceScan).where(InterferenceScan.campaign_id == campaign_id)
                             .order_by(InterferenceScan.id.desc()).limit(1))


def needs_scan(campaign: Campaign) -> bool:
    """True when responses arrived (or went) since the last scan: the hourly job skips the rest."""
    count, top = db.session.execute(select(func.count(Response.id), func.coalesce(func.max(Response.id), 0))
                                    .where(Response.campaign_id == campaign.id)).one()
    last = last_scan(campaign.id)
    if last is None:
        return count > 0
    return (count, top) != (last.responses, last.last_response_id)


def as_pure(finding: Finding) -> Detection:
    """The stored finding as the pure package's dataclass (for ``explain``)."""
    return Detection(rule=finding.rule, unit=finding.unit.code if finding.unit else "",
                       group=finding.group.code if finding.group else None,
                       response_ids=tuple(finding.response_ids or ()), severity=finding.severity,
                       score=finding.score, evidence=dict(finding.evidence or {}))


# ---------------------------------------------------------------- decisions
def decide(finding: Finding, action: str, reason: str, actor=None, via: str = "web") -> Decision:
    """Record the secretariat's decision on an open finding and apply its effect.

    dismiss → nothing changes in the data; exclude → the finding's responses (of its own
    campaign and unit only) leave the scoring; void → the unit's survey result is cancelled.
    """
    reason = (reason or "").strip()
    if action == "revert":
        return revert(finding, reason, actor, via)
    if action not in ACTIONS:
        raise ReviewError(_("Quyết định '%(action)s' không hợp lệ; chọn một trong: bỏ qua (dismiss), "
                            "loại phiếu (exclude), huỷ kết quả (void).", action=action))
    if not reason:
        raise ReviewError(_("Cần ghi lý do của quyết định."))
    if finding.state != "open":
        raise ReviewError(_("Phát hiện này đã có quyết định; hãy hoàn tác quyết định đó trước."))
    touched = []
    if action == "exclude":
        touched = _scoped_responses(finding)
        for response in touched:
            response.excluded = True
    elif action == "void":
        finding.unit.survey_voided = True
        finding.unit.void_reason = reason
    finding.state = STATE_OF[action]
    return _log(finding, action, reason, actor, via, response_ids=[r.id for r in touched])


def revert(finding: Finding, reason: str, actor=None, via: str = "web") -> Decision:
    """Undo the standing decision of a finding (admin only) and reopen it.

    The effect is recomputed, not blindly undone: a response stays excluded while another
    standing exclude decision covers it, a unit stays voided while another void stands.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Cần ghi lý do của quyết định."))
    if finding.state == "open":
        raise ReviewError(_("Phát hiện này chưa có quyết định nào để hoàn tác."))
    undone = finding.state
    finding.state = "open"
    db.session.flush()
    touched = []
    if undone == "excluded":
        covered = _still_excluded(finding.campaign_id)
        for response in _scoped_responses(finding):
            response.excluded = response.id in covered
            touched.append(response.id)
    elif undone == "voided":
        _recompute_void(finding.unit)
    return _log(finding, "revert", reason, actor, via, undone=undone, response_ids=touched)


def _scoped_responses(finding: Finding) -> list[Response]:
    # Only the finding's own campaign and unit: a stored id list must never reach further.
    ids = [int(i) for i in finding.response_ids or ()]
    if not ids:
        return []
    return list(db.session.scalars(select(Response).where(
        Response.id.in_(ids), Response.campaign_id == finding.campaign_id,
        Response.unit_id == finding.unit_id)))


def _still_excluded(campaign_id: int) -> set[int]:
    """Response ids covered by a standing exclude decision (finding state 'excluded')."""
    out: set[int] = set()
    for finding in db.session.scalars(select(Finding).where(Finding.campaign_id == campaign_id,
                                                            Finding.state == "excluded")):
        out.update(r.id for r in _scoped_responses(finding))
    return out


def _recompute_void(unit: Unit) -> None:
    standing = db.session.scalars(select(Finding).where(Finding.unit_id == unit.id, Finding.state == "voided")
                                  .order_by(Finding.id)).all()
    if not standing:
        unit.survey_voided, unit.void_reason = False, None
        return
    unit.survey_voided = True
    voids = [d for f in standing for d in f.decisions if d.action == "void"]
    unit.void_reason = max(voids, key=lambda d: d.id).reason if voids else unit.void_reason


def _log(finding: Finding, action: str, reason: str, actor, via: str, **details) -> Decision:
    decision = Decision(finding_id=finding.id, action=action, reason=reason, user_id=getattr(actor, "id", None),
                        created_at=utcnow())
    db.session.add(decision)
    db.session.flush()
    audit.record(f"finding.{action}", actor, finding.campaign_id, target=f"finding:{finding.id}",
                 reason=reason, rule=finding.rule, unit=finding.unit.code, state=finding.state, via=via,
                 decision_id=decision.id, **details)
    return decision


def finding_in_campaign(campaign_id: int, finding_id: int) -> Finding | None:
    return db.session.scalar(select(Finding).where(Finding.id == finding_id, Finding.campaign_id == campaign_id))
