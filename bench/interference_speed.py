"""Speed of scan() on a simulated campaign of ~100 000 responses × 50 items (~300 units).

Run: PYTHONPATH=. python bench/interference_speed.py
"""
from __future__ import annotations

import time

from app.interference import scan
from app.interference.simulate import simulate_campaign

GOAL_S = 60.0  # DESIGN.md §7: interference scan of 100 000 responses on a 2-core machine


def main() -> None:
    t0 = time.perf_counter()
    camp = simulate_campaign(seed=7, n_units=300, planted_per_rule=3, size=(250, 420),
                             main_items=50, mix=(1, 0, 0))
    sim_s = time.perf_counter() - t0
    n = len(camp.responses)
    print(f"simulated {n} responses, {len(camp.answers)} answers, "
          f"{camp.responses['unit'].nunique()} units in {sim_s:.1f} s")
    t0 = time.perf_counter()
    result = scan(camp.responses, camp.answers, camp.questionnaires, camp.reminders)
    secs = time.perf_counter() - t0
    print(f"scan: {secs:.1f} s ({n / secs:,.0f} responses/s, "
          f"{len(camp.answers) / secs:,.0f} answers/s); goal ≤ {GOAL_S:.0f} s; "
          f"{len(result.findings)} findings")


if __name__ == "__main__":
    main()
