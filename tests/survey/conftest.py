"""Fixtures of the answering tests: invitations made directly, and answer sheets."""
import re
from itertools import count

import pytest

from app.core.schemes import questionnaire as load_questionnaire
from app.extensions import db
from app.mailing.tokens import make_token, new_nonce
from app.models import Group, Invitation, Respondent, RespondentList, RespondentTarget, Response, SealedAnswer, Unit

_serial = count(1)


@pytest.fixture
def make_invitation(app, make_campaign):
    """make_invitation(campaign=None, unit="SO_TP", group="LD_SO", email=…, enumerator=None, list_state="approved").

    A respondent (with its target) on the unit's list (approved unless told) and its invitation,
    committed; `email=None` makes a citizen without e-mail (phone only)."""
    state = {}

    def make(campaign=None, unit="SO_TP", group="LD_SO", email="auto", phone=None, name="Nguyễn Văn An",
             enumerator=None, invite=True, list_state="approved"):
        if campaign is None:
            campaign = state.get("campaign") or make_campaign()
            state["campaign"] = campaign
        unit_row = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit))
        group_row = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == group))
        n = next(_serial)
        if email == "auto":
            email = f"nguoi{n}@so.gov.vn"
        respondent = Respondent(campaign_id=campaign.id, unit_id=unit_row.id, group_id=group_row.id, full_name=name,
                                email=email, phone=phone or f"09{n:08d}", enumerator_id=getattr(enumerator, "id", None))
        respondent.targets = [RespondentTarget(unit_id=unit_row.id)]
        db.session.add(respondent)
        rlist = db.session.scalar(db.select(RespondentList).where(RespondentList.unit_id == unit_row.id))
        if rlist is None:
            rlist = RespondentList(campaign_id=campaign.id, unit_id=unit_row.id, last_upload={})
            db.session.add(rlist)
        rlist.state = list_state
        db.session.flush()
        if not invite:
            db.session.commit()
            return respondent
        invitation = Invitation(campaign_id=campaign.id, respondent_id=respondent.id, unit_id=unit_row.id,
                                group_id=group_row.id, questionnaire_code=group_row.questionnaire_code,
                                nonce=new_nonce(), status="sent")
        db.session.add(invitation)
        db.session.commit()
        return invitation

    return make


def link_of(invitation) -> str:
    return f"/s/{make_token(invitation)}"


def questionnaire_of(invitation):
    from app.models import Campaign

    campaign = db.session.get(Campaign, invitation.campaign_id)
    return load_questionnaire(campaign.scheme_code, invitation.questionnaire_code)


def full_sheet(questionnaire, option="a", text="Cần công khai thủ tục rõ hơn.") -> dict:
    """Form data answering every question: choice items with `option`, text items with `text`."""
    data = {}
    for item in questionnaire.items:
        if item.type == "choice":
            data[f"q_{item.code}"] = option
        elif text is not None:
            data[f"q_{item.code}"] = text
    return data


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def open_form(client, invitation) -> str:
    """GET the link; returns the CSRF token of the form."""
    response = client.get(link_of(invitation))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return token_from(response.get_data(as_text=True))


def post_sheet(client, invitation, data: dict, action="submit", token=None, **kwargs):
    """POST an answer sheet to the invitation's link (opening the form first for the CSRF token)."""
    token = token or open_form(client, invitation)
    payload = {**data, "csrf_token": token, "action": action}
    return client.post(link_of(invitation), data=payload, **kwargs)


def count_rows(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def sheets() -> int:
    """Answer sheets stored: sealed (waiting for release, app/survey/sealing.py) plus released."""
    return count_rows(SealedAnswer) + count_rows(Response)
