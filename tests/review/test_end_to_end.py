"""End to end: interference planted through the real answering routes is found by the scan,
voided by an admin on the web, and the index computation sees the unit's survey points go."""
import json
import re

from flask.testing import FlaskClient

from app.core.schemes import questionnaire as load_questionnaire
from app.extensions import db
from app.mailing.tokens import make_token, new_nonce
from app.models import Finding, Group, Invitation, Respondent, RespondentTarget, Response, Unit
from tests.conftest import RequestScopedClient, csrf_token, login, release_all


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
    release_all()  # the job runner's release of the sealed sheets (app/survey/sealing.py)
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


def _survey_points(campaign):
    from app.index.services import compute

    _, result = compute(campaign)
    leaves = result.leaf_points
    survey = leaves[leaves["source"] == "survey"].groupby("unit")["points"].sum()
    totals = result.totals.set_index("unit")["total"]
    return survey.to_dict(), totals.to_dict()


def test_void_decided_on_the_web_takes_the_units_survey_points_out_of_the_index(
        app, client, make_campaign, make_user, runner):
    campaign, payload = plant_and_scan(app, make_campaign, runner)
    finding_id = next(f["id"] for f in payload["findings"] if f["rule"] == "same_device")
    survey_before, total_before = _survey_points(campaign)
    assert survey_before["SO_TP"] > 0 and survey_before["SO_NV"] > 0

    admin = make_user("admin")
    login(client, admin)
    page = f"/interference/campaigns/{campaign.id}/findings/{finding_id}"
    html = client.get(page).get_data(as_text=True)
    assert "5 phiếu của đơn vị SO_TP được gửi từ cùng một trình duyệt" in html and "<svg" in html
    decision = {"csrf_token": csrf_token(client, page), "d-action": "void",
                "d-reason": "Một máy tính gửi 5 phiếu của lãnh đạo phòng liên tiếp"}
    ask = client.post(f"{page}/decide", data=decision)  # voiding asks first, saying what will change
    assert ask.status_code == 200 and "sẽ là 0 trong chỉ số" in ask.get_data(as_text=True)
    assert db.session.get(Finding, finding_id).state == "open"
    response = client.post(f"{page}/decide", data={**decision, "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Finding, finding_id).state == "voided"

    survey_after, total_after = _survey_points(campaign)
    assert survey_after["SO_TP"] == 0 and total_after["SO_TP"] < total_before["SO_TP"]
    assert survey_after["SO_NV"] == survey_before["SO_NV"] and total_after["SO_NV"] == total_before["SO_NV"]

    # The CLI of the index says why, and a revert by the admin brings the points back.
    out = json.loads(runner.invoke(args=["index", "compute", "--campaign", str(campaign.id), "--out",
                                         str(app.config["INSTANCE_DIR"]) + "/index.xlsx", "--json"]).output)
    so_tp = next(u for u in out["units"] if u["code"] == "SO_TP")
    assert so_tp["voided"] is True
    response = client.post(f"{page}/revert", data={"csrf_token": csrf_token(client, page),
                                                   "r-reason": "Xác minh lại: máy dùng chung ở phòng họp"})
    assert response.status_code == 302
    db.session.expire_all()
    survey_reverted, total_reverted = _survey_points(campaign)
    assert survey_reverted == survey_before and total_reverted == total_before


def test_excluding_the_planted_responses_leaves_the_honest_ones_in_the_index(app, client, make_campaign,
                                                                             make_user, runner):
    campaign, payload = plant_and_scan(app, make_campaign, runner)
    finding = next(f for f in payload["findings"] if f["rule"] == "same_device")
    survey_before, _ = _survey_points(campaign)
    result = runner.invoke(args=["interference", "decide", str(finding["id"]), "--action", "exclude",
                                 "--reason", "Phiếu do một người điền thay", "--json"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Response.id)).where(Response.excluded)) == 5
    survey_after, _ = _survey_points(campaign)
    # The planted sheets were all "Rất tốt": without them SO_TP scores on its honest sheets only.
    assert 0 < survey_after["SO_TP"] < survey_before["SO_TP"]
    assert survey_after["SO_NV"] == survey_before["SO_NV"]
