"""The Alembic history creates exactly the schema of the models (SQLite and PostgreSQL)."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig


@pytest.fixture
def fresh_url(database_url, tmp_path):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"parsurvey_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _app(url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
    return create_app(Config)


def test_one_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def test_upgrade_matches_models_and_downgrades(fresh_url):
    app = _app(fresh_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


def test_the_migration_carries_the_models_counter_triggers():
    """The migration's frozen copy of the progress-counter triggers is today's definition
    (app/models/counters.py); after a change there, run tools/regen_migration.py."""
    import importlib.util
    from pathlib import Path

    from app.models.counters import drop_statements, trigger_statements

    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0001_initial_schema.py"
    spec = importlib.util.spec_from_file_location("initial_schema", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for dialect in ("sqlite", "postgresql"):
        assert module.COUNTER_TRIGGERS[dialect] == trigger_statements(dialect)
        assert module.COUNTER_TRIGGERS_DROP[dialect] == drop_statements(dialect)


def test_sqlite_answers_are_clustered_on_their_key(fresh_url):
    """SQLite: the migration creates `answers` WITHOUT ROWID — the index's join reads a response's
    answers in one range of the table, and no hidden rowid keeps the order answers were written."""
    if not fresh_url.startswith("sqlite"):
        pytest.skip("a SQLite table option")
    app = _app(fresh_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'answers'")).scalar()
            assert sql.rstrip().upper().endswith("WITHOUT ROWID")
            with pytest.raises(Exception, match="rowid"):
                conn.execute(text("SELECT rowid FROM answers"))
        db.engine.dispose()
