"""The cross-border business traveler pre-adjudication portal (Flask application)."""
import logging
import os
import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    database,  # (also registers the SQLite engine settings)
    i18n,
)
from .celery_app import celery_init_app
from .extensions import babel, csrf, db, limiter, login_manager

BASE_DIR = Path(__file__).resolve().parent.parent
__version__ = "0.1.0"


def _instance_secret(app, name: str, make) -> str:
    """A secret for the embedded default, generated once and kept in ``instance/`` (never
    in the repository); production must configure its own."""
    if os.environ.get("PORTAL_ENV") == "production":
        raise RuntimeError(f"{name} must be set in production")
    path = Path(app.instance_path) / name.lower()
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value)
    os.chmod(path, 0o600)
    return value


def _limiter_storage(broker_url: str) -> str:
    """The rate limiter's counts in the broker's Redis (kombu's ``redis+socket://`` is
    the limits library's ``redis+unix://``), so every web process shares them."""
    if broker_url.startswith("redis+socket://"):
        return "redis+unix://" + broker_url[len("redis+socket://"):]
    if broker_url.startswith(("redis://", "rediss://")):
        return broker_url
    return "memory://"


def create_app(test_config=None, migrations: bool = True) -> Flask:
    """The application. ``migrations``: register Flask-Migrate (the ``flask db`` commands
    and what ``flask_migrate.upgrade`` needs); a web server's workers do without it, and
    without the ~11 MB Alembic would add to each of them (wsgi.py)."""
    from config import (  # noqa: PLC0415 - read when an app is made, not at import
        MissingSetting,
        check_production,
        config_from_env,
    )

    try:
        check_production()
    except MissingSetting as missing:
        # One line on stderr, whoever started us (flask, gunicorn, celery), then exit.
        print(missing.line, file=sys.stderr, flush=True)
        raise
    cfg = config_from_env()
    app = Flask(__name__, instance_path=cfg.INSTANCE_PATH,
                template_folder=str(BASE_DIR / "templates"),
                static_folder=str(BASE_DIR / "static"))
    app.url_map.converters["int"] = database.RowIdConverter  # before any route is added
    app.config.from_object(cfg)
    app.config["VERSION"] = __version__
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, "SECRET_KEY",
                                                    lambda: secrets.token_hex(32))
    if not app.config.get("PII_ENCRYPTION_KEYS"):
        app.config["PII_ENCRYPTION_KEYS"] = [_instance_secret(
            app, "PII_ENCRYPTION_KEYS", lambda: Fernet.generate_key().decode())]

    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = _limiter_storage(app.config["CELERY_BROKER_URL"])

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        database.ping_idle_connections(db.engine, app.config["DB_PING_IDLE_SECONDS"])
        database.begin_transactions_at_first_write(db.engine)
    if migrations:
        from flask_migrate import Migrate  # noqa: PLC0415 - Alembic: commands and tests only
        Migrate(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    # The catalogue is found wherever the app runs from, and compiled if the .mo is stale.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(i18n.translations_dir()))
    i18n.compile_catalogues()
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    celery_init_app(app)

    # The views and commands import the extensions bound above (and this package).
    from . import cli, keyring, web  # noqa: PLC0415 - after the extensions are bound
    from .api import bp as api_bp  # noqa: PLC0415 - likewise
    from .web.support import input_guard, transactions  # noqa: PLC0415 - likewise

    input_guard.init_app(app)
    web.init_app(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API takes bearer tokens, never cookies
    cli.init_app(app)
    keyring.init_app(app)
    transactions.init_app(app)  # after the last blueprint: every view is a unit of work
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return app
