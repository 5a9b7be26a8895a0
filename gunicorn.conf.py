"""gunicorn reads ./gunicorn.conf.py by itself. The production settings are checked once,
in the master before any worker forks, so a missing one is ONE line and gunicorn stops
(otherwise every worker would print it while booting)."""
import sys


def on_starting(server):
    from config import MissingSetting, check_production  # noqa: PLC0415 - the app's config

    try:
        check_production()
    except MissingSetting as missing:
        print(missing.line, file=sys.stderr, flush=True)
        raise
