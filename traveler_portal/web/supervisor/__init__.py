"""The supervisor's pages under /supervisor: the country's dashboard, reassigning and
unclaiming, denials awaiting a second approval, the audit trail, arrivals per port."""
from . import pages, ports  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
