"""Configuration: production refuses to start without its secret."""
import importlib

import pytest


def test_production_needs_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PARSURVEY_ENV", "production")
    import config

    importlib.reload(config)
    try:
        with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
            config.from_environment()
    finally:
        monkeypatch.delenv("PARSURVEY_ENV")
        importlib.reload(config)


def test_unknown_environment_name(monkeypatch):
    import config

    monkeypatch.setenv("PARSURVEY_ENV", "staging-ish")
    with pytest.raises(config.ConfigError, match="staging-ish"):
        config.from_environment()


def test_postgres_url_gets_a_driver():
    from config import _normalise_db_url

    assert _normalise_db_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
