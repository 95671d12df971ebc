"""A focal unit's tasks for the home page: its list, its quotas, its self-assessment — each with
its state and deadline (issue 14 point 7). Read only; the feature packages own the state."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Campaign, RespondentList, SelfAssessment, Unit

from . import clock


@dataclass(frozen=True)
class UnitTasks:
    campaign: Campaign
    unit: Unit
    list_state: str  #: draft | submitted | approved | returned
    lists_by: date
    lists_days_left: int
    quotas_met: int
    quotas_total: int
    assessments_by: date
    assessments_days_left: int
    assessed_rows: int  #: self-assessment scores imported for the unit

    @property
    def list_done(self) -> bool:
        return self.list_state in ("submitted", "approved")

    @property
    def quotas_ok(self) -> bool:
        return self.quotas_met == self.quotas_total


def focal_tasks(user) -> list[UnitTasks]:
    """Every (campaign, unit) of the account's scope, newest campaign first."""
    from app.lists.state import quota_status  # the lists package owns quotas

    codes = user.unit_codes
    if not codes:
        return []
    rows = db.session.execute(select(Campaign, Unit).join(Unit, Unit.campaign_id == Campaign.id)
                              .where(Unit.code.in_(codes))
                              .order_by(Campaign.year.desc(), Campaign.id.desc(), Unit.name)).all()
    states = dict(db.session.execute(select(RespondentList.unit_id, RespondentList.state)
                                     .where(RespondentList.unit_id.in_([u.id for _c, u in rows]))).all())
    scored = dict(db.session.execute(select(SelfAssessment.unit_id, func.count(SelfAssessment.id))
                                     .where(SelfAssessment.unit_id.in_([u.id for _c, u in rows]),
                                            SelfAssessment.self_score.is_not(None))
                                     .group_by(SelfAssessment.unit_id)).all())
    out = []
    for campaign, unit in rows:
        quotas = quota_status(campaign, unit)
        out.append(UnitTasks(campaign, unit, states.get(unit.id, "draft"), campaign.lists_by,
                             clock.days_left(campaign.lists_by, campaign), sum(1 for q in quotas if q["ok"]),
                             len(quotas), campaign.assessments_by, clock.days_left(campaign.assessments_by, campaign),
                             scored.get(unit.id, 0)))
    return out
