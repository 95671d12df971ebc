"""Runs: SQL aggregation equals the pure definition, same inputs -> same digests, decisions honoured."""
import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


CREDITS = [0.0, 0.25, 0.5, 1 / 3, 1.0]
#: Whole multiples of 2**-2: credits_by_block sums them in integers (the other list: by math.fsum).
DYADIC = [0.0, 0.25, 0.5, 0.75, 1.0]
answers_strategy = st.lists(st.tuples(st.sampled_from([1, 2]), st.sampled_from([10, 20]),
                                      st.sampled_from(["Q1", "Q2", "1.10"]), st.integers(-1, 4)),
                            max_size=60)


def _blocks(answers, credits):
    """_blocks_sql rows for answers (unit, group, item, index into credits or -1 for none), in the given order."""
    from app.index.loaders import _CREDIT_CHARS, _SEP

    blocks = {}
    for u, g, item, k in answers:
        items, marks = blocks.setdefault((u, g), ([], []))
        items.append(item)
        marks.append("0" if k < 0 else _CREDIT_CHARS[k])
    return [(u, g, _SEP.join(items), "".join(marks)) for (u, g), (items, marks) in blocks.items()]


def _assert_block_count_exact(answers, credits, rows):
    from collections import Counter

    from app.index.loaders import credits_by_block, credits_frame

    unit_code, group_code = {1: "U1", 2: "U2"}, {10: "G1", 20: "G2"}
    grouped = Counter((u, g, i, None if k < 0 else credits[k]) for u, g, i, k in answers)
    exact = credits_frame([(u, g, i, c, n) for (u, g, i, c), n in grouped.items()], unit_code, group_code)
    fast = credits_by_block(rows, credits, unit_code, group_code)
    key = ["unit", "group", "item"]
    pd.testing.assert_frame_equal(fast.sort_values(key).reset_index(drop=True),
                                  exact.sort_values(key).reset_index(drop=True), check_exact=True)


@settings(max_examples=60, deadline=None)
@given(answers=answers_strategy, seed=st.integers(0, 10**6), credits=st.sampled_from([CREDITS, DYADIC]))
def test_counting_by_block_equals_the_exact_group_by(answers, seed, credits):
    """The SQLite path (one string of items and one of credit marks per unit and group, in any
    row order) gives the frame that grouping by credit gives, bit for bit."""
    from app.index.loaders import credits_by_block

    shuffled = list(answers)
    random.Random(seed).shuffle(shuffled)
    _assert_block_count_exact(answers, credits, _blocks(shuffled, credits))
    # A credit the scheme does not give is not counted by block: the caller falls back to the exact query.
    assert credits_by_block([(1, 10, "Q1", "~")], credits, {1: "U1"}, {10: "G1"}) is None


sheet_strategy = st.lists(st.tuples(st.sampled_from(["Q1", "Q2", "Q10", "1.10", ""]), st.integers(-1, 4)),
                          min_size=1, max_size=6)


@settings(max_examples=80, deadline=None)
@given(sheet=sheet_strategy, repeats=st.integers(1, 40), credits=st.sampled_from([CREDITS, DYADIC]),
       changes=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["Q1", "Q3", "Q10", ""]),
                                  st.integers(-1, 4)), max_size=3),
       dropped=st.lists(st.integers(0, 10**6), max_size=2))
def test_counting_by_block_of_repeated_sheets_is_exact(sheet, repeats, credits, changes, dropped):
    """Blocks as SQLite returns them, each response's answers after the other: the same sheet of
    items repeated (counted from one period), or repeated with a few items changed or left out
    (counted item by item) — the frame grouping by credit gives, bit for bit."""
    from app.index.loaders import _SEP, _item_index

    answers = [(1, 10, item, (k + r) % 6 - 1) for r in range(repeats) for item, k in sheet]
    for at, item, k in changes:
        answers[at % len(answers)] = (1, 10, item, k)
    for at in dropped:
        if len(answers) > 1:
            del answers[at % len(answers)]
    rows = _blocks(answers, credits)
    _assert_block_count_exact(answers, credits, rows)
    for _, _, items, _ in rows:
        idx, names = _item_index(items)
        want_idx, want_names = pd.factorize(np.array(items.split(_SEP), dtype=object))
        assert idx.tolist() == want_idx.tolist() and list(names) == list(want_names)


def test_credits_outside_whole_quarters_are_summed_exactly():
    """Many answers of a credit that is no whole multiple of a power of two: summed by math.fsum
    (per count), not by adding floats."""
    from app.index.loaders import _SEP, credits_by_block

    third = [0.0, 1 / 3, 1.0]
    rows = [(1, 10, _SEP.join(["Q1"] * 3001), "2" * 3000 + "3")]
    frame = credits_by_block(rows, third, {1: "U1"}, {10: "G1"})
    assert frame["sum_credit"].tolist() == [math.fsum([(1 / 3) * 3000, 1.0])] and frame["n"].tolist() == [3001]
    quarters = [0.0, 0.25, 1.0]
    frame = credits_by_block([(1, 10, _SEP.join(["Q1", "Q2"] * 3000), "23" * 3000)], quarters, {1: "U1"}, {10: "G1"})
    assert frame["sum_credit"].tolist() == [750.0, 3000.0] and frame["item"].tolist() == ["Q1", "Q2"]


def test_loaded_credits_equal_the_exact_query_also_for_a_credit_outside_the_scheme(make_campaign, make_responses):
    from app.core.schemes import get_scheme
    from app.index.loaders import CREDITS_SQL, _credits, credits_frame
    from app.models import Group

    campaign = make_campaign()
    _random_responses(campaign, make_responses, 3)
    scheme = get_scheme(campaign.scheme_code)
    unit_code = dict(db.session.execute(db.select(Unit.id, Unit.code).where(Unit.campaign_id == campaign.id)).all())
    group_code = dict(db.session.execute(db.select(Group.id, Group.code).where(Group.campaign_id == campaign.id)).all())
    key = ["unit", "group", "item"]

    def both():
        exact = credits_frame(db.session.execute(CREDITS_SQL, {"c": campaign.id}), unit_code, group_code)
        mine = _credits(campaign.id, scheme, unit_code, group_code)
        return (mine.sort_values(key).reset_index(drop=True), exact.sort_values(key).reset_index(drop=True))

    pd.testing.assert_frame_equal(*both(), check_exact=True)
    answer = db.session.scalars(db.select(Answer).where(Answer.credit.is_not(None))).first()
    answer.credit = 0.3  # e.g. an older questionnaire version's option
    db.session.commit()
    mine, exact = both()
    pd.testing.assert_frame_equal(mine, exact, check_exact=True)
    assert (exact["sum_credit"] % 0.25 != 0).any()


@pytest.mark.sqlite_only
def test_the_memory_map_is_for_the_answer_join_only(make_campaign, make_responses):
    """SQLite: the join reads through a memory map while it runs; the connection's setting is what
    it was before, after the inputs are loaded."""
    import app.index.loaders as loaders

    campaign = make_campaign()
    _random_responses(campaign, make_responses, 2)
    seen = []
    count = loaders.credits_by_block

    def spy(rows, *args):
        seen.append(db.session.connection().exec_driver_sql("PRAGMA mmap_size").scalar())
        return count(rows, *args)

    before = db.session.connection().exec_driver_sql("PRAGMA mmap_size").scalar()
    loaders.credits_by_block = spy
    try:
        load_inputs(campaign)
    finally:
        loaders.credits_by_block = count
    assert db.session.connection().exec_driver_sql("PRAGMA mmap_size").scalar() == before
    if db.engine.url.database not in (None, "", ":memory:"):  # a file: the map is set during the join
        assert len(seen) == 1 and seen[0] > 0
    # A credit outside the scheme stops the count early (the exact query takes over): reset all the same.
    answer = db.session.scalars(db.select(Answer).where(Answer.credit.is_not(None))).first()
    answer.credit = 0.3
    db.session.commit()
    load_inputs(campaign)
    assert db.session.connection().exec_driver_sql("PRAGMA mmap_size").scalar() == before
