"""ParSurvey: the sociological survey of the PAR Index, from lists to the published index."""
from pathlib import Path

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
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login.init_app(app)
    mail.init_app(app)
    from .auth import services as auth_services

    login.user_loader(auth_services.load_user)
    login.login_view = "auth.login"
    login.login_message = None
    from . import models  # noqa: F401  (register the tables on the metadata)


def register_blueprints(app: Flask) -> None:
    """Every blueprint, named here. A feature may spread its views over several modules on
    one blueprint; those modules are imported here, before registration, so that no routes
    module has to import its siblings (the import circles this replaced)."""
    from .admin.routes import bp as admin
    from .auth.routes import bp as auth
    from .core.routes import bp as core
    from .index.routes import bp as index
    from .interference_review.routes import bp as interference_review
    from .lists.routes import bp as lists
    from .mailing import address_routes, returns_routes  # noqa: F401  (views on the mailing blueprint)
    from .mailing.routes import bp as mailing
    from .progress import board  # noqa: F401  (views on the progress blueprint)
    from .progress.routes import bp as progress
    from .survey import enumerator  # noqa: F401  (views on the survey blueprint)
    from .survey.routes import bp as survey

    for blueprint in (core, auth, admin, lists, mailing, survey, progress, interference_review, index):
        app.register_blueprint(blueprint)


def register_legacy_urls(app: Flask) -> None:
    from .legacy_urls import register

    register(app)


def register_security(app: Flask) -> None:
    from .core.security import install

    install(app)


def register_cli(app: Flask) -> None:
    """Every command group, named here."""
    from jobs.cli import jobs

    from .admin import cli as admin
    from .auth import cli as auth
    from .index import cli as index
    from .interference_review import cli as interference_review
    from .lists import cli as lists
    from .mailing import cli as mailing
    from .progress import cli as progress

    for module in (auth, admin, lists, mailing, progress, interference_review, index):
        for group in module.COMMANDS:
            app.cli.add_command(group)
    app.cli.add_command(jobs)


def register_errorhandlers(app: Flask) -> None:
    from .core.errors import install

    install(app)
