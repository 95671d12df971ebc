"""A small simulated campaign: the scan finds the planted units and spares honest ones."""
from app.interference import DEFAULT_CONFIG, scan
from app.interference.simulate import evaluate, simulate_campaign


def test_unit_level_precision_recall_and_no_honest_void():
    camp = simulate_campaign(seed=5, n_units=70, planted_per_rule=1)
    result = scan(camp.responses, camp.answers, camp.questionnaires, camp.reminders)
    m = evaluate(camp, result)
    assert m["risk"]["unit_precision"] >= 0.9
    assert m["risk"]["honest_void"] == 0
    assert m["risk"]["max_honest_risk"] < DEFAULT_CONFIG.level_void
    for rule in ("same_device", "burst", "near_duplicate", "speeder", "straight_line",
                 "forwarded"):
        assert m[rule]["unit_recall"] == 1.0, rule
        assert m[rule]["unit_precision"] >= 0.9, rule
    # Every unit planted with an accusing rule reaches 'review'; a unit coached towards the
    # best option (unit_anomaly on the best-option share alone) only reaches 'watch':
    # general satisfaction is normal in a unit rating itself (issue 13).
    level = result.unit_risk.set_index("unit")["level"]
    for rule, units in camp.planted_units.items():
        for unit in units:
            expected = ("watch",) if rule == "unit_anomaly" else ("review", "void_candidate")
            assert level[unit] in expected, (rule, unit, level[unit])
