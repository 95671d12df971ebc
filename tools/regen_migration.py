"""Regenerate the single initial migration from the models (pre-release: one revision).

Autogenerate cannot see the progress-counter triggers, so their install/drop calls are
added back here. Usage: python tools/regen_migration.py
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "migrations" / "versions" / "0001_initial_schema.py"

UPGRADE_TAIL = """
    # Progress counters are kept by triggers (app/models/counters.py); autogenerate cannot see them.
    from app.models.counters import install_triggers
    install_triggers(op.get_bind())
"""
DOWNGRADE_HEAD = """    from app.models.counters import drop_triggers
    drop_triggers(op.get_bind())
"""


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
    generated.unlink()
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
