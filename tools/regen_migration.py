"""Regenerate the single initial migration from the models (pre-release: one revision).

Autogenerate cannot see the progress-counter triggers, so they are added back here: the
migration carries a frozen copy of their SQL (app/models/counters.py is the one definition). Usage: python tools/regen_migration.py
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = ROOT / "migrations" / "versions" / "0001_initial_schema.py"

UPGRADE_TAIL = """
    # Progress counters are kept by triggers; autogenerate cannot see them (frozen copy below).
    for statement in COUNTER_TRIGGERS[_dialect()]:
        op.get_bind().exec_driver_sql(statement)
"""
DOWNGRADE_HEAD = """    for statement in COUNTER_TRIGGERS_DROP[_dialect()]:
        op.get_bind().exec_driver_sql(statement)
"""


def _literal(statement: str, width: int = 100) -> str:
    """A long SQL statement as adjacent string literals of about `width` characters."""
    parts, line = [], ""
    for word in statement.split(" "):
        if line and len(line) + len(word) + 1 > width:
            parts.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    parts.append(line)
    return "(" + "\n         ".join(repr(p) for p in parts) + ")"


def frozen_triggers() -> str:
    """The counter triggers of app/models/counters.py as they are now, as migration source.

    The migration carries its own copy (a migration must keep creating what it created when it
    was written); tests/test_migrations.py checks the copy against the models, so a change to the
    triggers means regenerating (pre-release) or a new migration (afterwards)."""
    from app.models.counters import drop_statements, trigger_statements

    def block(name: str, statements_of) -> str:
        out = [f"{name} = {{"]
        for dialect in ("sqlite", "postgresql"):
            out.append(f"    {dialect!r}: [")
            out += [f"        {_literal(s)}," for s in statements_of(dialect)]
            out.append("    ],")
        return "\n".join(out + ["}"])

    return ("\n\n# Progress-counter triggers, frozen from app/models/counters.py by tools/regen_migration.py\n"
            "# (tests/test_migrations.py checks this copy against the models).\n"
            + block("COUNTER_TRIGGERS", trigger_statements) + "\n"
            + block("COUNTER_TRIGGERS_DROP", drop_statements) + "\n\n\n"
            "def _dialect():\n"
            "    return 'postgresql' if op.get_bind().dialect.name == 'postgresql' else 'sqlite'\n")


def main() -> None:
    TARGET.unlink(missing_ok=True)
    env = dict(os.environ, PARSURVEY_INSTANCE=tempfile.mkdtemp(), PARSURVEY_ENV="development")
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "migrate", "-m", "initial schema"],
                   cwd=ROOT, env=env, check=True)
    generated = next((ROOT / "migrations" / "versions").glob("*_initial_schema.py"))
    text = generated.read_text(encoding="utf-8")
    rev = re.search(r"revision = '([0-9a-f]+)'", text).group(1)
    text = text.replace(rev, "0001_initial")
    text = re.sub(r"Create Date: .*\n", "", text)
    up_end = text.index("    # ### end Alembic commands ###", text.index("def upgrade"))
    text = text[:up_end] + text[up_end:].replace("    # ### end Alembic commands ###\n",
                                                 "    # ### end Alembic commands ###\n" + UPGRADE_TAIL, 1)
    text = text.replace("def downgrade():\n", "def downgrade():\n" + DOWNGRADE_HEAD, 1)
    text = text.replace("\n\ndef upgrade():", frozen_triggers() + "\n\ndef upgrade():", 1)
    generated.unlink()
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
