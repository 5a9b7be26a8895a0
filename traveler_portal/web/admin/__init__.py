"""The administrator's pages under /admin: queues and routing rules."""
from . import home, rules  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
