"""Quality of the interference scan on simulated campaigns with planted interference.

Prints precision / recall per rule (unit and response level) and for the unit risk score,
for three seeds. Run: PYTHONPATH=. python bench/interference_quality.py [n_units]
"""
from __future__ import annotations

import sys
import time

from app.interference import DEFAULT_CONFIG, RULES, scan
from app.interference.simulate import evaluate, simulate_campaign

GOAL = 0.95


def main(n_units: int = 150, seeds=(1, 2, 3)) -> None:
    for seed in seeds:
        camp = simulate_campaign(seed=seed, n_units=n_units, planted_per_rule=3)
        t0 = time.perf_counter()
        result = scan(camp.responses, camp.answers, camp.questionnaires, camp.reminders)
        secs = time.perf_counter() - t0
        m = evaluate(camp, result)
        print(f"\nseed {seed}: {len(camp.responses)} responses, {n_units} units, "
              f"{len(result.findings)} findings, scan {secs:.1f} s")
        print(f"{'rule':<15}{'unit P':>8}{'unit R':>8}{'resp P':>8}{'resp R':>8}"
              f"{'flagged':>9}{'planted':>9}")
        for rule in RULES:
            r = m[rule]
            print(f"{rule:<15}{r['unit_precision']:>8.2f}{r['unit_recall']:>8.2f}"
                  f"{r['response_precision']:>8.2f}{r['response_recall']:>8.2f}"
                  f"{r['flagged_units']:>9}{r['planted_units']:>9}")
        r = m["risk"]
        print(f"{'risk ≥ review':<15}{r['unit_precision']:>8.2f}{r['unit_recall']:>8.2f}"
              f"{'':>16}{r['flagged_units']:>9}{r['planted_units']:>9}")
        ok = r["unit_precision"] >= GOAL and r["unit_recall"] >= GOAL and not r["honest_void"]
        print(f"max honest risk {r['max_honest_risk']:.3f} vs void threshold "
              f"{DEFAULT_CONFIG.level_void} (honest void candidates: {r['honest_void']}, "
              f"findings of any severity on honest units: {r['honest_low_findings']}); "
              f"goal P,R ≥ {GOAL}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 150)
