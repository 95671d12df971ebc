"""End to end: interference planted through the real answering routes is found by the scan,
voided by an admin on the web, and the index computation sees the unit's survey points go."""
import json
import re

from flask.testing import FlaskClient

from app.extensions import db
from app.mailing.tokens import make_token, new_nonce
from app.models import Finding, Group, Invitation, Respondent, RespondentTarget, Response, Unit
from app.core.schemes import questionnaire as load_questionnaire
from tests.conftest import RequestScopedClient, csrf_token, login


def _invite(campaign, unit_code, group_code, n):
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
    group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == group_code))
    invitations = []
    for k in range(n):
        respondent = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id,
                                full_name=f"Người trả lời {unit_code} {k}", email=f"{unit_code.lower()}.{group_code.lower()}{k}@so.gov.vn")
        respondent.targets = [RespondentTarget(unit_id=unit.id)]
        db.session.add(respondent)
        db.session.flush()
        invitation = Invitation(campaign_id=campaign.id, respondent_id=respondent.id, unit_id=unit.id,
                                group_id=group.id, questionnaire_code=group.questionnaire_code, nonce=new_nonce(),
                                status="sent")
        db.session.add(invitation)
        invitations.append(invitation)
    db.session.commit()
    return invitations


def _answer(client: FlaskClient, campaign, invitation, pattern):
    """Open the signed link and submit the sheet, as a respondent's browser does."""
    link = f"/s/{make_token(invitation)}"
    html = client.get(link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    qn = load_questionnaire(campaign.scheme_code, invitation.questionnaire_code)
    data = {"csrf_token": token, "action": "submit"}
    for k, item in enumerate(qn.items):
        data[f"q_{item.code}"] = pattern(k) if item.type == "choice" else "Không có ý kiến."
    response = client.post(link, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]


def _browser(app, address):
    """A separate browser (own device cookie) on its own network."""
    app.test_client_class = RequestScopedClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def plant_and_scan(app, make_campaign, runner):
    campaign = make_campaign()
    # Honest: every respondent on their own device and network, with their own opinion.
    for u, code in enumerate(("SO_NV", "SO_TP")):
        for k, invitation in enumerate(_invite(campaign, code, "LD_SO", 3)):
            _answer(_browser(app, f"127.{u + 1}.{k}.10"), campaign, invitation,
                    lambda i, k=k: "abcd"[(i + k) % 4])
    # Interference: one browser on one desk fills in five sheets of SO_TP's officials, all "Rất tốt".
    desk = _browser(app, "127.9.9.9")
    for invitation in _invite(campaign, "SO_TP", "LD_PHONG", 5):
        _answer(desk, campaign, invitation, lambda i: "a")
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 11
    result = runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    return campaign, json.loads(result.output)


def test_interference_through_the_answering_routes_is_found(app, make_campaign, runner):
    campaign, payload = plant_and_scan(app, make_campaign, runner)
    found = [f for f in payload["findings"] if f["rule"] == "same_device"]
    assert len(found) == 1 and found[0]["unit"] == "SO_TP" and len(found[0]["response_ids"]) == 5
    planted = set(db.session.scalars(db.select(Response.id).join(Group, Group.id == Response.group_id)
                                     .where(Group.code == "LD_PHONG")))
    assert set(found[0]["response_ids"]) == planted
    assert {f["unit"] for f in payload["findings"] if f["severity"] != "low"} <= {"SO_TP"}
