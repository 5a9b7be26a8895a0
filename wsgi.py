"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``.

Loaded by the ``flask`` command (a click context is current) the app has its ``db``
migration commands; served by gunicorn it does without Flask-Migrate and Alembic, which
no request uses (~11 MB less in every web worker)."""
import click

from traveler_portal import create_app

app = create_app(migrations=click.get_current_context(silent=True) is not None)
