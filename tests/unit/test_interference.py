"""Detectors of app.interference on hand-built frames: each flags its pattern and stays quiet
on the honest look-alike."""
import json

import numpy as np
import pandas as pd
import pytest

from app.interference import (DEFAULT_CONFIG, Config, ItemShape, QuestionnaireShape,
                              burst, explain, forwarded, level_of, near_duplicate,
                              same_device, scan, speeder, straight_line, unit_anomaly)
from app.interference.model import make_finding, normalize_responses
from app.interference.risk import unit_risk

T0 = pd.Timestamp("2025-11-12 02:00")


def row(rid, unit="U1", minute=0.0, duration=600.0, device="auto", net="auto", prefix="auto",
        ua="ua0", moved=False, mode="web", q="CB", kind="so"):
    return {"response_id": rid, "unit": unit, "unit_kind": kind, "group": q,
            "questionnaire": q, "mode": mode,
            "submitted_at": T0 + pd.Timedelta(minutes=minute), "duration_s": duration,
            "net_hash": f"n{rid}" if net == "auto" else net,
            "net_prefix_hash": f"p{rid}" if prefix == "auto" else prefix,
            "ua_hash": ua, "device_hash": f"d{rid}" if device == "auto" else device,
            "moved": moved}


def frame(rows):
    return pd.DataFrame(rows)


def shape(code="CB", n_items=10, block=10, options="abcd"):
    return QuestionnaireShape(code, tuple(ItemShape(f"{code}{i}", f"B{i // block}",
                                                    tuple(options), options[0])
                                          for i in range(n_items)))


def long_answers(ids, matrix, shp):
    items = [it.code for it in shp.items]
    return pd.DataFrame([{"response_id": rid, "item": items[j], "option": opt}
                         for rid, line in zip(ids, matrix) for j, opt in enumerate(line)])


def background(n=20, unit="U1", start=0):
    # Honest sheets spread over two weeks, each from its own network and device.
    return [row(start + i, unit, minute=i * 997.0) for i in range(n)]


# --- same_device ----------------------------------------------------------------------------
def test_same_device_flags_one_browser_for_many_sheets():
    rows = background() + [row(100 + i, minute=5000 + 2 * i, device="X", duration=90)
                           for i in range(4)]
    found = same_device(frame(rows))
    assert [f.response_ids for f in found] == [(100, 101, 102, 103)]
    f = found[0]
    assert f.rule == "same_device" and f.severity == "high" and f.unit == "U1"
    assert f.evidence["responses"] == 4 and f.evidence["minutes"] == 6
    assert f.evidence["median_minutes"] == 10


def test_same_device_ignores_a_desk_pc_shared_by_two():
    rows = background() + [row(100, minute=10, device="X"), row(101, minute=900, device="X")]
    assert same_device(frame(rows)) == []


def test_same_device_spread_over_days_is_low():
    rows = background() + [row(100 + i, minute=i * 1440.0, device="X") for i in range(3)]
    (f,) = same_device(frame(rows))
    assert f.severity == "low"


def test_network_browser_fallback_needs_more_and_scores_lower():
    chain = [row(100 + i, minute=3000 + 2 * i, device=None, net="NAT", ua="uaX", duration=90)
             for i in range(5)]
    (f,) = same_device(frame(background() + chain))
    assert f.evidence["variant"] == "network_browser" and f.severity == "medium"
    cookie = [dict(r, device_hash="X") for r in chain]
    (g,) = same_device(frame(background() + cookie))
    assert f.score < g.score
    # Four without cookies, or an office where everyone keeps their own cookie: nothing.
    assert same_device(frame(background() + chain[:4])) == []
    office = [row(100 + i, minute=3000 + 2 * i, net="NAT", ua="uaX") for i in range(12)]
    assert same_device(frame(background() + office)) == []


def test_paper_and_old_imports_never_flagged_nor_crash():
    paper = [row(100 + i, mode="paper", device="X", net="NAT", prefix="P", moved=True,
                 duration=5.0, minute=i) for i in range(8)]
    df = frame(background() + paper)
    assert same_device(df) == [] and burst(df) == [] and forwarded(df) == []
    assert speeder(df) == []
    old = frame(background()).drop(columns=["net_hash", "net_prefix_hash", "ua_hash",
                                            "device_hash", "moved"])
    assert same_device(old) == [] and burst(old) == [] and forwarded(old) == []


# --- burst --------------------------------------------------------------------------------
def sequential(n, start_min, prefix="P", first=100, dur=60.0):
    # One person working through a pile: each sheet opened after the last was sent.
    return [row(first + i, minute=start_min + i * (dur + 15) / 60, duration=dur, prefix=prefix)
            for i in range(n)]


def test_burst_flags_sheets_one_after_another_from_one_network():
    (f,) = burst(frame(background(30) + sequential(8, 4000)))
    assert f.rule == "burst" and f.response_ids == tuple(range(100, 108))
    assert f.evidence["sequential"] == 7 and f.severity in ("medium", "high")


def test_burst_ignores_a_meeting_answering_in_parallel():
    meeting = [row(100 + i, minute=4000 + 10 + i * 0.9, duration=600 + i * 54, prefix="P")
               for i in range(10)]
    assert burst(frame(background(30) + meeting)) == []


def test_burst_after_reminder_weighs_less():
    df = frame(background(30) + sequential(8, 4000))
    (plain,) = burst(df)
    reminder = T0 + pd.Timedelta(minutes=3990)
    after = burst(df, reminders=[reminder])
    assert after == [] or after[0].score < plain.score
    assert burst(df, reminders=[T0 + pd.Timedelta(minutes=1000)])[0].score == plain.score


# --- near_duplicate -----------------------------------------------------------------------
def answer_campaign(copies, n_units=20, per_unit=15, n_items=10, seed=1, q="CB"):
    rng = np.random.default_rng(seed)
    shp = shape(q, n_items=n_items)
    rows, mat = [], []
    for u in range(n_units):
        for i in range(per_unit):
            rid = u * 100 + i
            rows.append(row(rid, unit=f"U{u}", minute=rid * 37.0, q=q))
            mat.append(list(rng.choice(list("abcd"), n_items, p=[.4, .3, .2, .1])))
    template = (list("bcbdcbacdb") * 5)[:n_items]
    for k in range(copies):
        rid = 5000 + k
        rows.append(row(rid, unit="U0", minute=rid * 41.0, q=q))
        line = list(template)
        if k:
            line[k % n_items] = "a"   # the model sheet itself, then copies with one edit
        mat.append(line)
    ids = [r["response_id"] for r in rows]
    return frame(rows), long_answers(ids, mat, shp), {q: shp}


def test_near_duplicate_flags_copied_sheets():
    resp, ans, qs = answer_campaign(copies=4)
    (f,) = near_duplicate(resp, ans, qs)
    assert f.unit == "U0" and f.response_ids == (5000, 5001, 5002, 5003)
    # Each copy matches the model sheet on 9 of 10 items (copies among themselves: 8/10).
    assert f.evidence["match_pct"] == 90 and f.evidence["threshold_pct"] >= 85


def test_near_duplicate_quiet_on_honest_units_and_pairs():
    resp, ans, qs = answer_campaign(copies=2)
    assert near_duplicate(resp, ans, qs) == []


def test_near_duplicate_skips_short_questionnaires():
    resp, ans, qs = answer_campaign(copies=6, n_items=3, q="DN")
    assert near_duplicate(resp, ans, qs) == []


def test_all_best_answers_are_not_copies():
    resp, ans, qs = answer_campaign(copies=0)
    extra = [row(8000 + i, unit="U1", minute=9000 + i) for i in range(5)]
    ans2 = long_answers([8000 + i for i in range(5)], [["a"] * 10] * 5, qs["CB"])
    found = near_duplicate(pd.concat([resp, frame(extra)]), pd.concat([ans, ans2]), qs)
    assert found == []


# --- speeder, straight_line, forwarded ----------------------------------------------------
def unit_block(unit, n, first, **kw):
    return [row(first + i, unit=unit, minute=first + i * 53.0, **kw) for i in range(n)]


def test_speeder_flags_a_unit_of_fast_clickers():
    rows = sum([unit_block(f"U{u}", 30, u * 100) for u in range(1, 6)], [])
    rows += unit_block("U9", 12, 900) + unit_block("U9", 18, 950, duration=60.0)
    rows += unit_block("U8", 28, 800) + unit_block("U8", 2, 850, duration=60.0)
    (f,) = speeder(frame(rows))
    assert f.unit == "U9" and f.response_ids == tuple(range(950, 968))
    assert f.evidence["share_pct"] == 60 and f.evidence["median_seconds"] == 60


def test_straight_line_flags_unit_and_not_single_enthusiast():
    shp = QuestionnaireShape("CB", tuple(ItemShape(f"q{i}", "B1" if i < 5 else "B2",
                                                   tuple("abcd"), "a") for i in range(8)))
    rng = np.random.default_rng(3)
    rows, mat = [], []
    for u in range(6):
        for i in range(30):
            rid = u * 100 + i
            rows.append(row(rid, unit=f"U{u}"))
            straight = (u == 0 and i < 15) or (u == 1 and i < 2)
            mat.append(["a"] * 8 if straight else list(rng.choice(list("abcd"), 8)))
    ans = long_answers([r["response_id"] for r in rows], mat, shp)
    (f,) = straight_line(frame(rows), ans, {"CB": shp})
    assert f.unit == "U0" and f.response_ids == tuple(range(15))
    # B2 has 3 items: too short to count; only B1 decides.
    assert f.evidence["responses"] == 15 and f.evidence["total"] == 30


def test_forwarded_flags_concentration_only():
    rows = sum([unit_block(f"U{u}", 30, u * 100) for u in range(1, 6)], [])
    rows = [dict(r, moved=r["response_id"] % 10 == 0) for r in rows]   # 10 % moved
    rows += unit_block("U9", 9, 900) + unit_block("U9", 21, 950, moved=True)
    (f,) = forwarded(frame(rows))
    assert f.unit == "U9" and len(f.response_ids) == 21 and f.evidence["share_pct"] == 70


# --- unit_anomaly -------------------------------------------------------------------------
def anomaly_campaign(n_units):
    shp = shape(n_items=10)
    rng = np.random.default_rng(5)
    rows, mat = [], []
    for u in range(n_units):
        p_top = 0.95 if u == 0 else 0.3
        for i in range(20):
            rid = u * 100 + i
            rows.append(row(rid, unit=f"U{u}"))
            mat.append(["a" if rng.random() < p_top else rng.choice(list("bcd"))
                        for _ in range(10)])
    ans = long_answers([r["response_id"] for r in rows], mat, shp)
    return frame(rows), ans, {"CB": shp}


def test_unit_anomaly_flags_a_unit_far_above_its_peers():
    resp, ans, qs = anomaly_campaign(7)
    (f,) = unit_anomaly(resp, ans, qs)
    assert f.unit == "U0" and f.evidence["variant"] == "top_share" and len(f.response_ids) == 20


def test_unit_anomaly_skips_kinds_with_few_units():
    resp, ans, qs = anomaly_campaign(4)
    assert unit_anomaly(resp, ans, qs) == []


# --- findings, explanation, risk, scan ----------------------------------------------------
def example_finding(**kw):
    base = dict(rule="same_device", unit="SNV", group="CB", ids=[7, 3, 5], severity="high",
                score=0.9, evidence={"responses": 7, "minutes": 12, "median_minutes": 25,
                                     "variant": "device"})
    base.update(kw)
    return make_finding(base["rule"], base["unit"], base["group"], base["ids"],
                        base["severity"], base["score"], base["evidence"])


def test_explain_vietnamese_and_english():
    f = example_finding()
    assert explain(f) == ("7 phiếu của đơn vị SNV được gửi từ cùng một trình duyệt trong 12 "
                          "phút (thời gian trả lời trung vị: 25 phút). Mức độ: cao.")
    assert explain(f, "en").startswith("7 responses of unit SNV were submitted from the same")
    with pytest.raises(ValueError):
        explain(f, "fr")


def test_fingerprint_is_stable_and_specific():
    a, b = example_finding(), example_finding(score=0.1)
    assert a.response_ids == (3, 5, 7) and a.fingerprint == b.fingerprint
    assert example_finding(ids=[3, 5]).fingerprint != a.fingerprint
    assert example_finding(group=None).fingerprint != a.fingerprint


def test_risk_combines_rules_and_no_single_rule_voids():
    resp = normalize_responses(frame(background(5)))
    measures = pd.DataFrame({"unit_kind": ["so"], "flagged_share": [0.5]},
                            index=pd.Index(["U1"], name="unit"))
    fs = [example_finding(unit="U1", score=1.0),
          example_finding(unit="U1", rule="speeder", score=0.5, ids=[1])]
    risk = unit_risk(resp, fs, measures)
    assert risk.loc[0, "risk"] == pytest.approx(1 - (1 - 0.85) * (1 - 0.65 * 0.5), abs=1e-4)
    assert risk.loc[0, "rules"] == "same_device,speeder"
    assert max(DEFAULT_CONFIG.weights.values()) < DEFAULT_CONFIG.level_void
    assert [level_of(x) for x in (0.1, 0.2, 0.5, 0.9)] == ["none", "watch", "review",
                                                           "void_candidate"]


def test_scan_is_deterministic_json_able_and_explained_in_both_languages():
    from app.interference.simulate import simulate_campaign
    camp = simulate_campaign(seed=11, n_units=40, planted_per_rule=1)
    one = scan(camp.responses, camp.answers, camp.questionnaires, camp.reminders)
    two = scan(camp.responses, camp.answers, camp.questionnaires, camp.reminders)
    assert [f.fingerprint for f in one.findings] == [f.fingerprint for f in two.findings]
    assert {f.rule for f in one.findings} >= {"same_device", "near_duplicate", "speeder"}
    for f in one.findings:
        json.dumps(dict(f.evidence))
        assert explain(f, "vi") and explain(f, "en")
    assert list(one.unit_risk.columns) == ["unit", "unit_kind", "risk", "level",
                                           "flagged_share", "rules"]


def test_scan_of_an_empty_campaign():
    empty = frame([row(1)]).iloc[:0]
    result = scan(empty, pd.DataFrame(columns=["response_id", "item", "option"]),
                  {"CB": shape()})
    assert result.findings == [] and result.unit_risk.empty


def test_missing_columns_are_a_clear_error():
    with pytest.raises(ValueError, match="duration_s"):
        normalize_responses(frame(background(2)).drop(columns=["duration_s"]))


def test_custom_config_changes_a_threshold():
    rows = background() + [row(100 + i, minute=5000 + 2 * i, device="X") for i in range(3)]
    assert same_device(frame(rows), Config(same_device_min=4)) == []
    assert len(same_device(frame(rows))) == 1
