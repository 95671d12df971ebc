"""Configuration. The only module that reads the environment (see STYLE.md)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PARSURVEY_INSTANCE") or BASE_DIR / "instance")


class ConfigError(RuntimeError):
    """Raised when the environment lacks something the chosen configuration needs."""


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'parsurvey.db'}"


def _normalise_db_url(url: str) -> str:
    # Operators paste postgres:// URLs from their hosting panel; SQLAlchemy needs a driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(os.environ.get("DATABASE_URL") or _sqlite_default())
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_DIR = str(INSTANCE_DIR)
    #: Default official mailbox (same URL form as `mailboxes add`); unset = development backend.
    MAIL_URL = os.environ.get("MAIL_URL") or None
    MAIL_DEV_DIR = str(Path(INSTANCE_DIR) / "mail")
    #: Extra CA certificates (PEM) trusted for STARTTLS/SSL to the offices' SMTP and IMAP servers
    #: (many use an internal CA); the system store is always trusted too.
    MAIL_CA_FILE = os.environ.get("MAIL_CA_FILE") or None
    #: Seconds an SMTP or IMAP connection (and each of its commands) may take before it is given up.
    MAIL_TIMEOUT = 30
    #: Public address used in mailed links.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    #: Comma-separated addresses of reverse proxies allowed to set X-Forwarded-For.
    TRUSTED_PROXIES = tuple(p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip())
    #: Secret for keyed hashes of paradata (network, device); defaults to SECRET_KEY.
    PARADATA_KEY = os.environ.get("PARADATA_KEY") or None
    #: Secret used to encrypt mailbox passwords at rest; defaults to SECRET_KEY.
    MAILBOX_KEY = os.environ.get("MAILBOX_KEY") or None

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    MAX_CONTENT_LENGTH = 50 * 1024 * 1024  # uploads: a 50 MB list is refused with a clear page
    #: A workbook (.xlsx/.ods are zip files) that declares more unpacked bytes is refused unread.
    MAX_UNPACKED_BYTES = 200 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a respondent may keep a form open for hours
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True

    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15

    #: Sealed answer sheets (docs/ANONYMITY.md) are released into `responses` by the job runner
    #: once this many are waiting, or once the oldest has waited this many hours; shuffled.
    SEAL_RELEASE_MIN_SHEETS = int(os.environ.get("SEAL_RELEASE_MIN_SHEETS", "20"))
    SEAL_RELEASE_MAX_HOURS = float(os.environ.get("SEAL_RELEASE_MAX_HOURS", "6"))
    SEAL_RELEASE_BATCH = 1000  #: sheets moved per transaction

    #: Development mode only: the development mailbox page (every respondent's link) exists.
    DEVELOPMENT = False

    #: DESIGN.md §4: the fraction f of each survey leaf given to a unit whose survey was voided.
    INDEX_VOIDED_FRACTION = 0.0
    #: Readiness check before computing the index: a unit with fewer included sheets than this is
    #: named (its survey score rests on too little; the publication threshold k is 3).
    INDEX_MIN_SHEETS = 3

    QUESTIONNAIRES_DIR = os.environ.get("QUESTIONNAIRES_DIR") or str(BASE_DIR / "questionnaires")
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    """`make run` (PARSURVEY_ENV=development, asked for explicitly): embedded SQLite, the
    development mail backend and its mailbox page, a fixed local secret."""

    DEVELOPMENT = True

    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    DEVELOPMENT = True  # the suite reads the development mailbox; tests of production turn it off
    WTF_CSRF_ENABLED = True
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    MAIL_URL = None
    LOGIN_MAX_FAILURES = 5


class ProductionConfig(Config):
    """Refuses to start without the secrets that protect links and accounts."""

    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"

    @classmethod
    def check(cls) -> None:
        if not cls.SECRET_KEY:
            raise ConfigError("SECRET_KEY is not set: production needs a long random secret in the environment.")
        if len(cls.SECRET_KEY) < 16:
            raise ConfigError("SECRET_KEY is too short: use at least 16 random characters.")
        if not cls.MAIL_URL:
            raise ConfigError("MAIL_URL is not set: production sends through a real mailbox "
                              "(smtp://login:password@host:587?tls=starttls&sender=ADDR); the development "
                              "mailbox exists only with PARSURVEY_ENV=development.")


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "testing": TestConfig}


def from_environment() -> type[Config]:
    """The configuration class named by PARSURVEY_ENV (default: production, whose checks refuse
    to start without SECRET_KEY and MAIL_URL; `make run` asks for development explicitly)."""
    name = os.environ.get("PARSURVEY_ENV", "production")
    if name not in CONFIGS:
        raise ConfigError(f"PARSURVEY_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}.")
    cls = CONFIGS[name]
    if hasattr(cls, "check"):
        cls.check()
    return cls
