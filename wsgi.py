"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""
from traveler_portal import create_app

app = create_app()
