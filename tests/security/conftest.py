"""A seeded campaign for the security tests: two units, every role, respondents, invitations,
an answered link, self-assessments, an index run and an interference finding — real ids for
every URL argument of every route."""
from types import SimpleNamespace

import pytest

from app.core import clock
from app.core.schemes import get_scheme
from app.core.schemes import questionnaire as load_questionnaire
from app.extensions import db
from app.mailing.tokens import make_token, new_nonce
from app.models import (AddressProposal, Finding, Group, Invitation, Respondent, RespondentList, RespondentTarget,
                        Response, SelfAssessment)
from tests.conftest import release_all

PASSWORD = "mat-khau-thu-nghiem-1"


def _respondent(campaign, unit, group, name, email, n, enumerator=None):
    r = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, full_name=name, email=email,
                   phone=f"09{n:08d}", position="Phó Giám đốc", organisation=unit.name,
                   enumerator_id=getattr(enumerator, "id", None))
    r.targets = [RespondentTarget(unit_id=unit.id)]
    db.session.add(r)
    db.session.flush()
    return r


def _invite(campaign, respondent, unit, group):
    inv = Invitation(campaign_id=campaign.id, respondent_id=respondent.id, unit_id=unit.id, group_id=group.id,
                     questionnaire_code=group.questionnaire_code, nonce=new_nonce(), status="sent")
    db.session.add(inv)
    db.session.flush()
    return inv


@pytest.fixture
def seed_world(app, make_campaign, make_user):
    """seed_world(text=…, unit_names=(…, …), campaign_name=…, names=(…, …, …)) -> SimpleNamespace.

    Unit A (SO_TP) and unit B (SO_NV); respondents: `answered` (A, answered with a free-text
    answer `text`), `pending` (A, invited), `other` (B, invited), `citizen` (A, no e-mail,
    assigned to the enumerator)."""

    def seed(text="Cần công khai thủ tục rõ hơn.", unit_names=("Sở Tư pháp", "Sở Nội vụ"),
             campaign_name="Kỳ đánh giá thử", names=("Nguyễn Văn Đáp", "Trần Thị Chờ", "Lê Văn Khác", "Phạm Dân")):
        from app.index.services import compute_run
        from app.survey.services import Paradata, submit_response

        campaign = make_campaign(units=[("SO_TP", unit_names[0], "department"), ("SO_NV", unit_names[1], "department")],
                                 name=campaign_name)
        by_code = {u.code: u for u in campaign.units}
        unit_a, unit_b = by_code["SO_TP"], by_code["SO_NV"]
        users = {
            "admin": make_user("admin", email="admin@so.gov.vn"),
            "coordinator": make_user("coordinator", email="theodoi@so.gov.vn"),
            "focal": make_user("focal", units=["SO_TP"], email="daumoi.sotp@so.gov.vn"),
            "focal_other": make_user("focal", units=["SO_NV"], email="daumoi.sonv@so.gov.vn"),
            "enumerator": make_user("enumerator", units=["SO_TP"], email="dtv@so.gov.vn"),
        }
        groups = {g.code: g for g in db.session.scalars(db.select(Group).where(Group.campaign_id == campaign.id))}
        ld, dan = groups["LD_SO"], groups["NGUOI_DAN"]
        answered = _respondent(campaign, unit_a, ld, names[0], "dap.nguyen@so.gov.vn", 1)
        pending = _respondent(campaign, unit_a, ld, names[1], "cho.tran@so.gov.vn", 2)
        other = _respondent(campaign, unit_b, ld, names[2], "khac.le@so.gov.vn", 3)
        citizen = _respondent(campaign, unit_a, dan, names[3], None, 4, enumerator=users["enumerator"])
        inv_answered = _invite(campaign, answered, unit_a, ld)
        inv_pending = _invite(campaign, pending, unit_a, ld)
        inv_other = _invite(campaign, other, unit_b, ld)
        pending.email_status = "bounced"
        other.email_status = "bounced"
        for unit in (unit_a, unit_b):
            db.session.add(RespondentList(campaign_id=campaign.id, unit_id=unit.id, state="approved"))
        token_answered = make_token(inv_answered)
        q = load_questionnaire(campaign.scheme_code, ld.questionnaire_code)
        answers = {i.code: ("a" if i.type == "choice" else text) for i in q.items}
        assert submit_response(inv_answered, q, answers, clock.today(), Paradata(device_hash="d1", ua_hash="u1"))
        release_all()  # sealed at submission, released by the job runner later (app/survey/sealing.py)
        response = db.session.scalar(db.select(Response))
        scheme = get_scheme(campaign.scheme_code)
        for unit in (unit_a, unit_b):
            for leaf in scheme.leaves():
                if leaf.source == "assessed":
                    db.session.add(SelfAssessment(campaign_id=campaign.id, unit_id=unit.id, criterion_code=leaf.code,
                                                  self_score=leaf.max, appraised_score=leaf.max, appraiser="", note=""))
        db.session.flush()
        finding = Finding(campaign_id=campaign.id, unit_id=unit_a.id, rule="speeder", severity="medium", score=1.0,
                          response_ids=[response.id] if response is not None else [], evidence={"responses": 1, "total": 1, "share_pct": 100,
                                                                "median_seconds": 20,
                                                                "questionnaire_median_seconds": 300,
                                                                "campaign_pct": 5},
                          fingerprint="security-test")
        db.session.add(finding)
        run = compute_run(campaign, actor=users["admin"]).run
        proposal = AddressProposal(campaign_id=campaign.id, respondent_id=pending.id, invitation_id=inv_pending.id,
                                   old_email=pending.email, new_email="cho.moi@so.gov.vn", reason="Đổi hộp thư",
                                   state="pending", proposed_by_id=users["focal"].id)
        db.session.add(proposal)
        db.session.commit()
        return SimpleNamespace(campaign=campaign, unit_a=unit_a, unit_b=unit_b, users=users, groups=groups,
                               answered=answered, pending=pending, other=other, citizen=citizen,
                               inv_answered=inv_answered, inv_pending=inv_pending, inv_other=inv_other,
                               token_answered=token_answered, token_pending=make_token(inv_pending),
                               response=response, finding=finding, run=run, text=text, proposal=proposal)

    return seed


@pytest.fixture
def world(seeded, seed_world):
    """The default world, seeded once per module (each test gets its rows back, tests/snapshot.py)."""
    return seeded("world", seed_world)


def open_list(w) -> None:
    """The world's lists are approved (locked): reopen unit A's so that an upload reaches its file."""
    db.session.execute(db.update(RespondentList).where(RespondentList.unit_id == w.unit_a.id).values(state="draft"))
    db.session.commit()
