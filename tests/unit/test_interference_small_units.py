"""Issue 13 tuning: small units get a note instead of an accusation, private windows are
still one person, a satisfied unit is not accused, planted units do not move the yardstick."""
from app.interference import DEFAULT_CONFIG, explain, level_of, same_device, scan, speeder, \
    unit_anomaly
from app.interference.stats import clean_base, share_verdict

from .test_interference import anomaly_campaign, background, frame, row, unit_block


def honest_units():
    # Five units of 30 sheets, 3 of them fast (people do answer fast now and then).
    return sum([unit_block(f"U{u}", 27, u * 100) + unit_block(f"U{u}", 3, u * 100 + 50,
                                                                duration=60.0)
                for u in range(1, 6)], [])


def test_a_small_unit_gets_a_note_not_an_accusation():
    rows = honest_units()
    rows += unit_block("U9", 1, 900) + unit_block("U9", 3, 950, duration=60.0)
    (f,) = speeder(frame(rows))
    assert f.unit == "U9" and f.severity == "low" and f.evidence["small_unit"] is True
    assert f.evidence["total"] == 4 and f.score * DEFAULT_CONFIG.weights["speeder"] < 0.5
    assert "quá ít để kết luận" in explain(f) and "too few for a conclusion" in explain(f, "en")
    risk = scan(frame(rows), frame([]).assign(response_id=[], item=[], option=[]), {})
    assert risk.unit_risk.set_index("unit").loc["U9", "level"] in ("none", "watch")


def test_a_larger_unit_with_the_same_share_is_reported():
    rows = honest_units()
    rows += unit_block("U9", 4, 900) + unit_block("U9", 12, 950, duration=60.0)
    (f,) = speeder(frame(rows))
    assert f.severity == "high" and f.evidence["small_unit"] is False
    assert f.score * DEFAULT_CONFIG.weights["speeder"] >= DEFAULT_CONFIG.level_review


def test_share_threshold_follows_the_number_of_units():
    few = share_verdict(4, 6, 0.05, 8, DEFAULT_CONFIG)
    many = share_verdict(4, 6, 0.05, 2000, DEFAULT_CONFIG)
    assert few["small_unit"] is False and many["small_unit"] is True
    assert share_verdict(1, 6, 0.05, 8, DEFAULT_CONFIG) is None


def test_planted_units_do_not_raise_the_campaign_base_rate():
    flags = [i % 10 == 0 for i in range(300)] + [True] * 20 + [False] * 2
    units = [f"H{i // 10}" for i in range(300)] + ["P"] * 22
    assert clean_base(flags, units, DEFAULT_CONFIG) == 0.1  # not 50 / 322
    assert clean_base([False] * 10, ["A"] * 10, DEFAULT_CONFIG) == DEFAULT_CONFIG.base_rate_floor


def test_private_windows_taking_turns_are_one_person():
    sheets = [row(100 + i, minute=6000 + 4 * i, duration=200, device=f"priv{i}", net="office",
                  ua="ua-office") for i in range(5)]
    found = same_device(frame(background() + sheets))
    (f,) = found
    assert f.evidence["variant"] == "sequential" and f.response_ids == tuple(range(100, 105))
    assert "cửa sổ ẩn danh" in explain(f) and "private window" in explain(f, "en")


def test_turns_are_taken_on_one_address_not_across_two():
    # Two offices alternating: every 4 minutes a sheet, but each office only every 8 minutes
    # (each session opened 3⅓ minutes before it was submitted, ~4⅔ minutes after the last).
    def sheet(i, net, minute):
        return row(100 + i, minute=minute, duration=200, device=f"priv{i}", net=net, ua="ua-office")
    alternating = [sheet(i, ("office", "annex")[i % 2], 6000 + 4 * i) for i in range(8)]
    assert same_device(frame(background() + alternating)) == []
    # One address's last two turns just before the other's first three: two short chains.
    annex = [sheet(i, "annex", m) for i, m in enumerate((5000, 5500, 6000, 6004))]
    office = [sheet(10 + i, "office", m) for i, m in enumerate((6008, 6012, 6016, 7000))]
    assert same_device(frame(background() + office + annex)) == []
    # One office taking turns, the other's sheets submitted in between: only the first's.
    turns = [sheet(i, "office", 6000 + 4 * i) for i in range(5)]
    between = [sheet(10 + i, "annex", 6002 + 8 * i) for i in range(3)]
    (f,) = same_device(frame(background() + between + turns))
    assert f.evidence["variant"] == "sequential" and f.response_ids == tuple(range(100, 105))


def test_colleagues_behind_one_nat_and_a_meeting_are_not_taking_turns():
    office = [row(i, minute=i * 97.0, duration=600, net="office", ua="ua-office") for i in range(30)]
    meeting = [row(100 + i, minute=7000 + 0.5 * i, duration=600, net="office", ua="ua-office")
               for i in range(12)]
    assert same_device(frame(office + meeting)) == []


def test_a_satisfied_unit_alone_is_watched_not_accused():
    resp, ans, qs = anomaly_campaign(7)
    (f,) = unit_anomaly(resp, ans, qs)
    assert f.evidence["variant"] == "top_share" and f.evidence["z"] > 2 * DEFAULT_CONFIG.anomaly_z
    assert f.score == DEFAULT_CONFIG.anomaly_top_share_max_score
    assert level_of(f.score * DEFAULT_CONFIG.weights["unit_anomaly"]) == "watch"
