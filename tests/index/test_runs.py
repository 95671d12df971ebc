"""Runs: SQL aggregation equals the pure definition, same inputs -> same digests, decisions honoured."""
import random

import pandas as pd

from app.extensions import db
from app.index.loaders import load_inputs
from app.index.services import IndexComputeError, compute_run, reproduce
from app.models import Answer, Response, SelfAssessment, Unit
from app.scoring import aggregate_answers

GROUPS = ("HDND", "LD_SO", "NGUOI_DAN")


def _random_responses(campaign, make_responses, seed):
    rng = random.Random(seed)
    for unit in ("SO_TP", "SO_NV", "H_DA"):
        for g in GROUPS:
            for _ in range(3):
                make_responses(campaign, unit, g, rng.choice("abcdex"), excluded=rng.random() < 0.2,
                               overrides={"Q1": rng.choice("abx"), "Q2": None})


def test_sql_aggregation_equals_the_pure_definition(make_campaign, make_responses):
    campaign = make_campaign()
    _random_responses(campaign, make_responses, 1)
    loaded = load_inputs(campaign)
    rows = db.session.execute(db.select(Response.id, Unit.code, Response.group_id, Answer.item_code, Answer.credit,
                                        Response.excluded).join(Answer, Answer.response_id == Response.id)
                              .join(Unit, Unit.id == Response.unit_id)).all()
    from app.models import Group
    gcode = dict(db.session.execute(db.select(Group.id, Group.code)).all())
    frame = pd.DataFrame([(r[0], r[1], gcode[r[2]], r[3], r[4]) for r in rows],
                         columns=["response_id", "unit", "group", "item", "credit"])
    agg = aggregate_answers(frame, [r[0] for r in rows if r[5]])
    key = ["unit", "group", "item"]
    mine = loaded.inputs.credits.sort_values(key).reset_index(drop=True)
    pure = agg.credits.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[key + ["n"]], pure[key + ["n"]], check_dtype=False)
    assert (abs(mine["sum_credit"] - pure["sum_credit"]) < 1e-12).all()
    counts = loaded.inputs.response_counts.sort_values(["unit", "group"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(counts, agg.response_counts.sort_values(["unit", "group"]).reset_index(drop=True),
                                  check_dtype=False)


def test_same_inputs_give_the_same_digests_whatever_the_insert_order(make_campaign, make_responses, app):
    first = make_campaign(name="Một")
    _random_responses(first, make_responses, 7)
    a = compute_run(first)
    b = compute_run(first)
    assert a.run.id != b.run.id
    assert (a.run.inputs_digest, a.run.result_digest, a.run.result_csv) == \
        (b.run.inputs_digest, b.run.result_digest, b.run.result_csv)
    # The same answers inserted in another order (another campaign, same codes) -> same result table.
    second = make_campaign(name="Hai")
    rng = random.Random(7)
    plan = []
    for unit in ("SO_TP", "SO_NV", "H_DA"):
        for g in GROUPS:
            for _ in range(3):
                plan.append((unit, g, rng.choice("abcdex"), rng.random() < 0.2, {"Q1": rng.choice("abx"), "Q2": None}))
    for unit, g, option, excluded, overrides in reversed(plan):
        make_responses(second, unit, g, option, excluded=excluded, overrides=overrides)
    c = compute_run(second)
    assert c.run.result_csv == a.run.result_csv and c.run.result_digest == a.run.result_digest


def test_excluded_and_voided_change_the_result_and_the_inputs_digest(make_campaign, make_responses):
    campaign = make_campaign()
    make_responses(campaign, "SO_TP", "HDND", "a")
    bad = make_responses(campaign, "SO_TP", "HDND", "e")
    before = compute_run(campaign)
    db.session.get(Response, bad[0]).excluded = True
    db.session.commit()
    after = compute_run(campaign)
    assert after.run.inputs_digest != before.run.inputs_digest
    pts = lambda comp: comp.result.totals.set_index("unit").at["SO_TP", "total"]  # noqa: E731
    assert pts(after) > pts(before)
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == "SO_TP"))
    unit.survey_voided, unit.void_reason = True, "Can thiệp"
    db.session.commit()
    voided = compute_run(campaign)
    assert pts(voided) == 0
    # A stored run cannot be reproduced once its inputs changed.
    try:
        reproduce(campaign, before.run)
        raise AssertionError("reproduce should refuse")
    except IndexComputeError as exc:
        assert "đã thay đổi" in str(exc)
    assert reproduce(campaign, voided.run).result.result_digest() == voided.run.result_digest


def test_assessments_enter_the_inputs_digest(make_campaign):
    campaign = make_campaign()
    a = compute_run(campaign)
    unit = campaign.units[0]
    db.session.add(SelfAssessment(campaign_id=campaign.id, unit_id=unit.id, criterion_code="1.1.1", self_score=1))
    db.session.commit()
    b = compute_run(campaign)
    assert a.run.inputs_digest != b.run.inputs_digest and a.run.result_digest != b.run.result_digest
