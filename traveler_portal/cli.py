"""Command-line entry points: ``flask --app wsgi <command>``."""
import signal
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from config import embedded_broker_socket

from . import demo
from . import embedded_broker as broker
from .domain import accounts, profiles
from .domain.errors import ValidationFailed
from .models import Role
from .reference import loader

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--country", type=click.Choice(["US", "CA"]))
@click.option("--organization", "organization", default=None,
              help="Employer: the organization administered (created if missing). "
                   "Traveler: the organization worked for.")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
def create_user(email, role, country, organization, name, password_stdin):
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, password, Role(role), name=name, country=country,
                                    organization_name=organization)
    except ValidationFailed as exc:
        for field, message in exc.fields.items():
            click.echo(f"error: --{field.replace('_', '-')}: {message}", err=True)
        raise SystemExit(2)
    click.echo(f"created {user.role.value} {user.email}"
               + (f" ({user.country.value})" if user.country else "")
               + (f" in {user.organization.name}" if user.organization_id else ""))


@click.command("load-reference-data")
def load_reference_data():
    """Load or update categories, documents, ports, queues, rules and reason codes."""
    counts = loader.load_all()
    click.echo("reference data loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@click.command("seed-demo")
def seed_demo():
    """Create demo accounts and a few petitions, and print how to sign in."""
    for line in demo.seed():
        click.echo(line)


@click.command("rotate-pii-keys")
def rotate_pii_keys():
    """Re-encrypt personal data with the first key of PII_ENCRYPTION_KEYS (then the old
    keys can be dropped from the configuration)."""
    count = profiles.rotate_encryption_keys()
    click.echo(f"re-encrypted {count} values with the first key")


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

