"""The officer's pages under /officer: queues and claiming, the case page, decisions, the
checklist and referral, holds."""
from . import cases, casework, decisions, queues  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
