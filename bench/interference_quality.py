"""Quality of the interference scan on campaigns that look like real ones (issue 13).

Each seed is one campaign of ``app/interference/scenarios.py`` (8–60 units, 2–10 sheets per
unit and group, rows in database order, homogeneous and heterogeneous honest units, office
hours, reminder waves, honest meetings); its scenario is the kind of plant (or "mixed", or
"honest": none). Prints a Markdown table of unit-level precision and recall at the "review"
and "void_candidate" levels, per scenario and for all together.

Thresholds were tuned on seeds 1000–1139; the figures come from held-out seeds 0…N−1.
``--rules`` also prints the per-rule figures on three large campaigns of ``simulate.py``.

Run: PYTHONPATH=. python bench/interference_quality.py [N=280] [--rules]
"""
from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict

from app.interference import DEFAULT_CONFIG, RULES, scan
from app.interference.scenarios import SCENARIOS, evaluate_units, real_campaign
from app.interference.simulate import evaluate, simulate_campaign

GOAL = 0.95


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "—"


def scenarios_table(n: int = 280, first: int = 0) -> bool:
    counts: dict = defaultdict(Counter)
    misses: Counter = Counter()
    false_kinds: Counter = Counter()
    t0 = time.perf_counter()
    for seed in range(first, first + n):
        camp = real_campaign(seed)
        m = evaluate_units(camp, scan(camp.responses, camp.answers, camp.questionnaires,
                                      camp.reminders))
        for key in (camp.scenario, "all"):
            c = counts[key]
            c["campaigns"] += 1
            c["units"] += len(camp.plants) + len(camp.honest)
            c["planted"] += len(camp.plants)
            for level in ("review", "void"):
                for k in ("tp", "fp", "fn"):
                    c[f"{level}_{k}"] += m[level][k]
        misses.update(m["review"]["missed"])
        false_kinds.update(m["review"]["fp_kinds"])
    secs = time.perf_counter() - t0
    print("| scenario | campaigns | units | planted | review P | review R | void P | void R "
          "| honest void |\n|---|---|---|---|---|---|---|---|---|")
    for key in (*SCENARIOS, "all"):
        c = counts[key]
        row = [key if key != "all" else "**all**", c["campaigns"], c["units"], c["planted"],
               _ratio(c["review_tp"], c["review_tp"] + c["review_fp"]),
               _ratio(c["review_tp"], c["planted"]),
               _ratio(c["void_tp"], c["void_tp"] + c["void_fp"]),
               _ratio(c["void_tp"], c["planted"]), c["void_fp"]]
        print("| " + " | ".join(str(v) for v in row) + " |")
    c = counts["all"]
    precision = c["review_tp"] / max(1, c["review_tp"] + c["review_fp"])
    recall = c["review_tp"] / max(1, c["planted"])
    ok = precision >= GOAL and recall >= GOAL and c["void_fp"] == 0
    print(f"\nseeds {first}–{first + n - 1} (held out; tuned on 1000–1139), {secs:.0f} s; "
          f"honest units at review: {dict(false_kinds) or 0}; planted units missed at review: "
          f"{dict(misses) or 0}; goal review P, R ≥ {GOAL} and no honest void candidate: "
          f"{'met' if ok else 'NOT met'}")
    return ok


def rules_table(n_units: int = 150, seeds=(1, 2, 3)) -> None:
    """Per-rule precision / recall on large campaigns of simulate.py (one plant per rule)."""
    for seed in seeds:
        camp = simulate_campaign(seed=seed, n_units=n_units, planted_per_rule=3)
        result = scan(camp.responses, camp.answers, camp.questionnaires, camp.reminders)
        m = evaluate(camp, result)
        print(f"\nseed {seed}: {len(camp.responses)} responses, {n_units} units, "
              f"{len(result.findings)} findings")
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
        print(f"max honest risk {r['max_honest_risk']:.3f} vs void threshold "
              f"{DEFAULT_CONFIG.level_void} (honest void candidates: {r['honest_void']})")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    scenarios_table(int(args[0]) if args else 280)
    if "--rules" in sys.argv:
        rules_table()
