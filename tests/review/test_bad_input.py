"""Bad input named in the issue: no paradata, one response per unit, identical honest
answers on a 3-question questionnaire."""
from datetime import timedelta

from app.extensions import db
from app.interference_review.services import run_scan
from app.models import Finding

from .conftest import T0

NO_PARADATA = dict(duration_s=None, net_hash=None, net_prefix_hash=None, ua_hash=None, device_hash=None,
                   moved_network=None, moved_device=None)


def test_responses_without_paradata_are_scanned_not_crashed_on(campaign, make_response, make_user):
    enumerator = make_user("enumerator", units=["SO_TP"])
    for k in range(8):
        make_response(campaign, "SO_TP", "NGUOI_DAN", mode="paper", entered_by_id=enumerator.id,
                      at=T0 + timedelta(minutes=k), **NO_PARADATA)  # keyed in one after another
        make_response(campaign, "SO_NV", "LD_SO", at=T0 + timedelta(days=1, minutes=k), **NO_PARADATA)  # old import
    db.session.commit()
    outcome = run_scan(campaign)
    db.session.commit()
    assert outcome.record.responses == 16
    rules = set(db.session.scalars(db.select(Finding.rule)))
    assert not rules & {"same_device", "burst", "forwarded", "speeder"}


def test_one_response_per_unit(campaign, make_response):
    for code, group in (("SO_TP", "LD_SO"), ("SO_NV", "LD_SO"), ("H_DA", "LD_HUYEN")):
        make_response(campaign, code, group)
    db.session.commit()
    outcome = run_scan(campaign)
    db.session.commit()
    assert outcome.record.responses == 3
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 0


def test_identical_honest_answers_on_a_three_question_form_do_not_flag_a_unit(make_campaign, make_response):
    campaign = make_campaign("MINISTRY_INTERNAL", units=[("CUC_A", "Cục A", "cuc"), ("CUC_B", "Cục B", "cuc")])
    for k in range(12):
        for code in ("CUC_A", "CUC_B"):
            make_response(campaign, code, "DV_THECHE", answers="a", at=T0 + timedelta(hours=7 * k + (code == "CUC_B")))
    db.session.commit()
    run_scan(campaign)
    db.session.commit()
    flagged = db.session.scalars(db.select(Finding).where(Finding.severity != "low")).all()
    assert flagged == []
