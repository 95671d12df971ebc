"""A campaign with known counts in every state (see KNOWN for the expected figures)."""
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Invitation, Respondent, utcnow

TODAY = date.today()


@dataclass
class Known:
    campaign: object
    units: dict
    groups: dict
    people: dict
    invitations: dict


@pytest.fixture
def known(app, make_campaign):
    """SO_TP/LD_SO: every state; SO_TP/NGUOI_DAN: citizens without e-mail; SO_NV/LD_SO: 1 of 2 answered; H_DA: empty."""
    campaign = make_campaign()
    units = {u.code: u for u in campaign.units}
    groups = {g.code: g for g in campaign.groups}
    people, invitations = {}, {}

    def person(key, unit, group, email=True):
        r = Respondent(campaign_id=campaign.id, unit_id=units[unit].id, group_id=groups[group].id,
                       full_name=f"Người {key}", email=f"{key}@example.gov.vn" if email else None,
                       phone=None if email else f"09{len(people):08d}", position="Chuyên viên")
        db.session.add(r)
        db.session.flush()
        people[key] = r
        return r

    def invite(key, unit, group, status="sent", opened=None, answered=None, reminders=0, revoked=False,
               error=None, email=True):
        r = person(key, unit, group, email)
        inv = Invitation(campaign_id=campaign.id, respondent_id=r.id, unit_id=units[unit].id,
                         group_id=groups[group].id, questionnaire_code=groups[group].questionnaire_code,
                         nonce=key, status=status, reminder_count=reminders, last_error=error,
                         sent_at=utcnow() - timedelta(days=5) if status in ("sent", "failed", "bounced") else None,
                         opened_on=TODAY - timedelta(days=opened) if opened is not None else None,
                         answered_on=TODAY - timedelta(days=answered) if answered is not None else None,
                         revoked_at=utcnow() if revoked else None)
        db.session.add(inv)
        db.session.flush()
        invitations[key] = inv
        return inv

    invite("p1", "SO_TP", "LD_SO", status="pending")
    invite("p2", "SO_TP", "LD_SO", status="queued")
    invite("p3", "SO_TP", "LD_SO", reminders=1)
    invite("p4", "SO_TP", "LD_SO", opened=3, reminders=2)
    invite("p5", "SO_TP", "LD_SO", opened=2, answered=2)
    invite("p6", "SO_TP", "LD_SO", opened=1, answered=1)
    invite("p7", "SO_TP", "LD_SO", status="failed", error="550 hộp thư không tồn tại")
    invite("p8", "SO_TP", "LD_SO", status="bounced", error="Thư bị trả lại")
    invite("p9", "SO_TP", "LD_SO", revoked=True)
    person("p10", "SO_TP", "LD_SO")
    invite("c1", "SO_TP", "NGUOI_DAN", status="pending", answered=1, email=False)
    invite("c2", "SO_TP", "NGUOI_DAN", status="pending", email=False)
    invite("q1", "SO_NV", "LD_SO", opened=1, answered=1)
    invite("q2", "SO_NV", "LD_SO")
    db.session.commit()
    return Known(campaign, units, groups, people, invitations)


#: listed, invitations, invited, delivered, failed, opened, answered, reminders
CELLS = {
    ("SO_TP", "LD_SO"): (10, 8, 7, 4, 2, 3, 2, 3),
    ("SO_TP", "NGUOI_DAN"): (2, 2, 2, 0, 0, 0, 1, 0),
    ("SO_NV", "LD_SO"): (2, 2, 2, 2, 0, 1, 1, 0),
}
UNITS = {"SO_TP": (12, 10, 9, 4, 2, 3, 3, 3), "SO_NV": (2, 2, 2, 2, 0, 1, 1, 0), "H_DA": (0,) * 8}
TOTALS = (14, 12, 11, 6, 2, 4, 4, 3)
