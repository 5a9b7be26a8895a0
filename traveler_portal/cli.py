"""Command-line entry points: ``flask --app wsgi <command>``."""
import os
import signal
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from config import embedded_broker_socket

from . import demo, keyring
from . import embedded_broker as broker
from .domain import accounts, outbox, profile_lookup, profiles, second_factor
from .domain.errors import ValidationFailed
from .extensions import db
from .models import Role, User
from .models.crypto import EncryptionKeyMissing
from .reference import loader

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--country", type=click.Choice(["US", "CA"]),
              help="Officers, port officers and supervisors only (required for them).")
@click.option("--port", "port", default=None,
              help="Port officers only (optional): the code of their port of entry, one of "
                   "--country's ports (e.g. BLAINE).")
@click.option("--organization", "organization", default=None,
              help="Employer (required): the organization administered, matched whatever "
                   "its case, spacing or punctuation, created if missing. Traveler: an "
                   "organization already registered. Not for other roles.")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
def create_user(email, role, country, port, organization, name, password_stdin):
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, password, Role(role), name=name, country=country,
                                    organization_name=organization,
                                    organization_must_exist=True, port_code=port)
    except ValidationFailed as exc:
        for field, message in exc.fields.items():
            click.echo(f"error: --{field.replace('_', '-')}: {message}", err=True)
        raise SystemExit(2) from None
    click.echo(f"created {user.role.value} {user.email}"
               + (f" ({user.country.value})" if user.country else "")
               + (f" at {user.port_code}" if user.port_code else "")
               + (f" in {user.organization.name}" if user.organization_id else ""))


@users_cli.command("totp")
@click.option("--email", required=True)
def enrol_totp(email):
    """Enrol the account in TOTP two-step sign-in (replacing any earlier authenticator and
    recovery codes) and print the base32 secret, for an authenticator app or a script."""
    user = db.session.scalars(sa.select(User).where(
        User.email == accounts.normalise_email(email))).first()
    if user is None:
        click.echo(f"error: --email: no account {email}", err=True)
        raise SystemExit(2)
    click.echo(second_factor.enrol_now(user))


@click.command("load-reference-data")
def load_reference_data():
    """Load or update categories, documents, ports, queues, rules and reason codes."""
    counts = loader.load_all()
    click.echo("reference data loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@click.command("seed-demo")
@click.option("--i-know-this-is-production", "production_ok", is_flag=True,
              help="Seed even under PORTAL_ENV=production (demo accounts, one an admin, "
                   "with printed passwords). Never on a real deployment.")
@with_appcontext
def seed_demo(production_ok):
    """Create demo accounts and a few petitions, and print how to sign in."""
    if os.environ.get("PORTAL_ENV") == "production" and not production_ok:
        click.echo("refused: seed-demo creates demo accounts (one an admin) and prints their "
                   "passwords; this is PORTAL_ENV=production. Add "
                   "--i-know-this-is-production only on a disposable copy.", err=True)
        raise SystemExit(2)
    # `make run` seeds before it starts the embedded broker: rather than three timeouts
    # and alarming warnings, keep the messages in the outbox and say when they go out.
    deferred = not _broker_reachable()
    current_app.config["OUTBOX_RELAY_DEFERRED"] = deferred
    for line in demo.seed():
        click.echo(line)
    if deferred:
        waiting = outbox.unpublished_count()
        click.echo(f"The broker is not running yet: {waiting} message(s) wait in the outbox; "
                   "celery beat publishes them once the broker, worker and beat are up.")


def _broker_reachable() -> bool:
    try:
        with current_app.extensions["celery"].connection_for_write() as conn:
            # one immediate retry: a refused connection answers at once, and waiting
            # kombu's default 2 s between tries kept every first `make run` waiting
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                   timeout=1)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable" here
        return False


@click.command("rotate-pii-keys")
def rotate_pii_keys():
    """Re-encrypt personal data with the first key of PII_ENCRYPTION_KEYS. Refuses unless
    the list is NEW,OLD and every running web and worker process holds NEW; afterwards
    the old keys can be dropped from the configuration."""
    try:
        keyring.check_rotation_is_safe()
        count = profiles.rotate_encryption_keys()
    except (keyring.RotationRefused, EncryptionKeyMissing) as refused:
        db.session.rollback()
        click.echo(f"refused, nothing changed: {refused}", err=True)
        raise SystemExit(2) from None
    click.echo(f"re-encrypted {count} values with the first key "
               f"({keyring.own_fingerprints()[0]}); now deploy PII_ENCRYPTION_KEYS=NEW "
               "(the old key dropped) to every process")


@click.command("embedded-broker")
def embedded_broker():
    """Run the embedded Redis broker in the foreground (the embedded default's broker)."""
    instance = Path(current_app.instance_path)
    socket_path = embedded_broker_socket(instance)
    process = broker.start(socket_path, instance / "redis")
    click.echo(f"embedded redis listening on {socket_path}")
    # Stopping this command (Ctrl-C, or honcho's SIGTERM) stops the server with it.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: process.terminate())
    process.wait()


@click.command("reindex-passports")
@with_appcontext
def reindex_passports():
    """Recompute every profile's passport + birth date lookup hash (after upgrading to
    migration 0014, or after changing PASSPORT_LOOKUP_KEY)."""
    count = profile_lookup.reindex()
    click.echo(f"lookup hashes recomputed for {count} profiles")


def init_app(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(load_reference_data)
    app.cli.add_command(seed_demo)
    app.cli.add_command(embedded_broker)
    app.cli.add_command(rotate_pii_keys)
    from .backup import backup_cli  # noqa: PLC0415 - operations commands (issue 15)
    from .doctor import doctor  # noqa: PLC0415
    from .outbox_cli import outbox_cli  # noqa: PLC0415
    app.cli.add_command(doctor)
    app.cli.add_command(backup_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(reindex_passports)

