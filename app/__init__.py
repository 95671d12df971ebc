"""ParSurvey: the sociological survey of the PAR Index, from lists to the published index."""
from flask import Flask


def create_app(config=None) -> Flask:
    """Application factory: wiring only — no migrations, network or scheduler here."""
    app = Flask(__name__, instance_relative_config=False)
    register_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_legacy_urls(app)
    register_security(app)
    register_cli(app)
    register_errorhandlers(app)
    return app


def register_config(app: Flask, config) -> None:
    import config as config_module

    if config is None:
        config = config_module.from_environment()
    if isinstance(config, dict):
        app.config.from_object(config_module.DevelopmentConfig)
        app.config.update(config)
    else:
        app.config.from_object(config)
    from .core.i18n import translation_directories

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())


def register_logging(app: Flask) -> None:
    from .core.logredact import install_log_redaction

    install_log_redaction()


def register_extensions(app: Flask) -> None:
    from .core.i18n import select_locale
    from .extensions import babel, csrf, db, login, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(__import__("pathlib").Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login.init_app(app)
    mail.init_app(app)
    from .auth import services as auth_services

    login.user_loader(auth_services.load_user)
    login.login_view = "auth.login"
    login.login_message = None
    from . import models  # noqa: F401  (register the tables on the metadata)


BLUEPRINTS = (
    "core", "auth", "admin", "lists", "mailing", "survey", "progress", "interference_review", "index",
)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINTS:
        module = import_module(f"app.{name}.routes")
        app.register_blueprint(module.bp)


def register_legacy_urls(app: Flask) -> None:
    from .legacy_urls import register

    register(app)


def register_security(app: Flask) -> None:
    from .core.security import install

    install(app)


def register_cli(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINTS:
        try:
            module = import_module(f"app.{name}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.{name}.cli":
                raise
            continue
        for group in module.COMMANDS:
            app.cli.add_command(group)
    from jobs.cli import jobs

    app.cli.add_command(jobs)


def register_errorhandlers(app: Flask) -> None:
    from .core.errors import install

    install(app)
