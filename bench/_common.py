"""What every bench shares: the databases it runs on, and one result line per figure.

Each bench runs on SQLite (a temporary file) and PostgreSQL (`--db sqlite|postgresql|both`,
default both; PostgreSQL at BENCH_PG_URL, default the scratch database ps_speed_bench) and
prints, for every figure, the goal, the figure, the baseline measured in the same run and the
load average of the machine at that moment. `python -m bench` collects the lines (through the
file named by BENCH_RESULTS) into one summary table.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import tempfile
import time

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/ps_speed_bench"


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both",
                        help="database(s) to run on (PostgreSQL: BENCH_PG_URL, default %s)" % DEFAULT_PG)


def databases(choice: str) -> list[tuple[str, str]]:
    """(label, URL) pairs; the SQLite file is new for each run."""
    out = []
    if choice in ("sqlite", "both"):
        out.append(("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='parsurvey-bench-')}/bench.db"))
    if choice in ("postgresql", "both"):
        out.append(("PostgreSQL", os.environ.get("BENCH_PG_URL") or DEFAULT_PG))
    return out


def free_port() -> int:
    """A loopback port nobody listens on now (for a server a bench starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    """Wait until the started server accepts connections on the port; stop the bench clearly if it
    exits or does not listen within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with {server.returncode} before listening on port {port}")
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not listen on port {port} within {seconds:g} s")


def load() -> float:
    return os.getloadavg()[0]


def record(work: str, db: str, figure: float, unit: str, goal: float | None, baseline: str = "",
           lower_is_better: bool = True) -> bool:
    """Print one figure with its goal, same-run baseline and load average; return whether it is met."""
    met = None if goal is None else (figure <= goal if lower_is_better else figure >= goal)
    goal_text = "—" if goal is None else f"{'≤' if lower_is_better else '≥'} {goal:g} {unit}"
    verdict = "" if met is None else ("met" if met else "NOT met")
    line = {"work": work, "db": db, "figure": f"{figure:.3g} {unit}" if figure < 100 else f"{figure:.0f} {unit}",
            "goal": goal_text, "met": verdict, "baseline": baseline, "load": f"{load():.1f}"}
    print(f"  [{db}] {work}: {line['figure']} (goal {goal_text}: {verdict or 'no goal'}); baseline {baseline or '—'}; "
          f"load average {line['load']} on {os.cpu_count()} CPUs", flush=True)
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return bool(met)
