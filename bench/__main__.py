"""Run every benchmark script in bench/ (or the ones named) and print one summary table.

    python -m bench [names…] [-- options passed to every script, e.g. --db postgresql]

Each script prints its own detail; the figures it records (bench/_common.py: goal, figure,
same-run baseline, load average) are gathered here into one Markdown table, the one the
README's Performance section is made from.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ("work", "db", "figure", "goal", "met", "baseline", "load")


def table(lines: list[dict]) -> str:
    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(str(line.get(c, "")) for c in COLUMNS) + " |" for line in lines]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    names, passed = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    if names:
        scripts = [p for p in scripts if p.stem in names]
    failed = []
    fd, results = tempfile.mkstemp(prefix="bench-results-", suffix=".jsonl")
    os.close(fd)
    env = dict(os.environ, BENCH_RESULTS=results)
    for script in scripts:
        print(f"\n=== {script.stem}", flush=True)
        # Only the scripts that take --db (bench/_common.py) get the passed options.
        takes_options = "add_db_argument" in script.read_text(encoding="utf-8")
        if subprocess.call([sys.executable, str(script), *(passed if takes_options else [])],
                           cwd=HERE.parent, env=env) != 0:
            failed.append(script.stem)
    with open(results, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    os.unlink(results)
    print(f"\n=== summary (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n")
    print(table(lines))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
