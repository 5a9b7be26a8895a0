"""The port officer's pages under /port: look a traveler up, see the decision, identity
and documents, record the arrival; the quick "no pre-adjudication" entry."""
from . import inspections  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
