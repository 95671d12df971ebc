"""Flask extensions, created unbound and bound in create_app()."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so Alembic migrations are stable on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True)  # SQLite needs batch mode for ALTER
login = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: Flask-Mail composes (and sends) one-off mails — test mails; the outbox keeps its fast path
#: (docs/decisions/0001-flask-mail-for-one-off-mails.md).
mail = Mail()
