"""Factories for the review tests: responses with answers and paradata, written directly."""
from datetime import datetime, timedelta

import pytest

from app.core.schemes import questionnaire
from app.extensions import db
from app.models import Answer, Group, Response, Unit

T0 = datetime(2026, 11, 2, 2, 0, 0)  # a Monday, 9:00 in Hà Nội


@pytest.fixture
def make_response(app):
    """make_response(campaign, unit_code, group_code, answers=None|"a"|{item: option},
    at=datetime, **columns) -> Response (flushed). answers="a" answers every choice item
    with option a; None answers the items with a varied honest pattern from `seed`."""
    counter = {"n": 0}

    def make(campaign, unit_code, group_code, answers=None, at=None, seed=None, **columns):
        counter["n"] += 1
        unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
        group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == group_code))
        qn = questionnaire(campaign.scheme_code, group.questionnaire_code)
        choice = [i for i in qn.items if i.type == "choice"]
        if isinstance(answers, str):
            answers = {i.code: answers for i in choice}
        elif answers is None:
            s = counter["n"] if seed is None else seed
            answers = {i.code: "abcde"[(s * 7 + k * (s % 5 + 1)) % 5] for k, i in enumerate(choice)}
        defaults = {"mode": "web", "duration_s": 600.0, "net_hash": f"net{counter['n']}",
                    "net_prefix_hash": f"pre{counter['n']}", "ua_hash": "ua-common",
                    "device_hash": f"dev{counter['n']}", "moved_network": False, "moved_device": False}
        defaults.update(columns)
        response = Response(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id,
                            questionnaire_code=qn.code, questionnaire_version=qn.version,
                            submitted_at=at or T0 + timedelta(hours=counter["n"] * 5), **defaults)
        options = {i.code: {o.code: o.credit for o in i.options} for i in choice}
        for item, option in answers.items():
            response.answers.append(Answer(item_code=item, option_code=option, credit=options[item].get(option)))
        db.session.add(response)
        db.session.flush()
        return response

    return make


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def planted(campaign, make_response):
    """SO_TP: 4 sheets from one device cookie, 3 minutes apart (same_device, high);
    SO_NV and H_DA: honest sheets. Returns (campaign, planted responses)."""
    for k in range(6):
        make_response(campaign, "SO_NV", "LD_SO")
        make_response(campaign, "H_DA", "LD_HUYEN")
    bad = [make_response(campaign, "SO_TP", "LD_SO", device_hash="dev-shared", net_hash="net-x",
                         net_prefix_hash="pre-x", at=T0 + timedelta(days=3, minutes=3 * k))
           for k in range(4)]
    for k in range(3):
        make_response(campaign, "SO_TP", "LD_SO")
    db.session.commit()
    return campaign, bad
