"""What is not ready before the index is computed (issue 14 point 10).

Lists not approved, answering still open, findings not decided, units with fewer sheets than
the minimum. Any of these needs a written reason to compute anyway; a campaign without units
or without any data cannot be computed at all.
"""
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.models import Campaign, Finding, RespondentList, Response, SelfAssessment, Unit


@dataclass
class Readiness:
    blocking: str | None = None  #: why computing is impossible (no units, no data)
    issues: list = field(default_factory=list)  #: (code, text) of what is not ready

    @property
    def ready(self) -> bool:
        return self.blocking is None and not self.issues

    def as_params(self, reason: str) -> dict:
        return {"issues": [code for code, _text in self.issues], "reason": reason}


def _names(units) -> str:
    names = [u.name for u in units]
    return ", ".join(names[:5]) + (_(" và %(n)d đơn vị khác", n=len(names) - 5) if len(names) > 5 else "")


def readiness(campaign: Campaign) -> Readiness:
    """The checks, each with a sentence naming what is missing."""
    out = Readiness()
    units = db.session.scalars(select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.name)).all()
    if not units:
        out.blocking = _("Kỳ đánh giá chưa có đơn vị được đánh giá nào: hãy thêm đơn vị trước khi tính chỉ số.")
        return out
    sheets = dict(db.session.execute(select(Response.unit_id, func.count(Response.id))
                                     .where(Response.campaign_id == campaign.id, Response.excluded.is_(False))
                                     .group_by(Response.unit_id)).all())
    scores = db.session.scalar(select(func.count(SelfAssessment.id)).where(SelfAssessment.campaign_id == campaign.id))
    if not sheets and not scores:
        out.blocking = _("Chưa có phiếu trả lời và chưa có điểm tự đánh giá nào: chưa có dữ liệu để tính chỉ số.")
        return out
    approved = set(db.session.scalars(select(RespondentList.unit_id).where(
        RespondentList.campaign_id == campaign.id, RespondentList.state == "approved")))
    pending = [u for u in units if u.id not in approved]
    if pending:
        out.issues.append(("lists", _("%(n)d đơn vị chưa được duyệt danh sách: %(names)s.", n=len(pending),
                                      names=_names(pending))))
    if not clock.passed(campaign.answers_by, campaign):
        out.issues.append(("answering", _("Thời hạn trả lời phiếu chưa kết thúc (đến hết ngày %(day)s).",
                                          day=campaign.answers_by.strftime("%d/%m/%Y"))))
    open_findings = db.session.scalar(select(func.count(Finding.id)).where(Finding.campaign_id == campaign.id,
                                                                          Finding.state == "open"))
    if open_findings:
        out.issues.append(("findings", _("%(n)d dấu hiệu can thiệp chưa được quyết định.", n=open_findings)))
    minimum = int(current_app.config["INDEX_MIN_SHEETS"])
    thin = [u for u in units if sheets.get(u.id, 0) < minimum and not u.survey_voided]
    if thin:
        out.issues.append(("sheets", _("%(n)d đơn vị có dưới %(k)d phiếu: %(names)s.", n=len(thin), k=minimum,
                                       names=_names(thin))))
    return out
